"""The site and what it gives: the sea, the air, the wind and its farm, the electrical links, grid and battery."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from twin.scenario.datafiles import DataFile
from twin.scenario.units import StrictModel

# ----------------------------------------------------------------------------------------------- site


class SeaModel(StrictModel):
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
        15.0, ge=5.0, le=200.0,
        description="Mean duration of a drawn heatwave; at least 5 days (Hobday et al. 2016) [d]")

    interannual_sd_k: float = Field(
        0.0, ge=0.0, le=3.0, description="Standard deviation of the year-to-year anomaly of the sea's temperature "
        "(drawn a year at a time from the seed) [K]")
    interannual_autocorrelation: float = Field(0.3, gt=-1.0, lt=1.0,
                                               description="Correlation of one year's anomaly with the next [-]")
    warming_k_per_year: float = Field(0.0, ge=-0.2, le=0.2,
                                      description="Warming trend from the run's start [K per year]")

    @field_validator("monthly_mean_temp_c")
    @classmethod
    def _liquid(cls, v: list[float]) -> list[float]:
        for i, t in enumerate(v):
            if not -2.5 <= t <= 40.0:
                raise ValueError(f"month {i + 1}: {t} C is outside liquid seawater's range -2.5..40 C")
        return v


class AirModel(StrictModel):
    """Air at the wind farm, for the air density at hub height."""

    surface_pressure_pa: float = Field(101325.0, gt=50_000.0, lt=110_000.0, description="Mean sea-level pressure [Pa]")
    annual_mean_temp_c: float = Field(15.0, ge=-30.0, le=40.0, description="Annual mean air temperature at 2 m [C]")
    annual_amplitude_k: float = Field(10.0, ge=0.0, le=30.0,
                                      description="Half the difference of the warmest and coldest month [K]")
    warmest_day_of_year: float = Field(205.0, ge=1.0, le=366.0, description="Day of the warmest air [d]")


class Site(StrictModel):
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


class WindResource(StrictModel):
    """Synthetic wind at a reference height (HOMER's method: AR(1) Gaussian mapped to a Weibull marginal, with an
    optional synoptic component), or a measured series."""

    weibull_k: float = Field(2.0, gt=0.5, le=5.0, description="Weibull shape at the reference height [-]")
    weibull_c_m_s: float = Field(..., gt=0.0, le=30.0, description="Weibull scale at the reference height [m s-1]")
    reference_height_m: float = Field(10.0, gt=0.0, le=300.0, description="Height the statistics refer to [m]")
    autocorrelation_1h: float = Field(0.85, ge=0.0, lt=1.0, description="Lag-one-hour autocorrelation [-]")
    synoptic_weight: float = Field(
        0.0, ge=0.0, le=0.95, description="Share of the wind's Gaussian variance in a slow (synoptic) component: "
        "multi-day calms and storms (physics.wind_resource.synthetic_wind; seabed-twin wind-fit fits it) [-]")
    synoptic_time_h: float = Field(72.0, gt=1.0, le=480.0, description="E-folding time of the synoptic component [h]")
    diurnal_strength: float = Field(0.05, ge=0.0, lt=1.0, description="Amplitude of the daily cycle [-]")
    peak_hour: float = Field(15.0, ge=0.0, lt=24.0, description="Local hour of the daily maximum [h]")
    seasonal_amplitude: float = Field(0.1, ge=0.0, lt=1.0, description="Amplitude of the yearly cycle [-]")
    peak_day_of_year: float = Field(15.0, ge=1.0, le=366.0, description="Day of the windiest season [d]")
    direction_sector_weights: list[float] = Field(
        default_factory=lambda: [1.0] * 12, min_length=4, max_length=36,
        description="Wind rose: relative frequency of each equal sector, the first centred on north [-]")
    turbulence_intensity: float = Field(0.1, ge=0.0, le=0.5, description="Turbulence intensity [-]")
    measured_csv: Annotated[str | None, DataFile("wind")] = Field(
        None, max_length=4096, description="A measured wind series (CSV or Parquet, docs/wind.md gives the columns) "
        "to use instead of the synthetic one: a path (a relative one from the scenario file's folder), or "
        "dataset:<id> of an uploaded data set (the only form the API takes)")
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


class PowerCurveTable(StrictModel):
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


class Layout(StrictModel):
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


class WindFarm(StrictModel):
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
    repair_max_wind_m_s: float = Field(12.0, gt=0.0, le=40.0,
                                       description="Highest 10 m wind for turbine access [m s-1]")
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


class Wind(StrictModel):
    resource: WindResource
    farm: WindFarm


# ----------------------------------------------------------------------------------------------- electrical


class Cable(StrictModel):
    voltage_v: float = Field(35_000.0, gt=0.0, description="Line-to-line voltage [V]")
    length_m: float = Field(..., gt=0.0, description="Route length [m]")
    resistance_ohm_per_km: float = Field(0.0754, gt=0.0, description="Conductor resistance at 20 C [ohm km-1]")
    count: int = Field(1, ge=1, le=20, description="Identical three-phase cables in parallel [-]")
    rating_a: float = Field(500.0, gt=0.0, description="Continuous current rating of one cable [A]")
    power_factor: float = Field(0.95, gt=0.0, le=1.0)


class Transformer(StrictModel):
    rated_power_va: float = Field(..., gt=0.0)
    no_load_loss_w: float = Field(..., ge=0.0)
    load_loss_w: float = Field(..., ge=0.0, description="Load (copper) loss at rated power [W]")
    power_factor: float = Field(0.95, gt=0.0, le=1.0, description="Power factor of the load it carries [-]")


class Grid(StrictModel):
    available: bool = True
    import_limit_w: float = Field(1e12, ge=0.0)
    carbon_kg_per_kwh: float | None = Field(None, ge=0.0, description="Mean emission factor; default East China")
    hourly_carbon_kg_per_kwh: list[float] | None = Field(
        None, min_length=24, max_length=24, description="Emission factor for each local hour [kg kWh-1]")
    carbon_daily_amplitude_fraction: float = Field(
        0.1, ge=0.0, le=1.0, description="Daily swing of the emission factor around its mean, when no hourly "
        "profile is given (evening peak on coal, midday solar) [-]")
    carbon_peak_hour: float = Field(20.0, ge=0.0, lt=24.0, description="Local hour of the highest emission factor [h]")


class Battery(StrictModel):
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


FLAT_DISTRIBUTION_EFFICIENCY = 0.97
"""UPS and distribution as one efficiency, when a scenario gives neither it nor a power chain [-]."""

Location = Literal["cabin", "outside"]
"""Where an element's losses go: ``cabin`` heats the cabin's gas (the thermal network's server node, as the
cabin fans do); ``outside`` (a platform, the shore, the sea) does not."""


def _check_table(load_fractions, efficiency_points, names: tuple[str, str]) -> None:
    if (load_fractions is None) != (efficiency_points is None):
        raise ValueError(f"give both {names[0]} and {names[1]}, or neither")
    if load_fractions is not None:
        from physics.power_chain import loss_table

        try:
            loss_table(load_fractions, efficiency_points)
        except ValueError as exc:  # the physics names its arguments; say the fields
            msg = str(exc).replace("load_fractions", names[0]).replace("efficiencies", names[1])
            raise ValueError(msg) from None


class UPS(StrictModel):
    """The UPS in front of each cabin's IT: its efficiency against load (physics.power_chain)."""

    mode: Literal["double_conversion", "eco"] = Field(
        "double_conversion", description="double_conversion, or eco (bypass with the inverter in parallel)")
    rating_fraction: float = Field(1.25, gt=0.0, le=10.0,
                                   description="UPS rating over the cabin's design heat [-] (assumption 1.25)")
    location: Location = "cabin"
    load_fractions: list[float] | None = Field(
        None, description="A datasheet's load points (output over rating) [-]; default physics.power_chain's")
    efficiency_points: list[float] | None = Field(None, description="The datasheet's efficiency at each point [-]")

    @model_validator(mode="after")
    def _table(self) -> "UPS":
        _check_table(self.load_fractions, self.efficiency_points, ("load_fractions", "efficiency_points"))
        return self


