"""The workload inside the kernel: first come, first served queues, first-fit or coolest-rack-first placement, job
completions, server failures and repairs, compiled.

This is the compiled twin of ``twin.workload.schedulers.Scheduler`` (``fifo``) and ``ThermalScheduler``
(``thermal``) with their ``RackFleet``: the same queues with head-of-line blocking per server type, the same
allocation rack by rack, the same work clocks and bookkeeping, so a cabin group whose scheduler is one of these
runs its jobs where they happen, between two control instants, without a round trip to Python per job (before,
that round trip was most of a year's run time). ``tests/twin/sim/test_kernel_jobs.py`` holds it to the Python
schedulers on the same job streams. Schedulers that manage power or defer work (``consolidation``, ``green``) and
cabins that shed work keep the Python path (``twin.sim.processes.Plant``).

Arrays (row ``c`` of each is one cabin group; ``twin.sim.state`` names the columns):

- ``fl`` int (groups, FL_COUNT, racks): each rack's type, servers alive, on, busy, failed under a running job;
- ``tq`` int (groups, types, TQ_COUNT): per server type servers on, alive, busy, and its queue's head, length and
  servers queued; ``queue`` int (groups, types, capacity) the queue itself (job indices, a ring);
- ``jobs`` (groups, jobs, J_COUNT): the job stream, initial jobs first: submit, servers, work, deadline, flexible,
  class, whether its wait counts, and once started its start, start clock and wait;
- ``slots`` (groups, running, SL_COUNT) and ``alloc`` int (groups, running, entries, 2): running jobs, each with
  the racks it holds;
- ``cls`` (groups, classes, CL_COUNT): per job class the counters ``class_kpis`` reports;
- ``wi`` int (groups, WI_COUNT): next arrival, job count, sequence, free slots, failures, servers alive, slots used.
"""

from __future__ import annotations

import math

from numba import njit

from twin.sim.state import (
    CL_COMPLETED,
    CL_ENERGY_J,
    CL_FLEX_COMPLETED,
    CL_MISSES,
    CL_REJECTED,
    CL_SERVER_S,
    CL_WORK_S,
    FL_ALIVE,
    FL_BUSY,
    FL_ON,
    FL_PENDING,
    FL_TYPE,
    G_CLOCK,
    G_DYN_W,
    G_IDLE_W,
    G_TARGET,
    G_TYPE,
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
    P_GROUPS,
    P_HAS_DEV,
    P_RACKS,
    P_THERMAL,
    R_DEV,
    R_DYN,
    R_IDLE,
    R_STATIC,
    S_ALIVE,
    S_BUSY,
    S_DIRTY,
    S_POWERED,
    S_QUEUE,
    S_SERVERS,
    SL_FINISH,
    SL_GROUP,
    SL_JOB,
    SL_N,
    SL_SEQ,
    TQ_ALIVE,
    TQ_BUSY,
    TQ_HEAD,
    TQ_LEN,
    TQ_ON,
    TQ_SERVERS,
    WI_FAILURES,
    WI_FREE,
    WI_N_JOBS,
    WI_NEXT,
    WI_SEQ,
    WI_SERVERS,
    WI_SLOTS_USED,
)
from twin.workload import schedulers

__all__ = ["clock_tolerance_s", "work_due", "enqueue_due", "complete_due", "start_waiting", "fail_one", "repair_one",
           "refresh_counts", "next_arrival_s"]



@njit(cache=True, _nrt=False, inline="always")
def clock_tolerance_s(clock_s, now_s):
    """``twin.workload.schedulers.clock_tolerance_s``: 1e-9 s, widened with the clock's and the time's magnitude."""
    scale = abs(clock_s)
    if abs(now_s) > scale and now_s != math.inf:
        scale = abs(now_s)
    return 1e-9 + 1e-15 * scale


@njit(cache=True, _nrt=False, inline="always")
def next_arrival_s(c, jobs, wi):
    """Submit time of row ``c``'s next job not yet queued [s] (infinite when none is left)."""
    k = wi[c, WI_NEXT]
    return jobs[c, k, J_SUBMIT] if k < wi[c, WI_N_JOBS] else math.inf


