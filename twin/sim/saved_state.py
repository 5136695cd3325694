"""The saved state: what the twin knows of the plant at one instant, so that a run can start from it instead of from
a steady state (``run.initial_state``; docs/live.md, "Saved state").

A JSON (or YAML) document, versioned::

    {"format": "seabed-twin-state", "version": 1, "time": "2026-07-31T00:00:00+08:00",
     "sea_temp_c": 24.1, "hub_wind_speed_m_s": 9.3, "battery_energy_wh": 2.1e6, "turbines_down": 1,
     "cabins": [{"it_temp_c": 41.2, "gas_temp_c": 27.0, "wall_temp_c": 24.6, "fouling_m2k_w": 1.2e-4,
                 "fan_speed": 0.8, "pump_speed": 0.45, "pump_error_k": 0.0, "servers_failed": 3}]}

``cabins`` has one entry per cabin group of the scenario, in its order (each cabin of a group is in that state);
the temperatures are the thermal network's three nodes (``physics.thermal``: hardware, gas, wall) [C], the fouling
the exchanger's fouling resistance [m2 K W-1], the speeds the cabin fans' and the pump controller's output [-]
(absent: where the controllers would settle, as a steady start has them), ``pump_error_k`` the pump controller's
last error (its PI memory; absent 0), ``servers_failed`` the failed servers
of one cabin of the group. A group with a liquid path (``cooling.liquid``, docs/liquid.md) adds its coolant node
``coolant_return_c`` [C] (absent: the steady state of the starting load), the CDU's seawater pump speed
``cdu_pump_speed`` and its controller's last error ``cdu_error_k`` (absent: settled, 0), and
``coolant_speed_cap``, the servers' speed cap held by the coolant's integral action (absent: 1); a group without
one refuses them. ``sea_temp_c`` and ``hub_wind_speed_m_s`` are the weather at that instant (what a
persistence forecast holds, ``twin.sim.weather``); ``battery_energy_wh`` the battery's stored energy (needed when
the scenario has a battery, refused when it has none); ``turbines_down`` how many turbines are stopped.

Two producers: :func:`end_state` (a run's last instant, from the kernel's arrays; ``RunResult.end_state``) and
``twin.live.state.saved_state`` (the filter's synchronised present). One consumer: :func:`apply_state`, called by
the engine after it has set up the steady start.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from typing import Literal

import numpy as np
import yaml
from pydantic import Field, ValidationError, field_validator

from physics import thermal
from twin.scenario import Scenario, ScenarioError
from twin.scenario.datafiles import DataAccess, DataFileError, LocalFiles
from twin.scenario.units import StrictModel, require_utc_offset

__all__ = ["STATE_FORMAT", "STATE_VERSION", "CabinState", "SavedState", "parse_state", "read_state", "check_state",
           "apply_state", "end_state", "MAX_STATE_BYTES"]

STATE_FORMAT = "seabed-twin-state"
STATE_VERSION = 1
MAX_STATE_BYTES = 1 << 20
FIELD = "run.initial_state"


class CabinState(StrictModel):
    """One cabin group's state (module docstring)."""

    it_temp_c: float = Field(..., ge=-5.0, le=150.0, description="Hardware node [C]")
    gas_temp_c: float = Field(..., ge=-5.0, le=150.0, description="Gas (air or nitrogen) node [C]")
    wall_temp_c: float = Field(..., ge=-5.0, le=150.0, description="Hull node [C]")
    fouling_m2k_w: float = Field(0.0, ge=0.0, le=0.01, description="Exchanger fouling resistance [m2 K W-1]")
    fan_speed: float | None = Field(None, gt=0.0, le=1.0, description="Cabin fans [-]; absent: settled")
    pump_speed: float | None = Field(None, gt=0.0, le=1.0, description="Pump controller's output [-]; absent: "
                                     "settled")
    pump_error_k: float = Field(0.0, ge=-50.0, le=50.0, description="The pump controller's last error (inlet "
                                "minus setpoint) [K]; absent: none, as a steady start has it")
    servers_failed: int = Field(0, ge=0, description="Failed servers in one cabin of the group [-]")
    # the liquid path (cooling.liquid; docs/liquid.md): only for a group that has one
    coolant_return_c: float | None = Field(None, ge=-2.5, le=100.0, description="Coolant node (the loop's return) "
                                           "[C]; absent: the steady state of the starting load")
    cdu_pump_speed: float | None = Field(None, gt=0.0, le=1.0, description="The CDU's seawater pump, its "
                                         "controller's output [-]; absent: settled")
    cdu_error_k: float = Field(0.0, ge=-50.0, le=50.0, description="The CDU controller's last error (supply minus "
                               "setpoint) [K]; absent: none, as a steady start has it")
    coolant_speed_cap: float = Field(1.0, gt=0.0, le=1.0, description="The servers' speed cap the coolant's "
                                     "integral action holds [-]; absent: 1, none")


