"""From a scenario's cabin group to the parameters of its thermal network and its cooling machines.

Everything here is derived from the scenario with the physics modules; the assumptions are named where made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from physics import heat_transfer, liquid_cooling, ocean, servers, thermal, work_power
from twin.scenario import CabinGroup, Scenario
from twin.scenario.cabins import LAND_FAILURE_RATE_PER_YEAR

__all__ = ["CabinPlant", "build_cabin", "GAS_PROPERTIES", "build_fleet", "rack_inlet_deviation"]

GAS_PROPERTIES = {
    # density at 1 atm and 30 C [kg m-3], isobaric specific heat [J kg-1 K-1] (NIST Chemistry WebBook)
    "nitrogen": (1.127, 1041.0),
    "air": (1.165, 1007.0),
}

HARDWARE_TO_EXHAUST_K = 10.0
"""Mean temperature of server hardware above the gas leaving the racks at design heat and flow [K].
Engineering assumption (heat-sink and board temperatures 5-15 K above exhaust); it sets the server-to-gas
conductance, which matters only for how fast the hardware follows the load."""


@dataclass(frozen=True)
class CabinPlant:
    """One cabin: thermal network, machines and fleet."""

    name: str
    count: int
    thermal: thermal.CabinThermal
    server: servers.ServerModel
    servers: int
    pump_design_flow_kg_s: float
    pump_design_power_w: float
    fan_design_power_w: float
    seawater_density_kg_m3: float
    inner_area_m2: float
    wall_outside_h_w_m2k: float
    liquid: liquid_cooling.LiquidLoop | None = None
    liquid_tcs_pump_w: float = 0.0
    liquid_sea_pump_w: float = 0.0
    liquid_sea_flow_kg_s: float = 0.0

    def fan_power_w(self, speed: float):
        """Cabin fan power at a speed (share of design flow), by the affinity law [W]; its heat stays inside."""
        return self.fan_design_power_w * speed ** 3


def _shell_area_m2(diameter_m: float, length_m: float) -> float:
    """Outer area of a closed cylinder: side and two flat ends [m2]."""
    return math.pi * diameter_m * length_m + 2.0 * math.pi * diameter_m ** 2 / 4.0


def build_cabin(scenario: Scenario, group: CabinGroup) -> CabinPlant:
    geo, racks, cool = group.geometry, group.racks, group.cooling
    site = scenario.site
    sea = site.sea
    blocks = racks.blocks()
    server = servers.server_model(blocks[0].server)
    n_servers = racks.server_count

    # thermal masses
    server_mass = sum(b.rack_count * b.servers_per_rack * servers.server_model(b.server).mass_kg for b in blocks)
    c_it = (server_mass + racks.rack_count * racks.rack_mass_kg) * racks.hardware_cp_j_kgk
    gas_rho, gas_cp = GAS_PROPERTIES[geo.atmosphere]
    volume = math.pi * geo.diameter_m ** 2 / 4.0 * geo.length_m
    c_gas = volume * gas_rho * gas_cp
    area = _shell_area_m2(geo.diameter_m, geo.length_m)
    c_wall = area * geo.wall_thickness_m * geo.wall_density_kg_m3 * geo.wall_cp_j_kgk

    # seawater at the cabin: properties at the annual mean temperature and the cabin's pressure
    mean_sea_c = float(np.mean(sea.monthly_mean_temp_c))
    sa = float(ocean.absolute_salinity_g_kg(sea.practical_salinity, site.cabin_depth_m, site.longitude_deg,
                                            site.latitude_deg))
    p_dbar = float(ocean.pressure_dbar_at_depth(site.cabin_depth_m, site.latitude_deg))
    rho_sw = float(ocean.seawater_density_kg_m3(mean_sea_c, sa, p_dbar))
    cp_sw = float(ocean.seawater_cp_j_kgk(mean_sea_c, sa, p_dbar))

    # the wall: inside film, steel, outside mixed convection in the tidal current (design wall 5 K above the sea)
    h_out = float(heat_transfer.external_convection_h_w_m2k(
        diameter_m=geo.diameter_m, length_m=geo.length_m, wall_temp_c=mean_sea_c + 5.0, sea_temp_c=mean_sea_c,
        current_speed_m_s=sea.current_speed_m_s, orientation=geo.orientation, absolute_salinity_g_kg=sa))
    ua_gas_wall = geo.inside_h_w_m2k * area
    # the wall node is the steel; its conduction, the outer film and marine fouling are in series to the sea
    ua_wall_sea = area / (geo.wall_thickness_m / geo.wall_conductivity_w_mk + 1.0 / h_out
                          + cool.fouling_resistance_m2k_w)

    # per-rack radiators: every rack's exhaust passes its own crossflow coil, so nothing bypasses them
    recirculation = 0.0 if cool.exchanger_location == "per_rack" else cool.recirculation_fraction
    arrangement = "crossflow" if cool.exchanger_location == "per_rack" else cool.exchanger
    ua_hx, c_gas_rate, c_sea_rate = thermal.design_exchanger_ua_w_k(
        cool.design_heat_w, cool.design_air_temp_rise_k, cool.design_sea_temp_rise_k, cool.design_approach_k,
        recirculation, arrangement)
    # the design UA includes the fouling allowance; the clean exchanger is better by that resistance, and the
    # fouling the run grows (Kern-Seaton, from clean) is added back on the area
    ua_clean = 1.0 / (1.0 / ua_hx - cool.fouling_resistance_m2k_w / cool.exchanger_area_m2)
    params = thermal.CabinThermal(
        c_it_j_k=c_it, c_gas_j_k=c_gas, c_wall_j_k=c_wall,
        g_it_design_w_k=cool.design_heat_w / HARDWARE_TO_EXHAUST_K,
        ua_gas_wall_w_k=ua_gas_wall, ua_wall_sea_w_k=ua_wall_sea,
        exchanger_ua_design_w_k=ua_clean, exchanger_area_m2=cool.exchanger_area_m2,
        gas_capacity_design_w_k=c_gas_rate, sea_capacity_design_w_k=c_sea_rate,
        recirculation_fraction=recirculation, arrangement=arrangement)

    flow_kg_s = c_sea_rate / cp_sw
    pump_w = thermal.pump_power_w(flow_kg_s, cool.pump_head_m, cool.pump_efficiency, 1.0, rho_sw)
    gas_volume_flow = c_gas_rate / gas_cp / gas_rho
    fan_w = thermal.fan_power_w(gas_volume_flow, cool.fan_pressure_rise_pa, cool.fan_efficiency, 1.0)
    liquid = {}
    if cool.liquid is not None:
        liquid = build_liquid_loop(cool.liquid, rho_sw, cp_sw)
    return CabinPlant(name=group.name, count=group.count, thermal=params, server=server, servers=n_servers,
                      pump_design_flow_kg_s=flow_kg_s, pump_design_power_w=pump_w, fan_design_power_w=fan_w,
                      seawater_density_kg_m3=rho_sw, inner_area_m2=area, wall_outside_h_w_m2k=h_out, **liquid)


def build_liquid_loop(lq, seawater_density_kg_m3: float, seawater_cp_j_kgk: float) -> dict:
    """The liquid path of a cabin (``scenario`` ``cooling.liquid``): the CDU sized at its design point, the coolant
    node's heat capacity (the coolant; the wetted metal is left out, ASSUMPTION), and the design powers of the
    coolant pump (constant flow) and of the CDU's seawater pump (by the affinity laws at other speeds)."""
    loop = liquid_cooling.design_liquid_loop(
        lq.design_heat_w, lq.design_coolant_rise_k, lq.design_sea_rise_k, lq.design_approach_k,
        lq.coolant_volume_m3 * lq.coolant_density_kg_m3 * lq.coolant_cp_j_kgk)
    coolant_kg_s = loop.coolant_capacity_w_k / lq.coolant_cp_j_kgk
    tcs_w = thermal.pump_power_w(coolant_kg_s, liquid_cooling.pump_head_m(lq.tcs_pump_pressure_rise_pa,
                                                                          lq.coolant_density_kg_m3),
                                 lq.tcs_pump_efficiency, 1.0, lq.coolant_density_kg_m3)
    sea_kg_s = loop.sea_capacity_design_w_k / seawater_cp_j_kgk
    sea_w = thermal.pump_power_w(sea_kg_s, lq.sea_pump_head_m, lq.sea_pump_efficiency, 1.0, seawater_density_kg_m3)
    return {"liquid": loop, "liquid_tcs_pump_w": tcs_w, "liquid_sea_pump_w": sea_w,
            "liquid_sea_flow_kg_s": sea_kg_s}