@njit(cache=True, _nrt=False, inline="always")
def work_due(c, t, prm, grp, jobs, wi):
    """Whether :func:`enqueue_due` or :func:`complete_due` has anything to do for row ``c`` at ``t`` (a job
    submitted by then, or a class's work clock at its next completion): the same tests they begin with, so the
    kernel calls them only then (a call with their arrays costs more than the tests)."""
    if next_arrival_s(c, jobs, wi) <= t:
        return True
    for g in range(int(prm[c, P_GROUPS])):
        clock = grp[c, g, G_CLOCK]
        if grp[c, g, G_TARGET] <= clock + clock_tolerance_s(clock, t):
            return True
    return False


@njit(cache=True, _nrt=False)
def enqueue_due(c, t, grp, jobs, tq, queue, wi):
    """Queue every job submitted by ``t``, each on its class's server type (``Scheduler.submit``); returns how
    many."""
    n = 0
    cap = queue.shape[2]
    while wi[c, WI_NEXT] < wi[c, WI_N_JOBS] and jobs[c, wi[c, WI_NEXT], J_SUBMIT] <= t:
        k = wi[c, WI_NEXT]
        ty = int(grp[c, int(jobs[c, k, J_GROUP]), G_TYPE])
        queue[c, ty, (tq[c, ty, TQ_HEAD] + tq[c, ty, TQ_LEN]) % cap] = k
        tq[c, ty, TQ_LEN] += 1
        tq[c, ty, TQ_SERVERS] += int(jobs[c, k, J_SIZE])
        wi[c, WI_NEXT] = k + 1
        n += 1
    return n


@njit(cache=True, _nrt=False)
def _power_off(c, r, k, fl, tq, racks):
    fl[c, FL_ON, r] -= k
    tq[c, fl[c, FL_TYPE, r], TQ_ON] -= k
    racks[c, R_STATIC, r] -= k * racks[c, R_IDLE, r]


@njit(cache=True, _nrt=False)
def _release(c, s, fl, tq, racks, grp, slots, alloc, wi):
    """A running job ends: its servers become idle, servers that failed under it leave (``RackFleet.release``)."""
    g = int(slots[c, s, SL_GROUP])
    dyn_w = grp[c, g, G_DYN_W]
    size = 0
    for i in range(int(slots[c, s, SL_N])):
        r = alloc[c, s, i, 0]
        k = alloc[c, s, i, 1]
        fl[c, FL_BUSY, r] -= k
        racks[c, R_DYN + g, r] -= k * dyn_w
        size += k
        if fl[c, FL_PENDING, r]:
            gone = min(fl[c, FL_PENDING, r], fl[c, FL_ON, r] - fl[c, FL_BUSY, r])
            if gone > 0:
                fl[c, FL_PENDING, r] -= gone
                fl[c, FL_ALIVE, r] -= gone
                wi[c, WI_SERVERS] -= gone
                _power_off(c, r, gone, fl, tq, racks)
    tq[c, int(grp[c, g, G_TYPE]), TQ_BUSY] -= size


@njit(cache=True, _nrt=False)
def complete_due(c, t, prm, grp, racks, fl, tq, jobs, slots, alloc, cls, wi, free):
    """Release every job whose class's work clock has reached its end, earliest end first, and book it as done
    at ``t`` (``Scheduler.complete_due``); returns how many."""
    done = 0
    for g in range(int(prm[c, P_GROUPS])):
        clock = grp[c, g, G_CLOCK]
        tol = clock_tolerance_s(clock, t)
        if grp[c, g, G_TARGET] > clock + tol:
            continue
        best = _earliest(c, g, slots, wi)
        while grp[c, g, G_TARGET] <= clock + tol:
            if best < 0 or slots[c, best, SL_FINISH] > clock + tol:
                break
            k = int(slots[c, best, SL_JOB])
            _release(c, best, fl, tq, racks, grp, slots, alloc, wi)
            size = jobs[c, k, J_SIZE]
            span = t - jobs[c, k, J_START]
            work = min(clock, slots[c, best, SL_FINISH]) - jobs[c, k, J_W0]
            cls[c, g, CL_SERVER_S] += size * span
            cls[c, g, CL_WORK_S] += size * work
            cls[c, g, CL_ENERGY_J] += size * (grp[c, g, G_IDLE_W] * span + grp[c, g, G_DYN_W] * work)
            cls[c, g, CL_COMPLETED] += 1.0
            if jobs[c, k, J_FLEX] != 0.0:
                cls[c, g, CL_FLEX_COMPLETED] += 1.0
            if t > jobs[c, k, J_DEADLINE] + 1e-6:
                cls[c, g, CL_MISSES] += 1.0
            slots[c, best, SL_JOB] = -1.0
            free[c, wi[c, WI_FREE]] = best
            wi[c, WI_FREE] += 1
            done += 1
            best = _earliest(c, g, slots, wi)
            grp[c, g, G_TARGET] = slots[c, best, SL_FINISH] if best >= 0 else math.inf
    return done


