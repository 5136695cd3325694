"""The engine, hybrid: discrete events in simpy, the continuous plant in a compiled kernel.

``simulate(scenario)`` builds the environment at its base resolution (``twin.sim.exogenous``), the cabin groups'
networks and fleets (``twin.sim.cabin``), their job streams and schedulers (``twin.workload``), the typed state
arrays (``twin.sim.state``), and runs one simpy Environment in seconds (``twin.sim.processes``): job arrivals,
turbine failures and repairs, maintenance, what-if events and server repairs are events; between any two of them
one call of the compiled kernel (``twin.sim.kernel``) advances every cabin group and the electrical bus through as
many control periods as fit, stopping early where a job completes, a server fails or a boot ends. Results are
recorded at the output step as means and maxima (``twin.sim.recorder``), a chunk of steps at a time, into the run's
spool on disk (``twin.sim.spool``); docs/engine.md draws the scheme.

Identical cabins of a group are simulated once and their powers multiplied by the group's count; each group has
its own job stream.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable
from zoneinfo import ZoneInfo

import numpy as np
import simpy

from twin.scenario import Scenario, ScenarioError
from twin.scenario.datafiles import DataAccess
from twin.sim.cabin import build_cabin, build_fleet, failure_rate_per_year
from twin.sim.exogenous import Exogenous, build_exogenous
from twin.sim.job_arrays import read_back
from twin.sim.kernel_jobs import refresh_counts
from twin.sim.processes import Plant, World, arrivals, event, maintenance, repair, turbine
from twin.sim.results import RunResult
from twin.sim.spool import SeriesSpool
from twin.sim.state import PlantArrays, build_plant_arrays, cable_limits
from twin.workload.jobs import JobStream, draw_cabin_jobs
from twin.workload.schedulers import Group, make_scheduler

__all__ = ["simulate", "build_run", "RunSetup", "cable_limits", "draw_run_jobs", "job_power_at_node_w", "rack_block_s"]

ProgressFn = Callable[[float], None]


def distribution_factor(scenario: Scenario) -> float:
    """Power at the cabins' node per watt more of IT [-]: the flat ``1 / distribution_efficiency``, or the power
    chain's PDU, busway and UPS losses differentiated at half the first cabin group's design heat."""
    el = scenario.electrical
    ch = el.power_chain
    if ch is None:
        return 1.0 / el.flat_distribution_efficiency
    from physics import power_chain as pc

    design = scenario.cabins[0].cooling.design_heat_w
    if ch.ups.load_fractions is not None:
        table = pc.loss_table(ch.ups.load_fractions, ch.ups.efficiency_points)
    else:
        t = pc.UPS_ECO if ch.ups.mode == "eco" else pc.UPS_DOUBLE_CONVERSION
        table = pc.loss_table(t["load_fraction"], t["efficiency"])

    def node_w(it: float) -> float:
        pdu = float(pc.resistive_loss_w(it, ch.pdu.rating_fraction * design, ch.pdu.loss_fraction_at_rated))
        bus = float(pc.resistive_loss_w(it + pdu, ch.busway.rating_fraction * design,
                                        ch.busway.loss_fraction_at_rated))
        return it + pdu + bus + pc.tabulated_loss_scalar_w(it + pdu + bus, ch.ups.rating_fraction * design, *table)

    h = 1e-3 * design
    return (node_w(0.5 * design + h) - node_w(0.5 * design - h)) / (2.0 * h)


def job_power_at_node_w(scenario: Scenario, group: Group) -> float:
    """Extra power at the cabins' node when one idle server takes a job of class (group) ``group`` [W]: the class's
    dynamic power at the speed its power cap allows, as the engine's racks draw it (``twin.sim.cabin.build_fleet``:
    the work's published power when the class names its ``work``, the power table at its ``job_utilisation``
    otherwise)."""
    return group.dyn_w * min(1.0, group.cap_speed) * distribution_factor(scenario)


def draw_run_jobs(scenario: Scenario, rng: np.random.Generator,
                  data_access: DataAccess | None = None) -> list:
    """The jobs of a run, cabin group by cabin group: ``[(arrivals, initial), ...]`` (``twin.workload``), or the
    trace's jobs (``twin.trace``; no initial jobs). The engine draws them first from its generator, so
    ``twin.green`` gets the same jobs from the same seed."""
    run = scenario.run
    wl = scenario.workload
    classes = wl.job_classes()
    if wl.trace_csv is not None:
        from twin.workload.trace import TraceError, read_trace

        try:
            streams = read_trace(wl.trace_csv, [c.name for c in classes], len(scenario.cabins), data_access)
        except TraceError as exc:
            raise ScenarioError([("workload.trace_csv", p) for p in exc.problems], "trace") from None
        empty = JobStream(np.zeros(0), np.zeros(0, int), np.zeros(0))
        return [(st.take(st.submit_s < run.horizon_s), empty) for st in streams]
    local0 = run.start.astimezone(ZoneInfo(scenario.site.timezone))
    start_hour = local0.hour + local0.minute / 60.0 + local0.second / 3600.0
    out = []
    for g in scenario.cabins:
        types = g.racks.server_types
        type_servers = [sum(b.rack_count * b.servers_per_rack for b in g.racks.blocks() if b.server == t)
                        for t in types]
        class_types = [types.index(c.server or types[0]) for c in classes]
        out.append(draw_cabin_jobs(wl, type_servers, class_types, run.horizon_s, start_hour, local0.weekday(), rng))
    return out


def rack_block_s(horizon_s: float, racks: int, max_values: float = 5e6) -> float:
    """Length of a block of the racks' mean power [s]: an hour, or whole hours such that blocks x racks stays
    under ``max_values`` (a year of 570 racks hourly)."""
    blocks_h = math.ceil(horizon_s / 3600.0 - 1e-9)
    return 3600.0 * max(1, math.ceil(blocks_h * racks / max_values))


@dataclass
class RunSetup:
    """What a run is built from before its clock starts: the environment, the cabin groups' plants, schedulers and
    job streams, and the kernel's arrays in their initial state."""

    exo: Exogenous
    plants: list
    queues: list
    streams: list
    inlet_models: list
    arrays: PlantArrays
    rng: np.random.Generator
    horizon_s: float
    block_s: float
    fast: list
    """Per cabin group: its workload runs in the kernel (``twin.sim.kernel_jobs``)."""
    initial_state: object = None
    """The saved state the run starts from (``twin.sim.saved_state.SavedState``), or None: a steady start."""
    failed_at_start: list | None = None
    """Per cabin group: the racks of the servers the initial state has failed."""


