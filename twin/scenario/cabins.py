"""The cabins: geometry, racks of servers, cooling, and the limits that protect them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from twin.scenario.units import Seconds, StrictModel

# ----------------------------------------------------------------------------------------------- cabins


class Geometry(StrictModel):
    orientation: Literal["vertical", "horizontal"] = "vertical"
    diameter_m: float = Field(..., gt=0.5, le=50.0)
    length_m: float = Field(..., gt=0.5, le=200.0, description="Height of a vertical, length of a horizontal cabin [m]")
    wall_thickness_m: float = Field(0.03, gt=0.001, le=0.5)
    wall_conductivity_w_mk: float = Field(45.0, gt=0.0, description="Steel about 45 [W m-1 K-1]")
    wall_density_kg_m3: float = Field(7850.0, gt=0.0)
    wall_cp_j_kgk: float = Field(490.0, gt=0.0)
    atmosphere: Literal["nitrogen", "air"] = "nitrogen"
    inside_h_w_m2k: float = Field(5.0, gt=0.0, description="Film coefficient of the gas on the inner wall [W m-2 K-1]")


LAND_FAILURE_RATE_PER_YEAR = 0.033
"""Server failures per server-year on land at a 20 C inlet [-]. From Project Natick (VALIDATION.md): the sealed
vessel lost 8 of 855 servers in about two years, one eighth of its land control group's rate, so the land group
failed at 8 x 8 / 855 / 2 = 3.7 % a year; referred to 20 C by the ASHRAE x-factor at an assumed 22.5 C land inlet
(1.13): 3.3 %."""


def known_server(v: str) -> str:
    from physics.servers import SERVER_MODELS

    if v not in SERVER_MODELS:
        raise ValueError(f"unknown server {v!r}; known: {', '.join(SERVER_MODELS)}")
    return v


class RackBlock(StrictModel):
    """Consecutive racks of one server type."""

    server: str = Field(..., description="Server model from the library")
    rack_count: int = Field(..., ge=1, le=10_000)
    servers_per_rack: int = Field(..., ge=1, le=200)
    power_cap_w: float | None = Field(None, gt=0.0, description="Power limit of each server of the block [W]")

    @field_validator("server")
    @classmethod
    def _known(cls, v: str) -> str:
        return known_server(v)


class Racks(StrictModel):
    rack_count: int = Field(..., ge=1, le=10_000)
    servers_per_rack: int = Field(..., ge=1, le=200)
    server: str = Field("dgx-h100", description="Server model from the library")
    rack_mass_kg: float = Field(150.0, ge=0.0, description="Empty rack and its fittings [kg]")
    hardware_cp_j_kgk: float = Field(600.0, gt=0.0, description="Mean specific heat of servers and racks [J kg-1 K-1]")
    failure_rate_per_year: Annotated[float, Field(ge=0.0, le=1.0)] | Literal["by_server"] = Field(
        LAND_FAILURE_RATE_PER_YEAR, description="Server failures per server-year on land at 20 C inlet; scaled by "
        "the ASHRAE x-factor of the inlet and by 1/8 in nitrogen [-]; 'by_server': each type's own rate, "
        "accelerator servers from the Llama 3 run's failures (physics.servers.annual_failure_rate), CPU servers "
        "the land rate")
    repairable: bool = Field(False, description="Failed servers are replaced (false for a sealed cabin)")
    repair_time_h: float = Field(72.0, gt=0.0, description="Time to replace a failed server, when repairable [h]")
    power_cap_w: float | None = Field(None, gt=0.0, description="Power limit of each server of ``server`` (e.g. "
                                      "nvidia-smi -pl); jobs on a capped server run slower [W]")
    boot_time_s: Seconds = Field(260.0, ge=0.0, description="Time a powered-down server takes to boot, at peak "
                                 "power (Gandhi et al. 2012, AutoScale: 260 s) [s]")
    shutdown_time_s: Seconds = Field(60.0, ge=0.0, description="Time a server takes to shut down, at idle power "
                                     "(assumption) [s]")
    fleet: list[RackBlock] | None = Field(
        None, description="Racks by server type, placed in this order; their racks must add up to rack_count "
        "(without it every rack holds servers_per_rack servers of ``server``)")

    @field_validator("server")
    @classmethod
    def _known(cls, v: str) -> str:
        return known_server(v)

    @model_validator(mode="after")
    def _blocks(self) -> "Racks":
        if self.fleet is not None:
            total = sum(b.rack_count for b in self.fleet)
            if total != self.rack_count:
                raise ValueError(f"fleet: its blocks hold {total} racks but rack_count is {self.rack_count}")
        from physics.servers import server_model

        caps: dict = {}
        for b in self.blocks():
            if caps.setdefault(b.server, b.power_cap_w) != b.power_cap_w:
                raise ValueError(f"fleet: blocks of {b.server} must share one power_cap_w")
            idle = server_model(b.server).power_w_points[0]
            if b.power_cap_w is not None and b.power_cap_w <= idle:
                raise ValueError(f"power_cap_w: {b.power_cap_w:g} W is not above the idle power of {b.server} "
                                 f"({idle:g} W)")
        return self

    def blocks(self) -> list["RackBlock"]:
        """The racks as blocks of one server type each (one block when ``fleet`` is not given)."""
        if self.fleet is not None:
            return list(self.fleet)
        return [RackBlock(server=self.server, rack_count=self.rack_count, servers_per_rack=self.servers_per_rack,
                          power_cap_w=self.power_cap_w)]

    @property
    def server_count(self) -> int:
        return sum(b.rack_count * b.servers_per_rack for b in self.blocks())

    @property
    def server_types(self) -> list[str]:
        """Server types in the order their first racks are placed."""
        return list(dict.fromkeys(b.server for b in self.blocks()))


class Cooling(StrictModel):
    """Seawater through an air-to-seawater exchanger, fans move the cabin gas through the racks."""

    design_heat_w: float = Field(..., gt=0.0, description="Heat the exchanger is sized for [W]")
    design_air_temp_rise_k: float = Field(12.0, gt=0.5, le=40.0, description="Rack air temperature rise [K]")
    design_sea_temp_rise_k: float = Field(4.0, gt=0.5, le=20.0, description="Seawater temperature rise [K]")
    design_approach_k: float = Field(3.0, gt=0.1, le=20.0,
                                     description="Rack inlet minus sea inlet at design heat and flows [K]")
    exchanger: Literal["counterflow", "crossflow"] = "counterflow"
    exchanger_location: Literal["central", "per_rack"] = Field(
        "central", description="central: one air-to-seawater exchanger the gas loop passes, with some bypass "
        "(recirculation_fraction); per_rack: a seawater radiator on each rack's exhaust (crossflow coils, no bypass)")
    recirculation_fraction: float = Field(0.05, ge=0.0, lt=0.9, description="Hot air that bypasses the exchanger [-]")
    rack_inlet_model: Literal["field", "uniform"] = Field(
        "field", description="field: each rack's inlet differs from the mean by the heat-distribution matrix of the "
        "cabin's 3D field (physics/rack_inlets.py); uniform: every rack sees the mean inlet")
    pump_head_m: float = Field(12.0, gt=0.0, description="Seawater loop head at design flow [m]")
    pump_efficiency: float = Field(0.75, gt=0.05, le=1.0)
    fan_pressure_rise_pa: float = Field(250.0, gt=0.0, description="Gas loop pressure rise at design flow [Pa]")
    fan_efficiency: float = Field(0.65, gt=0.05, le=1.0)
    min_pump_speed: float = Field(0.1, gt=0.0, le=1.0, description="Lowest pump speed (share of design flow) [-]")
    min_fan_speed: float = Field(0.3, gt=0.0, le=1.0, description="Lowest fan speed [-]")
    fouling_resistance_m2k_w: float = Field(
        0.00009, ge=0.0, description="Seawater-side fouling allowance the exchanger is sized with (TEMA, seawater "
        "below 50 C) [m2 K W-1]")
    fouling_asymptotic_m2k_w: float = Field(
        0.00035, ge=0.0, description="Fouling an uncleaned exchanger tends to (Kern-Seaton asymptote) [m2 K W-1]")
    fouling_time_constant_d: float = Field(60.0, gt=0.0, description="Kern-Seaton time constant of fouling [d]")
    cleaning_interval_d: float | None = Field(
        90.0, gt=0.0, description="The exchanger is cleaned back to bare metal this often; null: never [d]")
    exchanger_area_m2: float = Field(2000.0, gt=0.0, description="Seawater-side area of the exchanger [m2]")
    freshwater_use_l_per_h: float = Field(0.0, ge=0.0, description="Site water drawn (0 for seawater) [L h-1]")
    discharge_port_diameter_m: float = Field(0.4, gt=0.01, le=5.0, description="Warm-water outfall diameter [m]")
    plume_limit_rise_k: float = Field(
        1.0, gt=0.0, le=10.0, description="Highest temperature rise allowed at the edge of the mixing zone "
        "(GB 3097-1997 sea water quality, classes I-II: 1 C in summer) [K]")
    plume_limit_distance_m: float = Field(100.0, gt=0.0, le=10_000.0,
                                          description="Edge of the mixing zone from the outfall [m]")
    liquid: LiquidCooling | None = Field(
        None, description="Direct-to-chip liquid cooling of the servers' liquid share (none: every watt takes the "
        "gas path, as for air-cooled servers)")


FACILITY_CLASSES = Literal["W17", "W27", "W32", "W40", "W45", "W+"]


class LiquidCooling(StrictModel):
    """Direct-to-chip liquid cooling (``physics.liquid_cooling``): cold plates on the chips carry each server's
    liquid share of its heat (``liquid_fraction`` of its type) into a coolant loop (TCS) with its own pump; a
    coolant distribution unit (CDU), a counterflow plate exchanger, passes it to seawater pumped by the CDU's
    primary pump, whose speed holds the coolant supply at its setpoint. The rest of the heat takes the gas path."""

    design_heat_w: float = Field(..., gt=0.0, description="Heat the CDU is sized for [W]")
    design_coolant_rise_k: float = Field(10.0, gt=0.5, le=30.0,
                                         description="Coolant temperature rise across the cold plates [K]")
    design_sea_rise_k: float = Field(5.0, gt=0.5, le=20.0, description="Seawater temperature rise in the CDU [K]")
    design_approach_k: float = Field(3.0, gt=0.1, le=20.0,
                                     description="Coolant supply minus sea at design heat and full flows [K]")
    coolant_cp_j_kgk: float = Field(4180.0, gt=0.0, description="Coolant specific heat (water at 30 C, NIST) "
                                    "[J kg-1 K-1]")
    coolant_density_kg_m3: float = Field(995.6, gt=0.0, description="Coolant density (water at 30 C, NIST)")
    coolant_volume_m3: float = Field(2.0, gt=0.0, le=1000.0, description="Coolant in the loop: CDU, pipes, "
                                     "manifolds, cold plates (ASSUMPTION: 2 m3 for a cabin) [m3]")
    supply_setpoint_c: float = Field(32.0, ge=5.0, le=60.0, description="Coolant supply the CDU holds [C]")
    supply_max_c: float = Field(45.0, ge=5.0, le=70.0, description="Highest coolant supply the IT allows "
                                "(GB300 trays: 45 C, physics.liquid_cooling) [C]")
    facility_class: FACILITY_CLASSES = Field(
        "W32", description="ASHRAE liquid class the facility water (the sea at the cabin) must meet")
    throttle_margin_k: float = Field(1.5, gt=0.0, le=10.0,
                                     description="Throttling starts this far below supply_max_c [K]")
    tcs_pump_pressure_rise_pa: float = Field(
        150e3, gt=0.0, description="Coolant loop pressure rise at design flow: cold plates (GB200: up to 20 kPa), "
        "quick disconnects, manifolds, CDU (ASSUMPTION) [Pa]")
    tcs_pump_efficiency: float = Field(0.6, gt=0.05, le=1.0, description="Coolant pump, wire to water [-]")
    sea_pump_head_m: float = Field(10.0, gt=0.0, description="CDU seawater loop head at design flow [m]")
    sea_pump_efficiency: float = Field(0.7, gt=0.05, le=1.0, description="CDU seawater pump, wire to water [-]")
    min_sea_pump_speed: float = Field(0.1, gt=0.0, le=1.0, description="Lowest CDU seawater pump speed [-]")
    cold_plate_resistance_k_w: float = Field(
        0.03, gt=0.0, le=1.0, description="Case to coolant, per accelerator (GB200 plates: < 0.03) [K W-1]")

    @model_validator(mode="after")
    def _order(self) -> "LiquidCooling":
        if not self.supply_setpoint_c <= self.supply_max_c - self.throttle_margin_k:
            raise ValueError(f"supply_setpoint_c: {self.supply_setpoint_c:g} C is inside the throttling band "
                             f"(supply_max_c - throttle_margin_k = {self.supply_max_c - self.throttle_margin_k:g} C)")
        return self


class Limits(StrictModel):
    inlet_setpoint_c: float = Field(24.0, ge=5.0, le=45.0, description="Rack inlet setpoint for the pump control [C]")
    recommended_min_c: float = Field(18.0, description="ASHRAE recommended lower inlet [C]")
    recommended_max_c: float = Field(27.0, description="ASHRAE recommended upper inlet [C]")
    allowable_max_c: float = Field(32.0, description="ASHRAE A1 allowable upper inlet [C]")
    throttle_margin_k: float = Field(1.5, gt=0.0, le=10.0, description="Throttling starts this far below allowable [K]")
    min_speed_fraction: float = Field(0.3, gt=0.0, le=1.0, description="Deepest CPU/GPU throttling [-]")
    protective_policy: Literal["throttle", "shed"] = Field(
        "throttle", description="Near the allowable limit: throttle (cap power by slowing the servers), or shed "
        "(also start no new jobs until the inlet is back below the throttling band)")
    throttle_scope: Literal["cabin", "rack"] = Field(
        "cabin", description="cabin: the cabin's controller caps every server when its hottest rack's inlet nears "
        "the limit (the heat of all racks falls, so the mean inlet falls too); rack: each rack's servers slow on "
        "their own inlet only (hardware throttling, no facility capping)")

    @model_validator(mode="after")
    def _order(self) -> "Limits":
        if not self.recommended_min_c <= self.inlet_setpoint_c <= self.recommended_max_c <= self.allowable_max_c:
            raise ValueError("need recommended_min_c <= inlet_setpoint_c <= recommended_max_c <= allowable_max_c")
        return self


class CabinGroup(StrictModel):
    name: str = "cabin"
    count: int = Field(1, ge=1, le=200, description="Identical cabins in this group [-]")
    geometry: Geometry
    racks: Racks
    cooling: Cooling
    limits: Limits = Limits()

    @model_validator(mode="after")
    def _liquid_servers(self) -> "CabinGroup":
        if self.cooling.liquid is not None:
            from physics.servers import server_model

            if not any(server_model(b.server).liquid_fraction > 0.0 for b in self.racks.blocks()):
                raise ValueError("cooling.liquid: no server type of the racks has cold plates (liquid_fraction 0); "
                                 "remove the liquid section or use a liquid-cooled server")
        return self

