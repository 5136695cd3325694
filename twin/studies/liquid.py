"""How much IT power a cabin holds, by its cooling paths: the gas path (air-to-seawater exchanger, fans) and, when
the cabin has one, the direct-to-chip liquid path (cold plates, coolant loop, CDU to seawater).

``cabin_capacity(scenario, sea_temp_c)`` answers at steady state, with every machine at full speed:

- the gas path carries at most the heat that puts the mean rack inlet on the allowable limit,
  ``Q_gas = (T_allow - T_sea) / s``, ``s`` the inlet's rise per watt of the linear network
  (``physics.thermal.steady_state``), less the cabin fans' own heat;
- the liquid path at most the heat that puts the coolant supply on the IT's limit,
  ``Q_liq = (T_max - T_sea) / (1/G - 1/C_tcs)`` (``physics.liquid_cooling.max_heat_w``), less the coolant pump's
  work (it heats the coolant);
- the servers split their heat by their liquid share ``f`` (their types' ``liquid_fraction`` weighted by peak
  power), so IT power is bounded by ``Q_gas / (1 - f)`` and ``Q_liq / f``, and by the installed peak power.

The smallest bound is the cabin's capacity and names what limits it. The mean inlet is used, not the hottest
rack's (the rack spread of ``physics.rack_inlets`` adds a few kelvin in the engine), so the gas bound is an upper one.
"""

from __future__ import annotations

import math

from physics import liquid_cooling, servers, thermal
from twin.scenario import Scenario
from twin.sim.cabin import build_cabin

__all__ = ["cabin_capacity", "liquid_share"]


def liquid_share(group) -> tuple[float, float]:
    """``(installed peak IT power [W], liquid share of it [-])`` of a cabin group's racks."""
    peak = liquid = 0.0
    for b in group.racks.blocks():
        m = servers.server_model(b.server)
        p = b.rack_count * b.servers_per_rack * m.power_w_points[-1]
        peak += p
        liquid += p * m.liquid_fraction
    return peak, (liquid / peak if peak > 0 else 0.0)


def cabin_capacity(scenario: Scenario, sea_temp_c: float, group_index: int = 0) -> dict:
    """The bounds on one cabin's IT power at a sea temperature, every machine at full speed [W], and the binding one.

    Returns a mapping: ``installed_it_w``, ``liquid_share``, ``gas_heat_max_w``, ``liquid_heat_max_w`` (NaN without
    a liquid path), ``it_by_gas_w``, ``it_by_liquid_w``, ``it_capacity_w``, ``limited_by`` (``racks``, ``gas`` or
    ``liquid``), and the design powers of the machines: ``fan_w``, ``sea_pump_w``, ``cdu_sea_pump_w``,
    ``coolant_pump_w``."""
    group = scenario.cabins[group_index]
    plant = build_cabin(scenario, group)
    p = plant.thermal
    x = thermal.steady_state(p, 1.0, 1.0, 1.0, 0.0)
    k_gas, _ = thermal.inlet_row(p, 1.0, 1.0)
    rise_per_w = k_gas * x[1]  # the mean inlet's rise per watt into the gas, sea at 0 C
    gas_max = max(0.0, float((group.limits.allowable_max_c - sea_temp_c) / rise_per_w) - plant.fan_design_power_w)
    installed, share = liquid_share(group)
    if plant.liquid is None:
        share = 0.0  # without a liquid path every watt takes the gas path, whatever the servers' cold plates
    bounds = {"racks": installed, "gas": gas_max / (1.0 - share) if share < 1.0 else math.inf}
    liquid_max = math.nan
    if plant.liquid is not None:
        lq = group.cooling.liquid
        liquid_max = max(0.0, liquid_cooling.max_heat_w(plant.liquid, sea_temp_c, lq.supply_max_c)
                         - plant.liquid_tcs_pump_w)
        bounds["liquid"] = liquid_max / share if share > 0 else math.inf
    limited_by = min(bounds, key=bounds.get)
    return {
        "sea_temp_c": sea_temp_c, "installed_it_w": installed, "liquid_share": share,
        "gas_heat_max_w": gas_max, "liquid_heat_max_w": liquid_max, "it_by_gas_w": bounds["gas"],
        "it_by_liquid_w": bounds.get("liquid", math.nan), "it_capacity_w": bounds[limited_by],
        "limited_by": limited_by, "fan_w": plant.fan_design_power_w, "sea_pump_w": plant.pump_design_power_w,
        "cdu_sea_pump_w": plant.liquid_sea_pump_w, "coolant_pump_w": plant.liquid_tcs_pump_w,
    }
