"""State estimation: the present state of each cabin from its telemetry, by an extended Kalman filter on the cabin's
thermal network with the exchanger's fouling as a slowly varying state; the battery and the servers from their
own signals.

The network is the engine's (``physics.thermal``: hardware, gas and wall nodes, ``x' = A x + B u`` with
``u = [heat, sea temperature]``, discretised exactly over a step); its matrices depend on the fan and pump speeds
(measured) and on the fouling resistance r, which the filter estimates. State ``s = [T_it, T_gas, T_wall, r, T_sea]``:

- predict: ``x_k+1 = A_d(r) x_k + B_d(r) u_k`` and ``r_k+1 = r_k`` (a random walk of ``fouling_rate_sd`` per
  square root of a day: fouling grows over weeks); the Jacobian's column for r by a central difference;
- update with the measured rack inlet, ``T_in = k_gas(r) T_gas + k_sea(r) T_sea`` (``physics.thermal.inlet_row``);
  a step without a measurement is a prediction only.

Inputs per step: the cabin's heat from its IT power and its fan and pump speeds as the engine has it (IT, the fans'
shaft power, their design power times the speed cubed, and the power chain's losses located in the cabin, less
what the cold plates take to the coolant in a liquid-cooled group, the servers' liquid share of their power before
the fans' rise at the estimated inlet: ``twin.sim.state.CabinHeat``), the sea temperature, the fan and pump speeds:
from the telemetry signals ``cabin{i}_it_power_w``, ``sea_temp_c``, ``cabin{i}_fan_speed``,
``cabin{i}_pump_speed``; the measurement ``cabin{i}_inlet_temp_c``. A step whose inputs are missing holds the last
inputs (said in ``held_steps``).

Extended Kalman filter: Simon, *Optimal State Estimation* (2006), ch. 13; the joint estimation of a parameter as
an augmented random-walk state, ch. 13.4 (there "parameter estimation").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from physics import thermal
from twin.scenario import Scenario

__all__ = ["CabinEstimate", "estimate_cabin", "present_state", "saved_state", "present_result"]

DAY_S = 86400.0


@dataclass
class CabinEstimate:
    """The filter's estimates at each step: ``it_temp_c``, ``gas_temp_c``, ``wall_temp_c``, ``inlet_temp_c``
    [C], ``fouling_m2k_w`` [m2 K W-1] and its standard deviation, and the innovations (measured minus predicted
    inlet [K]); ``held_steps`` counts steps whose inputs were missing."""

    frame: pd.DataFrame
    held_steps: int

    def last(self) -> dict:
        row = self.frame.iloc[-1]
        return {k: float(v) for k, v in row.items()}


def _matrices(p: thermal.CabinThermal, fouling: float, fan: float, pump: float, step_s: float):
    q = replace(p, fouling_resistance_m2k_w=max(fouling, 0.0))
    ad, bd = thermal.discretise_network(q, fan, pump, step_s)
    kg, ks = thermal.inlet_row(q, fan, pump)
    return ad, bd, kg, ks


def estimate_cabin(scenario: Scenario, cabin: int, values: pd.DataFrame, step_s: float,
                   measurement_sd_k: float = 0.1, model_sd_k: float = 0.02, fouling_rate_sd_m2k_w: float = 2e-5,
                   initial_fouling_m2k_w: float = 0.0, initial_fouling_sd_m2k_w: float = 1e-4,
                   held_sd_k: float = 0.3, sea_sd_k: float = 0.1, sea_drift_sd_k: float = 0.02) -> CabinEstimate:
    """Run the filter over gridded telemetry (``twin.live.telemetry.on_steps(...).values``) for cabin group
    ``cabin`` of ``scenario``. Standard deviations: the inlet sensor [K], the model per step [K], the fouling's
    drift per square root of a day [m2 K W-1] and its prior [m2 K W-1]; a step whose inputs are held (missing)
    gets the model error ``held_sd_k`` [K] instead of ``model_sd_k``, and teaches the fouling nothing. The sea
    temperature is a state too (a random walk of ``sea_drift_sd_k`` per step, measured with ``sea_sd_k``): its
    sensor's noise would otherwise pass straight into the inlet estimate."""
    from twin.sim.cabin import build_cabin
    from twin.sim.state import CabinHeat

    group = scenario.cabins[cabin]
    plant = build_cabin(scenario, group)
    p = plant.thermal
    names = {k: f"cabin{cabin}_{k}" for k in ("it_power_w", "fan_speed", "pump_speed", "inlet_temp_c")}
    needed = [names["it_power_w"], names["fan_speed"], names["pump_speed"], "sea_temp_c"]
    missing = [n for n in needed if n not in values.columns]
    if missing:
        raise ValueError(f"telemetry: the filter needs {', '.join(missing)}")
    it_w = values[names["it_power_w"]].to_numpy(float)
    fan = values[names["fan_speed"]].to_numpy(float)
    pump = values[names["pump_speed"]].to_numpy(float)
    sea = values["sea_temp_c"].to_numpy(float)
    meas = values[names["inlet_temp_c"]].to_numpy(float) if names["inlet_temp_c"] in values else \
        np.full(len(values), math.nan)
    n = len(values)
    drivers = np.isfinite(np.column_stack((it_w, fan, pump))).all(axis=1)
    first = next((i for i in range(n) if drivers[i] and np.isfinite(sea[i])), None)
    if first is None:
        raise ValueError("telemetry: no step has every input the filter needs")
    u_last = (it_w[first], min(max(fan[first], 1e-3), 1.5), min(max(pump[first], 0.0), 1.5))
    cabin_heat = CabinHeat(scenario, cabin, plant)
    heat0 = cabin_heat(*u_last, meas[first] if np.isfinite(meas[first]) else None)
    x = thermal.steady_state(replace(p, fouling_resistance_m2k_w=initial_fouling_m2k_w), u_last[1], u_last[2],
                             heat0, sea[first])
    s = np.array([*x, initial_fouling_m2k_w, sea[first]])
    cov = np.diag([1.0, 1.0, 1.0, initial_fouling_sd_m2k_w ** 2, sea_sd_k ** 2])
    r_rate = fouling_rate_sd_m2k_w ** 2 * step_s / DAY_S
    q = np.diag([model_sd_k ** 2] * 3 + [r_rate, sea_drift_sd_k ** 2])
    q_held = np.diag([held_sd_k ** 2] * 3 + [r_rate, sea_drift_sd_k ** 2])
    out = np.full((n, 8), math.nan)
    held = 0
    fresh_before = True
    speeds_before = (u_last[1], u_last[2])  # the inlet a step records is read with the speeds set before it

    def update(s, cov, h, innovation, var, learn_fouling=True):
        gain = cov @ h / (h @ cov @ h + var)
        if not learn_fouling:
            gain[3] = 0.0
        s = s + gain * innovation
        s[3] = max(s[3], 0.0)
        i_kh = np.eye(5) - np.outer(gain, h)
        cov = i_kh @ cov @ i_kh.T + var * np.outer(gain, gain)  # Joseph form: any gain keeps it valid
        return s, 0.5 * (cov + cov.T)

    for k in range(n):
        fresh = bool(drivers[k])
        if fresh:
            u_last = (it_w[k], min(max(fan[k], 1e-3), 1.5), min(max(pump[k], 0.0), 1.5))
        elif k >= first:
            held += 1
        f, pu = u_last[1], u_last[2]
        if np.isfinite(sea[k]):
            s, cov = update(s, cov, np.array([0.0, 0.0, 0.0, 0.0, 1.0]), sea[k] - s[4], sea_sd_k ** 2)
        # the measured inlet: the state at the step's start, under the speeds of the step before
        r = s[3]
        fb, pb = speeds_before
        _, _, kg, ks = _matrices(p, r, fb, pb, step_s)
        dr = max(1e-7, 1e-3 * abs(r))
        _, _, kg_p, ks_p = _matrices(p, r + dr, fb, pb, step_s)
        _, _, kg_m, ks_m = _matrices(p, max(r - dr, 0.0), fb, pb, step_s)
        d_in = ((kg_p - kg_m) * s[1] + (ks_p - ks_m) * s[4]) / (r + dr - max(r - dr, 0.0))
        innovation = math.nan
        if np.isfinite(meas[k]):
            innovation = meas[k] - (kg * s[1] + ks * s[4])
            s, cov = update(s, cov, np.array([0.0, kg, 0.0, d_in, ks]), innovation, measurement_sd_k ** 2,
                            learn_fouling=fresh and fresh_before)
        inlet = kg * s[1] + ks * s[4]
        out[k] = [s[0], s[1], s[2], inlet, s[3], math.sqrt(max(cov[3, 3], 0.0)), s[4], innovation]
        heat = cabin_heat(*u_last, inlet)  # the gas path's share; the inlet sets the server fans' rise (liquid)
        # predict the next step
        ad, bd, _, _ = _matrices(p, s[3], f, pu, step_s)
        ad_p, bd_p, _, _ = _matrices(p, s[3] + dr, f, pu, step_s)
        ad_m, bd_m, _, _ = _matrices(p, max(s[3] - dr, 0.0), f, pu, step_s)
        u = np.array([heat, s[4]])
        x_next = ad @ s[:3] + bd @ u
        dx_dr = ((ad_p - ad_m) @ s[:3] + (bd_p - bd_m) @ u) / (s[3] + dr - max(s[3] - dr, 0.0))
        jac = np.eye(5)
        jac[:3, :3] = ad
        jac[:3, 3] = dx_dr
        jac[:3, 4] = bd[:, 1]
        s = np.array([*x_next, s[3], s[4]])
        cov = jac @ cov @ jac.T + (q if fresh else q_held)
        speeds_before, fresh_before = (f, pu), fresh
    frame = pd.DataFrame(out, index=values.index, columns=[
        "it_temp_c", "gas_temp_c", "wall_temp_c", "inlet_temp_c", "fouling_m2k_w", "fouling_sd_m2k_w",
        "sea_temp_c", "innovation_k"])
    return CabinEstimate(frame, held)