class Conductors(StrictModel):
    """A busway or the PDUs of a cabin: an I^2 R loss, the share ``loss_fraction_at_rated`` of its rating."""

    loss_fraction_at_rated: float = Field(0.005, ge=0.0, lt=0.2,
                                          description="Loss at rated current over rating [-] (assumption 0.5 %)")
    rating_fraction: float = Field(1.25, gt=0.0, le=10.0, description="Rating over the cabin's design heat [-]")


class Drives(StrictModel):
    """The motors and variable-frequency drives of a cabin's pumps or fans (physics.power_chain): DOE part-load
    tables scaled to their size."""

    unit_count: int = Field(1, ge=1, le=100, description="Motors sharing the design shaft power equally [-]")
    motor_full_load_efficiency: float = Field(0.945, gt=0.5, le=1.0,
                                              description="Motor efficiency at rated load [-] (assumption)")
    motor_sizing_factor: float = Field(1.15, ge=1.0, le=5.0,
                                       description="Motor rating over its design shaft power [-] (assumption)")
    location: Location = "cabin"


class Auxiliary(StrictModel):
    """A named facility load of each cabin, drawn at all times."""

    name: str = Field(..., min_length=1, max_length=80)
    power_w: float = Field(..., ge=0.0, description="Mean draw of one cabin's load [W]")
    location: Location = "cabin"
    source: str = Field("ASSUMPTION", max_length=400, description="Where the value comes from")