class SavedState(StrictModel):
    """A saved state (module docstring)."""

    format: Literal["seabed-twin-state"] = STATE_FORMAT
    version: Literal[1] = STATE_VERSION
    time: dt.datetime
    sea_temp_c: float | None = Field(None, ge=-2.5, le=40.0, description="Sea at the cabins [C]")
    hub_wind_speed_m_s: float | None = Field(None, ge=0.0, le=80.0, description="Wind at hub height [m s-1]")
    battery_energy_wh: float | None = Field(None, ge=0.0)
    turbines_down: int = Field(0, ge=0)
    cabins: list[CabinState] = Field(..., min_length=1)

    @field_validator("time")
    @classmethod
    def _aware(cls, v: dt.datetime) -> dt.datetime:
        return require_utc_offset(v, "time")

    def to_json(self) -> str:
        return self.model_dump_json(indent=1)


def parse_state(data: bytes, label: str = "state", field: str = FIELD) -> SavedState:
    """A saved state from JSON or YAML bytes; ``ScenarioError`` naming ``field`` and the entry for what is wrong."""
    if len(data) > MAX_STATE_BYTES:
        raise ScenarioError([(field, f"{label}: {len(data)} bytes, more than the limit of {MAX_STATE_BYTES}")])
    try:
        doc = yaml.safe_load(io.StringIO(data.decode("utf-8-sig")))  # JSON is YAML
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ScenarioError([(field, f"{label}: neither JSON nor YAML ({str(exc).splitlines()[0]})")]) from None
    if not isinstance(doc, dict):
        raise ScenarioError([(field, f"{label}: expected a mapping with format: {STATE_FORMAT}")])
    if doc.get("format") != STATE_FORMAT:
        raise ScenarioError([(f"{field}.format", f"{label}: not a saved state (format must be {STATE_FORMAT!r})")])
    try:
        return SavedState.model_validate(doc)
    except ValidationError as exc:
        raise ScenarioError([(".".join([field, *map(str, e["loc"])]), e["msg"]) for e in exc.errors()]) from None


def check_state(state: SavedState, scenario: Scenario, field: str = FIELD) -> None:
    """Refuse a state that does not fit ``scenario``, naming the entry: another count of cabin groups, more failed
    servers than a cabin has, a coolant state for a group without a liquid path, more turbines down than the farm,
    a battery the scenario does not have or an energy beyond its capacity, a time other than the run's start."""
    problems = []
    no_liquid = {"coolant_return_c": None, "cdu_pump_speed": None, "cdu_error_k": 0.0, "coolant_speed_cap": 1.0}
    if len(state.cabins) != len(scenario.cabins):
        problems.append((f"{field}.cabins", f"{len(state.cabins)} cabin group(s) in the state, the scenario has "
                         f"{len(scenario.cabins)}"))
    for i, (c, g) in enumerate(zip(state.cabins, scenario.cabins)):
        if c.servers_failed > g.racks.server_count:
            problems.append((f"{field}.cabins.{i}.servers_failed", f"{c.servers_failed} is more than the "
                             f"{g.racks.server_count} servers of a cabin of cabins.{i}"))
        if g.cooling.liquid is None:
            for k, none in no_liquid.items():
                if getattr(c, k) != none:
                    problems.append((f"{field}.cabins.{i}.{k}", f"cabins.{i} has no liquid path (cooling.liquid)"))
    if state.turbines_down > scenario.wind.farm.turbine_count:
        problems.append((f"{field}.turbines_down", f"{state.turbines_down} is more than the farm's "
                         f"{scenario.wind.farm.turbine_count} turbines"))
    b = scenario.electrical.battery
    if b is None and state.battery_energy_wh is not None:
        problems.append((f"{field}.battery_energy_wh", "the scenario has no battery"))
    if b is not None and state.battery_energy_wh is None:
        problems.append((f"{field}.battery_energy_wh", "the scenario has a battery; the state must give its energy"))
    if b is not None and state.battery_energy_wh is not None and state.battery_energy_wh > b.energy_capacity_wh:
        problems.append((f"{field}.battery_energy_wh", f"{state.battery_energy_wh:g} Wh is more than the battery's "
                         f"capacity of {b.energy_capacity_wh:g} Wh"))
    if abs((state.time - scenario.run.start).total_seconds()) > 0.5:
        problems.append(("run.start", f"the run starts at {scenario.run.start.isoformat()}, the state is of "
                         f"{state.time.isoformat()}: a run from a state starts at the state's time"))
    if problems:
        raise ScenarioError(problems)


