"""The weather of a forecast run (``run.weather``): the design's climatology (``twin.sim.exogenous``, unchanged),
persistence from the initial state, or an uploaded forecast; docs/live.md, "Forecasts".

- **persistence**: the hub wind speed ``v0`` of the state relaxes to the resource's mean ``m`` at hub height, ``v(t) =
  m + (v0 - m) rho(t)``, the conditional mean of a stationary autoregressive process (Box, Jenkins & Reinsel, *Time
  Series Analysis*, 4th ed., 2008, sec. 5.2: the l-step forecast of an AR(1) is ``phi^l`` times the present anomaly),
  with ``rho`` the resource's own autocorrelation, that of the synthetic wind
  (``physics.wind_resource.synthetic_wind``): ``rho(t) = (1 - w) a_1h^(t / 1 h) + w exp(-t / tau_syn)``, the fast
  component and the synoptic one (ASSUMPTION: the autocorrelation the model gives its Gaussian series is taken for the
  speed's anomaly). ``persistence_time_h`` given: ``rho(t) = exp(-t / persistence_time_h)`` instead. ``m`` is the
  Weibull mean ``c Gamma(1 + 1/k)`` sheared to hub height; the diurnal and seasonal modulation of the resource are
  left out (ASSUMPTION: a persistence forecast carries no cycle). The direction is the rose's most frequent sector, as
  for a measured series without one. The sea: the state's anomaly from the design's seasonal curve is held over the
  horizon on that curve (ASSUMPTION: sea-surface temperature anomalies decay over months, Frankignoul & Hasselmann
  1977, Tellus 29, so over a forecast of days to weeks they persist); no heatwave or interannual draw.
- **forecast**: a file with ``timestamp`` (ISO 8601 with an offset), ``hub_wind_speed_m_s`` and optionally
  ``sea_temp_c`` and ``wind_direction_deg``; wind and direction are put on the base steps as a measured series is
  (``physics.wind_resource.resample_wind``: the mean of the piecewise-linear interpolant over each step, gaps up to
  3 h bridged), the sea likewise; where no sea is given, the design's. The file must cover the run.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from physics import ocean, wind
from twin.scenario import Scenario, ScenarioError
from twin.scenario.datafiles import DataAccess, DataFileError, LocalFiles, TableLimits, tabular_text

__all__ = ["FORECAST_COLUMNS", "ForecastTable", "read_forecast", "forecast_on_steps", "persistence_wind_m_s",
           "persistence_terms", "seasonal_sea_c", "resource_mean_hub_m_s"]

FORECAST_COLUMNS = {"timestamp": True, "hub_wind_speed_m_s": True, "sea_temp_c": False, "wind_direction_deg": False}
"""The forecast file's columns and whether each is required."""

_RANGES = {"hub_wind_speed_m_s": (0.0, 80.0), "sea_temp_c": (-2.5, 40.0), "wind_direction_deg": (0.0, 360.0)}
FIELD = "run.weather.forecast"


class ForecastTable:
    """A forecast file as read: times (aware), the hub wind [m s-1], and the optional columns (None if absent)."""

    def __init__(self, time: pd.DatetimeIndex, hub: np.ndarray, sea: np.ndarray | None, direction: np.ndarray | None):
        self.time, self.hub_wind_speed_m_s, self.sea_temp_c, self.wind_direction_deg = time, hub, sea, direction


def read_forecast(text: str, label: str) -> ForecastTable:
    """Parse a forecast file's CSV text; ``ValueError`` naming the row, file line and column of what is wrong."""
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"{label}: not a readable CSV ({exc})") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c, req in FORECAST_COLUMNS.items() if req and c not in raw.columns]
    if missing:
        raise ValueError(f"{label}: missing column(s) {', '.join(missing)}; found {', '.join(raw.columns)}")
    if raw.empty:
        raise ValueError(f"{label}: no data rows")
    times = []
    for i, cell in enumerate(raw["timestamp"].str.strip()):
        try:
            t = pd.Timestamp(cell)
        except (ValueError, TypeError):
            t = None
        if t is None or t is pd.NaT or t.tzinfo is None:
            raise ValueError(f"{label}: row {i + 1} (line {i + 2}), column timestamp: {cell[:40]!r} is not an ISO "
                             "8601 time with a UTC offset")
        times.append(t.tz_convert("UTC"))
    index = pd.DatetimeIndex(times)
    bad = np.nonzero(np.diff(index.asi8) <= 0)[0]
    if bad.size:
        i = int(bad[0]) + 1
        raise ValueError(f"{label}: row {i + 1} (line {i + 2}), column timestamp: not after the row before "
                         "(times must increase strictly)")
    cols = {}
    for name in ("hub_wind_speed_m_s", "sea_temp_c", "wind_direction_deg"):
        if name not in raw.columns:
            cols[name] = None
            continue
        values = pd.to_numeric(raw[name].str.strip(), errors="coerce").to_numpy(float)
        lo, hi = _RANGES[name]
        wrong = np.nonzero(~np.isfinite(values) | (values < lo) | (values > hi))[0]
        if wrong.size:
            i = int(wrong[0])
            raise ValueError(f"{label}: row {i + 1} (line {i + 2}), column {name}: {raw[name].iat[i][:40]!r} is not "
                             f"a number from {lo:g} to {hi:g}")
        cols[name] = values
    return ForecastTable(index, cols["hub_wind_speed_m_s"], cols["sea_temp_c"], cols["wind_direction_deg"])


