"""The co-simulation engine: one simpy Environment in seconds, one step process, and the processes around it.

Processes
---------
- ``plant``: every ``step_s`` it reads the cabins' temperatures, runs the controls, places waiting jobs, computes
  IT, fan and pump power, steps each cabin's thermal network exactly, and balances the electrical bus
  (wind over the link cable, battery, shore grid over its cable, export, curtailment).
- ``arrivals`` (one per cabin group): submits pre-drawn jobs at their arrival times.
- ``turbine`` (one per turbine): failures and repairs, exponential with the farm's MTBF and MTTR.
- ``event`` (one per scheduled event): switches a what-if condition on and off.

Coupling runs both ways inside the step: the cooling machines and every loss are loads the wind must carry,
and the inlet temperature raises server fan power and throttles the servers, which slows their jobs.

Identical cabins of a group are simulated once and their powers multiplied by the group's count; each group has
its own job stream.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Callable
from zoneinfo import ZoneInfo

import numpy as np
import simpy

from physics import electrical, servers, thermal
from twin.scenario import Scenario, ScenarioError
from twin.scenario.datafiles import DataAccess
from twin.sim import controls
from twin.sim.cabin import CabinPlant, build_cabin, build_fleet
from twin.sim.exogenous import Exogenous, build_exogenous
from twin.sim.results import SERIES_COLUMNS, RunResult
from twin.workload.jobs import JobStream, draw_cabin_jobs
from twin.workload.schedulers import Scheduler, ThermalScheduler, make_scheduler

__all__ = ["simulate"]

ProgressFn = Callable[[float], None]

FOULING_LEVELS = 20
"""Exchanger fouling is tracked on levels of 1/20 of its asymptote, each with its own cache of step matrices."""


@dataclass
class _World:
    """State the processes share and change."""

    turbines_down: int = 0  # turbines with at least one open outage
    grid_outages: int = 0
    wind_link_cuts: int = 0
    sea_offset_k: float = 0.0
    pump_cap: dict = field(default_factory=dict)  # cabin index -> highest speed
    cleanings: list = field(default_factory=list)  # cabin groups (or -1 for all) cleaned since the last step
    outages: list = field(default_factory=list)  # [turbine, start_s, end_s or None, cause], in the order they began
    open_outages: list = field(default_factory=list)  # per turbine of the layout: how many of its outages are open
    event_down: dict = field(default_factory=dict)  # event index -> its outages

    def turbine_down(self, k: int, now: float, cause: str) -> list:
        """Turbine ``k`` stops for ``cause``; a turbine already down (failed during its maintenance, say) is still
        one turbine down."""
        if self.open_outages[k] == 0:
            self.turbines_down += 1
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

    def turbines_up_now(self) -> list[int]:
        """Turbines with no open outage, by index."""
        return [k for k, n in enumerate(self.open_outages) if n == 0]


def cable_limits(cable) -> tuple[float, float]:
    """(loss coefficient [1/W], highest sending power by current rating [W]) of a cable set."""
    r = electrical.cable_resistance_ohm(cable.resistance_ohm_per_km, cable.length_m, cable.count)
    k = electrical.cable_loss_coefficient_per_w(cable.voltage_v, r, cable.power_factor)
    p_max = math.sqrt(3.0) * cable.voltage_v * cable.power_factor * cable.rating_a * cable.count
    return k, min(p_max, 0.5 / k)  # 1/(2k) is where received power peaks


def job_power_at_node_w(scenario: Scenario, model: servers.ServerModel) -> float:
    """Extra power at the cabins' node when one idle server takes a job at full speed [W]."""
    return (servers.busy_power_w(model, scenario.workload.job_utilisation, 1.0) - model.power_w_points[0]) \
        / scenario.electrical.distribution_efficiency


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
        type_servers = [sum(b.rack_count * b.servers_per_rack for b in g.racks.blocks() if b.server == t) for t in types]
        class_types = [types.index(c.server or types[0]) for c in classes]
        out.append(draw_cabin_jobs(wl, type_servers, class_types, run.horizon_s, start_hour, local0.weekday(), rng))
    return out


