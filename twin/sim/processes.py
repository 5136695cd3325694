"""The discrete side of a run: simpy processes for what happens at instants, and the plant process between them.

- ``arrivals`` (one per cabin group): submits pre-drawn jobs at their arrival times;
- ``turbine`` (one per turbine): failures, and repairs in the next weather window long enough for the crew;
- ``maintenance``: each year one turbine after another, each in the next weather window;
- ``event`` (one per what-if event): switches a condition on and off;
- ``repair``: a replacement server arrives in a rack;
- :class:`Plant`: hands the compiled kernel (``twin.sim.kernel.advance``) the interval to the next scheduled event,
  and handles what the kernel stopped for: jobs that completed (their work clocks, integrated under throttling,
  reached their ends), server failures (the integrated hazard reached its drawn limit), boots and shutdowns done,
  a shedding cabin leaving its band, a control instant the green scheduler acts at. Then it starts the waiting
  jobs that fit and pushes the new loads into the kernel's arrays.

The plant runs after every other event of the same instant (a simpy priority below NORMAL), so at any instant it
sees every job that arrived and every condition that changed, and the kernel is never ahead of an event it has
not seen: it only ever advances to the earliest event already scheduled.
"""

from __future__ import annotations

import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import simpy

from twin.sim import kernel_jobs
from twin.sim.kernel import advance
from twin.sim.recorder import series_columns
from twin.sim.spool import SeriesSpool
from twin.sim.state import (
    B_DEFICIT_W,
    B_GRID_OUTAGES,
    B_LINK_CUTS,
    B_N_OUT,
    B_OUT_ROW0,
    B_OUT_S,
    B_SEA_OFFSET,
    B_SURPLUS_W,
    B_TURB_DOWN,
    G_CLOCK,
    G_TARGET,
    P_FAST,
    R_DEV,
    S_ALIVE,
    S_CLEAN_T,
    S_FLAGS,
    S_HAZARD,
    S_HAZARD_LIMIT,
    S_IN_BAND,
    S_PUMP_CAP,
    S_STOP_BAND,
    S_STOP_PERIOD,
    STOP_COMPLETION,
    STOP_FAILURE,
    STOP_PERIOD,
    STOP_STALLED,
    STOP_TRANSITION,
    PlantArrays,
)
from twin.workload.jobs import JobStream
from twin.workload.schedulers import GreenScheduler, Scheduler, ThermalScheduler

__all__ = ["World", "Plant", "arrivals", "turbine", "maintenance", "event", "LATE"]

LATE = 2
"""simpy priority of the plant's wake-ups: after URGENT (0) and NORMAL (1) events of the same instant."""


class _Late(simpy.events.Event):
    """A timeout that fires after every other event of its instant."""

    def __init__(self, env: simpy.Environment, delay: float):
        super().__init__(env)
        self._ok = True
        self._value = None
        env.schedule(self, LATE, delay)


@dataclass
class World:
    """What-if state the processes share and change; the counts the kernel needs are written into its bus."""

    bus: np.ndarray
    st: np.ndarray
    turbines_down: int = 0  # turbines with at least one open outage
    grid_outages: int = 0
    wind_link_cuts: int = 0
    sea_offset_k: float = 0.0
    pump_cap: dict = field(default_factory=dict)  # cabin group (-1: all) -> highest pump speed
    outages: list = field(default_factory=list)  # [turbine, start_s, end_s or None, cause], in the order they began
    open_outages: list = field(default_factory=list)  # per turbine of the layout: how many of its outages are open
    event_down: dict = field(default_factory=dict)  # event index -> its outages

    def turbine_down(self, k: int, now: float, cause: str) -> list:
        """Turbine ``k`` stops for ``cause``; a turbine already down (failed during its maintenance, say) is still
        one turbine down."""
        if self.open_outages[k] == 0:
            self.turbines_down += 1
            self.bus[B_TURB_DOWN] = self.turbines_down
        self.open_outages[k] += 1
        entry = [k, now, None, cause]
        self.outages.append(entry)
        return entry

    def turbine_back(self, entry: list, now: float) -> None:
        entry[2] = now
        k = entry[0]
        self.open_outages[k] -= 1
        if self.open_outages[k] == 0:
            self.turbines_down -= 1
            self.bus[B_TURB_DOWN] = self.turbines_down

    def turbines_up_now(self) -> list[int]:
        """Turbines with no open outage, by index."""
        return [k for k, n in enumerate(self.open_outages) if n == 0]

    def apply(self) -> None:
        """Write the grid, link, sea and pump conditions into the kernel's arrays."""
        self.bus[B_GRID_OUTAGES] = self.grid_outages
        self.bus[B_LINK_CUTS] = self.wind_link_cuts
        self.bus[B_SEA_OFFSET] = self.sea_offset_k
        for c in range(self.st.shape[0]):
            self.st[c, S_PUMP_CAP] = self.pump_cap.get(c, self.pump_cap.get(-1, 1.0))