def present_state(scenario: Scenario, values: pd.DataFrame, step_s: float, **filter_options) -> dict:
    """The synchronised present: per cabin group the filter's last estimate; the battery's energy and each
    cabin's servers alive from their last measurement (``battery_energy_wh``, ``cabin{i}_servers_alive``), with
    the time of that measurement."""
    state: dict = {"time": values.index[-1].isoformat(), "cabins": []}
    for i in range(len(scenario.cabins)):
        est = estimate_cabin(scenario, i, values, step_s, **filter_options)
        entry = {"cabin": i, **est.last(), "held_steps": est.held_steps}
        col = f"cabin{i}_servers_alive"
        if col in values and values[col].notna().any():
            last = values[col].last_valid_index()
            entry["servers_alive"] = float(values.at[last, col])
            entry["servers_alive_at"] = last.isoformat()
        state["cabins"].append(entry)
    if "battery_energy_wh" in values and values["battery_energy_wh"].notna().any():
        last = values["battery_energy_wh"].last_valid_index()
        state["battery_energy_wh"] = float(values.at[last, "battery_energy_wh"])
        state["battery_energy_at"] = last.isoformat()
    return state


def _last(values: pd.DataFrame, column: str) -> float | None:
    if column not in values or not values[column].notna().any():
        return None
    return float(values.at[values[column].last_valid_index(), column])