def simulate(scenario: Scenario, progress: ProgressFn | None = None, drop_flexible: bool = False,
             data_access: DataAccess | None = None) -> RunResult:
    """Run a scenario and return its series, KPIs and ledger.

    ``drop_flexible`` leaves the flexible jobs out of the same arrivals (for the perfect-foresight bound,
    ``twin.studies.green``). ``data_access`` reads the data files the scenario names (``twin.scenario.datafiles``: the
    user's own paths when None; the API's uploaded data sets in its workers)."""
    t_wall0 = time.perf_counter()
    exo = build_exogenous(scenario, data_access)
    t_exo = time.perf_counter() - t_wall0
    plants = [build_cabin(scenario, g) for g in scenario.cabins]
    run = scenario.run
    dt = float(run.step_s)
    n = exo.time_s.size
    rng = np.random.default_rng([run.seed, 2])
    env = simpy.Environment()
    world = _World()

    cols = {name: np.zeros(n) for name in SERIES_COLUMNS}
    per_cabin = [{name: np.zeros(n) for name in ("inlet_temp_c", "it_temp_c", "gas_temp_c", "wall_temp_c",
                                                   "it_power_w", "utilisation", "throttle", "pump_speed",
                                                   "fan_speed", "queue_length", "outlet_temp_c",
                                                   "protective_action", "fouling_m2k_w", "servers_alive",
                                                   "servers_powered", "hottest_inlet_c")}
                 for _ in plants]

    # --- workload: one fleet, scheduler and job stream per cabin group
    queues = []
    inlet_models = []
    wl = scenario.workload
    for plant, group, (arrivals, initial) in zip(plants, scenario.cabins, draw_run_jobs(scenario, rng, data_access)):
        fleet, groups, inlet_model = build_fleet(scenario, group, plant)
        inlet_models.append(inlet_model)
        q = make_scheduler(wl.scheduler, fleet, groups, wl.spare_share)
        if drop_flexible:
            arrivals = arrivals.take(~arrivals.flexible)
        for size, work, g in zip(initial.size.tolist(), initial.work_s.tolist(), initial.group.tolist()):
            q.submit(0.0, size, work, group=g)
        q.start_waiting(0.0, record_wait=False)
        q.manage_power(0.0, instant=True)
        queues.append(q)
        env.process(_arrivals(env, q, arrivals))

    farm = scenario.wind.farm
    world.open_outages = [0] * farm.turbine_count
    windows = exo.access_window_start
    if farm.mttr_h > 0:
        for k in range(farm.turbine_count):
            env.process(_turbine(env, world, rng, farm.mtbf_h * 3600.0, farm.mttr_h * 3600.0, windows, dt, k))
    if farm.maintenance_start_day_of_year is not None:
        env.process(_maintenance(env, world, farm, exo, windows, dt))
    for e, ev in enumerate(scenario.events):
        env.process(_event(env, world, ev, e))

    racks_out: list = []  # filled by the plant: per cabin group the racks' summed power per block, then block steps
    env.process(_plant(env, scenario, exo, plants, queues, world, cols, per_cabin, dt, n, progress, racks_out))
    env.run(until=n * dt)
    block_steps = racks_out.pop()
    counts = np.minimum(block_steps, n - np.arange(racks_out[0].shape[0]) * block_steps)[:, None]
    rack_power = [sums / counts for sums in racks_out]
    t_run = time.perf_counter() - t_wall0

    from twin.sim.results import build_result

    return build_result(scenario, exo, plants, queues, cols, per_cabin,
                        timings={"exogenous_s": t_exo, "total_s": t_run}, rack_inlet_models=inlet_models,
                        rack_power=(rack_power, block_steps * dt), turbine_outages=world.outages)


