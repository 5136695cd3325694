"""The energy ledger of a run and its KPIs (ISO/IEC 30134 definitions).

The ledger is summed from the recorded series, not from the engine's own bookkeeping, so it checks that what a
run reports closes:

    energy in  = wind generated + grid energy sent from shore
    energy out = IT + pump shaft + pump drive loss + fan shaft + fan drive loss + liquid pumps + UPS loss + PDU loss
                 + busway loss + auxiliaries + transformer loss + link and shore cable losses
                 + battery loss + battery energy stored (end minus start) + exported + curtailed - unserved

``energy_balance_error = |in - out| / in``. Every term is listed in the ledger (the power chain's terms with the
aggregates ``cooling`` = pumps + fans + liquid pumps and ``distribution_loss`` = UPS + PDU + busway beside them); the IT
energy's parts that are not compute (server fans, supply and regulator losses) are listed too, inside IT, not as terms.

Boundaries: the facility is everything at and behind the cabins' 35 kV node (IT, distribution and UPS, cooling,
auxiliaries, the cabin transformer). Facility energy for PUE and REF is the energy delivered there; the cables to
it are transmission, outside the facility, and are reported as losses of their own.

KPIs of the chain (docs/kpis.md): ``pue`` (ISO/IEC 30134-2), partial PUEs ``ppue_cooling``,
``ppue_power_distribution``, ``ppue_auxiliaries`` (The Green Grid: (subsystem + IT) / IT), ``itue`` and ``tue``
(Patterson et al., ISC 2013: ITUE = IT energy / compute-component energy, TUE = ITUE x PUE).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from twin.scenario import Scenario
from twin.sim.accounting import ACCOUNTING_UNITS, renewable_accounting

__all__ = ["energy_ledger", "compute_kpis", "liquid_kpis", "KPI_UNITS", "LIQUID_KPIS"]

WH_PER_J = 1.0 / 3600.0

KPI_UNITS = {
    "pue": "-", "ref": "-", "cue_kg_per_kwh": "kg CO2 per kWh IT", "wue_l_per_kwh": "L per kWh IT",
    "it_energy_mwh": "MWh", "facility_energy_mwh": "MWh", "wind_energy_mwh": "MWh", "grid_import_mwh": "MWh",
    "curtailed_energy_mwh": "MWh", "exported_energy_mwh": "MWh", "unserved_energy_mwh": "MWh",
    "cooling_energy_share": "-", "max_inlet_temp_c": "C (hottest rack)", "hours_inlet_above_recommended": "h",
    "hours_inlet_above_allowable": "h", "hours_inlet_below_recommended": "h", "min_cooling_margin_k": "K",
    "hours_protective_action": "h (summed over cabin groups)", "max_exchanger_fouling_m2k_w": "m2 K W-1",
    "capacity_factor": "-", "jobs_completed": "-", "job_wait_p95_s": "s",
    "mean_utilisation": "-", "turbine_availability": "-", "flexible_jobs_completed": "-", "deadline_misses": "-",
    "jobs_waiting_at_end": "-", "servers_alive_end": "-", "job_wait_p50_s": "s", "job_wait_p99_s": "s",
    "server_failures": "-", "jobs_rejected": "-", "max_plume_rise_k": "K at the mixing-zone edge",
    "hours_plume_above_limit": "h", "energy_balance_error": "-", "carbon_t": "t CO2", "cable_losses_mwh": "MWh",
    "throughput_jobs_per_h": "jobs per hour", "it_energy_per_job_kwh": "kWh IT per job completed",
    "server_boots": "-", "mean_powered_share": "- (servers on, booting or shutting down, of those installed)",
    "ppue_cooling": "- ((pumps and fans + IT) / IT, The Green Grid partial PUE)",
    "ppue_power_distribution": "- ((UPS, PDU, busway and transformer losses + IT) / IT)",
    "ppue_auxiliaries": "- ((auxiliaries + IT) / IT)",
    "itue": "- (IT energy / compute-component energy, Patterson et al. 2013)", "tue": "- (ITUE x PUE)",
    "ups_loss_mwh": "MWh", "pdu_loss_mwh": "MWh", "busway_loss_mwh": "MWh", "transformer_loss_mwh": "MWh",
    "pump_energy_mwh": "MWh (electrical input)", "fan_energy_mwh": "MWh (electrical input)",
    "drive_losses_mwh": "MWh (pump and fan motors and drives)", "auxiliary_energy_mwh": "MWh",
    "accelerators_alive_end": "-", "accelerators_alive_share_end": "- (of those installed)",
    "servers_alive_share_end": "- (of those installed)", "job_restarts": "-", "lost_work_server_h": "h",
    **ACCOUNTING_UNITS,
    "max_coolant_supply_c": "C (liquid-cooled cabins)", "max_coolant_return_c": "C (liquid-cooled cabins)",
    "coolant_class_margin_k": "K (supply limit minus hottest supply)",
    "hours_coolant_above_limit": "h (summed over cabin groups)",
    "hours_facility_water_above_class": "h (summed over cabin groups)",
    "liquid_pump_energy_mwh": "MWh",
}
LIQUID_KPIS = ("max_coolant_supply_c", "max_coolant_return_c", "coolant_class_margin_k", "hours_coolant_above_limit",
               "hours_facility_water_above_class", "liquid_pump_energy_mwh")
"""The liquid path's KPIs, present only for a scenario with a liquid-cooled cabin group (``cooling.liquid``)."""


