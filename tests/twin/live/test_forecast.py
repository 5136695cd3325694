"""Forecasts forked from a saved state (issue 18, item 5): ``run.weather`` persistence, climatology or an uploaded
forecast, from the state's time; ``seabed-twin forecast`` prints a forecast's KPIs."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from physics import wind
from twin.scenario import ScenarioError, load_scenario
from twin.sim import weather
from twin.sim.engine import simulate
from twin.sim.exogenous import farm_power_curve

T0 = pd.Timestamp("2026-06-01T00:00:00+08:00")
PLAIN = ["run.step_s=600", "wind.farm.mttr_h=0", "wind.farm.wake_model=none", "wind.farm.density_correction=false",
         "wind.farm.storm_hysteresis=false"]


@pytest.fixture(scope="module")
def state_file(tmp_path_factory):
    """A saved state: the end of a day's run to ``T0``, with a hub wind of 11 m/s and a sea of 23 C."""
    tmp = tmp_path_factory.mktemp("forecast")
    r = simulate(load_scenario("lingang-phase1", PLAIN + ["run.horizon_s=1d",
                                                          f"run.start={(T0 - pd.Timedelta(days=1)).isoformat()}"]))
    doc = json.loads(r.end_state.to_json())
    doc["hub_wind_speed_m_s"], doc["sea_temp_c"] = 11.0, 23.0
    path = tmp / "state.json"
    path.write_text(json.dumps(doc))
    return tmp, path


def _forecast(state_file, mode, extra=(), horizon="2d"):
    tmp, path = state_file
    return load_scenario("lingang-phase1", [*PLAIN, f"run.horizon_s={horizon}", f"run.start={T0.isoformat()}",
                                            f"run.initial_state={path}", f"run.weather.mode={mode}", *extra])


def test_an_uploaded_constant_wind_gives_the_farm_power_of_the_curve(state_file):
    tmp, _ = state_file
    t = pd.date_range(T0 - pd.Timedelta(hours=1), T0 + pd.Timedelta(days=2, hours=1), freq="1h")
    pd.DataFrame({"timestamp": [x.isoformat() for x in t], "hub_wind_speed_m_s": 4.0, "sea_temp_c": 15.0}).to_csv(
        tmp / "calm.csv", index=False)
    sc = _forecast(state_file, "forecast", [f"run.weather.forecast={tmp / 'calm.csv'}"])
    r = simulate(sc)
    s = r.series
    assert s.index[0] == T0
    assert np.allclose(s["hub_wind_speed_m_s"], 4.0, atol=1e-5)
    curve = farm_power_curve(sc)
    # the farm's power at 4 m/s from the turbine's curve (windpowerlib's table for the design's turbine), every
    # turbine up, no wakes
    expected = sc.wind.farm.turbine_count * float(wind.turbine_power_w(curve, 4.0))
    assert expected > 0
    assert np.allclose(s["wind_available_w"], expected, rtol=1e-6)
    assert np.allclose(s["sea_temp_c"], 15.0, atol=1e-4)
    assert r.ledger["relative_residual"] < 1e-9


def test_persistence_holds_the_present_then_relaxes_to_the_mean(state_file):
    sc = _forecast(state_file, "persistence", horizon="5d")
    r = simulate(sc)
    hub = r.series["hub_wind_speed_m_s"].to_numpy(float)
    res = sc.wind.resource
    terms = weather.persistence_terms(sc)
    # the resource's own autocorrelation: its fast part (a_1h per hour) and its synoptic part
    fast = -3600.0 / math.log(res.autocorrelation_1h)
    assert terms == [(pytest.approx(1 - res.synoptic_weight), pytest.approx(fast)),
                     (res.synoptic_weight, res.synoptic_time_h * 3600.0)]
    curve = farm_power_curve(sc)
    mean = weather.resource_mean_hub_m_s(sc, sc.wind.farm.hub_height_m or curve.hub_height_m)
    assert mean == pytest.approx(float(wind.power_law_profile(res.weibull_c_m_s * math.gamma(1 + 1 / res.weibull_k),
                                                                res.reference_height_m, curve.hub_height_m,
                                                                sc.wind.farm.shear_exponent)), rel=1e-9) \
        or sc.wind.farm.shear_model == "logarithmic"

    def rho(t):
        return sum(w * np.exp(-t / tau) for w, tau in terms)

    # at t = 0 the present wind; each ten-minute mean between its ends' values of the decaying curve
    assert mean + (11.0 - mean) * rho(0.0) == pytest.approx(11.0)
    t = np.arange(hub.size + 1) * 600.0
    curve_v = mean + (11.0 - mean) * rho(t)
    assert np.all((hub <= curve_v[:-1] + 1e-4) & (hub >= curve_v[1:] - 1e-4))
    assert hub[0] > mean + 0.8 * (11.0 - mean)  # the first ten minutes hold most of it
    assert abs(hub[-1] - mean) < 0.01 * (11.0 - mean)  # five days is many synoptic e-folding times
    # the sea: the state's value at t = 0, its anomaly held on the seasonal curve
    sea = r.series["sea_temp_c"].to_numpy(float)
    day0 = T0.day_of_year - 1.0
    seasonal = weather.seasonal_sea_c(sc, np.array([day0, day0 + 5.0 - 1.0 / 144]))
    assert sea[0] == pytest.approx(23.0, abs=0.01)
    assert sea[-1] - sea[0] == pytest.approx(seasonal[1] - seasonal[0], abs=0.01)
    # a long persistence time holds the wind
    held = simulate(_forecast(state_file, "persistence", ["run.weather.persistence_time_h=1e5"], "1d"))
    assert np.allclose(held.series["hub_wind_speed_m_s"], 11.0, atol=0.01)