class Plant:
    """The plant process: the kernel between events, the workload at them (module docstring). ``job_power_w``: by
    cabin group, the power at the node one server of each job class adds (``twin.sim.engine.job_power_at_node_w``),
    for the green scheduler's surplus and deficit."""

    def __init__(self, env: simpy.Environment, arrays: PlantArrays, queues: list[Scheduler], counts: list[int],
                 horizon_s: float, control_period_s: float, job_power_w: list[list[float]], fail_rngs: list,
                 repair_s: list, shed: list[bool], progress: Callable[[float], None] | None,
                 spool: SeriesSpool, liquid_rows: list[int]):
        self.env = env
        self.arrays = arrays
        self.args = arrays.kernel_args()
        self.queues = queues
        self.counts = counts
        self.horizon_s = horizon_s
        self.control_period_s = control_period_s
        self.job_power_w = job_power_w
        self.fail_rngs = fail_rngs
        self.repair_s = repair_s
        self.shed = shed
        self.fast = [bool(v) for v in arrays.prm[:, P_FAST]]
        self.thermal = [isinstance(q, ThermalScheduler) for q in queues]
        self.green = [isinstance(q, GreenScheduler) for q in queues]
        self.progress = progress
        self.dirty: set[int] = set(range(len(queues)))
        self.spawned = False
        self.t = 0.0
        self.kernel_calls = 0
        step = horizon_s / 100.0
        self._next_report = step if progress is not None else math.inf
        self._report_step = step
        # the recorder's buffers hold a chunk of output steps: the kernel stops at the chunk's end, the chunk goes
        # into the spool (twin.sim.spool), and the buffers take the next. Two sets of them: the kernel (which
        # releases the GIL) fills one while a thread drains the other, so on two cores the drains cost the run only
        # a wait for the last (twenty groups: 1.1 s of 5.3 were drains, 840 MB of series transposed and written)
        self.spool = spool
        # np.zeros, not zeros_like: the pages are zeroed by the system when first touched (zeros_like fills them:
        # 0.18 s of a twenty-group year, for a set a run that fits in one chunk never uses)
        self._spare = tuple(np.zeros(b.shape, b.dtype) for b in (arrays.out64, arrays.out_g, arrays.out_c))
        self._drainer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seabed-twin-drain")
        self._draining: Future | None = None
        self.liquid_rows = list(liquid_rows)
        self.out_s = float(arrays.bus[B_OUT_S])
        self.n_out = int(arrays.bus[B_N_OUT])
        self.chunk = arrays.out64.shape[0]
        arrays.bus[B_OUT_ROW0] = 0.0
        self.chunk_end = self.chunk * self.out_s
        st = arrays.st
        for c, rng in enumerate(fail_rngs):
            st[c, S_HAZARD_LIMIT] = rng.exponential() if rng is not None else math.inf
            st[c, S_STOP_PERIOD] = 1.0 if self.green[c] else 0.0

    # ------------------------------------------------------------------------------------------------ the process
    def run(self):
        """The process: between two simpy events the kernel may stop several times (jobs completing, boots
        ending, control instants for the green scheduler); those stops concern the plant and its workload only, so
        they are handled without a simpy event each, and the plant yields when it reaches the next scheduled
        event, or to bring simpy's clock to a failure (a repair it schedules must start from the right time)."""
        env = self.env
        horizon = self.horizon_s
        flagged = 0
        t = env.now
        while True:
            if flagged or self.dirty:
                self.handle(t, flagged)
                flagged = 0
            if self.spawned:  # processes started now schedule their first events before the kernel looks ahead
                self.spawned = False
                yield _Late(env, 0.0)
                continue
            if t >= horizon:
                return
            nxt = env.peek()
            if nxt > horizon:
                nxt = horizon
            while True:
                target = nxt if nxt < self._next_report else self._next_report
                if self.chunk_end < target:
                    target = self.chunk_end
                # times as floats always: simpy's clock starts as an int, and an int here compiled a second
                # signature of the kernel (40-55 s, in the first run that reached it)
                t, flagged = advance(float(t), float(target), *self.args)
                self.kernel_calls += 1
                if flagged & STOP_STALLED:
                    raise RuntimeError(f"the plant's kernel made no progress at {t} s (rows "
                                       f"{np.flatnonzero(self.arrays.st[:, S_FLAGS]).tolist()})")
                if t >= self.chunk_end:
                    self.drain()
                if t >= self._next_report:
                    self.progress(t / horizon)
                    self._next_report = min(self._next_report + self._report_step, horizon) if t < horizon \
                        else math.inf
                if t >= nxt or flagged & STOP_FAILURE:
                    break
                if flagged:
                    self.handle(t, flagged)
                    flagged = 0
            self.t = t
            yield _Late(env, t - env.now)

    def drain(self) -> None:
        """The recorder's buffers are full (the kernel reached the chunk's end): hand them to the draining thread,
        which appends them to the spool, once it has drained the other set; that set takes the next chunk from its
        first row."""
        a = self.arrays
        row0 = int(a.bus[B_OUT_ROW0])
        k = min(self.chunk, self.n_out - row0)
        self.wait_for_drain()
        full = (a.out64, a.out_g, a.out_c)
        self._draining = self._drainer.submit(self._append, *(b[:k] for b in full))
        a.out64, a.out_g, a.out_c = self._spare
        self._spare = full
        self.args = a.kernel_args()
        row0 += k
        a.bus[B_OUT_ROW0] = float(row0)
        self.chunk_end = min(row0 + self.chunk, self.n_out) * self.out_s if row0 < self.n_out else math.inf

    def _append(self, out64: np.ndarray, out_g: np.ndarray, out_c: np.ndarray) -> None:
        self.spool.append(series_columns(out64, out_g, out_c, self.out_s, self.liquid_rows))

    def wait_for_drain(self) -> None:
        """Until the chunk being drained is in the spool (its error, if it failed, raised here)."""
        if self._draining is not None:
            pending, self._draining = self._draining, None
            pending.result()

    def close(self) -> None:
        """The last drain done and the draining thread gone: the spool holds every chunk drained."""
        try:
            self.wait_for_drain()
        finally:
            self._drainer.shutdown(wait=True)

    # ------------------------------------------------------------------------------------------------ at an instant
    def handle(self, now: float, flagged: int) -> None:
        """Deal with the kernel's stops and the cabins whose workload changed at ``now``."""
        st = self.arrays.st
        rows = self.dirty
        self.dirty = set()
        flags = st[:, S_FLAGS].tolist() if flagged else None
        if flags is not None:
            rows = rows.union(c for c, f in enumerate(flags) if f)
        if len(rows) > 1:
            rows = sorted(rows)
        grp = self.arrays.grp
        bus = self.arrays.bus
        surplus = deficit = 0.0
        if flags is not None and any(self.green):
            surplus = float(bus[B_SURPLUS_W])
            deficit = float(bus[B_DEFICIT_W])
        for c in rows:
            q = self.queues[c]
            f = int(flags[c]) if flags is not None else 0
            if self.fast[c]:
                self._handle_fast(c, now, f)
                continue
            ng = len(q.groups)
            q.clock[:] = grp[c, :ng, G_CLOCK].tolist()
            if f:
                st[c, S_FLAGS] = 0.0
                if f & STOP_COMPLETION:
                    q.complete_due(now)
                if f & STOP_FAILURE:
                    rng = self.fail_rngs[c]
                    rack = q.fail_one(rng.uniform(), now)
                    if self.repair_s[c] is not None:
                        self.env.process(repair(self.env, self, c, q, self.repair_s[c], rack))
                        self.spawned = True
                    st[c, S_HAZARD] = 0.0
                    st[c, S_HAZARD_LIMIT] = rng.exponential()
                if f & STOP_TRANSITION:
                    q.fleet.tick(now)
            if self.shed[c] and st[c, S_IN_BAND] != 0.0:
                q.fleet.tick(now)  # shed: no new work while the hottest rack is in the throttling band
            elif self.green[c]:
                cnt = self.counts[c]
                if f & STOP_PERIOD:
                    # the last interval's balance at the node, shared by the cabins of the group: pause flexible
                    # work while the grid carries load, start it while wind is left over
                    if deficit > 0.0:
                        q.pause_flexible(now, deficit / cnt, self.job_power_w[c], self.control_period_s)
                    used = q.start_waiting(now, True, surplus / cnt, self.job_power_w[c], self.control_period_s)
                    surplus -= used * cnt
                else:
                    q.start_waiting(now, True, 0.0, self.job_power_w[c], self.control_period_s)
            elif self.thermal[c]:
                q.start_waiting(now, inlet_c=self.arrays.racks[c, R_DEV, :q.fleet.n_racks])
            else:
                q.start_waiting(now)
            self.push(c)

    def _handle_fast(self, c: int, now: float, f: int) -> None:
        """A cabin group whose workload runs in the kernel: a failure or a repair changed its fleet; start what
        now fits."""
        a = self.arrays
        w = a.work
        if f:
            a.st[c, S_FLAGS] = 0.0
        if f & STOP_FAILURE:
            rng = self.fail_rngs[c]
            rack = kernel_jobs.fail_one(c, rng.uniform(), a.prm, a.racks, w.fl, w.tq, w.wi)
            if self.repair_s[c] is not None:
                self.env.process(repair(self.env, self, c, None, self.repair_s[c], rack))
                self.spawned = True
            a.st[c, S_HAZARD] = 0.0
            a.st[c, S_HAZARD_LIMIT] = rng.exponential()
        kernel_jobs.start_waiting(c, now, a.prm, a.grp, a.racks, w.fl, w.tq, w.queue, w.jobs, w.slots, w.alloc,
                                  w.cls, w.wi, w.free, w.order)
        kernel_jobs.refresh_counts(c, a.st, w.tq, w.wi)

    def push(self, c: int) -> None:
        """The workload's state of cabin group ``c`` into the kernel's arrays."""
        q = self.queues[c]
        fleet = q.fleet
        nxt = math.inf
        if fleet.booting_or_shutting():
            for d in fleet.booting:
                if d and d[0][0] < nxt:
                    nxt = d[0][0]
            for d in fleet.shutting:
                if d and d[0][0] < nxt:
                    nxt = d[0][0]
        waiting = q.waiting
        self.arrays.st[c, S_ALIVE:S_STOP_BAND + 1] = (
            fleet.alive_count, fleet.n_servers, sum(fleet.n_busy), sum(fleet.n_on) + sum(fleet.n_trans), waiting,
            1.0, nxt, 1.0 if self.shed[c] and waiting > 0 else 0.0)
        running = q.running
        if len(running) == 1:
            self.arrays.grp[c, 0, G_TARGET] = running[0][0][0] if running[0] else math.inf
        else:
            self.arrays.grp[c, :len(running), G_TARGET] = [run[0][0] if run else math.inf for run in running]