def saved_state(scenario: Scenario, values: pd.DataFrame, present: dict):
    """The present (:func:`present_state` of ``values``) as a saved state a run can start from
    (``twin.sim.saved_state``): the filter's node temperatures and fouling per cabin group; the speeds, the servers
    alive (as failed: installed minus alive), the hub wind and the turbines available (as down) from their last
    measurements; the sea from the filter of cabin group 0. Not measured: a battery's energy is the design's
    initial charge, no server failed, no turbine down (ASSUMPTION, said in docs/live.md)."""
    from twin.sim.saved_state import CabinState, SavedState

    cabins = []
    for i, (group, est) in enumerate(zip(scenario.cabins, present["cabins"])):
        fan = _last(values, f"cabin{i}_fan_speed")
        pump = _last(values, f"cabin{i}_pump_speed")
        alive = est.get("servers_alive")
        installed = group.racks.server_count
        cabins.append(CabinState(
            it_temp_c=est["it_temp_c"], gas_temp_c=est["gas_temp_c"], wall_temp_c=est["wall_temp_c"],
            fouling_m2k_w=min(max(est["fouling_m2k_w"], 0.0), 0.01),
            fan_speed=None if fan is None else min(max(fan, 1e-3), 1.0),
            pump_speed=None if pump is None else min(max(pump, 1e-3), 1.0),
            servers_failed=0 if alive is None else min(max(installed - int(round(alive)), 0), installed)))
    battery = scenario.electrical.battery
    energy = present.get("battery_energy_wh")
    if battery is not None and energy is None:
        energy = battery.energy_capacity_wh * battery.initial_soc_fraction
    turbines = _last(values, "turbines_available")
    count = scenario.wind.farm.turbine_count
    wind = _last(values, "hub_wind_speed_m_s")
    return SavedState(
        time=pd.Timestamp(present["time"]).to_pydatetime(), sea_temp_c=float(present["cabins"][0]["sea_temp_c"]),
        hub_wind_speed_m_s=None if wind is None else max(wind, 0.0),
        battery_energy_wh=None if battery is None else min(max(energy, 0.0), battery.energy_capacity_wh),
        turbines_down=0 if turbines is None else min(max(count - int(round(turbines)), 0), count), cabins=cabins)


