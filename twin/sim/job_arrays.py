"""The kernel's workload arrays (``twin.sim.kernel_jobs``): filled from the Python schedulers when a run starts,
read back into them when it ends, so results and class KPIs are built from the same objects either way."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from twin.sim.state import (
    CL_COMPLETED,
    CL_COUNT,
    CL_ENERGY_J,
    CL_FLEX_COMPLETED,
    CL_MISSES,
    CL_REJECTED,
    CL_SERVER_S,
    CL_WORK_S,
    FL_ALIVE,
    FL_BUSY,
    FL_COUNT,
    FL_ON,
    FL_PENDING,
    FL_TYPE,
    G_CLOCK,
    G_TARGET,
    J_COUNT,
    J_DEADLINE,
    J_FLEX,
    J_GROUP,
    J_RECORD,
    J_SIZE,
    J_START,
    J_SUBMIT,
    J_W0,
    J_WAIT,
    J_WORK,
    SL_COUNT,
    SL_FINISH,
    SL_GROUP,
    SL_JOB,
    SL_N,
    SL_SEQ,
    TQ_ALIVE,
    TQ_BUSY,
    TQ_COUNT,
    TQ_HEAD,
    TQ_LEN,
    TQ_ON,
    TQ_SERVERS,
    WI_COUNT,
    WI_FAILURES,
    WI_FREE,
    WI_N_JOBS,
    WI_NEXT,
    WI_SEQ,
    WI_SERVERS,
    WI_SLOTS_USED,
)

__all__ = ["JobArrays", "build_job_arrays", "read_back"]


@dataclass
class JobArrays:
    """The arrays ``twin.sim.kernel_jobs`` works on (its docstring lists them)."""

    fl: np.ndarray
    tq: np.ndarray
    queue: np.ndarray
    jobs: np.ndarray
    slots: np.ndarray
    alloc: np.ndarray
    cls: np.ndarray
    wi: np.ndarray
    free: np.ndarray
    order: np.ndarray

    def kernel_args(self) -> tuple:
        return (self.fl, self.tq, self.queue, self.jobs, self.slots, self.alloc, self.cls, self.wi, self.free,
                self.order)


def build_job_arrays(queues, streams, fast: list[bool], grp: np.ndarray) -> JobArrays:
    """Arrays for the cabin groups marked ``fast``, from their schedulers (the jobs running at the start already
    placed) and their job streams (``twin.workload.jobs.JobStream``); other rows stay empty. Writes each fast
    group's work clocks and next ends into ``grp``."""
    n_cab = len(queues)
    n_racks = max(q.fleet.n_racks for q in queues)
    n_types = max(len(q.fleet.types) for q in queues)
    n_groups = max(len(q.groups) for q in queues)
    sizes = [0] * n_cab
    n_jobs = [0] * n_cab
    slots_needed = [1] * n_cab
    for c, (q, jobs) in enumerate(zip(queues, streams)):
        if not fast[c]:
            continue
        running = sum(len(r) for r in q.running)
        queued = sum(len(x) for x in q.queues)
        n_jobs[c] = running + queued + jobs.submit_s.size
        biggest = max([int(jobs.size.max()) if jobs.size.size else 1]
                      + [e[2] for r in q.running for e in r] + [j[1] for x in q.queues for j in x])
        sizes[c] = min(biggest, q.fleet.n_racks)
        slots_needed[c] = max(1, min(q.fleet.n_servers, n_jobs[c]))
    n_j = max(max(n_jobs), 1)
    n_s = max(slots_needed)
    k = max(max(sizes), 1)
    arrays = JobArrays(
        fl=np.zeros((n_cab, FL_COUNT, n_racks), dtype=np.int64), tq=np.zeros((n_cab, n_types, TQ_COUNT), np.int64),
        queue=np.zeros((n_cab, n_types, n_j), dtype=np.int64), jobs=np.full((n_cab, n_j, J_COUNT), np.nan),
        slots=np.full((n_cab, n_s, SL_COUNT), -1.0), alloc=np.zeros((n_cab, n_s, k, 2), dtype=np.int64),
        cls=np.zeros((n_cab, n_groups, CL_COUNT)), wi=np.zeros((n_cab, WI_COUNT), dtype=np.int64),
        free=np.zeros((n_cab, n_s), dtype=np.int64), order=np.zeros(n_racks, dtype=np.int64))
    for c, (q, stream) in enumerate(zip(queues, streams)):
        if fast[c]:
            _fill(c, q, stream, arrays, grp)
    return arrays


