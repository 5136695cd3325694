"""Jobs on servers: Poisson arrivals with a daily rhythm, and a first-come-first-served scheduler.

A job holds ``size`` whole servers for ``work_s`` seconds of full-speed running. Throttling slows every running
job of a cabin alike, so each cabin keeps a *virtual work clock* ``W`` that advances by ``speed * dt``; a job
started at ``W0`` finishes when ``W`` reaches ``W0 + work_s``. That makes completions a heap lookup per step, not a
per-job update.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from twin.scenario import Workload

__all__ = ["JobStream", "draw_jobs", "FifoCabin", "capped_geometric_mean", "arrival_rate_per_s"]


def capped_geometric_mean(mean: float, cap: int) -> float:
    """Mean of ``min(G, cap)`` for G geometric on 1, 2, ... with mean ``mean`` [-]."""
    p = 1.0 / mean
    return (1.0 - (1.0 - p) ** cap) / p


def arrival_rate_per_s(workload: Workload, servers: int) -> float:
    """Mean arrival rate that keeps ``target_utilisation`` of ``servers`` busy (Little's law) [s-1]."""
    size = capped_geometric_mean(workload.mean_job_servers, workload.max_job_servers)
    return workload.target_utilisation * servers / (size * workload.mean_job_duration_s)


@dataclass
class JobStream:
    """Pre-drawn jobs of one cabin: submit time [s], servers [-], work at full speed [s]."""

    submit_s: np.ndarray
    size: np.ndarray
    work_s: np.ndarray


def _sizes(rng: np.random.Generator, n: int, workload: Workload) -> np.ndarray:
    return np.minimum(rng.geometric(1.0 / workload.mean_job_servers, n), workload.max_job_servers)


def draw_jobs(workload: Workload, servers: int, horizon_s: float, start_local_hour: float,
              rng: np.random.Generator) -> tuple[JobStream, JobStream]:
    """Draw the arrivals of a run and the jobs already running at its start.

    Arrivals are a non-homogeneous Poisson process with rate ``lambda (1 + a cos(2 pi (h - peak) / 24))``
    sampled by thinning (Lewis and Shedler 1979). The start is not empty: jobs are drawn until the target
    share of servers is busy, each with an exponential remaining time (memoryless), so no warm-up is wasted.

    Returns
    -------
    (arrivals, initial) : JobStream, JobStream (``initial.submit_s`` is 0)
    """
    lam = arrival_rate_per_s(workload, servers)
    amp = workload.diurnal_amplitude
    lam_max = lam * (1.0 + amp)
    expected = lam_max * horizon_s
    n = rng.poisson(expected) if lam_max > 0 else 0
    t = np.sort(rng.uniform(0.0, horizon_s, n))
    hour = (start_local_hour + t / 3600.0) % 24.0
    keep = rng.uniform(0.0, 1.0, n) * (1.0 + amp) < 1.0 + amp * np.cos(2.0 * np.pi * (hour - workload.peak_hour) / 24.0)
    t = t[keep]
    arrivals = JobStream(t, _sizes(rng, t.size, workload), rng.exponential(workload.mean_job_duration_s, t.size))

    busy_target = int(round(workload.target_utilisation * servers))
    sizes: list[int] = []
    total = 0
    while busy_target > 0:
        s = int(_sizes(rng, 1, workload)[0])
        if total + s > busy_target:
            break
        sizes.append(s)
        total += s
    initial = JobStream(np.zeros(len(sizes)), np.asarray(sizes, dtype=int),
                        rng.exponential(workload.mean_job_duration_s, len(sizes)))
    return arrivals, initial


@dataclass
class FifoCabin:
    """Strict first-come-first-served placement on one cabin's servers (head-of-line blocking)."""

    servers: int
    free: int = 0
    work_clock_s: float = 0.0
    queue: deque = field(default_factory=deque)
    running: list = field(default_factory=list)
    waits_s: list = field(default_factory=list)
    completed: int = 0
    _seq: int = 0

    def __post_init__(self) -> None:
        self.free = self.servers

    def submit(self, submit_s: float, size: int, work_s: float) -> None:
        self.queue.append((submit_s, size, work_s))

    def start_waiting(self, now_s: float, record_wait: bool = True) -> None:
        """Start queued jobs in arrival order while the head of the queue fits."""
        q = self.queue
        while q and q[0][1] <= self.free:
            submit, size, work = q.popleft()
            self.free -= size
            self._seq += 1
            heapq.heappush(self.running, (self.work_clock_s + work, self._seq, size))
            if record_wait:
                self.waits_s.append(now_s - submit)

    def advance(self, speed: float, dt_s: float) -> None:
        """Run every started job for ``dt_s`` at ``speed`` and release the servers of those that finish."""
        self.work_clock_s += speed * dt_s
        w = self.work_clock_s + 1e-9
        run = self.running
        while run and run[0][0] <= w:
            _, _, size = heapq.heappop(run)
            self.free += size
            self.completed += 1

    @property
    def busy(self) -> int:
        return self.servers - self.free


def wait_percentile_s(waits: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(waits), q)) if waits else math.nan