def test_climatology_is_the_designs_own_weather_from_the_states_time(state_file):
    sc = _forecast(state_file, "climatology", horizon="1d")
    r = simulate(sc)
    plain = simulate(load_scenario("lingang-phase1", [*PLAIN, "run.horizon_s=1d", f"run.start={T0.isoformat()}"]))
    assert np.array_equal(r.series["hub_wind_speed_m_s"], plain.series["hub_wind_speed_m_s"])
    assert r.series.index[0] == T0


def test_bad_weather_is_refused_by_field(state_file):
    tmp, _ = state_file
    with pytest.raises(ScenarioError, match="run.weather"):
        load_scenario("lingang-phase1", ["run.weather.mode=persistence"])
    with pytest.raises(ScenarioError, match="run.weather"):
        load_scenario("lingang-phase1", ["run.weather.mode=forecast"])
    pd.DataFrame({"timestamp": [T0.isoformat()], "wind": [3.0]}).to_csv(tmp / "nocol.csv", index=False)
    with pytest.raises(ScenarioError) as exc:
        simulate(_forecast(state_file, "forecast", [f"run.weather.forecast={tmp / 'nocol.csv'}"], "1h"))
    assert exc.value.problems[0][0] == "run.weather.forecast" and "hub_wind_speed_m_s" in exc.value.problems[0][1]
    t = pd.date_range(T0, T0 + pd.Timedelta(hours=6), freq="1h")
    pd.DataFrame({"timestamp": [x.isoformat() for x in t], "hub_wind_speed_m_s": 5.0}).to_csv(tmp / "short.csv",
                                                                                             index=False)
    with pytest.raises(ScenarioError, match="covers"):
        simulate(_forecast(state_file, "forecast", [f"run.weather.forecast={tmp / 'short.csv'}"], "1d"))
    pd.DataFrame({"timestamp": [x.isoformat() for x in t], "hub_wind_speed_m_s": -1.0}).to_csv(tmp / "neg.csv",
                                                                                              index=False)
    with pytest.raises(ScenarioError, match=r"\(line 2\), column hub_wind_speed_m_s"):
        simulate(_forecast(state_file, "forecast", [f"run.weather.forecast={tmp / 'neg.csv'}"], "1h"))


def test_the_forecast_command_prints_kpis(state_file):
    tmp, path = state_file
    out = subprocess.run([sys.executable, "-m", "twin", "forecast", "lingang-phase1", "--state", str(path),
                          "--weather", "persistence", "--horizon", "1d", "--step", "600s", "--json",
                          "--out", str(tmp / "run")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    kpis = json.loads(out.stdout)
    assert kpis["energy_balance_error"] < 1e-9 and kpis["wind_energy_mwh"] > 0
    end = json.loads((tmp / "run" / "end_state.json").read_text())
    assert end["time"] == (T0 + pd.Timedelta(days=1)).isoformat()
    bad = subprocess.run([sys.executable, "-m", "twin", "forecast", "lingang-phase1", "--state", str(path),
                          "--weather", "no-such-file.csv"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "--weather" in bad.stderr


def test_the_state_command_synchronises_from_telemetry(state_file):
    """`seabed-twin telemetry state`: the filter's present from a day of telemetry, as a state a forecast starts
    from; its temperatures near the run's truth, its speeds and servers the last measured."""
    from twin.live.telemetry import SynthOptions, synthesize

    tmp, _ = state_file
    start = T0 - pd.Timedelta(days=1)
    truth = simulate(load_scenario("lingang-phase1", PLAIN + ["run.horizon_s=1d", f"run.start={start.isoformat()}"]))
    signals = ["hub_wind_speed_m_s", "cabin0_it_power_w", "cabin0_fan_speed", "cabin0_pump_speed", "sea_temp_c",
               "cabin0_inlet_temp_c", "cabin0_servers_alive", "turbines_available"]
    exact = {k: 0.0 for k in ("hub_wind_speed_m_s", "cabin0_fan_speed", "cabin0_pump_speed", "cabin0_servers_alive",
                              "turbines_available")}
    long = synthesize(truth.series, signals, SynthOptions(noise={**exact, "cabin0_inlet_temp_c": 0.05}, seed=2))
    long["timestamp"] = [t.isoformat() for t in long["timestamp"]]
    long.to_csv(tmp / "tele.csv", index=False)
    out = subprocess.run([sys.executable, "-m", "twin", "telemetry", "state", "lingang-phase1", "--telemetry",
                          str(tmp / "tele.csv"), "--out", str(tmp / "synced.json"), "--step", "600s",
                          "--set", "wind.farm.mttr_h=0"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    doc = json.loads((tmp / "synced.json").read_text())
    last = truth.series.iloc[-1]
    assert pd.Timestamp(doc["time"]) == truth.series.index[-1]
    cab = doc["cabins"][0]
    assert abs(cab["gas_temp_c"] - last["cabin0_gas_temp_c"]) < 0.5
    assert cab["fan_speed"] == pytest.approx(last["cabin0_fan_speed"], abs=1e-6)
    assert cab["servers_failed"] == load_scenario("lingang-phase1").cabins[0].racks.server_count - int(
        last["cabin0_servers_alive"])
    assert doc["hub_wind_speed_m_s"] == pytest.approx(last["hub_wind_speed_m_s"], abs=1e-4)
    assert doc["turbines_down"] == 56 - round(last["turbines_available"])
    # and a forecast starts from it
    r = simulate(load_scenario("lingang-phase1", [*PLAIN, "run.horizon_s=6h", f"run.start={doc['time']}",
                                                  f"run.initial_state={tmp / 'synced.json'}",
                                                  "run.weather.mode=persistence"]))
    assert r.ledger["relative_residual"] < 1e-9
