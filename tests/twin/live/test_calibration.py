"""Calibration to telemetry (issue 18): on synthetic telemetry from hidden values, four scenario fields come back
within two standard errors and within 10 %, and the test window passes ASHRAE Guideline 14."""

from __future__ import annotations

import pandas as pd
import pytest

from twin.live.calibration import CalibrationError, calibrate, default_parameter, parse_window
from twin.live.telemetry import SynthOptions, read_telemetry, synthesize
from twin.scenario import load_scenario
from twin.sim.engine import simulate

RUN = ["run.horizon_s=8d", "run.step_s=600",
       # the flat distribution efficiency (no power chain), so that it can be one of the hidden values
       "electrical.power_chain=null", "electrical.distribution_efficiency=0.97"]
HIDDEN = {"cabins.0.cooling.design_approach_k": 4.0, "wind.resource.weibull_c_m_s": 6.8,
          "cabins.0.cooling.pump_efficiency": 0.65, "electrical.distribution_efficiency": 0.95}
SIGNALS = ["hub_wind_speed_m_s", "sea_temp_c", "cabin0_inlet_temp_c", "cabin0_pump_speed", "pump_power_w",
           "facility_power_w", "it_power_w"]


@pytest.fixture(scope="module")
def telemetry():
    truth = simulate(load_scenario("lingang-phase1", [*RUN, *(f"{k}={v}" for k, v in HIDDEN.items())])).series
    long = synthesize(truth, SIGNALS, SynthOptions(gap_rate_per_day=0.5, seed=1))  # default sensor noise
    long["timestamp"] = [t.isoformat() for t in long["timestamp"]]
    return read_telemetry(long.to_csv(index=False).encode(), "synthetic")


def test_four_hidden_parameters_come_back(telemetry):
    design = load_scenario("lingang-phase1", RUN)
    params = [default_parameter(design, p) for p in HIDDEN]
    train = parse_window("2026-01-01T00:00:00+08:00..2026-01-06T00:00:00+08:00", "--train")
    test = parse_window("2026-01-06T00:00:00+08:00..2026-01-09T00:00:00+08:00", "--test")
    result = calibrate(design, telemetry, params, train, test)
    for path, hidden in HIDDEN.items():
        p = result.parameters[path]
        assert abs(p["value"] - hidden) <= 2 * p["std_error"], (path, p)
        assert abs(p["value"] - hidden) <= 0.1 * hidden, (path, p)
        assert abs(p["initial"] - hidden) > 0.02 * hidden  # it did not start at the answer
    assert all(f["pass"] for f in result.fit.values()), result.fit
    report = result.to_dict()
    assert set(report["parameters"][next(iter(HIDDEN))]) >= {"value", "std_error"}
    assert result.scenario.cabins[0].cooling.design_approach_k == pytest.approx(
        report["parameters"]["cabins.0.cooling.design_approach_k"]["value"])


def test_bad_calibration_input_is_named(telemetry):
    design = load_scenario("lingang-phase1", RUN)
    with pytest.raises(CalibrationError, match="--params"):
        default_parameter(design, "cabins.0.cooling.no_such_field")
    with pytest.raises(CalibrationError, match="--train"):
        parse_window("2026-01-05T00:00:00+08:00..2026-01-01T00:00:00+08:00", "--train")
    outside = (pd.Timestamp("2027-01-01T00:00:00+08:00"), pd.Timestamp("2027-01-02T00:00:00+08:00"))
    with pytest.raises(CalibrationError, match="--test: .* outside the run"):
        calibrate(design, telemetry, [default_parameter(design, "wind.resource.weibull_c_m_s")],
                  parse_window("2026-01-01T00:00:00+08:00..2026-01-05T00:00:00+08:00", "--train"), outside)