def _fill(c: int, q, stream, a: JobArrays, grp: np.ndarray) -> None:
    fleet = q.fleet
    n = fleet.n_racks
    a.fl[c, FL_TYPE, :n] = fleet.rack_type
    a.fl[c, FL_ALIVE, :n] = fleet.alive
    a.fl[c, FL_ON, :n] = fleet.on
    a.fl[c, FL_BUSY, :n] = fleet.busy
    a.fl[c, FL_PENDING, :n] = fleet.pending
    for t in range(len(fleet.types)):
        a.tq[c, t, TQ_ON], a.tq[c, t, TQ_ALIVE], a.tq[c, t, TQ_BUSY] = fleet.n_on[t], fleet.n_alive[t], fleet.n_busy[t]
    rows = []  # (submit, size, work, deadline, flexible, group, record wait)
    for g, run in enumerate(q.running):  # the jobs already running: initial work, started with the run
        for e in sorted(run):
            rows.append((e[5], e[2], e[0] - e[8], e[3], e[4], g, 0.0, e))
    for t, jobs in enumerate(q.queues):
        for job in jobs:
            rows.append((*job, 0.0, None))
            a.queue[c, t, a.tq[c, t, TQ_LEN]] = len(rows) - 1
            a.tq[c, t, TQ_LEN] += 1
            a.tq[c, t, TQ_SERVERS] += job[1]
    first = len(rows)
    a.jobs[c, :first, J_SUBMIT] = [r[0] for r in rows]
    a.jobs[c, :first, J_SIZE] = [r[1] for r in rows]
    a.jobs[c, :first, J_WORK] = [r[2] for r in rows]
    a.jobs[c, :first, J_DEADLINE] = [r[3] for r in rows]
    a.jobs[c, :first, J_FLEX] = [float(r[4]) for r in rows]
    a.jobs[c, :first, J_GROUP] = [r[5] for r in rows]
    a.jobs[c, :first, J_RECORD] = 0.0
    m = stream.submit_s.size
    a.jobs[c, first:first + m, J_SUBMIT] = stream.submit_s
    a.jobs[c, first:first + m, J_SIZE] = stream.size
    a.jobs[c, first:first + m, J_WORK] = stream.work_s
    a.jobs[c, first:first + m, J_DEADLINE] = stream.deadline_s
    a.jobs[c, first:first + m, J_FLEX] = stream.flexible
    a.jobs[c, first:first + m, J_GROUP] = stream.group
    a.jobs[c, first:first + m, J_RECORD] = 1.0
    s = 0
    for k, r in enumerate(rows):
        e = r[7]
        if e is None:
            continue
        a.slots[c, s, SL_JOB], a.slots[c, s, SL_FINISH], a.slots[c, s, SL_GROUP] = k, e[0], r[5]
        a.slots[c, s, SL_N], a.slots[c, s, SL_SEQ] = len(e[6]), e[1]
        for i, (rack, count) in enumerate(e[6]):
            a.alloc[c, s, i] = (rack, count)
        a.jobs[c, k, J_START], a.jobs[c, k, J_W0] = e[7], e[8]
        s += 1
    free = [i for i in range(a.slots.shape[1]) if i >= s]
    a.free[c, :len(free)] = free[::-1]
    a.wi[c, WI_FREE] = len(free)
    a.wi[c, WI_SLOTS_USED] = s
    a.wi[c, WI_NEXT] = first
    a.wi[c, WI_N_JOBS] = first + m
    a.wi[c, WI_SEQ] = q._seq
    a.wi[c, WI_FAILURES] = q.failures
    a.wi[c, WI_SERVERS] = fleet.n_servers
    for g in range(len(q.groups)):
        grp[c, g, G_CLOCK] = q.clock[g]
        grp[c, g, G_TARGET] = min((e[0] for e in q.running[g]), default=math.inf)
        a.cls[c, g, CL_REJECTED] = q.class_rejected[g]


