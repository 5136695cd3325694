"""Scenario models: everything a run needs, validated by pydantic, with the unit in every field name.

A scenario is loaded from YAML, TOML or JSON (``load_scenario``), from a shipped design by name
(``load_design``), or built in Python. ``apply_overrides`` sets any field by its dotted path
(``cabins.0.racks.rack_count=30``). Every problem in a scenario is reported at once, each with its field
path and reason, as one ``ScenarioError``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

__all__ = [
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "load_design",
    "design_names",
    "apply_overrides",
    "parse_duration_s",
    "scenario_from_dict",
]

MAX_HORIZON_S = 10 * 366 * 86400.0
"""Longest run a scenario may ask for: ten years [s]."""

MAX_STEPS = 6_000_000
"""Most simulation steps one run may take (a year at 10 s is 3.2 million)."""

_DURATION_UNITS = {"s": 1.0, "sec": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0,
                   "y": 365.0 * 86400.0}


def parse_duration_s(value: Any) -> float:
    """Parse a duration given as seconds or as a string with a unit (``"60s"``, ``"15min"``, ``"7d"``) [s].

    Raises
    ------
    ValueError
        When the value is neither a number nor a number followed by one of s, min, h, d, w, y.
    """
    if isinstance(value, bool):
        raise ValueError("a duration must be a number of seconds or a string such as '60s', '1h', '365d'")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z]*)\s*", value)
        if m:
            unit = m.group(2) or "s"
            if unit in _DURATION_UNITS:
                return float(m.group(1)) * _DURATION_UNITS[unit]
    raise ValueError(f"cannot read {value!r} as a duration: use seconds or a number with s, min, h, d, w or y")


def _duration(value: Any) -> Any:
    try:
        return parse_duration_s(value)
    except ValueError:
        return value  # pydantic reports the type error with its path


Seconds = Annotated[float, BeforeValidator(_duration)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


# ----------------------------------------------------------------------------------------------- site


class SeaModel(_Model):
    """The sea at the cabin: temperature through the year and salinity."""

    monthly_mean_temp_c: list[float] = Field(
        ..., min_length=12, max_length=12,
        description="Mean sea temperature for each month, January first, at the cabin's depth; at the surface "
        "when mixed_layer_depth_m is given [C]")
    mixed_layer_depth_m: float | None = Field(
        None, ge=0.0, description="Depth of the surface mixed layer; null: the column is mixed (tidal coasts) [m]")
    thermocline_drop_k: float = Field(0.0, ge=0.0, le=30.0,
                                      description="Temperature drop from the surface to deep water [K]")
    thermocline_scale_m: float = Field(20.0, gt=0.0, description="E-folding depth of the thermocline [m]")
    harmonics: int = Field(2, ge=1, le=4, description="Annual harmonics fitted to the monthly means [-]")
    practical_salinity: float = Field(31.0, ge=0.0, le=42.0, description="Practical salinity (PSS-78) [-]")
    current_speed_m_s: float = Field(0.3, ge=0.0, le=5.0, description="Mean tidal current at the cabin [m s-1]")
    heatwaves_per_year: float = Field(0.0, ge=0.0, le=20.0,
                                      description="Marine heatwaves drawn at random per year (Poisson) [-]")
    heatwave_mean_intensity_k: float = Field(
        1.5, ge=0.0, le=10.0, description="Mean excess over the climatology of a drawn heatwave (exponential) [K]")
    heatwave_mean_duration_d: float = Field(
        15.0, ge=5.0, le=200.0, description="Mean duration of a drawn heatwave; at least 5 days (Hobday et al. 2016) [d]")

    @field_validator("monthly_mean_temp_c")
    @classmethod
    def _liquid(cls, v: list[float]) -> list[float]:
        for i, t in enumerate(v):
            if not -2.5 <= t <= 40.0:
                raise ValueError(f"month {i + 1}: {t} C is outside liquid seawater's range -2.5..40 C")
        return v


class AirModel(_Model):
    """Air at the wind farm, for the air density at hub height."""

    surface_pressure_pa: float = Field(101325.0, gt=50_000.0, lt=110_000.0, description="Mean sea-level pressure [Pa]")
    annual_mean_temp_c: float = Field(15.0, ge=-30.0, le=40.0, description="Annual mean air temperature at 2 m [C]")
    annual_amplitude_k: float = Field(10.0, ge=0.0, le=30.0,
                                      description="Half the difference of the warmest and coldest month [K]")
    warmest_day_of_year: float = Field(205.0, ge=1.0, le=366.0, description="Day of the warmest air [d]")


class Site(_Model):
    name: str = "site"
    latitude_deg: float = Field(..., ge=-90.0, le=90.0)
    longitude_deg: float = Field(..., ge=-180.0, le=180.0)
    timezone: str = Field("UTC", description="IANA time zone for local time (diurnal cycles, outputs)")
    water_depth_m: float = Field(..., gt=0.0, le=11_000.0, description="Water depth at the cabin [m]")
    cabin_depth_m: float = Field(..., gt=0.0, description="Depth of the cabin's centre below the surface [m]")
    sea: SeaModel
    air: AirModel = AirModel()

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(v)
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError
            raise ValueError(f"unknown time zone {v!r}") from exc
        return v

    @model_validator(mode="after")
    def _depths(self) -> "Site":
        if self.cabin_depth_m > self.water_depth_m:
            raise ValueError(f"cabin_depth_m ({self.cabin_depth_m}) is below the seabed (water_depth_m "
                             f"{self.water_depth_m})")
        return self


# ----------------------------------------------------------------------------------------------- wind


class WindResource(_Model):
    """Synthetic wind at a reference height (HOMER's method: AR(1) Gaussian mapped to a Weibull marginal)."""

    weibull_k: float = Field(2.0, gt=0.5, le=5.0, description="Weibull shape at the reference height [-]")
    weibull_c_m_s: float = Field(..., gt=0.0, le=30.0, description="Weibull scale at the reference height [m s-1]")
    reference_height_m: float = Field(10.0, gt=0.0, le=300.0, description="Height the statistics refer to [m]")
    autocorrelation_1h: float = Field(0.85, ge=0.0, lt=1.0, description="Lag-one-hour autocorrelation [-]")
    diurnal_strength: float = Field(0.05, ge=0.0, lt=1.0, description="Amplitude of the daily cycle [-]")
    peak_hour: float = Field(15.0, ge=0.0, lt=24.0, description="Local hour of the daily maximum [h]")
    seasonal_amplitude: float = Field(0.1, ge=0.0, lt=1.0, description="Amplitude of the yearly cycle [-]")
    peak_day_of_year: float = Field(15.0, ge=1.0, le=366.0, description="Day of the windiest season [d]")
    direction_sector_weights: list[float] = Field(
        default_factory=lambda: [1.0] * 12, min_length=4, max_length=36,
        description="Wind rose: relative frequency of each equal sector, the first centred on north [-]")
    turbulence_intensity: float = Field(0.1, ge=0.0, le=0.5, description="Turbulence intensity [-]")
    measured_csv: str | None = Field(
        None, description="A measured wind series to use instead of the synthetic one (docs/wind.md gives the "
        "columns); a relative path is taken from the scenario file's folder")
    measured_height_m: float | None = Field(
        None, gt=0.0, le=1000.0, description="Measurement height when the CSV has no height_m column [m]")
    measured_max_gap_h: float = Field(3.0, ge=0.0, le=240.0,
                                      description="Longest gap in the measured series bridged linearly [h]")

    @field_validator("direction_sector_weights")
    @classmethod
    def _rose(cls, v: list[float]) -> list[float]:
        if any(w < 0 for w in v) or sum(v) <= 0:
            raise ValueError("sector weights must be >= 0 with a positive sum")
        return v


class PowerCurveTable(_Model):
    """A custom power curve."""

    wind_speed_m_s: list[float] = Field(..., min_length=2)
    power_w: list[float] = Field(..., min_length=2)
    rotor_diameter_m: float = Field(..., gt=0.0)
    hub_height_m: float = Field(..., gt=0.0)

    @model_validator(mode="after")
    def _sorted(self) -> "PowerCurveTable":
        if len(self.wind_speed_m_s) != len(self.power_w):
            raise ValueError("wind_speed_m_s and power_w must have the same length")
        if any(b <= a for a, b in zip(self.wind_speed_m_s, self.wind_speed_m_s[1:])):
            raise ValueError("wind_speed_m_s must be strictly increasing (the power curve is not sorted)")
        if any(p < 0 for p in self.power_w):
            raise ValueError("power_w must be >= 0")
        return self


class Layout(_Model):
    """Turbine positions: a grid of rows, or explicit coordinates."""

    rows: int = Field(5, ge=1)
    spacing_x_rotor_diameters: float = Field(7.0, gt=1.0, le=30.0, description="Spacing within a row [D]")
    spacing_y_rotor_diameters: float = Field(7.0, gt=1.0, le=30.0, description="Spacing between rows [D]")
    x_m: list[float] | None = Field(None, description="Explicit east coordinates [m]; overrides the grid")
    y_m: list[float] | None = Field(None, description="Explicit north coordinates [m]")

    @model_validator(mode="after")
    def _coords(self) -> "Layout":
        if (self.x_m is None) != (self.y_m is None):
            raise ValueError("give both x_m and y_m, or neither")
        if self.x_m is not None and len(self.x_m) != len(self.y_m or []):
            raise ValueError("x_m and y_m must have the same length")
        return self


class WindFarm(_Model):
    turbine: str | None = Field("nrel-5mw", description="Library turbine name; None when power_curve is given")
    power_curve: PowerCurveTable | None = None
    hub_height_m: float | None = Field(None, gt=0.0, description="Hub height; default the turbine's own [m]")
    turbine_count: int = Field(..., ge=1, le=500)
    layout: Layout = Layout()
    wake_model: Literal["jensen", "none", "floris-jensen", "floris-gauss"] = Field(
        "jensen", description="Farm wakes: our Jensen/Park table, none, or a table computed by FLORIS")
    wake_decay: float = Field(0.05, gt=0.0, le=0.2, description="Jensen wake decay constant (0.04-0.05 offshore) [-]")
    shear_model: Literal["logarithmic", "power_law"] = "logarithmic"
    roughness_length_m: float = Field(0.0002, gt=0.0, le=2.0, description="Surface roughness length [m]")
    shear_exponent: float = Field(0.11, gt=0.0, le=0.6, description="Power-law (Hellman) exponent [-]")
    density_correction: bool = True
    power_curve_smoothing: bool = Field(
        False, description="Smooth the power curve by the resource's turbulence intensity (Gaussian, sigma = TI v)")
    storm_hysteresis: bool = Field(
        True, description="Stop above cut-out (10-min mean) and restart only below storm_restart_m_s")
    storm_restart_m_s: float = Field(20.0, gt=0.0, le=40.0, description="Restart speed after a storm stop [m s-1]")
    mtbf_h: float = Field(1055.0, gt=0.0, description="Mean time between failures of one turbine [h]")
    mttr_h: float = Field(30.0, ge=0.0, description="Mean time to repair one turbine [h]")
    export_capacity_w: float = Field(..., ge=0.0, description="The farm's own export to the grid [W]")
    repair_window_h: float = Field(6.0, ge=0.0, le=240.0,
                                   description="Calm weather a repair crew needs to reach a turbine and start [h]")
    repair_max_wave_height_m: float = Field(1.5, gt=0.0, le=10.0,
                                            description="Highest significant wave height for the crew vessel [m]")
    repair_max_wind_m_s: float = Field(12.0, gt=0.0, le=40.0, description="Highest 10 m wind for turbine access [m s-1]")
    wave_fetch_m: float = Field(50_000.0, gt=0.0, description="Open-water fetch for the wind sea at the farm [m]")
    maintenance_start_day_of_year: float | None = Field(
        120.0, ge=1.0, le=366.0, description="Start of the yearly planned-maintenance campaign; null for none [d]")
    maintenance_duration_h: float = Field(24.0, gt=0.0, le=720.0,
                                          description="Planned maintenance of one turbine, one at a time [h]")

    @field_validator("turbine")
    @classmethod
    def _known_turbine(cls, v: str | None) -> str | None:
        from physics.wind import TURBINES

        if v is not None and v not in TURBINES:
            raise ValueError(f"unknown turbine {v!r}; known: {', '.join(TURBINES)}")
        return v

    @model_validator(mode="after")
    def _turbine(self) -> "WindFarm":
        if (self.power_curve is None) == (self.turbine is None):
            raise ValueError("give either a library turbine or a power_curve (set turbine: null for a custom curve)")
        if self.layout.x_m is not None and len(self.layout.x_m) != self.turbine_count:
            raise ValueError(f"layout has {len(self.layout.x_m)} positions for {self.turbine_count} turbines")
        return self


class Wind(_Model):
    resource: WindResource
    farm: WindFarm


# ----------------------------------------------------------------------------------------------- electrical


class Cable(_Model):
    voltage_v: float = Field(35_000.0, gt=0.0, description="Line-to-line voltage [V]")
    length_m: float = Field(..., gt=0.0, description="Route length [m]")
    resistance_ohm_per_km: float = Field(0.0754, gt=0.0, description="Conductor resistance at 20 C [ohm km-1]")
    count: int = Field(1, ge=1, le=20, description="Identical three-phase cables in parallel [-]")
    rating_a: float = Field(500.0, gt=0.0, description="Continuous current rating of one cable [A]")
    power_factor: float = Field(0.95, gt=0.0, le=1.0)


class Transformer(_Model):
    rated_power_va: float = Field(..., gt=0.0)
    no_load_loss_w: float = Field(..., ge=0.0)
    load_loss_w: float = Field(..., ge=0.0, description="Load (copper) loss at rated power [W]")
    power_factor: float = Field(0.95, gt=0.0, le=1.0, description="Power factor of the load it carries [-]")


class Grid(_Model):
    available: bool = True
    import_limit_w: float = Field(1e12, ge=0.0)
    carbon_kg_per_kwh: float | None = Field(None, ge=0.0, description="Mean emission factor; default East China")
    hourly_carbon_kg_per_kwh: list[float] | None = Field(
        None, min_length=24, max_length=24, description="Emission factor for each local hour [kg kWh-1]")
    carbon_daily_amplitude_fraction: float = Field(
        0.1, ge=0.0, le=1.0, description="Daily swing of the emission factor around its mean, when no hourly "
        "profile is given (evening peak on coal, midday solar) [-]")
    carbon_peak_hour: float = Field(20.0, ge=0.0, lt=24.0, description="Local hour of the highest emission factor [h]")


class Battery(_Model):
    energy_capacity_wh: float = Field(..., gt=0.0)
    max_charge_power_w: float = Field(..., ge=0.0)
    max_discharge_power_w: float = Field(..., ge=0.0)
    round_trip_efficiency: float = Field(0.88, gt=0.0, le=1.0)
    soc_min_fraction: float = Field(0.1, ge=0.0, lt=1.0)
    soc_max_fraction: float = Field(0.95, gt=0.0, le=1.0)
    initial_soc_fraction: float = Field(0.5, ge=0.0, le=1.0)
    policy: Literal["wind_surplus", "outage_reserve"] = Field(
        "wind_surplus", description="wind_surplus: charge from wind the load does not take, discharge whenever the "
        "wind is short; outage_reserve: charge from surplus wind, discharge only when the shore grid is out")

    @model_validator(mode="after")
    def _window(self) -> "Battery":
        if self.soc_min_fraction >= self.soc_max_fraction:
            raise ValueError("soc_min_fraction must be below soc_max_fraction")
        return self


class Electrical(_Model):
    wind_link: Cable = Field(..., description="Cable from the wind farm's collector to the cabins")
    shore_link: Cable = Field(..., description="Cable(s) from the shore grid to the cabins")
    transformer: Transformer
    distribution_efficiency: float = Field(0.97, gt=0.5, le=1.0,
                                           description="UPS and power distribution to IT, at the cabin [-]")
    grid: Grid = Grid()
    battery: Battery | None = None


# ----------------------------------------------------------------------------------------------- cabins


class Geometry(_Model):
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


def _known_server(v: str) -> str:
    from physics.servers import SERVER_MODELS

    if v not in SERVER_MODELS:
        raise ValueError(f"unknown server {v!r}; known: {', '.join(SERVER_MODELS)}")
    return v


class RackBlock(_Model):
    """Consecutive racks of one server type."""

    server: str = Field(..., description="Server model from the library")
    rack_count: int = Field(..., ge=1, le=10_000)
    servers_per_rack: int = Field(..., ge=1, le=200)
    power_cap_w: float | None = Field(None, gt=0.0, description="Power limit of each server of the block [W]")

    @field_validator("server")
    @classmethod
    def _known(cls, v: str) -> str:
        return _known_server(v)


class Racks(_Model):
    rack_count: int = Field(..., ge=1, le=10_000)
    servers_per_rack: int = Field(..., ge=1, le=200)
    server: str = Field("dgx-h100", description="Server model from the library")
    rack_mass_kg: float = Field(150.0, ge=0.0, description="Empty rack and its fittings [kg]")
    hardware_cp_j_kgk: float = Field(600.0, gt=0.0, description="Mean specific heat of servers and racks [J kg-1 K-1]")
    failure_rate_per_year: float = Field(
        LAND_FAILURE_RATE_PER_YEAR, ge=0.0, le=1.0, description="Server failures per server-year on land at 20 C "
        "inlet; scaled by the ASHRAE x-factor of the inlet and by 1/8 in nitrogen [-]")
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
        return _known_server(v)

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


class Cooling(_Model):
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


class Limits(_Model):
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


class CabinGroup(_Model):
    name: str = "cabin"
    count: int = Field(1, ge=1, le=200, description="Identical cabins in this group [-]")
    geometry: Geometry
    racks: Racks
    cooling: Cooling
    limits: Limits = Limits()


# ----------------------------------------------------------------------------------------------- workload, controls


class JobClass(_Model):
    """One kind of work: latency-sensitive inference or web, batch, multi-node training, deferrable jobs.

    The load is set either by ``target_utilisation`` (the share of the class's server type it keeps busy, by
    Little's law) or by ``arrival_rate_per_h``. Arrivals are Poisson with a rate modulated by the hour of day and
    the day of the week; sizes are geometric (capped), run times exponential.
    """

    name: str = Field(..., min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    server: str | None = Field(None, description="Server type the class runs on; None: the cabin's first type")
    target_utilisation: float | None = Field(None, ge=0.0, le=0.98,
                                             description="Share of the type's servers this class keeps busy [-]")
    arrival_rate_per_h: float | None = Field(None, ge=0.0, description="Mean arrivals per hour per cabin [h-1]")
    mean_job_servers: float = Field(1.0, ge=1.0, description="Mean servers a job holds (geometric) [-]")
    max_job_servers: int = Field(1, ge=1)
    mean_job_duration_s: Seconds = Field(3600.0, gt=0.0, description="Mean run time at full speed [s]")
    job_utilisation: float = Field(0.7, gt=0.0, le=1.0, description="Utilisation of a busy server [-]")
    diurnal_amplitude: float = Field(0.0, ge=0.0, lt=1.0, description="Arrival-rate daily amplitude [-]")
    peak_hour: float = Field(14.0, ge=0.0, lt=24.0, description="Local hour of the busiest arrivals [h]")
    weekend_factor: float = Field(1.0, ge=0.0, le=5.0, description="Saturday and Sunday rate relative to "
                                  "weekdays; the weekly mean rate is kept [-]")
    flexible_share: float = Field(0.0, ge=0.0, le=1.0, description="Share of jobs that may be deferred [-]")
    deadline_slack_s: Seconds = Field(12 * 3600.0, ge=0.0, description="A flexible job must finish within its run "
                                      "time plus this slack after it is submitted [s]")

    @field_validator("server")
    @classmethod
    def _known(cls, v: str | None) -> str | None:
        return None if v is None else _known_server(v)

    @model_validator(mode="after")
    def _load(self) -> "JobClass":
        if (self.target_utilisation is None) == (self.arrival_rate_per_h is None):
            raise ValueError(f"class {self.name!r}: give exactly one of target_utilisation and arrival_rate_per_h")
        if self.mean_job_servers > self.max_job_servers:
            raise ValueError(f"class {self.name!r}: mean_job_servers must not exceed max_job_servers")
        return self


class Workload(_Model):
    """Jobs that each hold whole servers: Poisson arrivals whose rate follows the day."""

    target_utilisation: float = Field(0.6, ge=0.0, le=0.98, description="Mean share of servers busy [-]")
    mean_job_servers: float = Field(4.0, ge=1.0, description="Mean servers a job holds (geometric) [-]")
    max_job_servers: int = Field(32, ge=1)
    mean_job_duration_s: Seconds = Field(7200.0, gt=0.0, description="Mean run time at full speed [s]")
    job_utilisation: float = Field(0.7, gt=0.0, le=1.0, description="Utilisation of a busy server [-]")
    diurnal_amplitude: float = Field(0.3, ge=0.0, lt=1.0, description="Arrival-rate daily amplitude [-]")
    peak_hour: float = Field(14.0, ge=0.0, lt=24.0, description="Local hour of the busiest arrivals [h]")
    flexible_share: float = Field(0.0, ge=0.0, le=1.0,
                                  description="Share of jobs that may be deferred within their deadline [-]")
    deadline_slack_s: Seconds = Field(12 * 3600.0, ge=0.0, description="A flexible job must finish within its run "
                                      "time plus this slack after it is submitted [s]; '12h'")
    weekend_factor: float = Field(1.0, ge=0.0, le=5.0, description="Arrival rate on Saturday and Sunday relative "
                                  "to weekdays; the weekly mean rate is kept [-]")
    scheduler: Literal["fifo", "consolidation", "thermal", "green"] = Field(
        "fifo", description="fifo: first come, first served, first fit rack by rack, every server on; consolidation: "
        "fifo packed onto the busiest racks, idle servers beyond a spare share powered down and booted on demand; "
        "thermal: fifo placed on the racks with the coolest inlet first; green: fifo for ordinary jobs, flexible "
        "jobs held back until surplus wind can carry them or their deadline forces a start (twin/schedulers.py)")
    spare_share: float = Field(0.05, ge=0.0, le=1.0, description="consolidation: idle servers kept powered on, as "
                               "a share of each type's servers alive [-]")
    classes: list[JobClass] = Field(
        default_factory=list, description="Job classes, each with its own arrivals, sizes, run times and server "
        "type; when empty, one class 'default' is made of the fields above")
    trace_csv: str | None = Field(
        None, description="Replay the jobs of this CSV file instead of drawing arrivals (docs/workload.md: columns "
        "submit_s, servers, duration_s, class, deadline_s, cabin); a relative path is relative to the scenario file")

    @model_validator(mode="after")
    def _sizes(self) -> "Workload":
        if self.mean_job_servers > self.max_job_servers:
            raise ValueError("mean_job_servers must not exceed max_job_servers")
        names = [c.name for c in self.classes]
        if len(set(names)) != len(names):
            raise ValueError(f"classes: names must be unique, got {names}")
        return self

    def job_classes(self) -> list["JobClass"]:
        """The classes of the run: ``classes``, or one class ``default`` from the workload's own fields."""
        if self.classes:
            return list(self.classes)
        return [JobClass(name="default", target_utilisation=self.target_utilisation,
                         mean_job_servers=self.mean_job_servers, max_job_servers=self.max_job_servers,
                         mean_job_duration_s=self.mean_job_duration_s, job_utilisation=self.job_utilisation,
                         diurnal_amplitude=self.diurnal_amplitude, peak_hour=self.peak_hour,
                         weekend_factor=self.weekend_factor, flexible_share=self.flexible_share,
                         deadline_slack_s=self.deadline_slack_s)]


class Controls(_Model):
    pump_gain: float = Field(
        0.1, gt=0.0, le=1.0, description="Share of an inlet error the pump's proportional action removes at once; "
        "the gain is scheduled on the exchanger's sensitivity, see twin/controls.py [-]")
    pump_ti_s: float = Field(60.0, gt=0.0, description="Integral time of the pump controller [s]")
    fan_policy: Literal["follow_load", "fixed"] = "follow_load"
    fixed_fan_speed: float = Field(1.0, gt=0.0, le=1.0)


# ----------------------------------------------------------------------------------------------- run, events


class Run(_Model):
    start: dt.datetime = Field(dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                               description="Start, with a UTC offset")
    horizon_s: Seconds = Field(365 * 86400.0, gt=0.0, description="Simulated time [s]; also '365d', '7d'")
    step_s: Seconds = Field(60.0, gt=0.0, le=3600.0, description="Physics and control step [s]; '60s'")
    seed: int = Field(1, ge=0)

    @field_validator("start")
    @classmethod
    def _aware(cls, v: dt.datetime) -> dt.datetime:
        if v.tzinfo is None:
            raise ValueError("start needs a UTC offset or time zone, e.g. 2026-01-01T00:00:00+08:00")
        return v

    @model_validator(mode="after")
    def _limits(self) -> "Run":
        if self.horizon_s > MAX_HORIZON_S:
            raise ValueError(f"horizon_s {self.horizon_s:g} is beyond the limit of {MAX_HORIZON_S:g} s (ten years)")
        if self.horizon_s < self.step_s:
            raise ValueError(f"horizon_s ({self.horizon_s:g}) is shorter than one step ({self.step_s:g})")
        if self.horizon_s / self.step_s > MAX_STEPS:
            raise ValueError(f"{self.horizon_s / self.step_s:.0f} steps is beyond the limit of {MAX_STEPS}")
        return self


class Event(_Model):
    """A scheduled what-if event, from ``start_s`` after the run's start for ``duration_s``."""

    kind: Literal["turbines_down", "grid_outage", "sea_temp_offset", "pump_capacity", "wind_link_cut",
                  "exchanger_cleaning"]
    start_s: Seconds = Field(..., ge=0.0)
    duration_s: Seconds = Field(..., gt=0.0)
    turbines: int = Field(1, ge=1, description="turbines_down: how many turbines stop [-]")
    delta_k: float = Field(2.0, ge=-10.0, le=10.0, description="sea_temp_offset: added to the sea [K]")
    capacity_fraction: float = Field(0.0, ge=0.0, le=1.0, description="pump_capacity: highest pump speed left [-]")
    cabin: int | None = Field(None, ge=0, description="pump_capacity, exchanger_cleaning: which cabin group "
                              "(None: all)")


class Scenario(_Model):
    name: str = "scenario"
    description: str = ""
    site: Site
    wind: Wind
    electrical: Electrical
    cabins: list[CabinGroup] = Field(..., min_length=1)
    workload: Workload = Workload()
    controls: Controls = Controls()
    run: Run = Run()
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross(self) -> "Scenario":
        problems = []
        for i, ev in enumerate(self.events):
            if ev.kind == "turbines_down" and ev.turbines > self.wind.farm.turbine_count:
                problems.append(f"events.{i}.turbines: {ev.turbines} is more than the farm's "
                                f"{self.wind.farm.turbine_count} turbines")
            if ev.kind in ("pump_capacity", "exchanger_cleaning") and ev.cabin is not None \
                    and ev.cabin >= len(self.cabins):
                problems.append(f"events.{i}.cabin: {ev.cabin} but the scenario has {self.cabin_count} cabins")
        if not self.workload.classes:
            servers = min(g.racks.server_count for g in self.cabins)
            if self.workload.max_job_servers > servers:
                problems.append(f"workload.max_job_servers: {self.workload.max_job_servers} is more than the "
                                f"{servers} servers of the smallest cabin")
        for k, jc in enumerate(self.workload.classes):
            for gi, g in enumerate(self.cabins):
                types = g.racks.server_types
                server = jc.server or types[0]
                if server not in types:
                    problems.append(f"workload.classes.{k}.server: {server!r} is not in cabins.{gi}'s fleet "
                                    f"({', '.join(types)})")
                    continue
                have = sum(b.rack_count * b.servers_per_rack for b in g.racks.blocks() if b.server == server)
                if jc.max_job_servers > have:
                    problems.append(f"workload.classes.{k}.max_job_servers: {jc.max_job_servers} is more than the "
                                    f"{have} {server} servers of cabins.{gi}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def cabin_count(self) -> int:
        return sum(g.count for g in self.cabins)


# ----------------------------------------------------------------------------------------------- loading


class ScenarioError(ValueError):
    """A scenario with problems: ``problems`` lists ``(field_path, reason)``, every one of them."""

    def __init__(self, problems: list[tuple[str, str]], source: str = "scenario"):
        self.problems = problems
        self.source = source
        lines = "\n".join(f"  - {path or '(top level)'}: {why}" for path, why in problems)
        super().__init__(f"{source} has {len(problems)} problem(s):\n{lines}")

    def as_dicts(self) -> list[dict[str, str]]:
        return [{"field": p, "reason": r} for p, r in self.problems]


def _path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def scenario_from_dict(data: Any, source: str = "scenario") -> Scenario:
    """Validate a plain mapping as a Scenario, raising one ScenarioError with every problem."""
    if not isinstance(data, dict):
        raise ScenarioError([("", f"expected a mapping, got {type(data).__name__}")], source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            problems.append((_path(err["loc"]), msg))
        raise ScenarioError(problems, source) from None


def _read_mapping(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            return tomllib.loads(text)
        if suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError([("", f"cannot parse {path.name}: {exc}")], str(path)) from None


def design_dir() -> Path:
    """The folder of shipped designs: ``$SEABED_TWIN_DESIGNS`` when set, else ``designs/`` of the checkout."""
    import os

    env = os.environ.get("SEABED_TWIN_DESIGNS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "designs"


def design_names() -> list[str]:
    return sorted(p.stem for p in design_dir().glob("*.yaml"))


def load_scenario(path_or_name: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load a scenario file (YAML, TOML, JSON) or a shipped design by name, then apply ``path=value`` overrides."""
    path = Path(path_or_name)
    if not path.is_file():
        candidate = design_dir() / f"{path_or_name}.yaml"
        if not candidate.is_file():
            raise ScenarioError([("", f"no scenario file {str(path_or_name)!r} and no design of that name; "
                                      f"designs: {', '.join(design_names())}")], str(path_or_name))
        path = candidate
    data = _read_mapping(path)
    if overrides:
        data = apply_overrides(data, overrides, source=str(path))
    _anchor_paths(data, path.parent)
    return scenario_from_dict(data, source=str(path))


def _anchor_paths(data: Any, folder: Path) -> None:
    """Make file paths inside a scenario relative to the scenario file's folder absolute."""
    for section, key in ((("wind", "resource"), "measured_csv"), (("workload",), "trace_csv")):
        try:
            part = data
            for name in section:
                part = part[name]
            csv = part.get(key)
        except (KeyError, TypeError, AttributeError):
            continue
        if isinstance(csv, str) and not Path(csv).is_absolute():
            part[key] = str((folder / csv).resolve())


def load_design(name: str, overrides: list[str] | None = None) -> Scenario:
    return load_scenario(design_dir() / f"{name}.yaml" if (design_dir() / f"{name}.yaml").is_file() else name,
                         overrides)


def _parse_value(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def apply_overrides(data: dict, overrides: list[str], source: str = "overrides") -> dict:
    """Return a copy of ``data`` with each ``dotted.path=value`` set; the value is read as YAML.

    List items are addressed by index (``cabins.0.count=2``). A path through a field that does not exist
    is reported as a problem; a new leaf is left to the scenario validation to accept or refuse.
    """
    data = copy.deepcopy(data)
    problems: list[tuple[str, str]] = []
    for item in overrides:
        if "=" not in item:
            problems.append((item, "an override is path=value"))
            continue
        path, _, raw = item.partition("=")
        keys = [k for k in path.strip().split(".") if k]
        if not keys:
            problems.append((item, "empty path"))
            continue
        node: Any = data
        ok = True
        for depth, key in enumerate(keys[:-1]):
            here = ".".join(keys[: depth + 1])
            if isinstance(node, list):
                if not key.isdigit() or int(key) >= len(node):
                    problems.append((here, f"no list item {key}"))
                    ok = False
                    break
                node = node[int(key)]
            elif isinstance(node, dict):
                if key not in node or node[key] is None:
                    node[key] = {}
                node = node[key]
            else:
                problems.append((here, "is not a mapping or list"))
                ok = False
                break
        if not ok:
            continue
        last = keys[-1]
        value = _parse_value(raw)
        if isinstance(node, list):
            if not last.isdigit() or int(last) >= len(node):
                problems.append((path, f"no list item {last}"))
                continue
            node[int(last)] = value
        elif isinstance(node, dict):
            node[last] = value
        else:
            problems.append((path, "is not a mapping or list"))
    if problems:
        raise ScenarioError(problems, source)
    return data


def scenario_json_schema() -> dict:
    return Scenario.model_json_schema()