def present_result(scenario: Scenario, values: pd.DataFrame, state):
    """The present as a one-step run result, for the viewer (``viz``): each cabin group's node temperatures, speeds
    and sea from the saved state ``state`` (:func:`saved_state`), its IT power and inlet from the last
    measurement; the step is the state's time. Nothing else of a run is in it (no KPIs, no ledger)."""
    from twin.sim.cabin import build_cabin
    from twin.sim.results import RunResult

    row: dict = {"sea_temp_c": state.sea_temp_c}
    for i, (group, cab) in enumerate(zip(scenario.cabins, state.cabins)):
        p = f"cabin{i}_"
        it_w = _last(values, p + "it_power_w")
        if it_w is None:
            raise ValueError(f"telemetry: no measurement of {p}it_power_w")
        plant = build_cabin(scenario, group)
        fan = cab.fan_speed if cab.fan_speed is not None else 1.0
        pump = cab.pump_speed if cab.pump_speed is not None else 1.0
        kg, ks = thermal.inlet_row(replace(plant.thermal, fouling_resistance_m2k_w=cab.fouling_m2k_w), fan, pump)
        row.update({p + "it_temp_c": cab.it_temp_c, p + "gas_temp_c": cab.gas_temp_c,
                    p + "wall_temp_c": cab.wall_temp_c, p + "inlet_temp_c": kg * cab.gas_temp_c + ks * state.sea_temp_c,
                    p + "it_power_w": it_w, p + "fan_speed": fan, p + "pump_speed": pump,
                    p + "fouling_m2k_w": cab.fouling_m2k_w})
    index = pd.DatetimeIndex([pd.Timestamp(state.time)], name="time")
    series = pd.DataFrame({k: [float(v)] for k, v in row.items()}, index=index)
    return RunResult(scenario, series, {}, {}, np.zeros(0))
