"""The fleet rack by rack and the schedulers (issue 5): power states, capping, placement policies."""

from __future__ import annotations

import numpy as np
import pytest

from physics import servers
from twin.scenario import ScenarioError, load_scenario
from twin.sim.engine import simulate
from twin.workload.fleet import RackFleet, ServerType
from twin.workload.schedulers import (
    ConsolidatingScheduler,
    Group,
    Scheduler,
    ThermalScheduler,
    make_scheduler,
)

CPU = servers.server_model("ibm-x3550-x5670")


def _fleet(racks=4, per_rack=4, boot_s=260.0, shutdown_s=60.0, deviation=None):
    st = ServerType("ibm", CPU.power_w_points[0], CPU.power_w_points[-1], boot_s, shutdown_s)
    return RackFleet([0] * racks, [per_rack] * racks, [st], [0], deviation)


def _group(u=1.0, cap_w=None):
    dyn = servers.busy_power_w(CPU, u, 1.0) - CPU.power_w_points[0]
    return Group("g", 0, dyn, servers.capped_speed_fraction(CPU, u, cap_w), CPU.power_w_points[0])


def test_power_follows_the_servers_states():
    """All on and idle: 16 x 66 W (SPECpower active idle of the IBM x3550, VALIDATION.md); a 4-server job at
    100 % adds 4 x (247 - 66) W; its rack carries it."""
    fleet = _fleet()
    q = Scheduler(fleet, [_group()])
    assert q.power_w() == pytest.approx(16 * 66.0)
    q.submit(0.0, 4, 600.0)
    q.start_waiting(0.0)
    q.set_speed(1.0)
    assert q.power_w() == pytest.approx(12 * 66.0 + 4 * 247.0)
    assert fleet.rack_power_w(q.speeds).tolist() == pytest.approx([4 * 247.0, 4 * 66.0, 4 * 66.0, 4 * 66.0])
    q.set_speed(0.5)  # throttled: the dynamic part halves (physics.servers.busy_power_w)
    assert q.power_w() == pytest.approx(16 * 66.0 + 4 * (247.0 - 66.0) * 0.5)
    q.advance(1.0, 600.0, 600.0)
    assert q.completed == 1 and q.power_w() == pytest.approx(16 * 66.0)


def test_power_cap_slows_the_job_and_bounds_its_power():
    cap = 200.0
    g = _group(1.0, cap)
    assert g.cap_speed == pytest.approx((200.0 - 66.0) / (247.0 - 66.0))
    q = Scheduler(_fleet(1, 1), [g])
    q.submit(0.0, 1, 1000.0)
    q.start_waiting(0.0)
    q.set_speed(1.0)
    assert q.power_w() == pytest.approx(cap)
    q.advance(1.0, 1000.0, 1000.0)
    assert q.completed == 0  # 1000 s of work at 74 % speed needs 1351 s
    q.advance(1.0, 352.0, 1352.0)
    assert q.completed == 1
    with pytest.raises(ValueError, match="cap_w"):
        servers.capped_speed_fraction(CPU, 1.0, 60.0)


def test_consolidation_boots_at_peak_power_and_shuts_idle_servers_down():
    fleet = _fleet(4, 4)
    q = ConsolidatingScheduler(fleet, [_group()], spare_share=0.0)
    q.manage_power(0.0, instant=True)
    assert q.powered == 0 and q.power_w() == 0.0
    q.submit(0.0, 3, 1000.0)
    q.start_waiting(0.0)  # nothing is on: three servers boot, in one rack (packing)
    assert q.busy == 0 and fleet.n_boot[0] == 3 and sum(k > 0 for k in fleet.trans) == 1
    q.set_speed(1.0)
    assert q.power_w() == pytest.approx(3 * 247.0)  # booting at peak (Gandhi et al. 2012)
    q.start_waiting(259.0)
    assert q.busy == 0
    q.start_waiting(260.0)
    assert q.busy == 3 and fleet.boots == 3
    q.advance(1.0, 1000.0, 1260.0)
    q.start_waiting(1260.0)  # idle again: shut down (60 s at idle), then off
    assert q.powered == 3 and q.power_w() == pytest.approx(3 * 66.0)
    q.start_waiting(1320.0)
    assert q.powered == 0 and q.power_w() == 0.0


def test_failures_leave_from_idle_servers_first_and_busy_ones_when_their_job_ends():
    fleet = _fleet(1, 2)
    q = Scheduler(fleet, [_group()])
    q.submit(0.0, 1, 100.0)
    q.start_waiting(0.0)
    q.fail_one(0.0)
    assert q.alive == 1 and q.free == 0 and q.busy == 1
    q.fail_one(0.0)  # the busy one: it leaves when its job ends
    assert q.alive == 0 and q.servers == 1
    q.advance(1.0, 100.0, 100.0)
    assert q.servers == 0 and q.completed == 1 and q.power_w() == 0.0
    q.submit(100.0, 1, 10.0)
    q.start_waiting(100.0)
    assert q.rejected == 1