RACK_FIELD_RESOLUTION_M = 0.5
"""Grid spacing of the field that gives the rack inlet deviations [m] (racks of 0.6 m get a cell across)."""


@lru_cache(maxsize=16)
def _deviation(params: thermal.CabinThermal, orientation: str, diameter_m: float, length_m: float,
               rack_count: int) -> tuple[np.ndarray | None, str]:
    from physics import field, rack_inlets

    geo = field.CylinderGeometry(diameter_m, length_m, orientation)
    try:
        problem = field.cabin_field_problem(params, geo, rack_count, resolution_m=RACK_FIELD_RESOLUTION_M)
    except ValueError as exc:  # the racks do not fit the field's layout: no spread, and the result says why
        return None, f"uniform ({exc})"
    return rack_inlets.inlet_deviation_matrix(rack_inlets.rack_inlet_matrix(problem)), "field"


def rack_inlet_deviation(scenario: Scenario, group: CabinGroup, plant: CabinPlant) -> tuple[np.ndarray | None, str]:
    """Each rack's inlet above the racks' mean per watt of each rack's heat, at design flow [K W-1]
    (``physics.rack_inlets`` on the cabin's 3D field), and how it was obtained (``field``, or ``uniform`` with
    the reason when the cooling asks for it or the racks do not fit the field's layout)."""
    if group.cooling.rack_inlet_model == "uniform":
        return None, "uniform (cooling.rack_inlet_model)"
    g = group.geometry
    return _deviation(plant.thermal, g.orientation, g.diameter_m, g.length_m, group.racks.rack_count)


