"""The wind chain's options as a scenario selects them: measured wind, FLORIS tables, smoothing, storm stops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.scenario import ScenarioError, load_scenario
from twin.sim.engine import simulate
from twin.sim.exogenous import build_exogenous

DAY = ["run.horizon_s=2d", "run.start=2026-03-01T00:00:00+08:00"]


def _write_csv(path, rows):
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _hourly_rows(hours=60, speed=lambda h: 6.0 + 3.0 * np.sin(h / 5.0)):
    t0 = pd.Timestamp("2026-02-28T22:00:00+08:00")
    return [{"timestamp": (t0 + pd.Timedelta(hours=h)).isoformat(), "wind_speed_m_s": round(float(speed(h)), 3),
             "wind_direction_deg": 200.0, "height_m": 90.0} for h in range(hours)]


def test_measured_wind_drives_the_farm(tmp_path):
    csv = _write_csv(tmp_path / "wind.csv", _hourly_rows())
    sc = load_scenario("lingang-phase1", [*DAY, f"wind.resource.measured_csv={csv}"])
    exo = build_exogenous(sc)
    # measured at hub height: no shear; the environment's base step (10 minutes) holds the mean of the linear
    # interpolation over it, and a 60 s step inside it reads that mean
    t = pd.Timestamp("2026-03-01T00:00:00+08:00")
    v2, v3 = 6.0 + 3.0 * np.sin(2 / 5.0), 6.0 + 3.0 * np.sin(3 / 5.0)
    assert exo.hub_wind_speed_m_s[0] == pytest.approx(v2 + (v3 - v2) * 300.0 / 3600.0, abs=0.01)
    assert exo.hub_wind_speed_m_s[9] == exo.hub_wind_speed_m_s[0] != exo.hub_wind_speed_m_s[10]
    np.testing.assert_allclose(exo.wind_direction_deg, 200.0, atol=1e-9)  # vector mean of a constant
    r = simulate(sc)
    assert np.isfinite(r.series.to_numpy()).all() and r.kpis["energy_balance_error"] < 1e-3
    assert t == r.series.index[0]


def test_measured_wind_relative_path_is_read_from_the_scenario_folder(tmp_path):
    import yaml

    from twin.scenario import design_dir

    _write_csv(tmp_path / "wind.csv", _hourly_rows())
    data = yaml.safe_load((design_dir() / "lingang-phase1.yaml").read_text())
    data["wind"]["resource"]["measured_csv"] = "wind.csv"
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data))
    sc = load_scenario(tmp_path / "s.yaml", DAY)
    assert build_exogenous(sc).hub_wind_speed_m_s.size == 2 * 1440


def test_bad_measured_wind_names_the_row_and_column(tmp_path):
    rows = _hourly_rows()
    rows[7]["wind_speed_m_s"] = -3.0
    csv = _write_csv(tmp_path / "bad.csv", rows)
    sc = load_scenario("lingang-phase1", [*DAY, f"wind.resource.measured_csv={csv}"])
    with pytest.raises(ScenarioError) as exc:
        simulate(sc)
    field, reason = exc.value.problems[0]
    assert field == "wind.resource.measured_csv"
    assert "row 8 (line 9)" in reason and "wind_speed_m_s" in reason  # rows count from 1 after the header


def test_measured_wind_with_a_long_gap_is_refused(tmp_path):
    rows = [r for i, r in enumerate(_hourly_rows()) if not 20 <= i < 30]  # a 10-hour hole
    csv = _write_csv(tmp_path / "gap.csv", rows)
    sc = load_scenario("lingang-phase1", [*DAY, f"wind.resource.measured_csv={csv}"])
    with pytest.raises(ScenarioError, match="gap"):
        simulate(sc)
    ok = load_scenario("lingang-phase1", [*DAY, f"wind.resource.measured_csv={csv}",
                                          "wind.resource.measured_max_gap_h=12"])
    assert np.isfinite(build_exogenous(ok).hub_wind_speed_m_s).all()


def test_floris_table_agrees_with_our_jensen_in_annual_energy():
    over = ["run.horizon_s=60d", "run.step_s=600"]
    ours = build_exogenous(load_scenario("lingang-phase1", over))
    floris = build_exogenous(load_scenario("lingang-phase1", [*over, "wind.farm.wake_model=floris-jensen"]))
    assert floris.farm_power_w.sum() == pytest.approx(ours.farm_power_w.sum(), rel=0.02)


def test_smoothing_and_storm_stops_change_what_they_should():
    over = ["run.horizon_s=30d", "run.step_s=600", "wind.resource.weibull_c_m_s=14"]  # stormy
    base = build_exogenous(load_scenario("lingang-phase1", [*over, "wind.farm.storm_hysteresis=false"]))
    storm = build_exogenous(load_scenario("lingang-phase1", over))
    # hysteresis only ever removes power, and it does remove some in a stormy month
    assert np.all(storm.farm_power_w <= base.farm_power_w + 1e-6)
    assert storm.farm_power_w.sum() < base.farm_power_w.sum()
    smooth = build_exogenous(load_scenario("lingang-phase1", [*over, "wind.farm.storm_hysteresis=false",
                                                              "wind.farm.power_curve_smoothing=true"]))
    # smoothing spreads the curve: more power just above cut-in, never more than rated in total
    assert smooth.farm_power_w.max() <= 56 * 3.6e6 + 1e-6
    assert not np.allclose(smooth.farm_power_w, base.farm_power_w)
