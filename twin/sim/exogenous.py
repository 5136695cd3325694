"""The world outside the plant, computed for the whole run before it starts: wind, air, sea and grid carbon.

None of these depend on what the data centre does, so they are vectorised up front. Every series, and every random
draw behind it, is made at a fixed *base resolution* (:data:`BASE_STEP_S`, ten minutes) from the run's seed, and the
engine reads it there (``BaseSeries``: each value holds over its base step); what a run records at its output step
is the mean of the base series over each step (``Exogenous``). So the same seed is the same year at any output step:
before, the synthetic wind was drawn at the step, and another step was another year.

A measured wind series enters the same way: the mean of its piecewise-linear interpolant over each base step.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np

from physics import ocean, wind
from physics.electrical import EAST_CHINA_GRID_CARBON_KG_PER_KWH, hourly_carbon_profile
from twin.scenario import Scenario, ScenarioError
from twin.scenario.datafiles import DataAccess, LocalFiles, tabular_text

__all__ = ["BASE_STEP_S", "BaseSeries", "Exogenous", "build_base", "build_exogenous", "step_means", "farm_power_curve",
           "farm_layout_m", "farm_power_table", "next_window_start", "lowest_wind_seed"]

BASE_STEP_S = 600.0
"""Base resolution of the environment [s]: ten minutes, the averaging period of wind measurements (IEC 61400-12-1)
and of the turbines' storm cut-out."""

STANDARD_AIR_DENSITY_KG_M3 = 1.225
"""IEC 61400-12-1 reference density; farm power tables are computed at it [kg m-3]."""


@dataclass(frozen=True)
class BaseSeries:
    """The environment at its base resolution: value ``i`` holds over ``[i step_s, (i + 1) step_s)`` from the
    run's start; the last step may reach past the horizon."""

    step_s: float
    time_s: np.ndarray
    local_hour: np.ndarray
    day_of_year: np.ndarray
    hub_wind_speed_m_s: np.ndarray
    wind_direction_deg: np.ndarray
    air_density_kg_m3: np.ndarray
    farm_power_w: np.ndarray
    """Farm output with every turbine available, after wakes, the density correction and storm stops [W]."""
    sea_temp_c: np.ndarray
    carbon_kg_per_kwh: np.ndarray
    wind_speed_10m_m_s: np.ndarray
    wave_height_m: np.ndarray
    """Significant wave height of the wind sea at the farm [m]."""
    current_speed_m_s: np.ndarray
    """Tidal current at the cabin (semi-diurnal with springs and neaps) [m s-1]."""
    access_window_start: np.ndarray
    """For each base step, the first base step at or after it that opens a weather window long enough for a
    repair crew (the number of base steps when none opens before the end) [-]."""
    turbine_rated_power_w: float
    turbine_count: int


