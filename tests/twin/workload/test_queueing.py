"""The FIFO placement as a queue: M/M/c waiting time against the Erlang-C formula (issue 5)."""

from __future__ import annotations

import math

import numpy as np

from twin.scenario import Workload
from twin.workload.fleet import RackFleet
from twin.workload.jobs import draw_jobs
from twin.workload.schedulers import Scheduler


def erlang_c_mean_wait_s(arrival_per_s: float, service_s: float, servers: int) -> float:
    """Mean wait in queue of M/M/c (Erlang C; Kleinrock, Queueing Systems vol. 1, 1975, eq. 3.40)."""
    a = arrival_per_s * service_s
    rho = a / servers
    tail = a ** servers / math.factorial(servers) / (1 - rho)
    p_wait = tail / (sum(a ** k / math.factorial(k) for k in range(servers)) + tail)
    return p_wait * service_s / (servers - a)


def test_single_server_jobs_wait_as_erlang_c_predicts():
    servers, service_s, rho = 10, 3600.0, 0.8
    wl = Workload(target_utilisation=rho, mean_job_servers=1.0, max_job_servers=1, mean_job_duration_s=service_s,
                  diurnal_amplitude=0.0)
    waits = []
    for seed in range(4):
        arrivals, _ = draw_jobs(wl, servers, 400 * 86400.0, 0.0, np.random.default_rng(seed))
        q = Scheduler(RackFleet.uniform(servers))
        t_arr, work = arrivals.submit_s, arrivals.work_s
        now, j = 0.0, 0
        # event by event, as the engine drives the scheduler: to the next arrival or the next completion
        while j < t_arr.size:
            run = q.running[0]
            t_next = min(t_arr[j], now + (run[0][0] - q.clock[0]) if run else math.inf)
            q.advance(1.0, t_next - now, t_next)
            now = t_next
            while j < t_arr.size and t_arr[j] <= now:
                q.submit(t_arr[j], 1, float(work[j]))
                j += 1
            q.start_waiting(now)
        waits.append(np.asarray(q.waits_s)[2000:])  # drop the first days: the queue starts empty
    w = np.concatenate(waits)
    expected = erlang_c_mean_wait_s(rho * servers / service_s, service_s, servers)
    # waits are strongly correlated, so the tolerance is from batch means over the four independent runs
    batch = np.array([x.mean() for x in waits])
    sem = batch.std(ddof=1) / math.sqrt(batch.size)
    assert abs(w.mean() - expected) < max(4 * sem, 0.08 * expected), (w.mean(), expected, sem)


def test_erlang_c_formula_reduces_to_mm1():
    # M/M/1: Wq = rho / (mu - lambda) (Kleinrock 1975, eq. 3.26); at rho = 0.5 and 1 h service: 1 h
    assert erlang_c_mean_wait_s(0.5 / 3600.0, 3600.0, 1) == 3600.0
