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

__all__ = ["JobStream", "draw_jobs", "FifoCabin", "GreenCabin", "make_cabin_queue", "capped_geometric_mean",
           "arrival_rate_per_s"]


PAUSE_MIN_SLACK_S = 3600.0
"""A flexible job is paused only while it keeps at least this much slack to its deadline [s]: room for the
servers to be busy with other work when it must resume."""


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
    """Pre-drawn jobs of one cabin: submit time [s], servers [-], work at full speed [s], whether the job is
    flexible, and its deadline to finish [s] (infinite for ordinary jobs)."""

    submit_s: np.ndarray
    size: np.ndarray
    work_s: np.ndarray
    flexible: np.ndarray = None
    deadline_s: np.ndarray = None

    def __post_init__(self) -> None:
        if self.flexible is None:
            self.flexible = np.zeros(self.submit_s.size, bool)
        if self.deadline_s is None:
            self.deadline_s = np.full(self.submit_s.size, np.inf)


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
    sizes = _sizes(rng, t.size, workload)
    work = rng.exponential(workload.mean_job_duration_s, t.size)
    # flexibility from its own stream, so the share changes which jobs may wait but not the jobs themselves
    flex = np.random.default_rng(rng.integers(2**63)).uniform(0.0, 1.0, t.size) < workload.flexible_share
    deadline = np.where(flex, t + work + workload.deadline_slack_s, np.inf)
    arrivals = JobStream(t, sizes, work, flex, deadline)

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
    """Strict first-come-first-served placement on one cabin's servers (head-of-line blocking).

    Flexible jobs are ordinary jobs here; their deadlines are only checked.
    """

    servers: int
    free: int = 0
    work_clock_s: float = 0.0
    queue: deque = field(default_factory=deque)
    running: list = field(default_factory=list)
    waits_s: list = field(default_factory=list)
    completed: int = 0
    deadline_misses: int = 0
    flexible_completed: int = 0
    failures: int = 0
    rejected: int = 0
    failure_pending: int = 0
    _seq: int = 0

    def __post_init__(self) -> None:
        self.free = self.servers

    def fail_one(self) -> None:
        """A server dies: an idle one leaves at once; if all are busy, the next to be freed never returns (its job
        finishes from its last checkpoint on the others)."""
        self.failures += 1
        if self.free > 0:
            self.free -= 1
            self.servers -= 1
        else:
            self.failure_pending += 1

    def repair_one(self) -> None:
        """A replacement server arrives."""
        if self.failure_pending > 0:
            self.failure_pending -= 1
        else:
            self.servers += 1
            self.free += 1

    def _settle_failures(self) -> None:
        while self.failure_pending and self.free > 0:
            self.failure_pending -= 1
            self.free -= 1
            self.servers -= 1

    def _drop_impossible(self) -> None:
        """A job larger than the servers still alive can never start: it is refused and counted."""
        q = self.queue
        while q and q[0][1] > self.servers:
            q.popleft()
            self.rejected += 1

    @property
    def alive(self) -> int:
        return self.servers - self.failure_pending

    def submit(self, submit_s: float, size: int, work_s: float, deadline_s: float = math.inf,
               flexible: bool = False) -> None:
        self.queue.append((submit_s, size, work_s, deadline_s, flexible))

    def _start(self, now_s: float, job: tuple, record_wait: bool) -> None:
        submit, size, work, deadline, flexible = job
        self.free -= size
        self._seq += 1
        heapq.heappush(self.running, (self.work_clock_s + work, self._seq, size, deadline, flexible, submit))
        if record_wait and submit == submit:  # a resumed job carries NaN: its wait was counted at first start
            self.waits_s.append(now_s - submit)

    def start_waiting(self, now_s: float, record_wait: bool = True, surplus_w: float = 0.0,
                      job_power_w: float = 0.0, dt_s: float = 0.0) -> float:
        """Start queued jobs in arrival order while the head of the queue fits; returns surplus power used [W]."""
        self._drop_impossible()
        q = self.queue
        while q and q[0][1] <= self.free:
            self._start(now_s, q.popleft(), record_wait)
        return 0.0

    def advance(self, speed: float, dt_s: float, now_end_s: float = math.inf) -> None:
        """Run every started job for ``dt_s`` at ``speed`` and release the servers of those that finish by
        ``now_end_s`` (the end of the step)."""
        self.work_clock_s += speed * dt_s
        w = self.work_clock_s + 1e-9
        run = self.running
        while run and run[0][0] <= w:
            _, _, size, deadline, flexible, _ = heapq.heappop(run)
            self.free += size
            self.completed += 1
            if flexible:
                self.flexible_completed += 1
            if now_end_s > deadline + 1e-6:
                self.deadline_misses += 1
        if self.failure_pending:
            self._settle_failures()

    @property
    def busy(self) -> int:
        return self.servers - self.free

    @property
    def waiting(self) -> int:
        return len(self.queue)