class Exogenous:
    """The environment on the run's output steps ``t_i = i * step_s``: each series the mean of the base series over
    the step (the wind direction a vector mean), computed when first read (a year at 60 s is 525,600 values a
    series; the engine reads the base series and records six of these); the calendar at the step's start;
    ``base`` is what the engine reads."""

    def __init__(self, base: BaseSeries, start, timezone: str, step_s: float, n: int):
        self.base = base
        self.step_s = float(step_s)
        self.n = int(n)
        self._start, self._timezone = start, timezone
        self.turbine_rated_power_w = base.turbine_rated_power_w
        self.turbine_count = base.turbine_count

    def _mean(self, values: np.ndarray, dtype=np.float64) -> np.ndarray:
        return step_means(values, self.base.step_s, self.step_s, self.n).astype(dtype, copy=False)

    @cached_property
    def time_s(self) -> np.ndarray:
        return np.arange(self.n, dtype=float) * self.step_s

    @cached_property
    def _calendar(self) -> tuple[np.ndarray, np.ndarray]:
        return local_calendar(self._start, self._timezone, self.time_s)

    @property
    def local_hour(self) -> np.ndarray:
        """Local hour at each step's start [h]."""
        return self._calendar[0]

    @property
    def day_of_year(self) -> np.ndarray:
        """Fractional day of the year at each step's start [d]."""
        return self._calendar[1]

    @cached_property
    def hub_wind_speed_m_s(self) -> np.ndarray:
        return self._mean(self.base.hub_wind_speed_m_s)

    @cached_property
    def wind_direction_deg(self) -> np.ndarray:
        """Vector mean of the direction over the step [deg]; a step inside one base step keeps its direction."""
        b = self.base
        if b.step_s / self.step_s == round(b.step_s / self.step_s):
            return np.repeat(b.wind_direction_deg, int(round(b.step_s / self.step_s)))[:self.n]
        rad = np.deg2rad(b.wind_direction_deg)
        return np.rad2deg(np.arctan2(self._mean(np.sin(rad)), self._mean(np.cos(rad)))) % 360.0

    @cached_property
    def air_density_kg_m3(self) -> np.ndarray:
        return self._mean(self.base.air_density_kg_m3)

    @cached_property
    def farm_power_w(self) -> np.ndarray:
        """Farm output with every turbine available, after wakes and the density correction [W]."""
        return self._mean(self.base.farm_power_w)

    @cached_property
    def sea_temp_c(self) -> np.ndarray:
        return self._mean(self.base.sea_temp_c)

    @cached_property
    def carbon_kg_per_kwh(self) -> np.ndarray:
        return self._mean(self.base.carbon_kg_per_kwh)

    @cached_property
    def wind_speed_10m_m_s(self) -> np.ndarray:
        return self._mean(self.base.wind_speed_10m_m_s)

    @cached_property
    def wave_height_m(self) -> np.ndarray:
        """Significant wave height of the wind sea at the farm [m]."""
        return self._mean(self.base.wave_height_m)

    @cached_property
    def current_speed_m_s(self) -> np.ndarray:
        """Tidal current at the cabin (semi-diurnal with springs and neaps) [m s-1]."""
        return self._mean(self.base.current_speed_m_s)

    @cached_property
    def access_window_start(self) -> np.ndarray:
        """For each step, the first step at or after it inside a weather window long enough for a repair crew, as
        the base series finds them (``n`` when none opens before the end) [-]."""
        b, n, step = self.base, self.n, self.step_s
        nb = b.farm_power_w.size
        window = b.access_window_start
        first = np.minimum(np.floor(self.time_s / b.step_s).astype(int), nb - 1)
        start = np.where(window[first] >= nb, n, np.ceil(window[first] * b.step_s / step - 1e-9)).astype(int)
        start = np.where(start < n, np.maximum(start, np.arange(n)), n)  # a step inside an open window is in it
        return np.minimum(start, n)


def step_means(values: np.ndarray, base_s: float, step_s: float, n: int) -> np.ndarray:
    """Means over ``n`` steps of ``step_s`` [s] of a series that holds each value over a base step of ``base_s``
    [s]: a block mean, a repetition, or in general the difference of the series' integral at the step's ends."""
    values = np.asarray(values, dtype=float)
    ratio = step_s / base_s
    if abs(ratio - round(ratio)) < 1e-12 and round(ratio) >= 1:
        r = int(round(ratio))
        return values[:n * r].reshape(n, r).mean(axis=1)
    inv = base_s / step_s
    if abs(inv - round(inv)) < 1e-12:
        return np.repeat(values, int(round(inv)))[:n]
    integral = np.concatenate(([0.0], np.cumsum(values) * base_s))
    edges = np.interp(np.arange(n + 1) * step_s, np.arange(values.size + 1) * base_s, integral)
    return np.diff(edges) / step_s


def farm_power_curve(scenario: Scenario) -> wind.PowerCurve:
    farm = scenario.wind.farm
    if farm.power_curve is not None:
        pc = farm.power_curve
        return wind.custom_power_curve(pc.wind_speed_m_s, pc.power_w, pc.rotor_diameter_m, pc.hub_height_m,
                                       name="custom")
    return wind.load_turbine(farm.turbine)


def farm_layout_m(scenario: Scenario, curve: wind.PowerCurve) -> tuple[np.ndarray, np.ndarray]:
    farm = scenario.wind.farm
    lay = farm.layout
    if lay.x_m is not None:
        return np.asarray(lay.x_m, float), np.asarray(lay.y_m, float)
    d = curve.rotor_diameter_m
    return wind.grid_layout(farm.turbine_count, min(lay.rows, farm.turbine_count),
                            lay.spacing_x_rotor_diameters * d, lay.spacing_y_rotor_diameters * d)


def farm_power_table(scenario: Scenario, curve: wind.PowerCurve) -> wind.FarmPowerTable:
    farm = scenario.wind.farm
    if farm.wake_model == "none":
        return wind.no_wake_farm_table(curve, farm.turbine_count)
    x, y = farm_layout_m(scenario, curve)
    if farm.wake_model == "jensen":
        return wind.jensen_farm_table(curve, x, y, wake_decay=farm.wake_decay)
    model = farm.wake_model.split("-", 1)[1]
    source = curve if (farm.power_curve is not None or farm.power_curve_smoothing) else farm.turbine
    return wind.floris_farm_table(source, x, y, wake_model=model,
                                  turbulence_intensity=scenario.wind.resource.turbulence_intensity,
                                  wake_decay=farm.wake_decay)