class ServerInternals(StrictModel):
    """What inside the servers is not compute, for ITUE (physics.power_chain): power supplies, voltage
    regulators, fans. Changes no energy, only how IT energy is split."""

    psu_capacity_factor: float = Field(
        2.0, ge=1.0, le=10.0, description="Power-supply capacity over the server's peak power (N+N: 2) [-]")
    vr_efficiency: float = Field(0.90, gt=0.5, le=1.0,
                                 description="Voltage regulators between the supplies and the chips [-] (assumption)")
    fan_share: float = Field(0.05, ge=0.0, lt=0.5,
                             description="Server fans at their base speed over server power [-] (assumption)")
    psu_load_fractions: list[float] | None = Field(None, description="Supply load points [-]; default 80 PLUS "
                                                   "Titanium (10, 20, 50, 100 %)")
    psu_efficiency_points: list[float] | None = None

    @model_validator(mode="after")
    def _table(self) -> "ServerInternals":
        _check_table(self.psu_load_fractions, self.psu_efficiency_points,
                     ("psu_load_fractions", "psu_efficiency_points"))
        return self


class PowerChain(StrictModel):
    """Every element between the transformer's low-voltage side and the chips (docs/kpis.md, "The power
    chain"): UPS, busway, PDUs, the drives of pumps and fans, named auxiliaries, the servers' internals."""

    ups: UPS = UPS()
    busway: Conductors = Conductors()
    pdu: Conductors = Conductors()
    pumps: Drives = Drives(location="outside")
    fans: Drives = Drives()
    auxiliaries: list[Auxiliary] = Field(default_factory=list, max_length=50)
    servers: ServerInternals = ServerInternals()


class Electrical(StrictModel):
    wind_link: Cable = Field(..., description="Cable from the wind farm's collector to the cabins")
    shore_link: Cable = Field(..., description="Cable(s) from the shore grid to the cabins")
    transformer: Transformer
    distribution_efficiency: float | None = Field(
        None, gt=0.5, le=1.0, description="UPS and power distribution to IT, at the cabin, as one flat efficiency, "
        "when no power_chain is given; default 0.97 [-]")
    power_chain: PowerChain | None = Field(
        None, description="The chain element by element; replaces distribution_efficiency")
    grid: Grid = Grid()
    battery: Battery | None = None

    @model_validator(mode="after")
    def _one_distribution(self) -> "Electrical":
        if self.power_chain is not None and self.distribution_efficiency is not None:
            raise ValueError("give distribution_efficiency or power_chain, not both (power_chain replaces it)")
        return self

    @property
    def flat_distribution_efficiency(self) -> float:
        """The flat efficiency of the old model (no ``power_chain``) [-]."""
        return FLAT_DISTRIBUTION_EFFICIENCY if self.distribution_efficiency is None else self.distribution_efficiency