def _arrivals(env: simpy.Environment, q: Scheduler, jobs: JobStream):
    for t, size, work, deadline, flexible, g in zip(jobs.submit_s.tolist(), jobs.size.tolist(),
                                                    jobs.work_s.tolist(), jobs.deadline_s.tolist(),
                                                    jobs.flexible.tolist(), jobs.group.tolist()):
        if t > env.now:
            yield env.timeout(t - env.now)
        q.submit(t, size, work, deadline, flexible, g)


def _turbine(env: simpy.Environment, world: _World, rng: np.random.Generator, mtbf_s: float, mttr_s: float,
             windows: np.ndarray, dt: float, k: int = 0):
    """Turbine ``k`` fails after an exponential time; its repair starts at the next weather window long enough for
    the crew (waves and wind within the vessel's limits) and then takes an exponential time."""
    n = windows.size
    while True:
        yield env.timeout(rng.exponential(mtbf_s))
        outage = world.turbine_down(k, env.now, "failure")
        i = min(int(env.now / dt), n - 1)
        j = int(windows[i])
        if j >= n:  # no window before the end of the run
            return
        yield env.timeout(max(j * dt - env.now, 0.0) + rng.exponential(mttr_s))
        world.turbine_back(outage, env.now)


def _repair(env: simpy.Environment, q: Scheduler, repair_s: float, rack: int):
    yield env.timeout(repair_s)
    q.repair_one(rack)


def _maintenance(env: simpy.Environment, world: _World, farm, exo: Exogenous, windows: np.ndarray, dt: float):
    """Each year from the campaign's start day, one turbine after another is stopped for planned maintenance, each
    in the next weather window."""
    n = windows.size
    day = exo.day_of_year
    duration_s = farm.maintenance_duration_h * 3600.0
    start_day = farm.maintenance_start_day_of_year - 1.0  # day of year counts from 0 at 1 January 00:00
    i = 0
    while i < n:
        # next step whose day of year crosses the campaign's start day
        ahead = np.nonzero((day[i:] >= start_day) & (day[i:] < start_day + 1.0))[0]
        if ahead.size == 0:
            return
        k = i + int(ahead[0])
        if k * dt > env.now:
            yield env.timeout(k * dt - env.now)
        for turbine in range(farm.turbine_count):
            j = int(windows[min(int(env.now / dt), n - 1)])
            if j >= n:
                return
            if j * dt > env.now:
                yield env.timeout(j * dt - env.now)
            outage = world.turbine_down(turbine, env.now, "maintenance")
            yield env.timeout(duration_s)
            world.turbine_back(outage, env.now)
        # the next campaign no earlier than 300 days after this one began
        i = k + int(300 * 86400 / dt)


def _event(env: simpy.Environment, world: _World, ev, e: int = 0):
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
        key = ev.cabin if ev.cabin is not None else -1
        world.pump_cap[key] = ev.capacity_fraction
    elif kind == "exchanger_cleaning":
        world.cleanings.append(ev.cabin if ev.cabin is not None else -1)
        return  # cleaning is instantaneous; the fouling clock restarts
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


def _settled_pump_level(p: thermal.CabinThermal, fan_level: int, min_level: int, heat_w: float, sea_c: float,
                        setpoint_c: float) -> int:
    """Lowest pump level whose steady state holds the inlet at or below the setpoint (full speed if none does):
    where the pump controller would have settled, so a run starts without a control transient."""
    L, LP = thermal.SPEED_LEVELS, thermal.PUMP_LEVELS

    def inlet(level: int) -> float:
        x = thermal.steady_state(p, fan_level / L, level / LP, heat_w, sea_c)
        kg, ks = thermal.inlet_row(p, fan_level / L, level / LP)
        return kg * x[1] + ks * sea_c

    lo, hi = min_level, LP
    if inlet(lo) <= setpoint_c:
        return lo
    if inlet(hi) > setpoint_c:
        return hi
    while hi - lo > 1:  # the inlet falls as the pump speeds up
        mid = (lo + hi) // 2
        if inlet(mid) <= setpoint_c:
            hi = mid
        else:
            lo = mid
    return hi