def reference_wind(scenario: Scenario, hour: np.ndarray, day: np.ndarray, n: int,
                   data_access: DataAccess | None = None, step_s: float = BASE_STEP_S):
    """Wind speed at the reference height and direction for every one of ``n`` steps of ``step_s`` [s] (the base
    resolution), with air temperature and pressure when a measured series gives them: ``(speed_m_s, direction_deg,
    height_m, air_temp_c or None, pressure_pa or None)``.
    A measured series is read through ``data_access`` (``twin.scenario.datafiles``; the user's own paths when None).
    """
    res = scenario.wind.resource
    run = scenario.run
    if res.measured_csv is not None:
        access = data_access if data_access is not None else LocalFiles()
        try:
            raw, label = access.read("wind", res.measured_csv)
            text = tabular_text(raw, label)
            series = wind.read_measured_wind_csv(io.StringIO(text), height_m=res.measured_height_m, label=label)
            series = wind.resample_wind(series, run.start, step_s, n, max_gap_s=res.measured_max_gap_h * 3600.0)
        except ValueError as exc:
            raise ScenarioError([("wind.resource.measured_csv", str(exc))], "scenario") from None
        direction = series.wind_direction_deg
        if direction is None:  # no direction measured: the rose's most frequent sector, held
            w = np.asarray(res.direction_sector_weights)
            direction = np.full(n, 360.0 / w.size * int(np.argmax(w)))
        return series.wind_speed_m_s, direction, series.height_m, series.air_temp_c, series.pressure_pa
    rng = np.random.default_rng([run.seed, 1])
    speed, direction = wind.synthetic_wind(
        hour, day, step_s, res.weibull_k, res.weibull_c_m_s,
        autocorrelation_1h=res.autocorrelation_1h, diurnal_strength=res.diurnal_strength,
        peak_hour=res.peak_hour, seasonal_amplitude=res.seasonal_amplitude,
        peak_day_of_year=res.peak_day_of_year, direction_sector_weights=res.direction_sector_weights, rng=rng,
        synoptic_weight=res.synoptic_weight, synoptic_time_h=res.synoptic_time_h)
    return speed, direction, res.reference_height_m, None, None


def marine_heatwaves_k(time_s: np.ndarray, per_year: float, mean_intensity_k: float, mean_duration_s: float,
                       rng: np.random.Generator) -> np.ndarray:
    """Excess sea temperature from randomly drawn marine heatwaves [K].

    Events arrive as a Poisson process (``per_year``); each lasts 5 days plus an exponential remainder (a heatwave
    lasts at least five days by the definition of Hobday et al. 2016, Prog. Oceanogr. 141) with mean
    ``mean_duration_s``, and has an exponential peak intensity with mean ``mean_intensity_k``, reached with a
    half-sine rise and fall. Overlapping events add.
    """
    out = np.zeros(time_s.size)
    if per_year <= 0 or time_s.size == 0:
        return out
    horizon = time_s[-1] + (time_s[1] - time_s[0] if time_s.size > 1 else 0.0)
    n = rng.poisson(per_year * horizon / (365.25 * 86400.0))
    five_days = 5 * 86400.0
    for start, extra, peak in zip(rng.uniform(0.0, horizon, n),
                                  rng.exponential(max(mean_duration_s - five_days, 1.0), n),
                                  rng.exponential(mean_intensity_k, n)):
        length = five_days + extra
        i0, i1 = np.searchsorted(time_s, [start, start + length])
        out[i0:i1] += peak * np.sin(np.pi * (time_s[i0:i1] - start) / length)
    return out


def next_window_start(ok: np.ndarray, need_steps: int) -> np.ndarray:
    """For each index ``i`` the smallest ``j >= i`` with ``ok[j:j + need_steps]`` all true, else ``len(ok)``.

    A window must fit inside the series; ``need_steps <= 0`` means any accessible step will do.
    """
    n = ok.size
    need = max(int(need_steps), 1)
    # run length of consecutive true values starting at each index, by a reverse cumulative count
    run = np.zeros(n + 1, dtype=np.int64)
    okr = ok[::-1]
    idx = np.arange(1, n + 1)
    last_false = np.maximum.accumulate(np.where(~okr, idx, 0))
    run[:n] = (idx - last_false)[::-1]
    good = run[:n] >= need
    cand = np.where(good, np.arange(n), n)
    return np.minimum.accumulate(cand[::-1])[::-1]