@njit(cache=True, _nrt=False)
def _earliest(c, g, slots, wi):
    """Slot of the class's running job that ends first on its work clock (then the one started first), -1 when none
    runs: the next to complete, and its end the class's next target. One scan of the slots after each completion
    gives both (there were three: the target, and the next job found again), of the slots ever used only (free
    slots are taken lowest first, so these are about as many as the most jobs that ran at once in this row, not
    the largest row's servers every row's slots are sized for)."""
    best = -1
    for s in range(wi[c, WI_SLOTS_USED]):
        if slots[c, s, SL_JOB] >= 0 and slots[c, s, SL_GROUP] == g:
            if best < 0 or slots[c, s, SL_FINISH] < slots[c, best, SL_FINISH] or (
                    slots[c, s, SL_FINISH] == slots[c, best, SL_FINISH]
                    and slots[c, s, SL_SEQ] < slots[c, best, SL_SEQ]):
                best = s
    return best


rank_key = njit(cache=True)(schedulers.rank_key)
"""The ``thermal`` scheduler's ranking key of a deviation, the Python scheduler's own function compiled."""


@njit(cache=True, _nrt=False)
def _order(c, ty, prm, racks, fl, out):
    """Racks of type ``ty`` in the order a job fills them: by index (``fifo``), or coolest inlet first, ties by
    index (``thermal``, a stable sort on the racks' inlet deviations); returns how many."""
    n = 0
    thermal = prm[c, P_THERMAL] != 0.0 and prm[c, P_HAS_DEV] != 0.0
    for r in range(int(prm[c, P_RACKS])):
        if fl[c, FL_TYPE, r] != ty:
            continue
        if thermal:  # insertion keeps equal deviations (on the ranking's grid) in rack order
            d = rank_key(racks[c, R_DEV, r])
            i = n
            while i > 0 and rank_key(racks[c, R_DEV, out[i - 1]]) > d:
                out[i] = out[i - 1]
                i -= 1
            out[i] = r
        else:
            out[n] = r
        n += 1
    return n


@njit(cache=True, _nrt=False)
def start_waiting(c, t, prm, grp, racks, fl, tq, queue, jobs, slots, alloc, cls, wi, free, order):
    """Refuse jobs larger than their type's servers alive, then start each type's queued jobs in arrival order
    while the head fits its idle servers, rack by rack in the placement order fixed for this call
    (``Scheduler.start_waiting``); returns how many started."""
    cap = queue.shape[2]
    started = 0
    for ty in range(tq.shape[1]):
        n_order = -1
        if tq[c, ty, TQ_LEN] > 0 and jobs[c, queue[c, ty, tq[c, ty, TQ_HEAD]], J_SIZE] > tq[c, ty, TQ_ON]:
            while tq[c, ty, TQ_LEN] > 0:
                k = queue[c, ty, tq[c, ty, TQ_HEAD]]
                size = int(jobs[c, k, J_SIZE])
                if size <= tq[c, ty, TQ_ALIVE]:
                    break
                tq[c, ty, TQ_HEAD] = (tq[c, ty, TQ_HEAD] + 1) % cap
                tq[c, ty, TQ_LEN] -= 1
                tq[c, ty, TQ_SERVERS] -= size
                cls[c, int(jobs[c, k, J_GROUP]), CL_REJECTED] += 1.0
        while tq[c, ty, TQ_LEN] > 0:
            k = queue[c, ty, tq[c, ty, TQ_HEAD]]
            size = int(jobs[c, k, J_SIZE])
            if size > tq[c, ty, TQ_ON] - tq[c, ty, TQ_BUSY]:
                break
            tq[c, ty, TQ_HEAD] = (tq[c, ty, TQ_HEAD] + 1) % cap
            tq[c, ty, TQ_LEN] -= 1
            tq[c, ty, TQ_SERVERS] -= size
            if n_order < 0:
                n_order = _order(c, ty, prm, racks, fl, order)
            g = int(jobs[c, k, J_GROUP])
            dyn_w = grp[c, g, G_DYN_W]
            wi[c, WI_FREE] -= 1
            s = free[c, wi[c, WI_FREE]]
            if s >= wi[c, WI_SLOTS_USED]:
                wi[c, WI_SLOTS_USED] = s + 1
            left = size
            n = 0
            for i in range(n_order):
                r = order[i]
                f = fl[c, FL_ON, r] - fl[c, FL_BUSY, r]
                if f > 0:
                    take = f if f < left else left
                    fl[c, FL_BUSY, r] += take
                    racks[c, R_DYN + g, r] += take * dyn_w
                    alloc[c, s, n, 0] = r
                    alloc[c, s, n, 1] = take
                    n += 1
                    left -= take
                    if left == 0:
                        break
            tq[c, ty, TQ_BUSY] += size
            wi[c, WI_SEQ] += 1
            w0 = grp[c, g, G_CLOCK]
            slots[c, s, SL_JOB] = k
            slots[c, s, SL_FINISH] = w0 + jobs[c, k, J_WORK]
            slots[c, s, SL_GROUP] = g
            slots[c, s, SL_N] = n
            slots[c, s, SL_SEQ] = wi[c, WI_SEQ]
            jobs[c, k, J_START] = t
            jobs[c, k, J_W0] = w0
            if jobs[c, k, J_RECORD] != 0.0:
                jobs[c, k, J_WAIT] = t - jobs[c, k, J_SUBMIT]
            if slots[c, s, SL_FINISH] < grp[c, g, G_TARGET]:
                grp[c, g, G_TARGET] = slots[c, s, SL_FINISH]
            started += 1
    return started