def rack_block_steps(n: int, dt: float, racks: int, max_values: float = 5e6) -> int:
    """Steps per block of the racks' mean power: an hour, or whole hours such that blocks x racks stays under
    ``max_values`` (a year of 570 racks hourly); at least one step."""
    hour = max(1, int(round(3600.0 / dt)))
    blocks_h = -(-n // hour)
    return hour * max(1, math.ceil(blocks_h * racks / max_values))


def _plant(env, scenario: Scenario, exo: Exogenous, plants: list[CabinPlant], queues: list[Scheduler],
           world: _World, cols: dict, per_cabin: list[dict], dt: float, n: int, progress: ProgressFn | None,
           racks_out: list):
    el = scenario.electrical
    eta_dist = el.distribution_efficiency
    k_link, link_max = cable_limits(el.wind_link)
    k_shore, shore_max = cable_limits(el.shore_link)
    tr = el.transformer
    tr_nl = tr.no_load_loss_w
    tr_k = electrical.transformer_load_loss_coefficient_per_w2(tr.rated_power_va, tr.load_loss_w, tr.power_factor)
    grid_limit = el.grid.import_limit_w
    grid_base = el.grid.available
    export_cap = scenario.wind.farm.export_capacity_w
    n_turb = exo.turbine_count

    batt = None
    reserve_only = el.battery is not None and el.battery.policy == "outage_reserve"
    if el.battery is not None:
        b = el.battery
        batt = electrical.BatteryParams(
            energy_capacity_wh=b.energy_capacity_wh, max_charge_power_w=b.max_charge_power_w,
            max_discharge_power_w=b.max_discharge_power_w, round_trip_efficiency=b.round_trip_efficiency,
            soc_min_fraction=b.soc_min_fraction, soc_max_fraction=b.soc_max_fraction,
            initial_soc_fraction=b.initial_soc_fraction)
        batt_e = b.initial_soc_fraction * b.energy_capacity_wh
        batt_e = min(max(batt_e, b.soc_min_fraction * b.energy_capacity_wh), b.soc_max_fraction * b.energy_capacity_wh)
    else:
        batt_e = 0.0

    farm_w = exo.farm_power_w.tolist()
    sea_c = exo.sea_temp_c.tolist()

    # per-cabin constants and state, in plain lists for scalar speed
    L = thermal.SPEED_LEVELS
    LP = thermal.PUMP_LEVELS
    run_seed = scenario.run.seed
    st = []
    for ci, (plant, group) in enumerate(zip(plants, scenario.cabins)):
        p = plant.thermal
        cool, lim = group.cooling, group.limits
        pi = controls.PumpPI(scenario.controls.pump_gain, scenario.controls.pump_ti_s, cool.min_pump_speed)
        cache = thermal.StepCache(p, dt)
        r_inf = cool.fouling_asymptotic_m2k_w
        fouling = {
            "r_inf": r_inf, "tau_s": cool.fouling_time_constant_d * 86400.0,
            "clean_s": cool.cleaning_interval_d * 86400.0 if cool.cleaning_interval_d else math.inf,
            "step": r_inf / FOULING_LEVELS if r_inf > 0 else 0.0, "level": 0, "caches": {0: cache},
            "last_clean": 0.0, "cleaned": 0,
        }
        # start from the steady state of the load already running, fans to that heat, pump at its lowest speed
        q0 = queues[ci]
        q0.set_speed(1.0)
        heat0 = q0.power_w()
        fan0 = (scenario.controls.fixed_fan_speed if scenario.controls.fan_policy == "fixed"
                else controls.fan_speed_for_load(heat0, cool.design_heat_w, cool.min_fan_speed))
        fan0_level = max(1, round(fan0 * L))
        pump0_level = _settled_pump_level(p, fan0_level, max(1, round(cool.min_pump_speed * LP)), heat0, sea_c[0],
                                          lim.inlet_setpoint_c)
        pi.speed = pump0_level / LP
        x = thermal.steady_state(p, fan0_level / L, pump0_level / LP, heat0, sea_c[0]).tolist()
        st.append({
            "x": x, "pi": pi, "cache": cache, "fan_level": fan0_level,
            "pump_level": pump0_level, "rack_p": q0.fleet.rack_power_w(q0.speeds), "rp_held": 0, "dev_version": -1,
            "dev_max": 0.0, "dev_speeds": None,
            "thermal_order": isinstance(q0, ThermalScheduler), "rack_scope": lim.throttle_scope == "rack",
            "caps": [g.cap_speed for g in q0.groups],
            "design_heat": cool.design_heat_w, "min_fan": cool.min_fan_speed,
            "setpoint": lim.inlet_setpoint_c, "allow": lim.allowable_max_c, "margin": lim.throttle_margin_k,
            "min_speed": lim.min_speed_fraction, "count": plant.count, "ci": ci,
            "pump_w": plant.pump_design_power_w, "fan_w": plant.fan_design_power_w, "fouling": fouling,
            "params": p, "gas_c": p.gas_capacity_design_w_k, "shed": lim.protective_policy == "shed",
            "afr_s": group.racks.failure_rate_per_year / servers.SECONDS_PER_YEAR
            * (servers.NITROGEN_FAILURE_FACTOR if group.geometry.atmosphere == "nitrogen" else 1.0),
            "fail_u": np.random.default_rng([run_seed, 4, ci]).uniform(0.0, 1.0, n),
            "repair_s": group.racks.repair_time_h * 3600.0 if group.racks.repairable else None,
            "job_power_w": job_power_at_node_w(scenario, plant.server),
        })
    for s_, q in zip(st, queues):
        s_["dev"] = q.fleet.inlet_deviation_k(s_["rack_p"])
        if s_["dev"] is not None:
            s_["dev_max"] = float(s_["dev"].max())
    block_steps = rack_block_steps(n, dt, max(q.fleet.n_racks for q in queues))
    rack_sum = [np.zeros((-(-n // block_steps), q.fleet.n_racks)) for q in queues]
    racks_out.extend(rack_sum)
    racks_out.append(block_steps)
    green = scenario.workload.scheduler == "green"
    x_factor = servers.failure_x_factor
    surplus_w = 0.0
    deficit_w = 0.0
    fixed_fan = scenario.controls.fixed_fan_speed if scenario.controls.fan_policy == "fixed" else None
    fan_thr = servers.FAN_THRESHOLD_C
    fan_slope = servers.FAN_SLOPE_PER_K
    report_every = max(1, n // 100)
    timeout = env.timeout
    sending = electrical.cable_sending_power_scalar_w
    transformer_loss = electrical.transformer_loss_scalar_w

    c_wind_av = cols["wind_available_w"]; c_wind_load = cols["wind_to_load_w"]; c_link = cols["wind_link_loss_w"]
    c_exp = cols["export_w"]; c_curt = cols["curtailed_w"]; c_gin = cols["grid_import_w"]
    c_gsent = cols["grid_sent_w"]; c_shore = cols["shore_link_loss_w"]; c_bch = cols["battery_charge_w"]
    c_bdis = cols["battery_discharge_w"]; c_bloss = cols["battery_loss_w"]; c_be = cols["battery_energy_wh"]
    c_it = cols["it_power_w"]; c_pump = cols["pump_power_w"]; c_fan = cols["fan_power_w"]
    c_cool = cols["cooling_power_w"]; c_dist = cols["distribution_loss_w"]; c_tr = cols["transformer_loss_w"]
    c_fac = cols["facility_power_w"]; c_uns = cols["unserved_w"]; c_tav = cols["turbines_available"]
    c_sea = cols["sea_temp_c"]; c_inl = cols["inlet_temp_c"]; c_util = cols["utilisation"]
    total_servers = sum(pl.servers * pl.count for pl in plants)

    for i in range(n):
        now = i * dt
        t_sea = sea_c[i] + world.sea_offset_k
        surplus = surplus_w
        deficit_last = deficit_w
        it_total = 0.0
        pump_total = 0.0
        fan_total = 0.0
        busy_total = 0
        inlet_max = -1e9
        for s, q in zip(st, queues):
            ci = s["ci"]
            pc = per_cabin[ci]
            cnt = s["count"]
            # exchanger fouling since the last cleaning (Kern-Seaton), on levels of 1/20 of its asymptote
            fo = s["fouling"]
            if fo["step"] > 0.0:
                if world.cleanings and (ci in world.cleanings or -1 in world.cleanings):
                    fo["last_clean"] = now
                    fo["cleaned"] += 1
                if now - fo["last_clean"] >= fo["clean_s"]:  # the scheduled cleaning
                    fo["last_clean"] = now
                    fo["cleaned"] += 1
                since = now - fo["last_clean"]
                r_f = fo["r_inf"] * (1.0 - math.exp(-since / fo["tau_s"]))
                level = int(r_f / fo["step"] + 0.5)
                if level != fo["level"]:
                    fo["level"] = level
                    c = fo["caches"].get(level)
                    if c is None:
                        c = thermal.StepCache(replace(s["params"], fouling_resistance_m2k_w=level * fo["step"]), dt)
                        fo["caches"][level] = c
                    s["cache"] = c
            cache = s["cache"]
            fl, pl = s["fan_level"], s["pump_level"]
            ad, bd, kg, ks = cache.get(fl, pl)
            x0, x1, x2 = s["x"]
            t_in = kg * x1 + ks * t_sea
            # sensitivity of the inlet to pump speed, from the neighbouring pump level [K per unit speed]
            if pl < LP:
                sens = (x1 - t_sea) * (cache.inlet(fl, pl + 1)[1] - ks) * LP
            else:
                sens = (x1 - t_sea) * (ks - cache.inlet(fl, pl - 1)[1]) * LP
            # rack inlets: the mean inlet plus each rack's deviation under the load of the last step (3D field)
            dev = s["dev"]  # at design flow; the spread scales with 1 / fan speed
            t_hot = t_in + s["dev_max"] / s["fan_level"] * L if dev is not None else t_in
            # controls: pump to the mean inlet's setpoint (capped by events); throttle when the hottest rack's
            # inlet nears the allowable limit
            cap = world.pump_cap.get(ci, world.pump_cap.get(-1, 1.0)) if world.pump_cap else 1.0
            pump = s["pi"].update(t_in - s["setpoint"], dt, sens, cap)
            pump_level = int(pump * LP + 0.5)
            speed = controls.throttle_speed(t_hot, s["allow"], s["margin"], s["min_speed"])
            # workload: start what fits, then the power of this step
            protect = 0 if speed >= 1.0 else 1
            if s["shed"] and speed < 1.0:
                protect = 2  # shed: no new work while the inlet is in the throttling band
                q.fleet.tick(now)
            elif green:
                # last step's balance at the node, shared by the cabins of the group: pause flexible work while the
                # grid carries load, start it while wind is left over
                if deficit_last > 0.0:
                    q.pause_flexible(now, deficit_last / cnt, s["job_power_w"], dt)
                used = q.start_waiting(now, True, surplus / cnt, s["job_power_w"], dt)
                surplus -= used * cnt
            elif s["thermal_order"] and dev is not None:
                q.start_waiting(now, inlet_c=dev)
            else:
                q.start_waiting(now)
            busy = q.busy
            if speed < 1.0 and dev is not None and s["rack_scope"]:
                # each rack throttles on its own inlet; the hottest sets the recorded speed
                q.set_speed(speed, controls.throttle_speeds(t_in + dev * (L / s["fan_level"]), s["allow"],
                                                            s["margin"], s["min_speed"]))
            else:
                q.set_speed(speed)
            # the racks' power, and with it their inlet deviations, change only when a job starts or ends, a
            # server changes state, or the racks throttle; each rack's load is kept as block means for the view;
            # the deviations of this step's load set the next step's rack inlets
            s["rp_held"] += 1
            if q.fleet.version != s["dev_version"] or q.rack_speed is not None or q.speeds != s["dev_speeds"]:
                rack_sum[ci][i // block_steps] += s["rack_p"] * s["rp_held"]
                s["rp_held"] = 0
                rp = q.fleet.rack_power_w(q.speeds, q.rack_speed, s["caps"])
                s["rack_p"] = rp
                if dev is not None:
                    s["dev"] = q.fleet.inlet_deviation_k(rp)
                    s["dev_max"] = float(s["dev"].max())
                s["dev_version"] = q.fleet.version
                s["dev_speeds"] = list(q.speeds) if q.rack_speed is None else None
            if (i + 1) % block_steps == 0 or i == n - 1:
                rack_sum[ci][i // block_steps] += s["rack_p"] * s["rp_held"]
                s["rp_held"] = 0
            fan_frac = fan_slope * (t_in - fan_thr) if t_in > fan_thr else 0.0
            it_w = q.power_w() * (1.0 + fan_frac)
            # cabin fans in proportion to the heat (or fixed)
            fan = fixed_fan if fixed_fan is not None else controls.fan_speed_for_load(it_w, s["design_heat"], s["min_fan"])
            fan_level = int(fan * L + 0.5) or 1
            fan_level_speed = fan_level / L
            pump_speed = pump_level / LP
            fan_w = s["fan_w"] * fan_level_speed ** 3
            pump_w = s["pump_w"] * pump_speed ** 3
            heat = it_w + fan_w
            if fan_level != s["fan_level"] or pump_level != s["pump_level"]:
                ad, bd, kg, ks = s["cache"].get(fan_level, pump_level)
                s["fan_level"] = fan_level
                s["pump_level"] = pump_level
            s["x"] = [
                ad[0] * x0 + ad[1] * x1 + ad[2] * x2 + bd[0] * heat + bd[1] * t_sea,
                ad[3] * x0 + ad[4] * x1 + ad[5] * x2 + bd[2] * heat + bd[3] * t_sea,
                ad[6] * x0 + ad[7] * x1 + ad[8] * x2 + bd[4] * heat + bd[5] * t_sea,
            ]
            q.advance(None, dt, now + dt)
            # server failures: ASHRAE x-factor of the inlet, atmosphere factor; at most one per cabin per step
            alive = q.alive
            if s["afr_s"] > 0.0:
                p_fail = alive * s["afr_s"] * x_factor(t_in) * dt
                u = s["fail_u"][i]
                if u < p_fail:
                    rack = q.fail_one(u / p_fail)  # given a failure, u / p is uniform: it picks the rack
                    if s["repair_s"] is not None:
                        env.process(_repair(env, q, s["repair_s"], rack))
            pc["inlet_temp_c"][i] = t_in
            pc["it_temp_c"][i] = x0
            pc["gas_temp_c"][i] = x1
            pc["wall_temp_c"][i] = x2
            pc["it_power_w"][i] = it_w
            n_srv = q.servers
            pc["utilisation"][i] = busy / n_srv if n_srv else 0.0
            pc["servers_alive"][i] = q.alive  # after this step's failure
            pc["servers_powered"][i] = q.powered
            pc["hottest_inlet_c"][i] = t_hot
            pc["throttle"][i] = speed
            pc["pump_speed"][i] = pump_speed
            pc["fan_speed"][i] = fan_level_speed
            pc["queue_length"][i] = q.waiting
            pc["outlet_temp_c"][i] = t_in + heat / (s["gas_c"] * fan_level_speed)
            pc["protective_action"][i] = protect
            pc["fouling_m2k_w"][i] = fo["level"] * fo["step"]
            it_total += cnt * it_w
            pump_total += cnt * pump_w
            fan_total += cnt * fan_w
            busy_total += cnt * busy
            if t_hot > inlet_max:
                inlet_max = t_hot

        if world.cleanings:
            world.cleanings.clear()
        # --- electrical bus at the cabins' 35 kV node
        cooling = pump_total + fan_total
        dist_loss = it_total * (1.0 / eta_dist - 1.0)
        lv = it_total + dist_loss + cooling
        tr_loss = transformer_loss(lv, tr_nl, tr_k)
        demand = lv + tr_loss
        avail = n_turb - world.turbines_down
        if avail < 0:
            avail = 0
        wind_av = farm_w[i] * avail / n_turb
        # most the link can deliver: sending limited by the wind and the cable's rating, loss = k P_s^2
        if not world.wind_link_cuts:
            send_max = wind_av if wind_av < link_max else link_max
            recv_max = send_max - k_link * send_max * send_max
        else:
            recv_max = 0.0
        wind_load = demand if demand < recv_max else recv_max
        grid_up = grid_base and not world.grid_outages
        deficit = demand - wind_load
        charge = discharge = b_loss = 0.0
        if batt is not None:
            if deficit > 0.0 and (not reserve_only or not grid_up):
                batt_e, discharge, b_loss = electrical.battery_step(batt_e, -deficit, dt, batt)
                discharge = -discharge
                deficit -= discharge
            elif recv_max - wind_load > 0.0:
                batt_e, charge, b_loss = electrical.battery_step(batt_e, recv_max - wind_load, dt, batt)
        recv = wind_load + charge
        wind_sent = sending(recv, k_link) if recv > 0.0 else 0.0
        g_in = 0.0
        g_sent = 0.0
        if deficit > 0.0 and grid_up:
            g_in = deficit if deficit < grid_limit else grid_limit
            g_recv_max = shore_max - k_shore * shore_max * shore_max
            if g_in > g_recv_max:
                g_in = g_recv_max
            g_sent = sending(g_in, k_shore)
            deficit -= g_in
        # wind the link could still deliver after this step's load (and charging): what the green scheduler may use
        surplus_w = recv_max - recv if recv_max > recv else 0.0
        deficit_w = g_in + (deficit if deficit > 0.0 else 0.0)
        rest = wind_av - wind_sent
        if rest < 0.0:
            rest = 0.0
        exp = rest if rest < export_cap else export_cap
        c_wind_av[i] = wind_av
        c_wind_load[i] = wind_load
        c_link[i] = wind_sent - recv
        c_exp[i] = exp
        c_curt[i] = rest - exp
        c_gin[i] = g_in
        c_gsent[i] = g_sent
        c_shore[i] = g_sent - g_in
        c_bch[i] = charge
        c_bdis[i] = discharge
        c_bloss[i] = b_loss
        c_be[i] = batt_e
        c_it[i] = it_total
        c_pump[i] = pump_total
        c_fan[i] = fan_total
        c_cool[i] = cooling
        c_dist[i] = dist_loss
        c_tr[i] = tr_loss
        c_fac[i] = demand
        c_uns[i] = deficit if deficit > 0.0 else 0.0
        c_tav[i] = avail
        c_sea[i] = t_sea
        c_inl[i] = inlet_max
        c_util[i] = busy_total / total_servers
        if progress is not None and i % report_every == 0:
            progress(i / n)
        yield timeout(dt)
    if progress is not None:
        progress(1.0)
