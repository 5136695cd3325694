"""State estimation (issue 18): the extended Kalman filter on a cabin's thermal network tracks the hidden inlet and
the exchanger's fouling from noisy telemetry with gaps."""

from __future__ import annotations

import numpy as np
import pytest

from twin.live.state import estimate_cabin, present_state
from twin.live.telemetry import SynthOptions, on_steps, read_telemetry, synthesize
from twin.scenario import load_scenario
from twin.sim.engine import simulate

SIGNALS = ["cabin0_it_power_w", "cabin0_fan_speed", "cabin0_pump_speed", "sea_temp_c", "cabin0_inlet_temp_c",
           "cabin0_servers_alive"]


@pytest.fixture(scope="module")
def summer():
    """Thirty days of July at 300 s: the exchanger fouls from clean (no cleaning in the window); telemetry with
    0.1 K noise on the temperatures, 1 % on the power, one two-hour gap a day per signal."""
    sc = load_scenario("lingang-phase1", ["run.horizon_s=30d", "run.step_s=300", "run.start=2026-07-01T00:00:00+08:00"])
    truth = simulate(sc).series
    long = synthesize(truth, SIGNALS, SynthOptions(noise={"cabin0_inlet_temp_c": 0.1, "sea_temp_c": 0.1,
                                                          "cabin0_fan_speed": 0.0, "cabin0_pump_speed": 0.0,
                                                          "cabin0_servers_alive": 0.0},
                                                   gap_rate_per_day=1.0, gap_mean_h=2.0, seed=3))
    long["timestamp"] = [t.isoformat() for t in long["timestamp"]]
    tele = read_telemetry(long.to_csv(index=False).encode(), "synthetic")
    return sc, truth, on_steps(tele, truth.index, 300.0)


def test_the_filter_tracks_the_hidden_inlet_and_fouling(summer):
    sc, truth, grid = summer
    est = estimate_cabin(sc, 0, grid.values, 300.0).frame
    true_inlet = truth["cabin0_inlet_temp_c"].to_numpy()
    measured = grid.values["cabin0_inlet_temp_c"].to_numpy()
    seen = np.isfinite(measured)
    rmse_raw = np.sqrt(np.mean((measured[seen] - true_inlet[seen]) ** 2))
    rmse_est = np.sqrt(np.mean((est["inlet_temp_c"].to_numpy() - true_inlet) ** 2))
    assert rmse_raw == pytest.approx(0.1, rel=0.05)
    # better than the sensor, gaps included. Measured: 0.068 K against 0.100 K before issue 16's power chain, 0.072 K
    # with it (the cabin's in-cabin losses, 6 % more heat, and the fans following that heat)
    assert rmse_est < 0.75 * rmse_raw
    true_f = truth["cabin0_fouling_m2k_w"].to_numpy()
    later = slice(len(true_f) // 3, None)  # after ten days, once the fouling is more than its prior's spread
    rmse_f = np.sqrt(np.mean((est["fouling_m2k_w"].to_numpy()[later] - true_f[later]) ** 2))
    assert true_f[-1] > 1e-4 and rmse_f < 0.3 * true_f[-1]
    assert abs(est["fouling_m2k_w"].iat[-1] - true_f[-1]) < 4 * est["fouling_sd_m2k_w"].iat[-1]


def test_the_present_state_has_every_cabin_and_the_last_measurements(summer):
    sc, truth, grid = summer
    state = present_state(sc, grid.values, 300.0)
    (cabin,) = state["cabins"]
    assert cabin["servers_alive"] == truth["cabin0_servers_alive"].iat[-1] or cabin["servers_alive_at"] < state["time"]
    assert abs(cabin["inlet_temp_c"] - truth["cabin0_inlet_temp_c"].iat[-1]) < 0.5
    with pytest.raises(ValueError, match="cabin0_pump_speed"):
        estimate_cabin(sc, 0, grid.values.drop(columns=["cabin0_pump_speed"]), 300.0)
