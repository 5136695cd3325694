"""Failures under training jobs (issue 17, part 5): a job of a checkpointing class hit by a server failure loses
the work since its last checkpoint, is requeued at the head of its queue and pays its restart time; the KPIs count
restarts, lost work and goodput. Sealed cabins: failed servers stay failed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from physics.servers import SECONDS_PER_YEAR, annual_failure_rate, failure_x_factor, server_model
from twin.scenario import load_scenario
from twin.sim.engine import simulate
from twin.workload.fleet import RackFleet, ServerType
from twin.workload.schedulers import Group, Scheduler

IDLE_W, DYN_W = 2000.0, 5752.0


def _one_job(checkpoint_s=1000.0, restart_s=300.0, servers=10, size=8, work=10_000.0):
    fleet = RackFleet([0], [servers], [ServerType("dgx-h100", IDLE_W, IDLE_W + DYN_W)])
    q = Scheduler(fleet, [Group("train", 0, DYN_W, 1.0, IDLE_W, checkpoint_s, restart_s)])
    q.submit(0.0, size, work, group=0)
    q.start_waiting(0.0)
    return q


def test_a_failure_under_the_job_loses_the_work_since_its_checkpoint_and_pays_the_restart():
    q = _one_job()
    q.advance(1.0, 2500.0, 2500.0)  # 2.5 checkpoint intervals done
    # one rack of 10: 8 busy, 2 idle; u = 0.5 falls among the busy servers
    q.fail_one(0.5, 2500.0)
    assert q.class_restarts[0] == 1
    assert q.class_lost_s[0] == pytest.approx(8 * 500.0)  # 2500 s since the start, checkpoint at 2000 s
    assert q.fleet.alive_count == 9 and q.failures == 1
    assert q.waiting == 1 and q.busy == 0  # requeued, its servers released
    # restarted (as the engine does after a failure) on 8 of the 9 servers left: 8000 s of work + 300 s of restart
    q.start_waiting(2500.0)
    assert q.waiting == 0 and q.busy == 8
    entry = q.running[0][0]
    assert entry[0] - entry[8] == pytest.approx(8300.0)
    # a second failure during the restart: nothing more lost but the 200 s of restart done
    q.advance(1.0, 200.0, 2700.0)
    q.fail_one(0.0, 2700.0)
    q.start_waiting(2700.0)
    assert q.class_restarts[0] == 2
    assert q.class_lost_s[0] == pytest.approx(8 * 500.0)
    assert q.class_restart_s[0] == pytest.approx(8 * 200.0)
    assert q.fleet.alive_count == 8
    # then it runs to the end: 8000 s of work after a full restart
    q.advance(1.0, 8300.0, 11_000.0)
    assert q.class_completed[0] == 1 and q.busy == 0
    assert q.class_restart_s[0] == pytest.approx(8 * 500.0)
    assert q.class_work_s[0] == pytest.approx(8 * (2500.0 + 200.0 + 8300.0))
    useful = q.class_work_s[0] - q.class_lost_s[0] - q.class_restart_s[0]
    assert useful == pytest.approx(8 * 10_000.0)  # the job's own work, exactly once


def test_a_failure_of_an_idle_server_or_without_checkpoints_interrupts_nothing():
    q = _one_job()
    q.advance(1.0, 2500.0, 2500.0)
    q.fail_one(0.9, 2500.0)  # beyond the 8 busy of 10: an idle server
    q.start_waiting(2500.0)
    assert q.class_restarts[0] == 0 and q.busy == 8 and q.fleet.alive_count == 9
    # no checkpoints, every server busy: the job runs on, the failed server leaves at its end
    q2 = _one_job(checkpoint_s=math.inf, restart_s=0.0, servers=8)
    q2.advance(1.0, 2500.0, 2500.0)
    q2.fail_one(0.5, 2500.0)
    assert q2.class_restarts[0] == 0 and q2.busy == 8 and q2.fleet.alive_count == 7 and q2.servers == 8
    q2.advance(1.0, 7500.0, 10_000.0)
    assert q2.class_completed[0] == 1 and q2.servers == 7 and q2.class_lost_s[0] == 0.0


def test_a_job_that_no_longer_fits_the_servers_alive_is_refused():
    q = _one_job(servers=8, size=8)
    q.advance(1.0, 1500.0, 1500.0)
    q.fail_one(0.3, 1500.0)
    q.start_waiting(1500.0)
    assert q.class_restarts[0] == 1 and q.class_rejected[0] == 1 and q.busy == 0
    assert q.class_lost_s[0] == pytest.approx(8 * 500.0)


TRAIN = ('workload.classes=[{"name": "train", "target_utilisation": 0.7, "mean_job_servers": 16, '
         '"max_job_servers": 64, "mean_job_duration_s": "24h", "work": "training", '
         '"checkpoint_interval_s": "1h", "restart_s": "10min"}]')


@pytest.fixture(scope="module")
def ai_month():
    """lingang-phase1 with its 224 DGX H100 servers running training with hourly checkpoints, the accelerator
    failure rates (by_server) in air, so that a month sees a few dozen failures."""
    return simulate(load_scenario("lingang-phase1", [
        "run.horizon_s=30d", "run.step_s=600", "cabins.0.geometry.atmosphere=air",
        "cabins.0.racks.failure_rate_per_year=by_server", TRAIN]))


def test_a_month_of_training_loses_work_at_failures_and_keeps_its_books(ai_month):
    r = ai_month
    k, c = r.kpis, r.classes["train"]
    assert r.ledger["relative_residual"] < 1e-9
    # failures at the Llama 3 rate of an 8-GPU server (0.845 per year at 20 C) times the inlet's x-factor
    rate = annual_failure_rate(server_model("dgx-h100"), 0.033)
    x = np.array([failure_x_factor(t) for t in r.series.cabin0_inlet_temp_c.to_numpy()])
    expected = float((r.series.cabin0_servers_alive.to_numpy() * rate / SECONDS_PER_YEAR * x).sum() * 600.0)
    assert expected > 12
    assert abs(k["server_failures"] - expected) < 4 * np.sqrt(expected) + 1
    assert k["servers_alive_end"] == 224 - k["server_failures"]  # sealed: none comes back
    assert np.all(np.diff(r.series.cabin0_servers_alive.to_numpy()) <= 0)
    assert k["accelerators_alive_end"] == 8 * k["servers_alive_end"]
    assert k["servers_alive_share_end"] == pytest.approx(k["servers_alive_end"] / 224)
    # most failures hit a busy server (70 % busy), each a restart; a restart loses less than an interval per server
    assert 0 < c["restarts"] <= k["server_failures"]
    assert k["job_restarts"] == c["restarts"]
    assert 0.0 < c["lost_work_server_h"] < c["restarts"] * 64 * 1.0
    assert c["restart_server_h"] <= c["restarts"] * 64 * (10 / 60)
    assert c["goodput_share"] == pytest.approx(
        1 - (c["lost_work_server_h"] + c["restart_server_h"]) / c["work_done_server_h"])
    assert 0.9 < c["goodput_share"] < 1.0


def test_by_server_rates_weight_the_types_by_their_servers_and_keep_a_number_as_it_was():
    from twin.sim.cabin import failure_rate_per_year

    fleet = ('cabins.0.racks.fleet=[{"server": "dgx-h100", "rack_count": 16, "servers_per_rack": 4}, '
             '{"server": "ibm-x3550-x5670", "rack_count": 40, "servers_per_rack": 20}]')
    sc = load_scenario("lingang-phase1", [fleet, "cabins.0.racks.failure_rate_per_year=by_server"])
    gpu = annual_failure_rate(server_model("dgx-h100"), 0.033)
    assert failure_rate_per_year(sc.cabins[0]) == pytest.approx((64 * gpu + 800 * 0.033) / 864)
    assert failure_rate_per_year(load_scenario("lingang-phase1", [fleet]).cabins[0]) == 0.033
    with pytest.raises(ValueError, match="failure_rate_per_year"):
        load_scenario("lingang-phase1", ["cabins.0.racks.failure_rate_per_year=by_type"])