def _piecewise_linear_means(t_s: np.ndarray, y: np.ndarray, edges_s: np.ndarray) -> np.ndarray:
    """Mean over each interval between ``edges_s`` of the piecewise-linear interpolant of ``(t_s, y)`` (held
    constant beyond its ends), exactly: the difference of its integral at the interval's ends."""
    if t_s.size == 1:
        return np.full(edges_s.size - 1, float(y[0]))
    slope = np.diff(y) / np.diff(t_s)
    knots_int = np.concatenate(([0.0], np.cumsum(0.5 * (y[1:] + y[:-1]) * np.diff(t_s))))

    def integral(x):
        x = np.asarray(x, float)
        below, above = x < t_s[0], x > t_s[-1]
        k = np.clip(np.searchsorted(t_s, x, side="right") - 1, 0, t_s.size - 2)
        dx = np.clip(x, t_s[0], t_s[-1]) - t_s[k]
        out = knots_int[k] + y[k] * dx + 0.5 * slope[k] * dx ** 2
        out = np.where(below, (x - t_s[0]) * y[0], out)
        return np.where(above, knots_int[-1] + (x - t_s[-1]) * y[-1], out)

    f = integral(edges_s)
    return np.diff(f) / np.diff(edges_s)


def forecast_on_steps(scenario: Scenario, n: int, base_s: float, hub_height_m: float,
                      data_access: DataAccess | None = None):
    """The forecast file of ``run.weather.forecast`` on the run's ``n`` base steps: ``(hub wind [m s-1], direction
    [deg] or None, sea [C] or None)``; ``ScenarioError`` naming the field when it cannot be read or does not cover
    the run."""
    run = scenario.run
    ref = run.weather.forecast
    access = data_access if data_access is not None else LocalFiles()
    try:
        raw, label = access.read("forecast", ref)
        table = read_forecast(tabular_text(raw, label, TableLimits()), label)
    except (DataFileError, ValueError) as exc:
        raise ScenarioError([(FIELD, str(exc))]) from None
    start = pd.Timestamp(run.start).tz_convert("UTC")
    end = start + pd.Timedelta(seconds=n * base_s)
    slack = pd.Timedelta(hours=3)  # the gap rule of a measured series: its ends are held up to 3 h
    if table.time[0] > start + slack or table.time[-1] < end - slack:
        raise ScenarioError([(FIELD, f"{label}: covers {table.time[0].isoformat()} to {table.time[-1].isoformat()}, "
                                     f"the run needs {start.isoformat()} to {end.isoformat()} (within 3 h)")])
    series = wind.MeasuredWind(time=table.time, wind_speed_m_s=table.hub_wind_speed_m_s, height_m=hub_height_m,
                               wind_direction_deg=table.wind_direction_deg)
    try:
        on = wind.resample_wind(series, run.start, base_s, n)
    except ValueError as exc:
        raise ScenarioError([(FIELD, f"{label}: {exc}")]) from None
    sea = None
    if table.sea_temp_c is not None:
        t_s = (table.time - start).total_seconds().to_numpy(float)
        sea = _piecewise_linear_means(t_s, table.sea_temp_c, np.arange(n + 1) * base_s)
    return on.wind_speed_m_s, on.wind_direction_deg, sea


def resource_mean_hub_m_s(scenario: Scenario, hub_height_m: float) -> float:
    """The wind resource's mean speed, ``c Gamma(1 + 1/k)``, sheared to hub height as the engine shears [m s-1]."""
    res, farm = scenario.wind.resource, scenario.wind.farm
    m_ref = res.weibull_c_m_s * math.gamma(1.0 + 1.0 / res.weibull_k)
    if farm.shear_model == "logarithmic":
        return float(wind.logarithmic_profile(m_ref, res.reference_height_m, hub_height_m, farm.roughness_length_m))
    return float(wind.power_law_profile(m_ref, res.reference_height_m, hub_height_m, farm.shear_exponent))


def persistence_terms(scenario: Scenario) -> list[tuple[float, float]]:
    """The persistence forecast's autocorrelation as ``[(weight, e-folding time [s]), ...]`` (module docstring)."""
    given = scenario.run.weather.persistence_time_h
    if given is not None:
        return [(1.0, given * 3600.0)]
    res = scenario.wind.resource
    w = res.synoptic_weight
    a = res.autocorrelation_1h
    fast = -3600.0 / math.log(a) if a > 0.0 else 1e-9  # a_1h^(t / 1 h) = exp(-t / fast)
    terms = [(1.0 - w, fast)]
    if w > 0.0:
        terms.append((w, res.synoptic_time_h * 3600.0))
    return terms


def persistence_wind_m_s(v0: float, mean: float, terms: list[tuple[float, float]], n: int,
                         base_s: float) -> np.ndarray:
    """Means over ``n`` base steps of ``v(t) = mean + (v0 - mean) sum_j w_j exp(-t / tau_j)``, integrated
    exactly."""
    t = np.arange(n + 1) * base_s
    rho = np.zeros(n)
    for weight, tau in terms:
        decay = np.exp(-t / tau)
        rho += weight * tau / base_s * (decay[:-1] - decay[1:])
    return mean + (v0 - mean) * rho


def seasonal_sea_c(scenario: Scenario, day_of_year: np.ndarray) -> np.ndarray:
    """The design's seasonal sea temperature at the cabins (its harmonics and thermocline; no heatwave, no
    interannual anomaly, no warming) [C]."""
    sea = scenario.site.sea
    coef = ocean.fit_annual_harmonics(sea.monthly_mean_temp_c, sea.harmonics)
    return ocean.sea_temperature_c(day_of_year, coef, scenario.site.cabin_depth_m, sea.mixed_layer_depth_m,
                                   sea.thermocline_drop_k, sea.thermocline_scale_m)