def test_thermal_placement_takes_the_coolest_racks_and_first_fit_the_first():
    fleet = _fleet(4, 2)
    inlet = np.array([3.0, 1.0, 2.0, 0.5])
    t = ThermalScheduler(fleet, [_group()])
    t.submit(0.0, 3, 100.0)
    t.start_waiting(0.0, inlet_c=inlet)
    assert fleet.busy == [0, 1, 0, 2]
    f = make_scheduler("fifo", _fleet(4, 2), [_group()])
    f.submit(0.0, 3, 100.0)
    f.start_waiting(0.0, inlet_c=inlet)
    assert f.fleet.busy == [2, 1, 0, 0]
    with pytest.raises(ValueError, match="unknown"):
        make_scheduler("lottery", fleet)


WEEK_30 = ["run.horizon_s=7d", "run.step_s=120", "workload.target_utilisation=0.3", "workload.diurnal_amplitude=0.5",
           "wind.farm.mttr_h=0", "workload.scheduler=fifo"]


def test_consolidation_uses_less_it_energy_for_the_same_work_on_a_30_percent_fleet():
    fifo = simulate(load_scenario("lingang-phase1", WEEK_30))
    cons = simulate(load_scenario("lingang-phase1", [*WEEK_30, "workload.scheduler=consolidation"]))
    a, b = fifo.classes["default"], cons.classes["default"]
    # the same jobs arrive; work completed within 1 % (a job that waits for a boot may end after the horizon)
    assert b["work_done_server_h"] == pytest.approx(a["work_done_server_h"], rel=0.01)
    assert cons.kpis["it_energy_mwh"] < 0.85 * fifo.kpis["it_energy_mwh"]
    assert cons.kpis["mean_powered_share"] < 0.6 and fifo.kpis["mean_powered_share"] == 1.0
    assert cons.kpis["server_boots"] > 0
    # jobs that wait for a boot wait at most about a boot time longer at the 95th percentile
    assert b["job_wait_p95_s"] <= a["job_wait_p95_s"] + 260.0 + 2 * 120.0
    for r in (fifo, cons):
        assert r.ledger["relative_residual"] < 1e-9


def test_thermal_aware_placement_lowers_the_hottest_rack_inlet():
    summer = ["run.start=2026-08-01T00:00:00+08:00", "run.horizon_s=7d", "run.step_s=120",
              "workload.target_utilisation=0.5", "wind.farm.mttr_h=0"]
    fifo = simulate(load_scenario("lingang-phase1", [*summer, "workload.scheduler=fifo"]))
    hot = simulate(load_scenario("lingang-phase1", [*summer, "workload.scheduler=thermal"]))
    f, t = fifo.series["cabin0_hottest_inlet_c"], hot.series["cabin0_hottest_inlet_c"]
    mean_f = fifo.series["cabin0_inlet_temp_c"]
    # first fit piles the work on the first racks; coolest-first spreads it: the hottest rack is cooler
    assert t.mean() < f.mean() - 0.3
    assert t.max() < f.max()
    # the mean inlet (what the pump holds) is the same physics either way: within 0.1 K on average
    assert abs(hot.series["cabin0_inlet_temp_c"].mean() - mean_f.mean()) < 0.1
    assert hot.kpis["jobs_completed"] == pytest.approx(fifo.kpis["jobs_completed"], rel=0.02)


def test_a_mixed_fleet_runs_each_class_on_its_own_servers():
    sets = ["run.horizon_s=3d", "run.step_s=120", "wind.farm.mttr_h=0",
            'cabins.0.racks.fleet=[{"server": "dgx-h100", "rack_count": 16, "servers_per_rack": 4, '
            '"power_cap_w": 8000}, {"server": "ibm-x3550-x5670", "rack_count": 40, "servers_per_rack": 20}]',
            'workload.classes=[{"name": "training", "server": "dgx-h100", "target_utilisation": 0.6, '
            '"mean_job_servers": 4, "max_job_servers": 16, "mean_job_duration_s": "2h", "job_utilisation": 0.9}, '
            '{"name": "web", "server": "ibm-x3550-x5670", "target_utilisation": 0.3, "mean_job_duration_s": "10min", '
            '"diurnal_amplitude": 0.5, "job_utilisation": 0.5}]']
    r = simulate(load_scenario("lingang-phase1", sets))
    tr, web = r.classes["training"], r.classes["web"]
    # Little's law on each type: busy servers = arrival rate x size x run time (run time stretched by the cap)
    cap_speed = servers.capped_speed_fraction(servers.server_model("dgx-h100"), 0.9, 8000.0)
    assert cap_speed < 1.0
    # a job's servers are freed when its work is done (before issue 15, at the end of the step it finished in:
    # half a step, 60 s of a 600 s mean, longer)
    assert web["mean_servers_busy"] == pytest.approx(0.3 * 800, rel=0.05)
    assert tr["mean_servers_busy"] == pytest.approx(0.6 * 64 / cap_speed, rel=0.15)
    assert web["jobs_completed"] > 50 * tr["jobs_completed"] > 0
    assert tr["energy_per_job_kwh"] > 100 * web["energy_per_job_kwh"] > 0
    assert r.kpis["energy_balance_error"] < 1e-9