def _mwh(frame: pd.DataFrame, col: str, step_s: float) -> float:
    return float(frame[col].to_numpy().sum()) * step_s * WH_PER_J / 1e6


def energy_ledger(frame: pd.DataFrame, step_s: float) -> dict:
    """Every term of the energy balance [MWh] and the relative residual [-]."""
    e = {c: _mwh(frame, c, step_s) for c in (
        "wind_available_w", "grid_sent_w", "it_power_w", "cooling_power_w", "distribution_loss_w",
        "transformer_loss_w", "wind_link_loss_w", "shore_link_loss_w", "battery_loss_w", "export_w",
        "curtailed_w", "unserved_w", "battery_charge_w", "battery_discharge_w", "pump_power_w", "fan_power_w",
        "pump_drive_loss_w", "fan_drive_loss_w", "ups_loss_w", "pdu_loss_w", "busway_loss_w", "auxiliary_power_w",
        "server_fan_power_w", "psu_loss_w", "vr_loss_w", "liquid_pump_power_w")}
    pump_shaft = e["pump_power_w"] - e["pump_drive_loss_w"]
    fan_shaft = e["fan_power_w"] - e["fan_drive_loss_w"]
    be = frame["battery_energy_wh"].to_numpy()
    # energy stored over the run: the battery's level after the last step minus its level before the first;
    # the series holds the level after each step, and the first step's change is charge/discharge minus loss
    stored = 0.0
    if be.size:
        first_change_wh = (frame["battery_charge_w"].iat[0] - frame["battery_discharge_w"].iat[0]
                           - frame["battery_loss_w"].iat[0]) * step_s * WH_PER_J
        stored = (be[-1] - (be[0] - first_change_wh)) / 1e6
    energy_in = e["wind_available_w"] + e["grid_sent_w"]
    energy_out = (e["it_power_w"] + pump_shaft + e["pump_drive_loss_w"] + fan_shaft + e["fan_drive_loss_w"]
                  + e["liquid_pump_power_w"]
                  + e["ups_loss_w"] + e["pdu_loss_w"] + e["busway_loss_w"] + e["auxiliary_power_w"]
                  + e["transformer_loss_w"] + e["wind_link_loss_w"] + e["shore_link_loss_w"] + e["battery_loss_w"]
                  + stored + e["export_w"] + e["curtailed_w"] - e["unserved_w"])
    residual = energy_in - energy_out
    return {
        "wind_generated_mwh": e["wind_available_w"], "grid_sent_mwh": e["grid_sent_w"], "energy_in_mwh": energy_in,
        "it_mwh": e["it_power_w"],
        "it_server_fans_mwh": e["server_fan_power_w"], "it_psu_loss_mwh": e["psu_loss_w"],
        "it_vr_loss_mwh": e["vr_loss_w"],
        "pump_shaft_mwh": pump_shaft, "pump_drive_loss_mwh": e["pump_drive_loss_w"],
        "fan_shaft_mwh": fan_shaft, "fan_drive_loss_mwh": e["fan_drive_loss_w"],
        "ups_loss_mwh": e["ups_loss_w"], "pdu_loss_mwh": e["pdu_loss_w"], "busway_loss_mwh": e["busway_loss_w"],
        "auxiliary_mwh": e["auxiliary_power_w"], "liquid_pump_mwh": e["liquid_pump_power_w"],
        "cooling_mwh": e["cooling_power_w"],
        "distribution_loss_mwh": e["distribution_loss_w"], "transformer_loss_mwh": e["transformer_loss_w"],
        "wind_link_loss_mwh": e["wind_link_loss_w"], "shore_link_loss_mwh": e["shore_link_loss_w"],
        "battery_loss_mwh": e["battery_loss_w"], "battery_stored_mwh": stored, "exported_mwh": e["export_w"],
        "curtailed_mwh": e["curtailed_w"], "unserved_mwh": e["unserved_w"], "energy_out_mwh": energy_out,
        "residual_mwh": residual,
        "relative_residual": abs(residual) / energy_in if energy_in > 0 else 0.0,
    }


