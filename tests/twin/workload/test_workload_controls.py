"""Workload generation, FIFO placement and the controllers."""

from __future__ import annotations

import numpy as np
import pytest

from twin.scenario import Workload
from twin.sim.controls import PumpPI, fan_speed_for_load, throttle_speed
from twin.workload.fleet import RackFleet
from twin.workload.jobs import arrival_rate_per_s, capped_geometric_mean, draw_jobs
from twin.workload.schedulers import Scheduler


def test_capped_geometric_mean_matches_sampling():
    rng = np.random.default_rng(0)
    g = np.minimum(rng.geometric(1 / 4.0, 400_000), 10)
    assert capped_geometric_mean(4.0, 10) == pytest.approx(g.mean(), rel=0.01)


def _simulate_queue(workload: Workload, servers: int, days: float, seed: int, step_s: float = 60.0):
    rng = np.random.default_rng(seed)
    horizon = days * 86400.0
    arrivals, initial = draw_jobs(workload, servers, horizon, 0.0, rng)
    q = Scheduler(RackFleet.uniform(servers))
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
    q = Scheduler(RackFleet.uniform(4))
    q.submit(0.0, 3, 100.0)
    q.submit(1.0, 3, 100.0)  # must wait for the first
    q.submit(2.0, 1, 100.0)  # fits now, but FIFO keeps it behind the second
    q.start_waiting(5.0)
    assert q.busy == 3 and len(q.queues[0]) == 2
    q.advance(1.0, 100.0)
    q.start_waiting(105.0)
    assert q.busy == 4 and q.waits_s == [5.0, 104.0, 103.0]


def test_throttling_slows_jobs_in_proportion():
    q = Scheduler(RackFleet.uniform(1))
    q.submit(0.0, 1, 100.0)
    q.start_waiting(0.0)
    q.advance(0.5, 100.0)
    assert q.completed == 0
    q.advance(0.5, 100.0)
    assert q.completed == 1


def test_pi_reaches_the_setpoint_of_an_algebraic_plant_at_any_sensitivity():
    """The cabin's inlet answers the pump within the step: T_in = T0 - g * speed. Scheduled on g, the loop
    settles at the same rate whether g is 20 K or 200 K per unit speed (a fixed gain would diverge at 200)."""
    for g in (20.0, 60.0, 200.0):
        pi = PumpPI(gain=0.1, ti_s=60.0, min_speed=0.1)
        t0 = 24.0 + 0.55 * g  # the setpoint 24 C needs speed 0.55
        temps = []
        for _ in range(100):
            s = pi.update((t0 - g * pi.speed) - 24.0, 60.0, g)
            temps.append(t0 - g * s)
        assert s == pytest.approx(0.55, abs=1e-3)
        d = np.diff(temps)
        assert np.all(d[:-1] * d[1:] >= -1e-12)  # monotone approach: no alternation


def test_pi_does_not_wind_up_and_leaves_saturation_at_once():
    pi = PumpPI(gain=0.3, ti_s=180.0, min_speed=0.1)
    for _ in range(5000):
        out = pi.update(+10.0, 60.0, 50.0)  # setpoint out of reach: pinned at full speed
    assert out == 1.0 and pi.speed == 1.0
    out = pi.update(-1.0, 60.0, 50.0)
    assert out < 1.0  # the first step with the error reversed already moves off the limit
    assert pi.update(-5.0, 60.0, 50.0, cap=0.4) <= 0.4


def test_fan_and_throttle_laws():
    assert fan_speed_for_load(0.0, 1e6, 0.3) == 0.3
    assert fan_speed_for_load(5e5, 1e6, 0.3) == 0.5
    assert fan_speed_for_load(2e6, 1e6, 0.3) == 1.0
    assert throttle_speed(30.0, 32.0, 1.5, 0.3) == 1.0
    assert throttle_speed(31.25, 32.0, 1.5, 0.3) == pytest.approx(0.65)
    assert throttle_speed(40.0, 32.0, 1.5, 0.3) == 0.3


def test_throttle_speeds_is_throttle_speed_for_every_rack():
    from twin.sim.controls import throttle_speeds

    inlets = np.linspace(25.0, 35.0, 41)
    np.testing.assert_allclose(throttle_speeds(inlets, 32.0, 1.5, 0.3),
                               [throttle_speed(t, 32.0, 1.5, 0.3) for t in inlets], rtol=0, atol=1e-15)


def test_pi_settles_at_steps_far_longer_than_its_integral_time():
    """At a step of 10 or 60 integral times the velocity-form loop on an algebraic plant would be
    e' = (1 - kp (1 + dt/Ti)) e + kp e_prev: unstable once kp (2 + dt/Ti) >= 2 (at kp 0.1: dt > 18 Ti), pinned
    between the speed limits. Held at dt/Ti <= 1/kp - 1, it settles from any step length."""
    for dt in (600.0, 3600.0):
        pi = PumpPI(gain=0.1, ti_s=60.0, min_speed=0.1)
        g, t0 = 60.0, 24.0 + 0.55 * 60.0
        for _ in range(30):
            s = pi.update((t0 - g * pi.speed) - 24.0, dt, g)
        assert s == pytest.approx(0.55, abs=1e-4), dt