def failure_rate_per_year(group: CabinGroup) -> float:
    """Server failures per server-year on land at a 20 C inlet of the cabin's servers [-]: ``racks``'s rate, or,
    ``by_server``, each type's (``physics.servers.annual_failure_rate``) weighted by its servers installed.

    The engine draws one cabin's failures from one hazard (servers alive x this rate x the inlet's x-factor): with
    types of different rates the weights stay those installed as they fail -- an approximation, exact for a cabin
    of one type."""
    rate = group.racks.failure_rate_per_year
    if rate != "by_server":
        return float(rate)
    blocks = group.racks.blocks()
    n = sum(b.rack_count * b.servers_per_rack for b in blocks)
    return sum(b.rack_count * b.servers_per_rack * servers.annual_failure_rate(servers.server_model(b.server),
                                                                             LAND_FAILURE_RATE_PER_YEAR)
               for b in blocks) / n


def build_fleet(scenario: Scenario, group: CabinGroup, plant: CabinPlant):
    """The cabin's racks, server types and job groups: ``(RackFleet, groups, rack inlet model)``.

    Each job class becomes a group on its server type: its busy servers' power above idle at full speed (at the
    class's utilisation), and the highest speed its type's power cap allows (``physics.servers``).
    """
    from twin.workload.fleet import RackFleet, ServerType
    from twin.workload.schedulers import Group

    racks = group.racks
    blocks = racks.blocks()
    names = racks.server_types
    models = {n: servers.server_model(n) for n in names}
    caps = {}
    for b in blocks:
        caps.setdefault(b.server, b.power_cap_w)
    types = [ServerType(n, models[n].power_w_points[0], models[n].power_w_points[-1], racks.boot_time_s,
                        racks.shutdown_time_s) for n in names]
    rack_type, rack_servers = [], []
    for b in blocks:
        rack_type += [names.index(b.server)] * b.rack_count
        rack_servers += [b.servers_per_rack] * b.rack_count
    groups = []
    for jc in scenario.workload.job_classes():
        name = jc.server or names[0]
        m = models[name]
        idle = m.power_w_points[0]
        if jc.work is None:  # the power table at the class's utilisation; a cap slows the clock linearly
            dyn = servers.busy_power_w(m, jc.job_utilisation, 1.0) - idle
            cap_speed = servers.capped_speed_fraction(m, jc.job_utilisation, caps[name])
        else:
            # the work's published power and, under a cap, its published throughput (physics.work_power). The
            # engine's group power is idle + dyn_w x speed and its work clock runs at speed, so at the capped
            # speed s the dynamic power per unit speed (P_capped - idle) / s gives the capped power, and the
            # energy per unit of work is (P_capped - idle) / s: a cap that costs 2 % of the throughput for 15 %
            # of the power takes the power and stretches the job by the curve, not in proportion
            power, cap_speed = work_power.work_under_caps(m, jc.work, caps[name], jc.power_cap_fraction)
            dyn = (power - idle) / cap_speed
        checkpoint = jc.checkpoint_interval_s if jc.checkpoint_interval_s is not None else math.inf
        groups.append(Group(jc.name, names.index(name), dyn, cap_speed, idle, checkpoint, jc.restart_s))
    deviation, model = rack_inlet_deviation(scenario, group, plant)
    fleet = RackFleet(rack_type, rack_servers, types, [g.type for g in groups], deviation)
    return fleet, groups, model