@dataclass
class GreenCabin(FifoCabin):
    """FIFO for ordinary jobs; flexible jobs wait in an earliest-deadline pool until surplus wind can carry them,
    or until their latest start (deadline minus remaining run time at full speed, less two steps) forces them in,
    ahead of ordinary work. Opportunistic starts happen only when no ordinary job is waiting. While the grid carries
    load, running flexible jobs with enough slack are checkpointed and paused (``pause_flexible``).
    """

    pool: list = field(default_factory=list)

    def submit(self, submit_s: float, size: int, work_s: float, deadline_s: float = math.inf,
               flexible: bool = False) -> None:
        if flexible:
            self._seq += 1
            heapq.heappush(self.pool, (deadline_s - work_s, self._seq, (submit_s, size, work_s, deadline_s, True)))
        else:
            self.queue.append((submit_s, size, work_s, deadline_s, False))

    def start_waiting(self, now_s: float, record_wait: bool = True, surplus_w: float = 0.0,
                      job_power_w: float = 0.0, dt_s: float = 0.0) -> float:
        self._drop_impossible()
        pool = self.pool
        while pool and pool[0][2][1] > self.servers:
            heapq.heappop(pool)
            self.rejected += 1
        # flexible jobs whose latest start has come go first, before ordinary work, surplus or not
        while pool and pool[0][0] <= now_s + 2.0 * dt_s and pool[0][2][1] <= self.free:
            self._start(now_s, heapq.heappop(pool)[2], record_wait)
        q = self.queue
        while q and q[0][1] <= self.free:
            self._start(now_s, q.popleft(), record_wait)
        if q or not pool:
            return 0.0
        used = 0.0
        # then, earliest deadline first, as many as the surplus wind carries
        while pool and pool[0][2][1] <= self.free:
            need = pool[0][2][1] * job_power_w
            if used + need > surplus_w:
                break
            used += need
            self._start(now_s, heapq.heappop(pool)[2], record_wait)
        return used

    def pause_flexible(self, now_s: float, deficit_w: float, job_power_w: float, dt_s: float) -> float:
        """Checkpoint and pause running flexible jobs while the grid carries load, most slack first, as long as
        each can still meet its deadline when resumed; returns the power shed [W]. (GPU training and batch jobs
        checkpoint routinely; the checkpoint's own cost is neglected.)"""
        if self.flexible_running_count() == 0:
            return 0.0
        w = self.work_clock_s
        cands = []
        for entry in self.running:
            w_done, seq, size, deadline, flexible, submit = entry
            if flexible:
                remaining = w_done - w
                slack = deadline - (now_s + dt_s) - remaining
                if slack > PAUSE_MIN_SLACK_S:
                    cands.append((-slack, seq, entry, remaining))
        if not cands:
            return 0.0
        cands.sort()
        shed = 0.0
        drop = set()
        for _, seq, entry, remaining in cands:
            if shed >= deficit_w:
                break
            _, _, size, deadline, _, _ = entry
            drop.add(seq)
            shed += size * job_power_w
            self.free += size
            self._seq += 1
            heapq.heappush(self.pool, (deadline - remaining, self._seq, (math.nan, size, remaining, deadline, True)))
        if drop:
            self.running = [e for e in self.running if e[1] not in drop]
            heapq.heapify(self.running)
        return shed

    def flexible_running_count(self) -> int:
        return sum(1 for e in self.running if e[4])

    @property
    def waiting(self) -> int:
        return len(self.queue) + len(self.pool)


def make_cabin_queue(scheduler: str, servers: int) -> FifoCabin:
    """The scheduler named in the scenario, for one cabin."""
    if scheduler == "green":
        return GreenCabin(servers)
    return FifoCabin(servers)