def test_a_class_on_a_server_type_the_cabin_lacks_is_refused_with_its_field():
    with pytest.raises(ScenarioError, match=r"workload.classes.0.server"):
        load_scenario("lingang-phase1", ['workload.classes=[{"name": "web", "server": "hp-ml110-g5", '
                                         '"target_utilisation": 0.3}]'])
    with pytest.raises(ScenarioError, match="fleet"):
        load_scenario("lingang-phase1", ['cabins.0.racks.fleet=[{"server": "dgx-h100", "rack_count": 3, '
                                         '"servers_per_rack": 4}]'])


def test_racks_throttle_on_their_own_inlet_and_a_group_runs_at_its_power_weighted_speed():
    fleet = _fleet(2, 2)
    q = Scheduler(fleet, [_group()])
    q.submit(0.0, 3, 1000.0)  # two servers on rack 0, one on rack 1
    q.start_waiting(0.0)
    q.set_speed(0.4, np.array([0.4, 1.0]))  # rack 0 throttled to 40 %, rack 1 not
    dyn = 247.0 - 66.0
    assert q.speeds[0] == pytest.approx((2 * 0.4 + 1 * 1.0) / 3)
    assert q.power_w() == pytest.approx(4 * 66.0 + dyn * (2 * 0.4 + 1.0))
    assert fleet.rack_power_w(q.speeds, np.array([0.4, 1.0])).tolist() == pytest.approx(
        [2 * 66.0 + 2 * dyn * 0.4, 2 * 66.0 + dyn])


def test_rack_scope_throttles_only_hot_racks_and_cabin_scope_caps_them_all():
    hot_week = ["run.start=2026-08-05T00:00:00+08:00", "run.horizon_s=3d", "run.step_s=120", "wind.farm.mttr_h=0",
                "workload.scheduler=fifo", "events=[{kind: sea_temp_offset, start_s: 0, duration_s: 3d, delta_k: 2}]"]
    cabin = simulate(load_scenario("lingang-phase1", hot_week))
    rack = simulate(load_scenario("lingang-phase1", [*hot_week, "cabins.0.limits.throttle_scope=rack"]))
    for r in (cabin, rack):
        assert (r.series.cabin0_throttle < 1.0).any() and r.ledger["relative_residual"] < 1e-9
    # capping every server lowers the heat of all racks, so the hottest rack is held lower than by its own
    # throttling alone (a rack's own heat is a small part of its inlet);
    assert cabin.series.cabin0_hottest_inlet_c.max() < rack.series.cabin0_hottest_inlet_c.max() - 0.5
    # and the hottest rack, left hotter, throttles deeper on average
    assert rack.series.cabin0_throttle.mean() < cabin.series.cabin0_throttle.mean()


def test_racks_keep_their_hourly_power_and_the_field_shows_where_the_work_is():
    from viz.fieldview import field_at

    r = simulate(load_scenario("lingang-phase1", ["run.horizon_s=2d", "run.step_s=120", "workload.scheduler=fifo",
                                                  "workload.target_utilisation=0.3", "wind.farm.mttr_h=0"]))
    assert r.racks.shape == (48, 56)
    # the racks' power adds up to the cabin's IT power hour by hour (January: no server-fan surcharge; a job's
    # start is attributed from the step after it, hence the tolerance)
    it = r.series.cabin0_it_power_w.resample("1h").mean().to_numpy()
    np.testing.assert_allclose(r.racks.sum(axis=1).to_numpy(), it, rtol=0.02)
    assert r.racks.to_numpy().sum() == pytest.approx(it.sum(), rel=0.002)
    # first fit fills the first racks: in the field of that hour they are the hot ones
    _, diag, _ = field_at(r, "1d")
    peaks = diag["rack_peak_c"]
    load = r.racks.iloc[24].to_numpy()
    order = np.argsort(load)
    assert load[order[-1]] > 2 * load[order[0]]
    assert peaks[order[-10:]].min() > peaks[order[:10]].max()