# ---------------------------------------------------------------------------------------------------- processes


def arrivals(env: simpy.Environment, plant: Plant, c: int, q: Scheduler, jobs: JobStream):
    for t, size, work, deadline, flexible, g in zip(jobs.submit_s.tolist(), jobs.size.tolist(),
                                                    jobs.work_s.tolist(), jobs.deadline_s.tolist(),
                                                    jobs.flexible.tolist(), jobs.group.tolist()):
        if t > env.now:
            yield env.timeout(t - env.now)
        q.submit(t, size, work, deadline, flexible, g)
        plant.dirty.add(c)


def repair(env: simpy.Environment, plant: Plant, c: int, q: Scheduler | None, repair_s: float, rack: int):
    """A replacement server arrives in ``rack`` after ``repair_s``; ``q`` None: the group's workload runs in the
    kernel."""
    yield env.timeout(repair_s)
    if q is None:
        a = plant.arrays
        kernel_jobs.repair_one(c, rack, a.racks, a.work.fl, a.work.tq, a.work.wi)
    else:
        q.repair_one(rack)
    plant.dirty.add(c)


def turbine(env: simpy.Environment, world: World, rng: np.random.Generator, mtbf_s: float, mttr_s: float,
            windows: np.ndarray, base_s: float, k: int = 0, down_at_start: bool = False):
    """Turbine ``k`` fails after an exponential time; its repair starts at the next weather window long enough for
    the crew (waves and wind within the vessel's limits, on the environment's base steps) and then takes an
    exponential time. ``down_at_start``: the run's initial state has it stopped (cause ``state``); its repair is
    drawn as any other's (the exponential repair time has no memory)."""
    n = windows.size
    first = down_at_start
    while True:
        if first:
            outage = world.turbine_down(k, env.now, "state")
            first = False
        else:
            yield env.timeout(rng.exponential(mtbf_s))
            outage = world.turbine_down(k, env.now, "failure")
        i = min(int(env.now / base_s), n - 1)
        j = int(windows[i])
        if j >= n:  # no window before the end of the run
            return
        yield env.timeout(max(j * base_s - env.now, 0.0) + rng.exponential(mttr_s))
        world.turbine_back(outage, env.now)