def liquid_kpis(scenario: Scenario, frame: pd.DataFrame, step_s: float) -> dict:
    """The liquid path's KPIs (:data:`LIQUID_KPIS`) over its cabin groups; empty without one. The class margin is
    the least, over the liquid-cooled groups, of the supply limit (``supply_max_c``) minus the hottest supply."""
    rows = [i for i, g in enumerate(scenario.cabins) if g.cooling.liquid is not None]
    if not rows:
        return {}
    step_h = step_s / 3600.0

    def col(i: int, name: str) -> np.ndarray:
        return frame[f"cabin{i}_{name}"].to_numpy(dtype=float)
    supply = {i: float(col(i, "coolant_supply_max_c").max()) for i in rows}
    return {
        "max_coolant_supply_c": max(supply.values()),
        "max_coolant_return_c": max(float(col(i, "coolant_return_max_c").max()) for i in rows),
        "coolant_class_margin_k": min(scenario.cabins[i].cooling.liquid.supply_max_c - supply[i] for i in rows),
        "hours_coolant_above_limit": sum(float(col(i, "coolant_above_limit_share").sum()) for i in rows) * step_h,
        "hours_facility_water_above_class": sum(float(col(i, "facility_water_above_class_share").sum())
                                                for i in rows) * step_h,
        "liquid_pump_energy_mwh": _mwh(frame, "liquid_pump_power_w", step_s),
    }