def read_back(c: int, q, a: JobArrays, grp: np.ndarray) -> None:
    """Put the kernel's workload of row ``c`` back into its scheduler ``q``: counters, waits, the fleet, what is
    still queued and running (so ``class_kpis`` and the run's KPIs read them as from a Python run)."""
    fleet = q.fleet
    n = fleet.n_racks
    fleet.alive = a.fl[c, FL_ALIVE, :n].tolist()
    fleet.on = a.fl[c, FL_ON, :n].tolist()
    fleet.busy = a.fl[c, FL_BUSY, :n].tolist()
    fleet.pending = a.fl[c, FL_PENDING, :n].tolist()
    for t in range(len(fleet.types)):
        fleet.n_on[t], fleet.n_alive[t], fleet.n_busy[t] = (int(v) for v in a.tq[c, t, [TQ_ON, TQ_ALIVE, TQ_BUSY]])
    fleet.n_servers = int(a.wi[c, WI_SERVERS])
    q.failures = int(a.wi[c, WI_FAILURES])
    q._seq = int(a.wi[c, WI_SEQ])
    jobs = a.jobs[c, :a.wi[c, WI_N_JOBS]]
    started = ~np.isnan(jobs[:, J_START])
    waited = started & (jobs[:, J_RECORD] != 0.0)
    for g in range(len(q.groups)):
        q.clock[g] = float(grp[c, g, G_CLOCK])
        q.class_completed[g] = int(a.cls[c, g, CL_COMPLETED])
        q.class_flexible_completed[g] = int(a.cls[c, g, CL_FLEX_COMPLETED])
        q.class_misses[g] = int(a.cls[c, g, CL_MISSES])
        q.class_rejected[g] = int(a.cls[c, g, CL_REJECTED])
        q.class_energy_j[g] = float(a.cls[c, g, CL_ENERGY_J])
        q.class_server_s[g] = float(a.cls[c, g, CL_SERVER_S])
        q.class_work_s[g] = float(a.cls[c, g, CL_WORK_S])
        mine = waited & (jobs[:, J_GROUP] == g)
        order = np.argsort(jobs[mine, J_START], kind="stable")
        q.class_waits[g] = jobs[mine, J_WAIT][order].tolist()
    cap = a.queue.shape[2]
    for t in range(len(fleet.types)):
        head, length = int(a.tq[c, t, TQ_HEAD]), int(a.tq[c, t, TQ_LEN])
        q.queues[t] = deque(_job(jobs[a.queue[c, t, (head + i) % cap]]) for i in range(length))
        q.queued_servers[t] = int(a.tq[c, t, TQ_SERVERS])
    q.running = [[] for _ in q.groups]
    for s in range(a.slots.shape[1]):
        k = int(a.slots[c, s, SL_JOB])
        if k < 0:
            continue
        j = jobs[k]
        alloc = tuple((int(r), int(x)) for r, x in a.alloc[c, s, :int(a.slots[c, s, SL_N])])
        g = int(a.slots[c, s, SL_GROUP])
        q.running[g].append((float(a.slots[c, s, SL_FINISH]), int(a.slots[c, s, SL_SEQ]), int(j[J_SIZE]),
                             float(j[J_DEADLINE]), bool(j[J_FLEX]), float(j[J_SUBMIT]), alloc, float(j[J_START]),
                             float(j[J_W0])))


def _job(row: np.ndarray) -> tuple:
    return (float(row[J_SUBMIT]), int(row[J_SIZE]), float(row[J_WORK]), float(row[J_DEADLINE]), bool(row[J_FLEX]),
            int(row[J_GROUP]))