def read_state(scenario: Scenario, data_access: DataAccess | None = None) -> SavedState | None:
    """The scenario's ``run.initial_state``, read and checked against it (None when it names none)."""
    ref = scenario.run.initial_state
    if ref is None:
        return None
    access = data_access if data_access is not None else LocalFiles()
    try:
        raw, label = access.read("state", ref)
    except DataFileError as exc:
        raise ScenarioError([(FIELD, str(exc))]) from None
    state = parse_state(raw, label)
    check_state(state, scenario)
    return state


# ----------------------------------------------------------------------------------------------- the engine's side


def apply_state(state: SavedState, arrays, scenario: Scenario) -> None:
    """Write ``state`` into a run's kernel arrays (``twin.sim.state``) over the steady start: node temperatures,
    speeds and the pump controller's output, the exchanger's fouling, the battery's energy, and for a liquid path
    its coolant node, the CDU controller's output and memory and the coolant's speed cap.

    The fouling model (``cooling.fouling_*``: ``r = r_inf (1 - exp(-t / tau))`` since the last cleaning) resumes
    from the state's fouling: the last cleaning is put ``-tau ln(1 - r / r_inf)`` before the start. A state fouled
    beyond the model's asymptote, or a design without a fouling model, holds the state's fouling for the run
    (ASSUMPTION: what the filter measured persists; a scheduled cleaning then clears nothing)."""
    from twin.sim import state as S

    L, LP = thermal.SPEED_LEVELS, thermal.PUMP_LEVELS
    prm, st = arrays.prm, arrays.st
    for c, cab in enumerate(state.cabins):
        st[c, S.S_X0], st[c, S.S_X1], st[c, S.S_X2] = cab.it_temp_c, cab.gas_temp_c, cab.wall_temp_c
        if cab.fan_speed is not None:
            st[c, S.S_FAN_LEVEL] = max(1, round(cab.fan_speed * L))
        if cab.pump_speed is not None:
            st[c, S.S_PI_SPEED] = cab.pump_speed
            st[c, S.S_PUMP_LEVEL] = max(1, round(cab.pump_speed * LP))
        st[c, S.S_PI_ERROR] = cab.pump_error_k
        r, r_inf, tau = cab.fouling_m2k_w, prm[c, S.P_FOUL_INF], prm[c, S.P_FOUL_TAU]
        if r <= 0.0:
            st[c, S.S_CLEAN_T] = 0.0
        elif r_inf > 0.0 and r < r_inf * (1.0 - 1e-9):
            st[c, S.S_CLEAN_T] = tau * math.log1p(-r / r_inf)  # negative: cleaned that long before the start
        else:  # held: an asymptote of r reached at once and kept
            prm[c, S.P_FOUL_INF] = r
            prm[c, S.P_FOUL_TAU] = 1e-9
            prm[c, S.P_FOUL_STEP] = r / S.FOULING_LEVELS
            prm[c, S.P_FOUL_CLEAN] = math.inf
            st[c, S.S_CLEAN_T] = 0.0
        if prm[c, S.P_LQ_ON] != 0.0:
            _apply_liquid(cab, c, prm, st, state.sea_temp_c)
    if state.battery_energy_wh is not None:
        bus = arrays.bus
        bus[S.B_BATT_E] = min(max(state.battery_energy_wh, 0.0), bus[S.B_BATT_EMAX])


