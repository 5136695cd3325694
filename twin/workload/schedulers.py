"""Schedulers: which waiting job starts, on which racks, and which servers stay powered.

One small interface, :class:`Scheduler`; a scheduler is chosen by name (``workload.scheduler``, :data:`SCHEDULERS`):

- ``submit(job)`` queues a job; ``start_waiting(now, ...)`` starts what it may; ``advance(speed, dt, end)`` runs the
  started jobs and releases the servers of those that finish;
- ``rack_order(type, inlet)`` is the placement: racks of a type in the order they are filled;
- ``manage_power(now)`` powers servers down and up (nothing, unless the scheduler consolidates).

A new policy overrides one or more of these three. The queue of each server type is first come, first served with
head-of-line blocking (a job that does not fit holds back those behind it, like a Slurm partition without
backfill). A job holds ``size`` whole servers for ``work`` seconds of full-speed running; throttling and power
caps slow it. Each group of jobs (a job class on its server type) keeps a *virtual work clock* that advances by
its speed times the step, so a job finishes when its group's clock passes its start clock plus its work: a heap
lookup per step, not a per-job update.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from twin.workload.fleet import RackFleet

__all__ = ["RANK_QUANTUM_K", "rank_key", "clock_tolerance_s", "Group", "group_power_w", "Scheduler",
           "ConsolidatingScheduler", "ThermalScheduler", "GreenScheduler", "SCHEDULERS", "make_scheduler",
           "PAUSE_MIN_SLACK_S"]

PAUSE_MIN_SLACK_S = 3600.0
"""A flexible job is paused only while it keeps at least this much slack to its deadline [s]: room for the
servers to be busy with other work when it must resume."""


def clock_tolerance_s(clock_s: float, now_s: float = 0.0) -> float:
    """How close a work clock must come to a job's end for the job to be done [s]: 1e-9 s, widened by a few units
    in the last place of the clock and of the time once they are large (a clock of 2^25 s, a year, resolves 7e-9 s;
    a tolerance below that would leave a job a fraction of an ulp from its end, never reached)."""
    scale = abs(clock_s)
    if abs(now_s) > scale and now_s != math.inf:
        scale = abs(now_s)
    return 1e-9 + 1e-15 * scale


@dataclass(frozen=True)
class Group:
    """Jobs of one class on one server type: the type, the dynamic power of a busy server above idle per unit of
    speed [W] (``busy_power_w(model, u, 1) - idle``, or the work's capped power above idle over its capped speed,
    ``twin.sim.cabin.build_fleet``), the highest speed its power cap allows [-], its idle power [W], and for
    training with checkpoints the work between checkpoints and the restart time [s] (infinite, 0: a failure does
    not interrupt the job)."""

    name: str = "default"
    type: int = 0
    dyn_w: float = 0.0
    cap_speed: float = 1.0
    idle_w: float = 0.0
    checkpoint_s: float = math.inf
    restart_s: float = 0.0

    @property
    def checkpoints(self) -> bool:
        return self.checkpoint_s < math.inf


def group_power_w(job_power_w, g: int) -> float:
    """The power one server of job class (group) ``g`` adds when it takes a job [W]: ``job_power_w`` is one figure for
    every class or a sequence by class (the engine's, ``twin.sim.engine.job_power_at_node_w``)."""
    return float(job_power_w) if np.isscalar(job_power_w) else float(job_power_w[g])


class Scheduler:
    """First come, first served per server type, first fit rack by rack, every server on (``fifo``)."""

    name = "fifo"

    def __init__(self, fleet: RackFleet, groups: list[Group] | None = None, spare_share: float = 0.05):
        self.fleet = fleet
        self.groups = list(groups) if groups else [Group()]
        n_types = len(fleet.types)
        self.queues = [deque() for _ in range(n_types)]
        self.queued_servers = [0] * n_types
        self.running = [[] for _ in self.groups]
        self.clock = [0.0] * len(self.groups)
        self.speeds = [1.0] * len(self.groups)
        self._one_uncapped = len(self.groups) == 1 and self.groups[0].cap_speed >= 1.0
        self.spare_share = spare_share
        ng = len(self.groups)
        self.class_waits = [[] for _ in range(ng)]
        self.class_completed = [0] * ng
        self.class_misses = [0] * ng
        self.class_rejected = [0] * ng
        self.class_flexible_completed = [0] * ng
        self.class_energy_j = [0.0] * ng
        self.class_server_s = [0.0] * ng
        self.class_work_s = [0.0] * ng  # server-seconds of full-speed work done
        self.class_restarts = [0] * ng  # jobs interrupted by a server failure and requeued from a checkpoint
        self.class_lost_s = [0.0] * ng  # server-seconds of full-speed work lost since the last checkpoints
        self.class_restart_s = [0.0] * ng  # server-seconds of full-speed time spent restarting
        self._restart_owed: dict[int, float] = {}  # running job (seq) -> restart time at its segment's start [s]
        self._checkpointing = any(g.checkpoints for g in self.groups)
        self.failures = 0
        self._seq = 0
        self._orders = [None] * n_types
        self.rack_speed = None

    # ---------------------------------------------------------------------------------------------- the interface
    def rack_order(self, t: int, inlet_c: np.ndarray | None) -> list:
        """Racks of type ``t`` in the order jobs fill them, fixed for one call of ``start_waiting``: first fit, in
        rack order."""
        return self.fleet.racks_of_type[t]

    def manage_power(self, now_s: float, instant: bool = False) -> None:
        """Power servers down or up; ``fifo`` keeps every server on."""

    # ---------------------------------------------------------------------------------------------- queueing
    def submit(self, submit_s: float, size: int, work_s: float, deadline_s: float = math.inf,
               flexible: bool = False, group: int = 0) -> None:
        t = self.groups[group].type
        self.queues[t].append((submit_s, size, work_s, deadline_s, flexible, group))
        self.queued_servers[t] += size

    def _drop_impossible(self) -> None:
        """A job larger than the servers of its type still alive can never start: it is refused and counted."""
        for t, q in enumerate(self.queues):
            if q and q[0][1] > self.fleet.n_on[t]:
                alive = self.fleet.n_alive[t]
                while q and q[0][1] > alive:
                    job = q.popleft()
                    self.queued_servers[t] -= job[1]
                    self.class_rejected[job[5]] += 1

    def _start(self, now_s: float, job: tuple, record_wait: bool, inlet_c) -> None:
        submit, size, work, deadline, flexible, g = job[:6]
        grp = self.groups[g]
        t = grp.type
        order = self._orders[t]
        if order is None:
            order = self._orders[t] = self.rack_order(t, inlet_c)
        alloc = self.fleet.allocate(t, size, order, g, grp.dyn_w)
        self._seq += 1
        w0 = self.clock[g]
        if len(job) > 6 and job[6] > 0.0:  # a job requeued from its checkpoint owes its restart first
            self._restart_owed[self._seq] = job[6]
        heapq.heappush(self.running[g], (w0 + work, self._seq, size, deadline, flexible, submit, alloc, now_s, w0))
        if record_wait and submit == submit:  # a resumed job carries NaN: its wait was counted at first start
            self.class_waits[g].append(now_s - submit)

    def start_waiting(self, now_s: float, record_wait: bool = True, surplus_w: float = 0.0,
                      job_power_w: float | Sequence[float] = 0.0, dt_s: float = 0.0,
                      inlet_c: np.ndarray | None = None) -> float:
        """Start queued jobs in arrival order while the head of each type's queue fits; returns the surplus power
        used [W] (only the green scheduler uses surplus)."""
        fleet = self.fleet
        if fleet.booting_or_shutting():
            fleet.tick(now_s)
        if not any(self.queues):  # most steps: nothing waits
            self.manage_power(now_s)
            return 0.0
        self._orders = [None] * len(self.queues)
        self._drop_impossible()
        self._start_queued(now_s, record_wait, inlet_c)
        self.manage_power(now_s)
        return 0.0

    def _start_queued(self, now_s: float, record_wait: bool, inlet_c) -> None:
        """Start each type's queued jobs in order while the head fits its type's idle servers."""
        fleet = self.fleet
        for t, q in enumerate(self.queues):
            while q and q[0][1] <= fleet.n_on[t] - fleet.n_busy[t]:
                job = q.popleft()
                self.queued_servers[t] -= job[1]
                self._start(now_s, job, record_wait, inlet_c)

    def _finish_segment(self, g: int, entry: tuple, end_s: float) -> None:
        """Energy and server time of a job's run segment: its servers at idle over the segment and their
        dynamic energy for the work done (the dynamic power is proportional to speed, so it is work times
        power at full speed, whatever the throttling)."""
        grp = self.groups[g]
        size, start, w0 = entry[2], entry[7], entry[8]
        span = end_s - start
        done = min(self.clock[g], entry[0]) - w0
        self.class_server_s[g] += size * span
        self.class_work_s[g] += size * done
        self.class_energy_j[g] += size * (grp.idle_w * span + grp.dyn_w * done)
        if self._restart_owed:
            owed = self._restart_owed.pop(entry[1], 0.0)
            self.class_restart_s[g] += size * min(done, owed)

    def set_speed(self, speed: float, rack_speed: np.ndarray | None = None) -> None:
        """The speed of every group this step, no faster than its power cap: ``speed`` for all, or, with
        ``rack_speed`` (each rack throttling on its own inlet), the mean of its racks' speeds weighted by its
        dynamic power on each, so the group's power and its work done over the step are those of its racks."""
        self.rack_speed = rack_speed
        if rack_speed is None:
            if self._one_uncapped:
                self.speeds = [speed]
            else:
                self.speeds = [speed if speed < g.cap_speed else g.cap_speed for g in self.groups]
            return
        fleet = self.fleet
        speeds = []
        for g, grp in enumerate(self.groups):
            capped = np.minimum(rack_speed, grp.cap_speed)
            total = fleet.dyn_total_w[g]
            speeds.append(float(fleet.dyn_rack_w[g] @ capped) / total if total > 0.0 else float(capped.min()))
        self.speeds = speeds

    def advance(self, speed: float | None, dt_s: float, now_end_s: float = math.inf) -> None:
        """Run every started job for ``dt_s`` at ``speed`` (each group no faster than its power cap; None: the
        speeds of the last ``set_speed``) and release the servers of those that finish by ``now_end_s`` (the end
        of the step)."""
        if speed is not None:
            self.set_speed(speed)
        for g in range(len(self.groups)):
            self.clock[g] += self.speeds[g] * dt_s
        self.complete_due(now_end_s)

    def complete_due(self, now_s: float) -> int:
        """Release the servers of every job whose group's work clock has reached its end (to 1e-9 s of work), as
        done at ``now_s``; returns how many finished. The engine sets the clocks (it integrates them under
        throttling) and calls this when one reaches a job's end."""
        fleet = self.fleet
        done = 0
        for g, grp in enumerate(self.groups):
            run = self.running[g]
            if not run:
                continue
            w = self.clock[g] + clock_tolerance_s(self.clock[g], now_s)
            while run and run[0][0] <= w:
                entry = heapq.heappop(run)
                fleet.release(grp.type, entry[6], g, grp.dyn_w)
                self._finish_segment(g, entry, now_s if now_s < math.inf else 0.0)
                self.class_completed[g] += 1
                done += 1
                if entry[4]:
                    self.class_flexible_completed[g] += 1
                if now_s > entry[3] + 1e-6:
                    self.class_misses[g] += 1
        return done

    # ---------------------------------------------------------------------------------------------- failures
    def fail_one(self, u: float = 0.0, now_s: float = 0.0) -> int:
        """A server dies, in a rack chosen in proportion to its servers (``u`` uniform); returns the rack.

        The rack's fleet loses an idle server first (``RackFleet.fail``). When a class checkpoints, which server
        died matters: ``u``'s position within the rack's live servers picks one, its running jobs' servers first
        (in the order the jobs started, each by its servers there), then the rest; a job of a checkpointing class
        hit so is interrupted at ``now_s`` (:meth:`interrupt`), and the server that leaves is one of those it
        held."""
        self.failures += 1
        fleet = self.fleet
        r = fleet.pick_rack(u)
        hit = None
        if self._checkpointing and fleet.busy[r] > 0:
            live = np.asarray(fleet.alive) - np.asarray(fleet.pending)
            x = u * float(live.sum()) - float(live[:r].sum())  # position among the rack's live servers
            if x < fleet.busy[r] - fleet.pending[r]:
                holders = sorted(((e[1], g, e, k) for g, run in enumerate(self.running) for e in run
                                  for rr, k in e[6] if rr == r), key=lambda h: h[0])
                for _seq, g, e, k in holders:
                    x -= k
                    if x < 0.0:
                        hit = (g, e)
                        break
        if hit is not None and self.groups[hit[0]].checkpoints:
            self.interrupt(now_s, *hit)  # its servers are idle now: the one that leaves is among them
        fleet.fail(r)
        return r

    def interrupt(self, now_s: float, g: int, entry: tuple) -> None:
        """A server under a running job of a checkpointing class failed at ``now_s``: the job stops, its servers
        are released (the failed one leaves), it loses the work done since its last checkpoint and is requeued at
        the head of its type's queue, owing its restart time before its work goes on.

        Checkpoints fall every ``checkpoint_s`` of work after each (re)start's restart; the work saved is the
        whole intervals done, the work lost the rest (``class_lost_s``); the checkpoint's own cost is neglected."""
        grp = self.groups[g]
        run = self.running[g]
        run.remove(entry)
        heapq.heapify(run)
        self.fleet.release(grp.type, entry[6], g, grp.dyn_w)
        owed = self._restart_owed.get(entry[1], 0.0)
        done = min(self.clock[g], entry[0]) - entry[8]
        self._finish_segment(g, entry, now_s)
        useful = max(0.0, done - owed)
        saved = math.floor(useful / grp.checkpoint_s) * grp.checkpoint_s
        size = entry[2]
        self.class_lost_s[g] += size * (useful - saved)
        self.class_restarts[g] += 1
        remaining = max(entry[0] - entry[8] - owed - saved, 0.0)
        t = grp.type
        self.queues[t].appendleft((math.nan, size, remaining + grp.restart_s, entry[3], entry[4], g, grp.restart_s))
        self.queued_servers[t] += size

    def repair_one(self, rack: int = 0) -> None:
        self.fleet.repair(rack)

    # ---------------------------------------------------------------------------------------------- figures
    def power_w(self) -> float:
        """Electrical power of the servers at the speeds of the last ``advance`` [W]."""
        return self.fleet.power_w(self.speeds)

    @property
    def servers(self) -> int:
        return self.fleet.servers

    @property
    def alive(self) -> int:
        return self.fleet.alive_count

    @property
    def busy(self) -> int:
        return sum(self.fleet.n_busy)

    @property
    def free(self) -> int:
        return sum(self.fleet.n_on) - self.busy

    @property
    def powered(self) -> int:
        """Servers on, booting or shutting down."""
        return sum(self.fleet.n_on) + sum(self.fleet.n_trans)

    @property
    def waiting(self) -> int:
        return sum(map(len, self.queues))

    @property
    def completed(self) -> int:
        return sum(self.class_completed)

    @property
    def rejected(self) -> int:
        return sum(self.class_rejected)

    @property
    def deadline_misses(self) -> int:
        return sum(self.class_misses)

    @property
    def flexible_completed(self) -> int:
        return sum(self.class_flexible_completed)

    @property
    def waits_s(self) -> list:
        return [w for ws in self.class_waits for w in ws]

    def server_seconds(self, g: int, end_s: float) -> float:
        """Server-seconds group ``g``'s jobs held servers up to ``end_s``, those still running included."""
        return self.class_server_s[g] + sum(e[2] * (end_s - e[7]) for e in self.running[g])

    def running_entries(self) -> list:
        return [e for run in self.running for e in run]


class ConsolidatingScheduler(Scheduler):
    """``consolidation``: pack jobs onto the busiest racks, power down idle servers beyond a spare share of each
    type, boot servers when the queue needs them (at peak power for the boot time). Servers are shut down from the
    least busy racks first, so whole racks go dark."""

    name = "consolidation"

    def rack_order(self, t: int, inlet_c: np.ndarray | None) -> list:
        busy = self.fleet.busy
        return sorted(self.fleet.racks_of_type[t], key=lambda r: -busy[r])

    def manage_power(self, now_s: float, instant: bool = False) -> None:
        fleet = self.fleet
        busy = fleet.busy
        for t in range(len(fleet.types)):
            spare = math.ceil(self.spare_share * fleet.n_alive[t])
            need = fleet.n_busy[t] + self.queued_servers[t] + spare
            have = fleet.n_on[t] + fleet.n_boot[t]
            if need > have:
                if instant:
                    continue
                fleet.boot(t, need - have, sorted(fleet.racks_of_type[t], key=lambda r: -busy[r]), now_s)
            elif have > need + spare or (instant and have > need):
                # a band of one spare share between booting and shutting down, so the fleet does not cycle
                excess = have - need if instant else have - need - spare
                idle = fleet.n_on[t] - fleet.n_busy[t]
                if idle > 0:
                    fleet.shutdown(t, min(excess, idle), sorted(fleet.racks_of_type[t], key=lambda r: busy[r]),
                                   now_s, instant)


RANK_QUANTUM_K = 1e-6
"""Inlet deviations closer than this are equal when the ``thermal`` scheduler ranks racks [K]: a rack's deviation is
updated incrementally as loads change, so racks the cabin's symmetry makes equal differ by rounding (1e-13 K), and
ranking by that noise made the year's extremes depend on the last bits of the field's solve (protective hours 1.16
or 2.58 h from two LU orderings equal to 2e-15). Each deviation is rounded to the quantum; ties keep rack order."""


def rank_key(deviation_k: float) -> float:
    """The deviation on the ranking's grid (``RANK_QUANTUM_K``), as the kernel's ``_order`` computes it."""
    return math.floor(deviation_k / RANK_QUANTUM_K + 0.5)


class ThermalScheduler(Scheduler):
    """``thermal``: jobs go to the racks whose inlet is coolest now (the rack inlets of the last step)."""

    name = "thermal"

    def rack_order(self, t: int, inlet_c: np.ndarray | None) -> list:
        racks = self.fleet.racks_of_type[t]
        if inlet_c is None:
            return racks
        if len(racks) == self.fleet.n_racks:  # one server type: every rack
            return np.argsort(np.floor(np.asarray(inlet_c) / RANK_QUANTUM_K + 0.5), kind="stable").tolist()
        return sorted(racks, key=lambda r: rank_key(inlet_c[r]))


class GreenScheduler(Scheduler):
    """``green``: FIFO for ordinary jobs; flexible jobs wait in an earliest-deadline pool until surplus wind can
    carry them, or until their latest start (deadline minus remaining run time at full speed, less two steps) forces
    them in, ahead of ordinary work. Opportunistic starts happen only when no ordinary job is waiting. While the
    grid carries load, running flexible jobs with enough slack are checkpointed and paused (``pause_flexible``)."""

    name = "green"

    def __init__(self, fleet: RackFleet, groups: list[Group] | None = None, spare_share: float = 0.05):
        super().__init__(fleet, groups, spare_share)
        self.pool: list = []

    def submit(self, submit_s: float, size: int, work_s: float, deadline_s: float = math.inf,
               flexible: bool = False, group: int = 0) -> None:
        if flexible:
            self._seq += 1
            heapq.heappush(self.pool, (deadline_s - work_s, self._seq, (submit_s, size, work_s, deadline_s, True,
                                                                          group)))
        else:
            super().submit(submit_s, size, work_s, deadline_s, False, group)

    def _fits(self, job: tuple) -> bool:
        t = self.groups[job[5]].type
        return job[1] <= self.fleet.n_on[t] - self.fleet.n_busy[t]

    def start_waiting(self, now_s: float, record_wait: bool = True, surplus_w: float = 0.0,
                      job_power_w: float | Sequence[float] = 0.0, dt_s: float = 0.0,
                      inlet_c: np.ndarray | None = None) -> float:
        self.fleet.tick(now_s)
        self._orders = [None] * len(self.queues)
        self._drop_impossible()
        pool = self.pool
        while pool and pool[0][2][1] > self.fleet.n_alive[self.groups[pool[0][2][5]].type]:
            self.class_rejected[heapq.heappop(pool)[2][5]] += 1
        # flexible jobs whose latest start has come go first, before ordinary work, surplus or not
        while pool and pool[0][0] <= now_s + 2.0 * dt_s and self._fits(pool[0][2]):
            self._start(now_s, heapq.heappop(pool)[2], record_wait, inlet_c)
        # and so do the earliest ones while the pool as a whole must start now to meet its deadlines
        crowded = {t for t, by in self.pool_start_by(now_s).items() if by <= now_s + 2.0 * dt_s}
        if crowded:
            held = []
            while pool:
                job = heapq.heappop(pool)
                if self.groups[job[2][5]].type in crowded and self._fits(job[2]):
                    self._start(now_s, job[2], record_wait, inlet_c)
                else:
                    held.append(job)
            for job in held:
                heapq.heappush(pool, job)
        self._start_queued(now_s, record_wait, inlet_c)
        if any(self.queues) or not pool:
            return 0.0
        used = 0.0
        # then, earliest deadline first, as many as the surplus wind carries
        while pool and self._fits(pool[0][2]):
            need = pool[0][2][1] * group_power_w(job_power_w, pool[0][2][5])
            if used + need > surplus_w:
                break
            used += need
            self._start(now_s, heapq.heappop(pool)[2], record_wait, inlet_c)
        return used

    def pool_start_by(self, now_s: float) -> dict[int, float]:
        """For each server type, the time by which the flexible work (waiting and running) must be using every
        server that ordinary work leaves, to meet all its deadlines: filled backwards from the latest deadline as a
        fluid (server-seconds over free servers). Each job's own latest start (deadline minus run time) only says
        when that job alone must start; when a long calm holds many back, their latest starts crowd together and
        the servers cannot take them all at once (a week of lingang-phase1 missed 16 deadlines that way)."""
        fleet = self.fleet
        n_types = len(fleet.types)
        ordinary = [0] * n_types
        work: list[list] = [[] for _ in range(n_types)]
        for g, run in enumerate(self.running):
            t = self.groups[g].type
            for entry in run:
                if entry[4]:
                    work[t].append((entry[3], entry[2], entry[0] - self.clock[g]))
                else:
                    ordinary[t] += entry[2]
        for _, _, job in self.pool:
            work[self.groups[job[5]].type].append((job[3], job[1], job[2]))
        out = {}
        for t, items in enumerate(work):
            if not items:
                continue
            free = fleet.n_alive[t] - ordinary[t]  # ordinary work as it runs now stands for what it will take
            if free <= 0:
                continue  # nothing could start now anyway; each job's own latest start still holds
            by = math.inf
            for deadline, size, remaining in sorted(items, reverse=True):
                by = min(by, deadline) - size * remaining / free
            out[t] = by
        return out

    def pause_flexible(self, now_s: float, deficit_w: float, job_power_w: float | Sequence[float],
                       dt_s: float) -> float:
        """Checkpoint and pause running flexible jobs while the grid carries load, most slack first, as long as
        each can still meet its deadline when resumed and the flexible work as a whole keeps an hour in hand
        (:meth:`pool_start_by`); returns the power shed [W]. (GPU training and batch jobs checkpoint routinely;
        the checkpoint's own cost is neglected.)"""
        start_by = self.pool_start_by(now_s)
        cands = []
        for g, run in enumerate(self.running):
            if start_by.get(self.groups[g].type, math.inf) <= now_s + dt_s + PAUSE_MIN_SLACK_S:
                continue
            w = self.clock[g]
            for entry in run:
                if entry[4]:
                    remaining = entry[0] - w
                    slack = entry[3] - (now_s + dt_s) - remaining
                    if slack > PAUSE_MIN_SLACK_S:
                        cands.append((-slack, entry[1], g, entry, remaining))
        if not cands:
            return 0.0
        cands.sort(key=lambda c: (c[0], c[1]))
        shed = 0.0
        drop: dict[int, set] = {}
        for _, seq, g, entry, remaining in cands:
            if shed >= deficit_w:
                break
            size, deadline = entry[2], entry[3]
            drop.setdefault(g, set()).add(seq)
            shed += size * group_power_w(job_power_w, g)
            grp = self.groups[g]
            self.fleet.release(grp.type, entry[6], g, grp.dyn_w)
            self._finish_segment(g, entry, now_s)
            self._seq += 1
            heapq.heappush(self.pool, (deadline - remaining, self._seq,
                                       (math.nan, size, remaining, deadline, True, g)))
        for g, seqs in drop.items():
            self.running[g] = [e for e in self.running[g] if e[1] not in seqs]
            heapq.heapify(self.running[g])
        return shed

    def flexible_running_count(self) -> int:
        return sum(1 for run in self.running for e in run if e[4])

    @property
    def waiting(self) -> int:
        return super().waiting + len(self.pool)


SCHEDULERS: dict[str, type[Scheduler]] = {
    cls.name: cls for cls in (Scheduler, ConsolidatingScheduler, ThermalScheduler, GreenScheduler)}
"""Schedulers by the name a scenario gives (``workload.scheduler``)."""


def make_scheduler(name: str, fleet: RackFleet, groups: list[Group] | None = None,
                   spare_share: float = 0.05) -> Scheduler:
    try:
        cls = SCHEDULERS[name]
    except KeyError:
        raise ValueError(f"scheduler: unknown {name!r}; known: {', '.join(SCHEDULERS)}") from None
    return cls(fleet, groups, spare_share)