def maintenance(env: simpy.Environment, world: World, farm, day_of_year: np.ndarray, windows: np.ndarray,
                base_s: float):
    """Each year from the campaign's start day, one turbine after another is stopped for planned maintenance, each
    in the next weather window (on the environment's base steps)."""
    n = windows.size
    duration_s = farm.maintenance_duration_h * 3600.0
    start_day = farm.maintenance_start_day_of_year - 1.0  # day of year counts from 0 at 1 January 00:00
    i = 0
    while i < n:
        # next base step whose day of year crosses the campaign's start day
        ahead = np.nonzero((day_of_year[i:] >= start_day) & (day_of_year[i:] < start_day + 1.0))[0]
        if ahead.size == 0:
            return
        k = i + int(ahead[0])
        if k * base_s > env.now:
            yield env.timeout(k * base_s - env.now)
        for unit in range(farm.turbine_count):
            j = int(windows[min(int(env.now / base_s), n - 1)])
            if j >= n:
                return
            if j * base_s > env.now:
                yield env.timeout(j * base_s - env.now)
            outage = world.turbine_down(unit, env.now, "maintenance")
            yield env.timeout(duration_s)
            world.turbine_back(outage, env.now)
        # the next campaign no earlier than 300 days after this one began
        i = k + int(300 * 86400 / base_s)


