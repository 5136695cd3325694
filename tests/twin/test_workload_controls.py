"""Workload generation, FIFO placement and the controllers."""

from __future__ import annotations

import numpy as np
import pytest

from twin.controls import PumpPI, fan_speed_for_load, throttle_speed
from twin.scenario import Workload
from twin.workload import FifoCabin, arrival_rate_per_s, capped_geometric_mean, draw_jobs


def test_capped_geometric_mean_matches_sampling():
    rng = np.random.default_rng(0)
    g = np.minimum(rng.geometric(1 / 4.0, 400_000), 10)
    assert capped_geometric_mean(4.0, 10) == pytest.approx(g.mean(), rel=0.01)


def _simulate_queue(workload: Workload, servers: int, days: float, seed: int, step_s: float = 60.0):
    rng = np.random.default_rng(seed)
    horizon = days * 86400.0
    arrivals, initial = draw_jobs(workload, servers, horizon, 0.0, rng)
    q = FifoCabin(servers)
    for s, w in zip(initial.size, initial.work_s):
        q.submit(0.0, int(s), float(w))
    q.start_waiting(0.0, record_wait=False)
    j = 0
    busy = []
    n = int(horizon / step_s)
    t_arr = arrivals.submit_s
    for i in range(n):
        now = i * step_s
        while j < t_arr.size and t_arr[j] <= now:
            q.submit(t_arr[j], int(arrivals.size[j]), float(arrivals.work_s[j]))
            j += 1
        q.start_waiting(now)
        busy.append(q.busy)
        q.advance(1.0, step_s)
    return np.asarray(busy) / servers, q


def test_utilisation_follows_the_target_by_littles_law():
    wl = Workload(target_utilisation=0.6, mean_job_servers=2, max_job_servers=8, mean_job_duration_s=3600,
                  diurnal_amplitude=0.3)
    util, q = _simulate_queue(wl, 200, days=60, seed=3)
    # Little's law: busy servers = arrival rate x mean size x mean duration; the standard error of a 60-day
    # mean with hour-scale correlation is well under 0.01
    assert util.mean() == pytest.approx(0.6, abs=0.02)
    assert arrival_rate_per_s(wl, 200) == pytest.approx(0.6 * 200 / (capped_geometric_mean(2, 8) * 3600))


def test_arrivals_follow_the_daily_rhythm():
    wl = Workload(target_utilisation=0.6, diurnal_amplitude=0.5, peak_hour=14.0)
    arrivals, _ = draw_jobs(wl, 500, 200 * 86400.0, 0.0, np.random.default_rng(1))
    hours = (arrivals.submit_s / 3600.0) % 24
    counts = np.bincount(hours.astype(int), minlength=24)
    # rate ratio at the peak and at the trough is (1 + a) / (1 - a) = 3
    assert counts[13:15].sum() / counts[1:3].sum() == pytest.approx(3.0, rel=0.1)
    assert int(np.argmax(counts)) in (13, 14)


def test_fifo_keeps_arrival_order_with_head_of_line_blocking():
    q = FifoCabin(4)
    q.submit(0.0, 3, 100.0)
    q.submit(1.0, 3, 100.0)  # must wait for the first
    q.submit(2.0, 1, 100.0)  # fits now, but FIFO keeps it behind the second
    q.start_waiting(5.0)
    assert q.busy == 3 and len(q.queue) == 2
    q.advance(1.0, 100.0)
    q.start_waiting(105.0)
    assert q.busy == 4 and q.waits_s == [5.0, 104.0, 103.0]


def test_throttling_slows_jobs_in_proportion():
    q = FifoCabin(1)
    q.submit(0.0, 1, 100.0)
    q.start_waiting(0.0)
    q.advance(0.5, 100.0)
    assert q.completed == 0
    q.advance(0.5, 100.0)
    assert q.completed == 1


def test_pi_reaches_the_setpoint_of_a_first_order_plant_and_unwinds_quickly():
    # plant: inlet relaxes to 40 - 20 * speed with a 300 s time constant; setpoint 26 needs speed 0.7
    pi = PumpPI(kp_per_k=0.1, ti_s=300.0, min_speed=0.2)
    t = 40.0
    for _ in range(2000):
        s = pi.update(t - 26.0, 10.0)
        t += (40.0 - 20.0 * s - t) * 10.0 / 300.0
    assert t == pytest.approx(26.0, abs=0.05) and s == pytest.approx(0.7, abs=0.01)
    # a long saturation (unreachable setpoint) must not wind the integral up beyond the actuator range
    for _ in range(5000):
        pi.update(+10.0, 10.0)
    assert pi.integral <= 1.0
    out = [pi.update(-1.0, 10.0) for _ in range(10)]
    assert out[-1] < 1.0  # leaves saturation within a few steps once the error changes sign


def test_fan_and_throttle_laws():
    assert fan_speed_for_load(0.0, 1e6, 0.3) == 0.3
    assert fan_speed_for_load(5e5, 1e6, 0.3) == 0.5
    assert fan_speed_for_load(2e6, 1e6, 0.3) == 1.0
    assert throttle_speed(30.0, 32.0, 1.5, 0.3) == 1.0
    assert throttle_speed(31.25, 32.0, 1.5, 0.3) == pytest.approx(0.65)
    assert throttle_speed(40.0, 32.0, 1.5, 0.3) == 0.3