KERNEL_SCHEDULERS = ("fifo", "thermal")
"""Schedulers whose compiled twin runs a cabin group's jobs inside the kernel (``twin.sim.kernel_jobs``), unless the
group sheds work or a job class checkpoints; the others (``consolidation``, ``green``) run in Python at each
event."""


def build_run(scenario: Scenario, drop_flexible: bool = False, kernel_workload: bool = True,
              data_access: DataAccess | None = None) -> RunSetup:
    """Everything :func:`simulate` needs before its clock starts (see :class:`RunSetup`); ``kernel_workload``
    False keeps every group's workload in the Python schedulers (the reference the kernel's twin is tested to);
    ``data_access`` reads the data files the scenario names (``twin.scenario.datafiles``: the user's own paths when
    None; the API's uploaded data sets in its workers)."""
    from twin.sim.saved_state import apply_state, read_state

    initial = read_state(scenario, data_access)
    exo = build_exogenous(scenario, data_access)
    plants = [build_cabin(scenario, g) for g in scenario.cabins]
    run = scenario.run
    n = exo.n
    horizon_s = n * float(run.step_s)
    rng = np.random.default_rng([run.seed, 2])
    # one fleet, scheduler and job stream per cabin group
    queues, inlet_models, streams = [], [], []
    wl = scenario.workload
    failed_at_start = []
    fail_rng = np.random.default_rng([run.seed, 6])
    for c, (plant, group, (jobs, initial_jobs)) in enumerate(
            zip(plants, scenario.cabins, draw_run_jobs(scenario, rng, data_access))):
        fleet, groups, inlet_model = build_fleet(scenario, group, plant)
        inlet_models.append(inlet_model)
        q = make_scheduler(wl.scheduler, fleet, groups, wl.spare_share)
        # the servers the initial state has failed, in racks drawn in proportion to their servers; not counted
        # as this run's failures
        racks_failed = [q.fail_one(fail_rng.uniform()) for _ in range(
            initial.cabins[c].servers_failed if initial is not None else 0)]
        q.failures = 0
        failed_at_start.append(racks_failed)
        if drop_flexible:
            jobs = jobs.take(~jobs.flexible)
        for size, work, g in zip(initial_jobs.size.tolist(), initial_jobs.work_s.tolist(),
                                 initial_jobs.group.tolist()):
            q.submit(0.0, size, work, group=g)
        q.start_waiting(0.0, record_wait=False)
        q.manage_power(0.0, instant=True)
        queues.append(q)
        streams.append(jobs)
    block_s = rack_block_s(horizon_s, max(q.fleet.n_racks for q in queues))
    # a class that checkpoints is interrupted by failures (``Scheduler.interrupt``), which only the Python
    # schedulers do: its groups run there
    checkpoints = any(c.checkpoint_interval_s is not None for c in wl.job_classes())
    fast = [kernel_workload and q.name in KERNEL_SCHEDULERS and g.limits.protective_policy != "shed"
            and not checkpoints for q, g in zip(queues, scenario.cabins)]
    arrays = build_plant_arrays(scenario, plants, queues, exo.base, n, block_s, streams, fast)
    if initial is not None:
        apply_state(initial, arrays, scenario)
    return RunSetup(exo, plants, queues, streams, inlet_models, arrays, rng, horizon_s, block_s, fast, initial,
                    failed_at_start)