def event(env: simpy.Environment, world: World, plant: Plant, ev, e: int = 0):
    if ev.start_s > 0:
        yield env.timeout(ev.start_s)
    kind = ev.kind
    if kind == "turbines_down":
        # which ones the scenario does not say (the farm's power counts turbines): the highest-numbered of those
        # running, so a string of the layout's last row goes down together
        up = world.turbines_up_now()
        world.event_down[e] = [world.turbine_down(k, env.now, "event") for k in up[max(len(up) - ev.turbines, 0):]]
    elif kind == "grid_outage":
        world.grid_outages += 1
    elif kind == "wind_link_cut":
        world.wind_link_cuts += 1
    elif kind == "sea_temp_offset":
        world.sea_offset_k += ev.delta_k
    elif kind == "pump_capacity":
        world.pump_cap[ev.cabin if ev.cabin is not None else -1] = ev.capacity_fraction
    elif kind == "exchanger_cleaning":
        # cleaning is instantaneous: the fouling clock restarts (the level follows at the next control instant)
        rows = range(world.st.shape[0]) if ev.cabin is None else [ev.cabin]
        for c in rows:
            world.st[c, S_CLEAN_T] = env.now
        return
    world.apply()
    yield env.timeout(ev.duration_s)
    if kind == "turbines_down":
        for outage in world.event_down.pop(e, []):
            world.turbine_back(outage, env.now)
    elif kind == "grid_outage":
        world.grid_outages -= 1
    elif kind == "wind_link_cut":
        world.wind_link_cuts -= 1
    elif kind == "sea_temp_offset":
        world.sea_offset_k -= ev.delta_k
    elif kind == "pump_capacity":
        world.pump_cap.pop(ev.cabin if ev.cabin is not None else -1, None)
    world.apply()
