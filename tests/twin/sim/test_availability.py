"""Turbine availability: repairs wait for weather windows, planned maintenance, battery policies, grid carbon."""

from __future__ import annotations

import numpy as np
import pytest

from physics.electrical import EAST_CHINA_GRID_CARBON_KG_PER_KWH
from twin.scenario import load_scenario
from twin.sim.engine import simulate
from twin.sim.exogenous import build_exogenous, next_window_start


def test_next_window_start_by_hand():
    ok = np.array([1, 0, 1, 1, 1, 0, 1, 1, 0, 0], bool)
    assert next_window_start(ok, 2).tolist() == [2, 2, 2, 3, 6, 6, 6, 10, 10, 10]
    assert next_window_start(ok, 3).tolist() == [2, 2, 2, 10, 10, 10, 10, 10, 10, 10]
    assert next_window_start(ok, 1).tolist() == [0, 2, 2, 3, 4, 6, 6, 7, 10, 10]


def test_windows_follow_the_sea_state():
    exo = build_exogenous(load_scenario("lingang-phase1", ["run.horizon_s=60d"]))
    rough = exo.wave_height_m > 1.5
    assert 0.0 < rough.mean() < 0.5
    start = exo.access_window_start
    # a window never starts in rough water, and never before the step asking for it
    inside = start[start < start.size]
    assert not rough[inside].any()
    assert np.all(start >= np.arange(start.size))


def test_repairs_wait_for_calm_weather():
    base = ["run.horizon_s=90d", "wind.farm.mtbf_h=500", "wind.farm.maintenance_start_day_of_year=null"]
    calm_crew = simulate(load_scenario("lingang-phase1", [*base, "wind.farm.repair_max_wave_height_m=10",
                                                          "wind.farm.repair_max_wind_m_s=40"]))
    fussy_crew = simulate(load_scenario("lingang-phase1", [*base, "wind.farm.repair_max_wave_height_m=0.6",
                                                           "wind.farm.repair_window_h=24"]))
    a_calm = calm_crew.kpis["turbine_availability"]
    a_fussy = fussy_crew.kpis["turbine_availability"]
    # with any weather allowed the downtime is MTTR / (MTBF + MTTR) = 30 / 530
    assert a_calm == pytest.approx(1 - 30 / 530, abs=0.01)
    assert a_fussy < a_calm - 0.01


def test_planned_maintenance_stops_one_turbine_at_a_time():
    sc = load_scenario("lingang-phase1", ["run.start=2026-04-25T00:00:00+08:00", "run.horizon_s=120d",
                                          "wind.farm.mttr_h=0", "wind.farm.maintenance_duration_h=12"])
    r = simulate(sc)
    avail = r.series.turbines_available
    assert avail.min() == 55 and avail.max() == 56
    stopped_h = (avail < 56).sum() / 60.0
    assert stopped_h == pytest.approx(56 * 12, rel=0.01)  # every turbine once, 12 h each
    first = avail[avail < 56].index[0]
    assert first.day_of_year >= 120


def test_outage_reserve_battery_only_serves_grid_outages():
    batt = ("electrical.battery={energy_capacity_wh: 5.0e6, max_charge_power_w: 2.0e6, "
            "max_discharge_power_w: 2.0e6, policy: outage_reserve}")
    calm_outage = ("events=[{kind: turbines_down, start_s: 1d, duration_s: 6h, turbines: 56},"
                   " {kind: grid_outage, start_s: 1d, duration_s: 6h}]")
    r = simulate(load_scenario("lingang-phase1", ["run.horizon_s=2d", batt, calm_outage]))
    s = r.series
    during = s.iloc[1440:1440 + 360]
    outside = s.drop(during.index)
    assert outside.battery_discharge_w.max() == 0.0
    assert during.battery_discharge_w.min() > 0.0 or during.unserved_w.max() > 0.0
    # 5 MWh between 10 % and 95 % carries about 4 MWh of a 1.4 MW load: the first ~2.5 h of the outage
    served_h = (during.unserved_w == 0).sum() / 60.0
    assert 1.5 < served_h < 4.0


def test_default_grid_carbon_has_an_evening_peak_and_the_published_mean():
    exo = build_exogenous(load_scenario("lingang-phase1", ["run.horizon_s=2d"]))
    c = exo.carbon_kg_per_kwh
    assert c.mean() == pytest.approx(EAST_CHINA_GRID_CARBON_KG_PER_KWH, rel=1e-3)
    assert int(exo.local_hour[np.argmax(c)]) == 20