def simulate(scenario: Scenario, progress: ProgressFn | None = None, drop_flexible: bool = False,
             data_access: DataAccess | None = None, kernel_workload: bool = True) -> RunResult:
    """Run a scenario and return its series, KPIs and ledger.

    ``drop_flexible`` leaves the flexible jobs out of the same arrivals (for the perfect-foresight bound,
    ``twin.studies.green``). ``data_access`` reads the data files the scenario names (``twin.scenario.datafiles``: the
    user's own paths when None; the API's uploaded data sets in its workers). ``kernel_workload`` False runs every
    group's jobs in the Python schedulers (:func:`build_run`).
    """
    t_wall0 = time.perf_counter()
    setup = build_run(scenario, drop_flexible, kernel_workload, data_access)
    t_build = time.perf_counter() - t_wall0
    exo, plants, queues, streams, arrays = setup.exo, setup.plants, setup.queues, setup.streams, setup.arrays
    base, rng, horizon_s, block_s = exo.base, setup.rng, setup.horizon_s, setup.block_s
    run = scenario.run
    env = simpy.Environment()
    world = World(arrays.bus, arrays.st, open_outages=[0] * scenario.wind.farm.turbine_count)
    world.apply()
    fail_rngs = [np.random.default_rng([run.seed, 4, c]) if failure_rate_per_year(g) > 0 else None
                 for c, g in enumerate(scenario.cabins)]
    spool = SeriesSpool(exo.n)
    plant = Plant(env, arrays, queues, [pl.count for pl in plants], horizon_s, scenario.controls.control_period_s,
                  [[job_power_at_node_w(scenario, g) for g in q.groups] for q in queues], fail_rngs,
                  [g.racks.repair_time_h * 3600.0 if g.racks.repairable else None for g in scenario.cabins],
                  [g.limits.protective_policy == "shed" for g in scenario.cabins], progress, spool,
                  [c for c, pl in enumerate(plants) if pl.liquid is not None])
    for c, (q, jobs) in enumerate(zip(queues, streams)):
        if setup.fast[c]:
            refresh_counts(c, arrays.st, arrays.work.tq, arrays.work.wi)
        else:
            plant.push(c)
            env.process(arrivals(env, plant, c, q, jobs))
    farm = scenario.wind.farm
    windows = base.access_window_start
    down0 = setup.initial_state.turbines_down if setup.initial_state is not None else 0
    if farm.mttr_h > 0:
        for k in range(farm.turbine_count):
            env.process(turbine(env, world, rng, farm.mtbf_h * 3600.0, farm.mttr_h * 3600.0, windows, base.step_s, k,
                                down_at_start=k < down0))
    else:  # no failure model: the turbines the state has down stay down
        for k in range(down0):
            world.turbine_down(k, 0.0, "state")
    for c, racks in enumerate(setup.failed_at_start or []):
        repair_s = scenario.cabins[c].racks.repair_time_h * 3600.0 if scenario.cabins[c].racks.repairable else None
        for rack in racks if repair_s is not None else []:
            # ASSUMPTION: when a failed server of the state failed is not known; its repair takes the full time
            env.process(repair(env, plant, c, None if setup.fast[c] else queues[c], repair_s, rack))
    if farm.maintenance_start_day_of_year is not None:
        env.process(maintenance(env, world, farm, base.day_of_year, windows, base.step_s))
    for e, ev in enumerate(scenario.events):
        env.process(event(env, world, plant, ev, e))
    env.process(plant.run())
    try:
        env.run(until=horizon_s)
    finally:
        plant.close()  # the last chunk's drain: its thread appends it to the spool
    if plant.t < horizon_s or spool.rows < exo.n:  # cannot happen unless the kernel stopped short
        raise RuntimeError(f"the plant reached {plant.t} s of {horizon_s} s ({spool.rows} of {exo.n} steps recorded)")
    if progress is not None:
        progress(1.0)
    t_run = time.perf_counter() - t_wall0

    for c, q in enumerate(queues):
        if setup.fast[c]:
            read_back(c, q, arrays.work, arrays.grp)
    # each rack's mean power over each block, every group's racks in one (racks, blocks) array: the layout of the
    # rack frame's one block, which takes it as it is (twenty groups' 1,180 racks, 83 MB, each copy of which cost
    # 0.3 s in page faults alone)
    counts = [q.fleet.n_racks for q in queues]
    durations = np.minimum(block_s, horizon_s - np.arange(arrays.rack_sum.shape[1]) * block_s)
    hourly = np.empty((sum(counts), arrays.rack_sum.shape[1]))
    k = 0
    for c, n in enumerate(counts):
        np.divide(arrays.rack_sum[c, :, :n].T, durations, out=hourly[k:k + n])
        k += n

    from twin.sim.results import build_result
    from twin.sim.saved_state import end_state

    result = build_result(scenario, exo, plants, queues, spool,
                          timings={"build_s": t_build, "total_s": t_run, "kernel_calls": plant.kernel_calls},
                          rack_inlet_models=setup.inlet_models, rack_power=(hourly, counts, block_s),
                          turbine_outages=world.outages)
    result.end_state = end_state(scenario, arrays, queues, plants, exo, world.turbines_down)
    return result