def _apply_liquid(cab: CabinState, c: int, prm: np.ndarray, st: np.ndarray, sea_c: float | None) -> None:
    """Row ``c``'s liquid path from the state: the coolant node, the CDU controller's output and memory, the
    coolant's speed cap; the CDU's conductance and the pumps' power follow from the speed as the kernel's control
    instant computes them (``twin.sim.kernel_cabin.liquid_control``)."""
    from twin.sim import state as S
    from twin.sim.kernel_cabin import cdu_conductance

    if cab.coolant_return_c is not None:
        st[c, S.S_LQ_T] = cab.coolant_return_c
    if cab.cdu_pump_speed is not None:
        speed = cab.cdu_pump_speed
        st[c, S.S_LQ_SPEED] = speed
        g = cdu_conductance(prm, c, speed)
        st[c, S.S_LQ_G] = g
        st[c, S.S_LQ_K] = g / prm[c, S.P_LQ_C_TCS]
        st[c, S.S_LQ_PUMP_W] = prm[c, S.P_LQ_TCS_W] + prm[c, S.P_LQ_SEA_W] * speed ** 3
    st[c, S.S_LQ_ERR] = cab.cdu_error_k
    st[c, S.S_LQ_CAP] = cab.coolant_speed_cap
    if sea_c is not None:
        k = st[c, S.S_LQ_K]
        st[c, S.S_LQ_SUPPLY] = (1.0 - k) * st[c, S.S_LQ_T] + k * sea_c


def fouling_at(prm_row: np.ndarray, st_row: np.ndarray, t: float) -> float:
    """The fouling model's resistance at ``t`` [m2 K W-1] (continuous, before its quantisation to levels)."""
    from twin.sim import state as S

    r_inf = prm_row[S.P_FOUL_INF]
    if prm_row[S.P_FOUL_STEP] <= 0.0 or r_inf <= 0.0:
        return 0.0
    clean = st_row[S.S_CLEAN_T]
    if t - clean >= prm_row[S.P_FOUL_CLEAN]:
        clean = t
    return float(r_inf * (1.0 - math.exp(-(t - clean) / prm_row[S.P_FOUL_TAU])))


def end_state(scenario: Scenario, arrays, queues, plants, exo, turbines_down: int) -> SavedState:
    """The state at a run's last instant, from its kernel arrays, its fleets (after the kernel's workload is read
    back) and its environment."""
    from twin.sim import state as S

    horizon_s = exo.n * exo.step_s
    L = thermal.SPEED_LEVELS
    cabins = []
    for c, q in enumerate(queues):
        st = arrays.st[c]
        liquid = {}
        if arrays.prm[c, S.P_LQ_ON] != 0.0:
            liquid = dict(coolant_return_c=float(st[S.S_LQ_T]),
                          cdu_pump_speed=min(max(float(st[S.S_LQ_SPEED]), 1e-6), 1.0),
                          cdu_error_k=min(max(float(st[S.S_LQ_ERR]), -50.0), 50.0),
                          coolant_speed_cap=min(max(float(st[S.S_LQ_CAP]), 1e-6), 1.0))
        cabins.append(CabinState(**liquid,
            it_temp_c=float(st[S.S_X0]), gas_temp_c=float(st[S.S_X1]), wall_temp_c=float(st[S.S_X2]),
            fouling_m2k_w=min(fouling_at(arrays.prm[c], st, horizon_s), 0.01),
            fan_speed=float(st[S.S_FAN_LEVEL]) / L, pump_speed=min(max(float(st[S.S_PI_SPEED]), 1e-6), 1.0),
            pump_error_k=min(max(float(st[S.S_PI_ERROR]), -50.0), 50.0),
            servers_failed=max(int(scenario.cabins[c].racks.server_count - q.alive), 0)))
    bus = arrays.bus
    base = exo.base
    i = min(int(horizon_s / base.step_s), base.sea_temp_c.size - 1)
    return SavedState(
        time=scenario.run.start + dt.timedelta(seconds=horizon_s),
        sea_temp_c=float(base.sea_temp_c[i] + bus[S.B_SEA_OFFSET]),
        hub_wind_speed_m_s=float(base.hub_wind_speed_m_s[i]),
        battery_energy_wh=float(bus[S.B_BATT_E]) if scenario.electrical.battery is not None else None,
        turbines_down=int(turbines_down), cabins=cabins)


def state_json(state: SavedState) -> dict:
    """The state as JSON-ready data."""
    return json.loads(state.model_dump_json())