def lowest_wind_seed(scenario: Scenario, seeds: range | list[int] = range(1, 11),
                     data_access: DataAccess | None = None) -> int:
    """Of the given seeds, the one whose synthetic wind gives the farm the least energy over the scenario's
    horizon: with a 7-day horizon, the lowest-wind week of that many seeded weeks (a stress case for green supply).
    """
    best_seed, best = None, math.inf
    for seed in seeds:
        data = scenario.model_dump()
        data["run"]["seed"] = seed
        energy = float(build_exogenous(Scenario.model_validate(data), data_access).farm_power_w.sum())
        if energy < best:
            best_seed, best = seed, energy
    return best_seed


def local_calendar(start: dt.datetime, timezone: str, time_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local hour of day [h] and fractional day of year from 1 January 00:00 [d] at each time."""
    local0 = start.astimezone(ZoneInfo(timezone))
    jan1 = local0.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    offset_s = (local0 - jan1).total_seconds()
    t = offset_s + time_s
    # a fixed offset from the start's local time: daylight-saving shifts inside a run are not applied
    hour = (t / 3600.0) % 24.0
    day = (t / 86400.0) % 365.25
    return hour, day


def build_base(scenario: Scenario, data_access: DataAccess | None = None, base_s: float = BASE_STEP_S) -> BaseSeries:
    """The environment of a run at its base resolution (module docstring), from the scenario and its seed; a
    measured wind series is read through ``data_access`` (see ``reference_wind``)."""
    run = scenario.run
    covered_s = round(run.horizon_s / run.step_s) * float(run.step_s)  # the run's output steps end here
    n = int(math.ceil(covered_s / base_s - 1e-9))
    time_s = np.arange(n, dtype=float) * base_s
    hour, day = local_calendar(run.start, scenario.site.timezone, time_s)

    # wind at the reference height (synthetic and seeded, or measured), then sheared to hub height
    res = scenario.wind.resource
    farm = scenario.wind.farm
    curve = farm_power_curve(scenario)
    if farm.power_curve_smoothing:
        curve = wind.smooth_power_curve(curve, res.turbulence_intensity)
    hub = farm.hub_height_m or curve.hub_height_m
    mode = run.weather.mode
    sea_given = None
    if mode == "climatology":
        speed_ref, direction, ref_height, temp_c, pressure = reference_wind(scenario, hour, day, n, data_access,
                                                                            base_s)
    else:  # the wind given at hub height (twin.sim.weather): sheared from there, so to hub height it is itself
        speed_ref, direction, sea_given = _given_weather(scenario, hour, day, n, base_s, hub, data_access)
        ref_height, temp_c, pressure = hub, None, None
        if direction is None:  # the rose's most frequent sector, held, as for a measured series without one
            w = np.asarray(res.direction_sector_weights)
            direction = np.full(n, 360.0 / w.size * int(np.argmax(w)))
    if farm.shear_model == "logarithmic":
        speed_hub = wind.logarithmic_profile(speed_ref, ref_height, hub, farm.roughness_length_m)
    else:
        speed_hub = wind.power_law_profile(speed_ref, ref_height, hub, farm.shear_exponent)

    # air density at hub height: measured temperature and pressure when given, else a seasonal 2 m air temperature
    air = scenario.site.air
    if temp_c is not None:
        t_hub_k = wind.temperature_at_height_k(temp_c + 273.15, ref_height, hub)
    else:
        t2_k = 273.15 + air.annual_mean_temp_c + air.annual_amplitude_k * np.cos(
            2.0 * np.pi * (day - air.warmest_day_of_year) / 365.25)
        t_hub_k = wind.temperature_at_height_k(t2_k, 2.0, hub)
    if pressure is not None:
        rho = wind.barometric_air_density(pressure, ref_height, hub, t_hub_k)
    else:
        rho = wind.barometric_air_density(air.surface_pressure_pa, 0.0, hub, t_hub_k)

    table = farm_power_table(scenario, curve)
    v_eq = wind.density_equivalent_speed_m_s(speed_hub, rho) if farm.density_correction else speed_hub
    farm_w = wind.farm_power_w(table, v_eq, direction)
    if farm.storm_hysteresis:
        farm_w = farm_w * wind.storm_hysteresis_mask(speed_hub, base_s, cut_out_m_s=curve.cut_out_m_s,
                                                     restart_m_s=min(farm.storm_restart_m_s, curve.cut_out_m_s))

    sea = scenario.site.sea
    coef = ocean.fit_annual_harmonics(sea.monthly_mean_temp_c, sea.harmonics)
    sea_c = ocean.sea_temperature_c(day, coef, scenario.site.cabin_depth_m, sea.mixed_layer_depth_m,
                                    sea.thermocline_drop_k, sea.thermocline_scale_m) + marine_heatwaves_k(
        time_s, sea.heatwaves_per_year, sea.heatwave_mean_intensity_k, sea.heatwave_mean_duration_d * 86400.0,
        np.random.default_rng([run.seed, 3])) + ocean.interannual_anomaly_k(
        time_s, sea.interannual_sd_k, sea.interannual_autocorrelation, np.random.default_rng([run.seed, 5])) \
        + ocean.warming_k(time_s, sea.warming_k_per_year)

    if sea_given is not None:
        sea_c = sea_given

    grid = scenario.electrical.grid
    if grid.hourly_carbon_kg_per_kwh is not None:
        hourly = np.asarray(grid.hourly_carbon_kg_per_kwh, float)
    else:
        mean = grid.carbon_kg_per_kwh if grid.carbon_kg_per_kwh is not None else EAST_CHINA_GRID_CARBON_KG_PER_KWH
        hourly = hourly_carbon_profile(mean, grid.carbon_daily_amplitude_fraction, grid.carbon_peak_hour)
    carbon = hourly[np.minimum(hour.astype(int), 23)]

    # sea state at the farm and the weather windows a repair crew needs
    if ref_height == 10.0:
        speed_10 = speed_ref
    elif farm.shear_model == "logarithmic":
        speed_10 = wind.logarithmic_profile(speed_ref, ref_height, 10.0, farm.roughness_length_m)
    else:
        speed_10 = wind.power_law_profile(speed_ref, ref_height, 10.0, farm.shear_exponent)
    wave_m = ocean.significant_wave_height_m(speed_10, farm.wave_fetch_m)
    access = (wave_m <= farm.repair_max_wave_height_m) & (speed_10 <= farm.repair_max_wind_m_s)
    window_start = next_window_start(access, int(np.ceil(farm.repair_window_h * 3600.0 / base_s)))

    return BaseSeries(step_s=base_s, time_s=time_s, local_hour=hour, day_of_year=day, hub_wind_speed_m_s=speed_hub,
                      wind_direction_deg=direction, air_density_kg_m3=rho, farm_power_w=farm_w, sea_temp_c=sea_c,
                      carbon_kg_per_kwh=carbon, wind_speed_10m_m_s=speed_10, wave_height_m=wave_m,
                      current_speed_m_s=ocean.tidal_current_m_s(time_s, sea.current_speed_m_s),
                      access_window_start=window_start, turbine_rated_power_w=float(curve.rated_power_w),
                      turbine_count=farm.turbine_count)


def _given_weather(scenario: Scenario, hour, day, n: int, base_s: float, hub_m: float, data_access):
    """Persistence or forecast weather (``twin.sim.weather``) on the base steps: hub wind [m s-1], direction
    [deg] or None, sea [C] or None (None: the design's)."""
    from twin.sim import weather
    from twin.sim.saved_state import read_state

    if scenario.run.weather.mode == "forecast":
        return weather.forecast_on_steps(scenario, n, base_s, hub_m, data_access)
    state = read_state(scenario, data_access)
    problems = [(f"run.initial_state.{k}", "weather.mode persistence holds it; the state has none")
                for k in ("hub_wind_speed_m_s", "sea_temp_c") if getattr(state, k) is None]
    if problems:
        raise ScenarioError(problems)
    speed = weather.persistence_wind_m_s(state.hub_wind_speed_m_s, weather.resource_mean_hub_m_s(scenario, hub_m),
                                         weather.persistence_terms(scenario), n, base_s)
    seasonal = weather.seasonal_sea_c(scenario, day)
    sea = seasonal + (state.sea_temp_c - float(weather.seasonal_sea_c(scenario, day[:1])[0]))
    return speed, None, sea


def build_exogenous(scenario: Scenario, data_access: DataAccess | None = None) -> Exogenous:
    """The environment of a run on its output steps: the means of :func:`build_base`'s series over each step (a
    measured wind series read through ``data_access``, see ``reference_wind``)."""
    run = scenario.run
    return Exogenous(build_base(scenario, data_access), run.start, scenario.site.timezone, float(run.step_s),
                     int(round(run.horizon_s / run.step_s)))