def compute_kpis(scenario: Scenario, frame: pd.DataFrame, step_s: float, ledger: dict, waits_s: np.ndarray,
                 jobs_completed: int, rated_farm_power_w: float) -> dict:
    hours = len(frame) * step_s / 3600.0
    it = ledger["it_mwh"]
    served = _mwh(frame, "facility_power_w", step_s) - ledger["unserved_mwh"]
    grid_in = _mwh(frame, "grid_import_w", step_s)
    # renewable energy and carbon by the accounting the scenario states (twin.sim.accounting)
    accounting = renewable_accounting(scenario, frame, step_s, it)
    water_l = sum(g.cooling.freshwater_use_l_per_h * g.count for g in scenario.cabins) * hours
    # temperatures: the maxima the kernel found inside its control periods, and the time it located above limits
    inlet_max = float(frame["inlet_temp_max_c"].to_numpy().max())
    allow = min(g.limits.allowable_max_c for g in scenario.cabins)
    step_h = step_s / 3600.0

    def hours_of(share_column: str) -> float:
        return float(frame[share_column].to_numpy(dtype=float).sum()) * step_h
    compute = it - ledger["it_server_fans_mwh"] - ledger["it_psu_loss_mwh"] - ledger["it_vr_loss_mwh"]
    itue = it / compute if compute > 0 else math.nan
    pue = served / it if it > 0 else math.nan
    distribution = ledger["ups_loss_mwh"] + ledger["pdu_loss_mwh"] + ledger["busway_loss_mwh"] \
        + ledger["transformer_loss_mwh"]

    def partial(subsystem_mwh: float) -> float:
        return (subsystem_mwh + it) / it if it > 0 else math.nan
    return {
        "pue": pue,
        "ppue_cooling": partial(ledger["cooling_mwh"]),
        "ppue_power_distribution": partial(distribution),
        "ppue_auxiliaries": partial(ledger["auxiliary_mwh"]),
        "itue": itue,
        "tue": itue * pue,
        "ups_loss_mwh": ledger["ups_loss_mwh"], "pdu_loss_mwh": ledger["pdu_loss_mwh"],
        "busway_loss_mwh": ledger["busway_loss_mwh"], "transformer_loss_mwh": ledger["transformer_loss_mwh"],
        "pump_energy_mwh": ledger["pump_shaft_mwh"] + ledger["pump_drive_loss_mwh"],
        "fan_energy_mwh": ledger["fan_shaft_mwh"] + ledger["fan_drive_loss_mwh"],
        "drive_losses_mwh": ledger["pump_drive_loss_mwh"] + ledger["fan_drive_loss_mwh"],
        "auxiliary_energy_mwh": ledger["auxiliary_mwh"],
        **accounting,
        "wue_l_per_kwh": water_l / (it * 1e3) if it > 0 else math.nan,
        "it_energy_mwh": it,
        "facility_energy_mwh": served,
        "wind_energy_mwh": ledger["wind_generated_mwh"],
        "grid_import_mwh": grid_in,
        "curtailed_energy_mwh": ledger["curtailed_mwh"],
        "exported_energy_mwh": ledger["exported_mwh"],
        "unserved_energy_mwh": ledger["unserved_mwh"],
        "cable_losses_mwh": ledger["wind_link_loss_mwh"] + ledger["shore_link_loss_mwh"],
        "cooling_energy_share": ledger["cooling_mwh"] / served if served > 0 else math.nan,
        "max_inlet_temp_c": inlet_max,
        "hours_inlet_above_recommended": hours_of("inlet_above_recommended_share"),
        "hours_inlet_above_allowable": hours_of("inlet_above_allowable_share"),
        "hours_inlet_below_recommended": hours_of("inlet_below_recommended_share"),
        "min_cooling_margin_k": float(allow - inlet_max),
        "hours_protective_action": sum(hours_of(c) for c in frame.columns if c.endswith("_protective_share")),
        "max_exchanger_fouling_m2k_w": float(max((frame[c].max() for c in frame.columns
                                                  if c.endswith("_fouling_m2k_w")), default=0.0)),
        "turbine_availability": float(frame["turbines_available"].to_numpy(dtype=float).mean())
        / scenario.wind.farm.turbine_count,
        "capacity_factor": ledger["wind_generated_mwh"] / (rated_farm_power_w / 1e6 * hours)
        if rated_farm_power_w else math.nan,
        "jobs_completed": jobs_completed,
        "job_wait_p95_s": float(np.percentile(waits_s, 95)) if waits_s.size else 0.0,
        "mean_utilisation": float(frame["utilisation"].to_numpy(dtype=float).mean()),
        "energy_balance_error": ledger["relative_residual"],
        **liquid_kpis(scenario, frame, step_s),
    }
