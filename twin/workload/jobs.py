"""Jobs: Poisson arrivals with a daily and weekly rhythm, class by class (``twin.scenario.JobClass``).

A job holds ``size`` whole servers of its class's type for ``work_s`` seconds of full-speed running; where and
when it runs is the scheduler's business (``twin.schedulers``). Replayed traces are in ``twin.trace``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.scenario import JobClass, Workload

__all__ = ["JobStream", "draw_jobs", "draw_cabin_jobs", "merge_streams", "capped_geometric_mean",
           "arrival_rate_per_s", "rate_shape"]


def capped_geometric_mean(mean: float, cap: int) -> float:
    """Mean of ``min(G, cap)`` for G geometric on 1, 2, ... with mean ``mean`` [-]."""
    p = 1.0 / mean
    return (1.0 - (1.0 - p) ** cap) / p


def arrival_rate_per_s(workload: Workload | JobClass, servers: int) -> float:
    """Mean arrival rate [s-1]: the class's own rate, or the one that keeps ``target_utilisation`` of ``servers``
    busy (Little's law: busy = rate x mean size x mean run time)."""
    if getattr(workload, "arrival_rate_per_h", None) is not None:
        return workload.arrival_rate_per_h / 3600.0
    size = capped_geometric_mean(workload.mean_job_servers, workload.max_job_servers)
    return workload.target_utilisation * servers / (size * workload.mean_job_duration_s)


def rate_shape(cls: Workload | JobClass, local_hour: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """Arrival rate relative to the mean at local hours and weekdays (0 Monday): ``(1 + a cos(2 pi (h - peak) /
    24))`` times 1 on weekdays and ``f`` at weekends, divided by ``(5 + 2 f) / 7`` so the weekly mean is 1 [-]."""
    f = cls.weekend_factor
    week = np.where(weekday >= 5, f, 1.0) / ((5.0 + 2.0 * f) / 7.0)
    return (1.0 + cls.diurnal_amplitude * np.cos(2.0 * np.pi * (local_hour - cls.peak_hour) / 24.0)) * week


@dataclass
class JobStream:
    """Pre-drawn jobs of one cabin: submit time [s], servers [-], work at full speed [s], whether the job is
    flexible, and its deadline to finish [s] (infinite for ordinary jobs)."""

    submit_s: np.ndarray
    size: np.ndarray
    work_s: np.ndarray
    flexible: np.ndarray = None
    deadline_s: np.ndarray = None
    group: np.ndarray = None
    """Index of the job's class (its group on the cabin's fleet)."""

    def __post_init__(self) -> None:
        if self.flexible is None:
            self.flexible = np.zeros(self.submit_s.size, bool)
        if self.deadline_s is None:
            self.deadline_s = np.full(self.submit_s.size, np.inf)
        if self.group is None:
            self.group = np.zeros(self.submit_s.size, int)

    def take(self, keep: np.ndarray) -> "JobStream":
        return JobStream(self.submit_s[keep], self.size[keep], self.work_s[keep], self.flexible[keep],
                         self.deadline_s[keep], self.group[keep])


def merge_streams(streams: list[JobStream]) -> JobStream:
    """One stream of several, in submit order (stable: equal times keep the order of ``streams``)."""
    if not streams:
        return JobStream(np.zeros(0), np.zeros(0, int), np.zeros(0))
    cat = {k: np.concatenate([getattr(x, k) for x in streams])
           for k in ("submit_s", "size", "work_s", "flexible", "deadline_s", "group")}
    order = np.argsort(cat["submit_s"], kind="stable")
    return JobStream(**{k: v[order] for k, v in cat.items()})


def _sizes(rng: np.random.Generator, n: int, workload: Workload) -> np.ndarray:
    return np.minimum(rng.geometric(1.0 / workload.mean_job_servers, n), workload.max_job_servers)


def draw_jobs(workload: Workload | JobClass, servers: int, horizon_s: float, start_local_hour: float,
              rng: np.random.Generator, start_weekday: int = 0, group: int = 0) -> tuple[JobStream, JobStream]:
    """Draw the arrivals of one class over a run and its jobs already running at the start.

    Arrivals are a non-homogeneous Poisson process with the rate ``lambda * rate_shape(hour, weekday)``, sampled
    by thinning (Lewis and Shedler 1979). The start is not empty: jobs are drawn until the class's mean share of
    ``servers`` is busy, each with an exponential remaining time (memoryless), so no warm-up is wasted.

    Returns
    -------
    (arrivals, initial) : JobStream, JobStream (``initial.submit_s`` is 0)
    """
    lam = arrival_rate_per_s(workload, servers)
    amp = workload.diurnal_amplitude
    f = getattr(workload, "weekend_factor", 1.0)
    peak_week = max(1.0, f) / ((5.0 + 2.0 * f) / 7.0)
    lam_max = lam * (1.0 + amp) * peak_week
    n = rng.poisson(lam_max * horizon_s) if lam_max > 0 else 0
    t = np.sort(rng.uniform(0.0, horizon_s, n))
    hours_from_start = start_local_hour + t / 3600.0
    hour = hours_from_start % 24.0
    weekday = (start_weekday + np.floor(hours_from_start / 24.0).astype(int)) % 7
    keep = rng.uniform(0.0, 1.0, n) * (1.0 + amp) * peak_week < rate_shape(workload, hour, weekday)
    t = t[keep]
    sizes = _sizes(rng, t.size, workload)
    work = rng.exponential(workload.mean_job_duration_s, t.size)
    # flexibility from its own stream, so the share changes which jobs may wait but not the jobs themselves
    flex = np.random.default_rng(rng.integers(2**63)).uniform(0.0, 1.0, t.size) < workload.flexible_share
    deadline = np.where(flex, t + work + workload.deadline_slack_s, np.inf)
    arrivals = JobStream(t, sizes, work, flex, deadline, np.full(t.size, group))

    busy_share = lam * capped_geometric_mean(workload.mean_job_servers, workload.max_job_servers) \
        * workload.mean_job_duration_s / servers if servers else 0.0
    busy_target = int(round(min(busy_share, 0.98) * servers))
    sizes: list[int] = []
    total = 0
    while busy_target > 0:
        s = int(_sizes(rng, 1, workload)[0])
        if total + s > busy_target:
            break
        sizes.append(s)
        total += s
    initial = JobStream(np.zeros(len(sizes)), np.asarray(sizes, dtype=int),
                        rng.exponential(workload.mean_job_duration_s, len(sizes)), group=np.full(len(sizes), group))
    return arrivals, initial


def draw_cabin_jobs(workload: Workload, type_servers: list[int], class_types: list[int], horizon_s: float,
                    start_local_hour: float, start_weekday: int, rng: np.random.Generator
                    ) -> tuple[JobStream, JobStream]:
    """Arrivals and initial jobs of every class of a cabin, merged in submit order. ``type_servers``: servers of
    each type; ``class_types``: the type of each class."""
    arrivals, initial = [], []
    for k, (cls, t) in enumerate(zip(workload.job_classes(), class_types)):
        a, i = draw_jobs(cls, type_servers[t], horizon_s, start_local_hour, rng, start_weekday, group=k)
        arrivals.append(a)
        initial.append(i)
    return merge_streams(arrivals), merge_streams(initial)