def test_which_turbines_are_down_is_recorded_and_agrees_with_the_count(tmp_path):
    """Failures by turbine, an event's turbines, maintenance one after another: the outages give, step by step, the
    count the engine dispatched with, and the view draws exactly those turbines as down."""
    from viz.source import load_run, turbine_powers_w

    sc = load_scenario("lingang-phase1", [
        "run.start=2026-04-25T00:00:00+08:00", "run.horizon_s=20d", "run.step_s=600", "wind.farm.mtbf_h=2000",
        "wind.farm.maintenance_duration_h=48",
        "events=[{kind: turbines_down, start_s: 3d, duration_s: 2d, turbines: 8}]"])
    r = simulate(sc)
    o = r.turbine_outages
    assert set(o["cause"]) == {"failure", "event", "maintenance"}
    t = np.arange(len(r.series)) * 600.0
    down = np.array([(~r.turbines_up(x)).sum() for x in t])
    # one turbine down for two reasons at once (turbine 49 fails while the event holds it) is one turbine down
    open_entries = np.array([((o["start_s"] <= x) & (x < o["end_s"])).sum() for x in t])
    assert (open_entries > down).any()
    # the series holds each step's mean of the turbines the engine dispatched with: the outages' union per
    # turbine, integrated over the step
    edges = []
    for _, rows in o.groupby("turbine"):
        spans = sorted(zip(rows["start_s"], rows["end_s"]))
        a, b = spans[0]
        for s0, s1 in spans[1:]:
            if s0 > b:
                edges += [(a, 1), (b, -1)]
                a, b = s0, s1
            else:
                b = max(b, s1)
        edges += [(a, 1), (b, -1)]
    edges.sort()
    mean_down = np.zeros(len(t))
    count, last = 0, 0.0
    for x, d in [*edges, (t[-1] + 600.0, 0)]:
        for i in range(int(last // 600), min(int(np.ceil(x / 600)), len(t))):  # spread [last, x) over the steps
            lo, hi = max(last, t[i]), min(x, t[i] + 600.0)
            mean_down[i] += count * max(hi - lo, 0.0) / 600.0
        count, last = count + d, x
    np.testing.assert_allclose(56 - r.series["turbines_available"].to_numpy(), mean_down, atol=1e-5)
    whole = np.isclose(mean_down, np.round(mean_down))  # no stop began or ended inside the step
    np.testing.assert_array_equal(down[whole], np.round(mean_down[whole]))
    # the event stopped the eight highest-numbered turbines that were running, for its two days
    ev = o[o["cause"] == "event"]
    running = [k for k in range(56) if r.turbines_up(3 * 86400.0 - 1.0)[k]]
    assert sorted(ev["turbine"]) == running[-8:]
    assert (ev["start_s"] == 3 * 86400.0).all() and (ev["end_s"] == 5 * 86400.0).all()
    # maintenance from day 120 (5 May): turbines 0, 1, 2, ... one at a time
    m = o[o["cause"] == "maintenance"].sort_values("start_s")
    assert list(m["turbine"])[:3] == [0, 1, 2] and (m["end_s"] - m["start_s"]).max() == pytest.approx(48 * 3600.0)
    # saved and loaded, the view draws those turbines down (and only those)
    r.save(tmp_path)
    back = load_run(tmp_path)
    i = int(4 * 86400 / 600)
    state = turbine_powers_w(back, i)
    assert set(np.flatnonzero(~state.available)) == set(np.flatnonzero(~r.turbines_up(i * 600.0)))
    assert set(ev["turbine"]) <= set(np.flatnonzero(~state.available))


def test_maintenance_campaigns_come_once_a_year():
    """Two years: each turbine is maintained once per year, the campaigns a year apart (from day 120)."""
    r = simulate(load_scenario("lingang-phase1", ["run.horizon_s=730d", "run.step_s=3600", "wind.farm.mttr_h=0"]))
    m = r.turbine_outages[r.turbine_outages["cause"] == "maintenance"]
    assert sorted(m.groupby("turbine").size().unique()) == [2]
    starts = m[m["turbine"] == 0]["start_s"].to_numpy() / 86400.0
    assert 119 <= starts[0] <= 140 and 360 <= starts[1] - starts[0] <= 380