@njit(cache=True, _nrt=False)
def fail_one(c, u, prm, racks, fl, tq, wi):
    """A server dies in a rack chosen in proportion to its servers alive (``u`` uniform): an idle one leaves at
    once, else an off one, else a busy one when its job ends (``Scheduler.fail_one``); returns the rack."""
    n_r = int(prm[c, P_RACKS])
    total = 0
    for r in range(n_r):
        total += fl[c, FL_ALIVE, r] - fl[c, FL_PENDING, r]
    x = u * total
    acc = 0
    r = n_r - 1
    for i in range(n_r):  # searchsorted(cumsum, x, side="right")
        acc += fl[c, FL_ALIVE, i] - fl[c, FL_PENDING, i]
        if acc > x:
            r = i
            break
    wi[c, WI_FAILURES] += 1
    tq[c, fl[c, FL_TYPE, r], TQ_ALIVE] -= 1
    if fl[c, FL_ON, r] - fl[c, FL_BUSY, r] > 0:
        fl[c, FL_ALIVE, r] -= 1
        wi[c, WI_SERVERS] -= 1
        _power_off(c, r, 1, fl, tq, racks)
    elif fl[c, FL_ALIVE, r] - fl[c, FL_ON, r] > 0:
        fl[c, FL_ALIVE, r] -= 1
        wi[c, WI_SERVERS] -= 1
    else:
        fl[c, FL_PENDING, r] += 1
    return r


@njit(cache=True, _nrt=False)
def repair_one(c, r, racks, fl, tq, wi):
    """A replacement server arrives in rack ``r``, powered on (``RackFleet.repair``)."""
    tq[c, fl[c, FL_TYPE, r], TQ_ALIVE] += 1
    if fl[c, FL_PENDING, r]:
        fl[c, FL_PENDING, r] -= 1
        return
    fl[c, FL_ALIVE, r] += 1
    wi[c, WI_SERVERS] += 1
    fl[c, FL_ON, r] += 1
    tq[c, fl[c, FL_TYPE, r], TQ_ON] += 1
    racks[c, R_STATIC, r] += racks[c, R_IDLE, r]


@njit(cache=True, _nrt=False)
def refresh_counts(c, st, tq, wi):
    """The counts the recorder integrates, after the workload changed, and the loads marked for recomputing."""
    alive = busy = on = waiting = 0
    for ty in range(tq.shape[1]):
        alive += tq[c, ty, TQ_ALIVE]
        busy += tq[c, ty, TQ_BUSY]
        on += tq[c, ty, TQ_ON]
        waiting += tq[c, ty, TQ_LEN]
    st[c, S_ALIVE] = alive
    st[c, S_SERVERS] = wi[c, WI_SERVERS]
    st[c, S_BUSY] = busy
    st[c, S_POWERED] = on
    st[c, S_QUEUE] = waiting
    st[c, S_DIRTY] = 1.0
