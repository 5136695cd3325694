"""Wind resource: shear, air density, synthetic years, measured series and their statistics.

Pure, vectorised functions (numpy arrays in, numpy arrays out), except
:func:`read_measured_wind_csv`, which reads a file. Units are SI and appear in every argument
name. Bad input raises ``ValueError("<argument>: <reason>")``. Re-exported by :mod:`physics.wind`.

Sources
-------
- Shear, air density and temperature gradient: the formulas of windpowerlib
  (``wind_speed``, ``density``, ``temperature``; Haas et al., JOSS 2019), after
  Quaschning (2011), Hau (2008) and the ICAO standard atmosphere.
- Synthetic wind: UL HOMER Pro manual, "Generating Synthetic Wind Data".
- Weibull fits: maximum likelihood as ``scipy.stats.weibull_min.fit(data, floc=0)``
  (Cohen 1965's profile equation); method of moments (Justus et al. 1978, J. Appl. Meteor. 17).
- Direction averaging: unit-vector mean (WMO-No. 8, Guide to Instruments and Methods of
  Observation, Part I ch. 5).

Meteorological convention throughout: a direction is where the wind comes FROM, in
degrees clockwise from north.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln, log_ndtr, ndtr

from physics.wind_turbines import (
    STANDARD_AIR_DENSITY_KG_M3,
    _array,
    _nonneg,
    _positive,
    _scalar,
)

__all__ = [
    "MEASURED_WIND_COLUMNS",
    "MeasuredWind",
    "autocorrelation",
    "barometric_air_density",
    "diurnal_cycle",
    "fit_weibull",
    "logarithmic_profile",
    "power_law_profile",
    "read_measured_wind_csv",
    "resample_wind",
    "synthetic_wind",
    "temperature_at_height_k",
]

# --------------------------------------------------------------------------- shear, density
def logarithmic_profile(wind_speed_m_s, reference_height_m, hub_height_m, roughness_length_m,
                        obstacle_height_m=0.0):
    """Wind speed at hub height by the logarithmic law [m s-1].

    v_hub = v ln((h_hub - d) / z0) / ln((h_ref - d) / z0), displacement d = 0.7 h_obstacle
    (Quaschning 2011, p. 278; windpowerlib ``wind_speed.logarithmic_profile``).
    Example: 5 m/s at 10 m, z0 = 0.15 m -> 8.0987 m/s at 135 m.
    """
    v = _nonneg(wind_speed_m_s, "wind_speed_m_s")
    h_ref = _positive(reference_height_m, "reference_height_m")
    h_hub = _positive(hub_height_m, "hub_height_m")
    z0 = _positive(roughness_length_m, "roughness_length_m")
    d = 0.7 * _nonneg(obstacle_height_m, "obstacle_height_m")
    if np.any(h_ref - d <= z0):
        raise ValueError("reference_height_m: must exceed 0.7 * obstacle_height_m + roughness_length_m")
    if np.any(h_hub - d <= z0):
        raise ValueError("hub_height_m: must exceed 0.7 * obstacle_height_m + roughness_length_m")
    return v * np.log((h_hub - d) / z0) / np.log((h_ref - d) / z0)


def power_law_profile(wind_speed_m_s, reference_height_m, hub_height_m, exponent=1 / 7):
    """Wind speed at hub height by the power (Hellman) law: v (h_hub / h_ref)^alpha [m s-1].

    windpowerlib ``wind_speed.hellman``; alpha = 1/7 is the neutral-stability default.
    Example: 5 m/s at 10 m -> 7.2518 m/s at 135 m.
    """
    v = _nonneg(wind_speed_m_s, "wind_speed_m_s")
    h_ref = _positive(reference_height_m, "reference_height_m")
    h_hub = _positive(hub_height_m, "hub_height_m")
    alpha = _nonneg(exponent, "exponent")
    return v * (h_hub / h_ref) ** alpha


def temperature_at_height_k(temperature_k, temperature_height_m, hub_height_m):
    """Air temperature at hub height [K] by the ICAO standard gradient -0.0065 K m-1.

    windpowerlib ``temperature.linear_gradient``.
    """
    t = _positive(temperature_k, "temperature_k")
    h_t = _array(temperature_height_m, "temperature_height_m")
    h_hub = _array(hub_height_m, "hub_height_m")
    return t - 0.0065 * (h_hub - h_t)


def barometric_air_density(pressure_pa, pressure_height_m, hub_height_m, temperature_hub_k):
    """Air density at hub height by the barometric height equation [kg m-3].

    rho = (p/100 - (h_hub - h_p)/8) * rho0 T0 100 / (p0 T_hub), pressure gradient
    -1/8 hPa m-1, rho0 = 1.225 kg m-3, T0 = 288.15 K, p0 = 101330 Pa (Hau 2008, p. 560;
    windpowerlib ``density.barometric``, same constants). Example: 98405.7 Pa at 0 m,
    266.74 K, hub 135 m -> 1.2631 kg m-3.
    """
    p = _positive(pressure_pa, "pressure_pa")
    h_p = _array(pressure_height_m, "pressure_height_m")
    h_hub = _array(hub_height_m, "hub_height_m")
    t = _positive(temperature_hub_k, "temperature_hub_k")
    p_hub_hpa = p / 100.0 - (h_hub - h_p) / 8.0
    if np.any(p_hub_hpa <= 0):
        raise ValueError("hub_height_m: too far above pressure_height_m (non-positive pressure)")
    return p_hub_hpa * STANDARD_AIR_DENSITY_KG_M3 * 288.15 * 100.0 / (101330.0 * t)


# --------------------------------------------------------------------------- synthetic wind
def _ar1_gaussian(innovations: np.ndarray, phi: float) -> np.ndarray:
    """Stationary AR(1) with unit variance: z0 = e0, z_t = phi z_{t-1} + sqrt(1-phi^2) e_t.

    The recursion is run as written (the arithmetic of ``scipy.signal.lfilter([1], [1, -phi])``, without importing
    scipy.signal, which costs a run some 50 MB of memory)."""
    x = np.asarray(innovations, dtype=float) * math.sqrt(1.0 - phi * phi)
    x[..., 0] = np.asarray(innovations, dtype=float)[..., 0]
    out = np.empty_like(x)
    flat_in, flat_out = x.reshape(-1, x.shape[-1]), out.reshape(-1, x.shape[-1])
    for row_in, row_out in zip(flat_in, flat_out):
        values = row_in.tolist()
        z = 0.0
        for i, v in enumerate(values):
            z = v + phi * z
            values[i] = z
        row_out[:] = values
    return out


def synthetic_wind(hour_of_day, day_of_year, step_s, weibull_k, weibull_c_m_s, autocorrelation_1h=0.85,
                   diurnal_strength=0.25, peak_hour=15.0, seasonal_amplitude=0.0, peak_day_of_year=15.0,
                   direction_sector_weights=None, rng=None, direction_autocorrelation_1h=0.97,
                   synoptic_weight=0.0, synoptic_time_h=72.0):
    """Synthetic hub-height wind speed [m s-1] and direction [deg] series (HOMER method, with synoptic memory).

    Speed (UL HOMER Pro manual, "Generating Synthetic Wind Data"): a stationary AR(1)
    standard-normal series z with per-step coefficient phi = r1h^(step_s/3600) and
    innovation weight sqrt(1 - phi^2) (so its lag-1-hour autocorrelation is r1h), mapped
    to the Weibull(k, c) marginal through the normal CDF and the Weibull inverse CDF,
    v = c (-ln(1 - Phi(z)))^(1/k) (evaluated as ``-log_ndtr(-z)`` for accurate tails).
    It is then multiplied by m = (1 + diurnal_strength cos(2 pi (h - peak_hour)/24))
    (1 + seasonal_amplitude cos(2 pi (d - peak_day_of_year)/365.25)) / mean(m): the
    modulation is renormalised to mean 1 over the series, so the series mean stays the
    Weibull mean c Gamma(1 + 1/k) (exactly in expectation, the modulation being independent
    of z). The stated autocorrelation is that of z; the modulated speed's is close to it.

    Synoptic memory: with ``synoptic_weight`` w > 0, z is ``sqrt(1 - w) z_fast + sqrt(w) z_slow``, z_slow a second
    unit-variance AR(1) with e-folding time ``synoptic_time_h`` (weather systems pass in days; Van der Hoven's
    spectrum has its synoptic peak at about four days), so the autocorrelation of z is
    ``(1 - w) r1h^L + w exp(-L / tau)`` at a lag of L hours: multi-day calms and storms, which one AR(1) fitted at
    one hour cannot give (its autocorrelation at 24 h is r1h^24, 0.02 for 0.85). With w = 0 the draws, and so the
    series of a seed, are those of the plain HOMER method. :func:`physics.wind_fit.fit_synthetic_wind` fits every
    parameter to a measured series.

    Direction: a second, independent AR(1) Gaussian series (lag-1-hour autocorrelation
    ``direction_autocorrelation_1h``, default 0.97: a median hourly veer of about 15 deg and
    a mean of about 20 deg; 0.85 would give a mean of about 45 deg) mapped through the
    inverse CDF of the wind rose (sector i centred on i 360/n deg, uniform within its sector,
    probability = normalised weight). The marginal sector frequencies are thus exactly the
    weights, and the direction persists and veers smoothly; the mapping is continuous on the
    circle (both tails of the Gaussian land at north). ``None`` weights: uniform rose.

    Parameters
    ----------
    hour_of_day, day_of_year : array_like, shape (n,)
        Local time of each step [h] and [d], as built by the engine.
    step_s : float
        Time step [s], > 0.
    weibull_k, weibull_c_m_s : float
        Weibull shape [-] and scale [m s-1], > 0.
    autocorrelation_1h : float
        Lag-1-hour autocorrelation of the Gaussian series, in [0, 1).
    diurnal_strength, seasonal_amplitude : float
        Relative amplitudes in [0, 1).
    peak_hour : float
        Hour of the diurnal maximum [h]. ``peak_day_of_year`` [d] likewise.
    direction_sector_weights : array_like or None
        Sector weights (typically 12 or 16), >= 0, not all zero, first sector centred on north.
    rng : numpy.random.Generator, int or None
        Source of randomness; the same seed gives identical series.
    synoptic_weight : float
        Share of the Gaussian series' variance in the slow component, in [0, 1).
    synoptic_time_h : float
        E-folding time of the slow component [h], > 0.

    Returns
    -------
    speed_m_s, direction_deg : np.ndarray, shape (n,)
        Direction in [0, 360).
    """
    h = _array(hour_of_day, "hour_of_day").ravel()
    d = _array(day_of_year, "day_of_year").ravel()
    if h.size == 0:
        raise ValueError("hour_of_day: must not be empty")
    if d.size != h.size:
        raise ValueError(f"day_of_year: length {d.size} differs from hour_of_day ({h.size})")
    step = _scalar(step_s, "step_s", 0, low_open=True)
    k = _scalar(weibull_k, "weibull_k", 0, low_open=True)
    c = _scalar(weibull_c_m_s, "weibull_c_m_s", 0, low_open=True)
    r1 = _scalar(autocorrelation_1h, "autocorrelation_1h", 0, 1, high_open=True)
    r1_dir = _scalar(direction_autocorrelation_1h, "direction_autocorrelation_1h", 0, 1, high_open=True)
    w_syn = _scalar(synoptic_weight, "synoptic_weight", 0, 1, high_open=True)
    tau_syn = _scalar(synoptic_time_h, "synoptic_time_h", 0, low_open=True)
    ds = _scalar(diurnal_strength, "diurnal_strength", 0, 1, high_open=True)
    sa = _scalar(seasonal_amplitude, "seasonal_amplitude", 0, 1, high_open=True)
    ph = _scalar(peak_hour, "peak_hour")
    pd_ = _scalar(peak_day_of_year, "peak_day_of_year")
    if direction_sector_weights is None:
        weights = np.ones(12)
    else:
        weights = _nonneg(direction_sector_weights, "direction_sector_weights").ravel()
        if weights.size == 0 or weights.sum() <= 0:
            raise ValueError("direction_sector_weights: need at least one positive weight")
    weights = weights / weights.sum()
    if rng is None or isinstance(rng, (int, np.integer)):
        rng = np.random.default_rng(rng)
    elif not isinstance(rng, np.random.Generator):
        raise ValueError("rng: must be a numpy.random.Generator, an int seed or None")

    e = rng.standard_normal((2, h.size))
    z_speed = _ar1_gaussian(e[0], r1 ** (step / 3600.0))
    z_dir = _ar1_gaussian(e[1], r1_dir ** (step / 3600.0))
    if w_syn > 0.0:  # drawn after the others, so w = 0 leaves a seed's series as it was
        z_slow = _ar1_gaussian(rng.standard_normal(h.size), math.exp(-step / (3600.0 * tau_syn)))
        z_speed = math.sqrt(1.0 - w_syn) * z_speed + math.sqrt(w_syn) * z_slow

    speed = c * (-log_ndtr(-z_speed)) ** (1.0 / k)
    modulation = (1.0 + ds * np.cos(2 * np.pi * (h - ph) / 24.0)) * (
        1.0 + sa * np.cos(2 * np.pi * (d - pd_) / 365.25))
    speed *= modulation / modulation.mean()

    u = ndtr(z_dir)
    edges = np.concatenate(([0.0], np.cumsum(weights)))
    edges[-1] = 1.0
    sector = np.clip(np.searchsorted(edges, u, side="right") - 1, 0, weights.size - 1)
    w_sec = weights[sector]
    frac = np.clip(np.divide(u - edges[sector], w_sec, out=np.full_like(u, 0.5), where=w_sec > 0), 0, 1)
    direction = np.mod((sector + frac - 0.5) * (360.0 / weights.size), 360.0)
    direction[direction >= 360.0] = 0.0  # guard against -tiny mod 360 rounding to 360
    return speed, direction




# --------------------------------------------------------------------------- measured series
#: Columns of a measured-wind CSV: name -> (required, unit, plausible range). Other columns are ignored.
MEASURED_WIND_COLUMNS: dict[str, tuple[bool, str, tuple[float, float] | None]] = {
    "timestamp": (True, "ISO 8601 with a UTC offset, e.g. 2024-01-01T00:00:00+08:00", None),
    "wind_speed_m_s": (True, "m s-1", (0.0, 75.0)),
    "wind_direction_deg": (False, "deg FROM, clockwise from north", (0.0, 360.0)),
    "air_temp_c": (False, "degC", (-80.0, 60.0)),
    "pressure_pa": (False, "Pa", (50_000.0, 110_000.0)),
    "height_m": (False, "m above sea level, the same on every row", (0.1, 1000.0)),
}
_OFFSET = re.compile(r"[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class MeasuredWind:
    """A wind series: times and values, NaN where a cell was empty (a gap, see :func:`resample_wind`).

    ``time`` is a UTC ``pandas.DatetimeIndex``; ``wind_speed_m_s`` [m s-1] is at ``height_m`` [m];
    ``wind_direction_deg`` [deg], ``air_temp_c`` [degC] and ``pressure_pa`` [Pa] are None when absent.
    :func:`resample_wind` returns the same class on the run's steps, then without any NaN.
    """

    time: object
    wind_speed_m_s: np.ndarray
    height_m: float
    wind_direction_deg: np.ndarray | None = None
    air_temp_c: np.ndarray | None = None
    pressure_pa: np.ndarray | None = None


def read_measured_wind_csv(path, height_m=None, delimiter=",", label=None) -> MeasuredWind:
    """Read a measured wind series from a CSV file with a header row.

    Columns (:data:`MEASURED_WIND_COLUMNS`): ``timestamp`` (ISO 8601 with a UTC offset or Z),
    ``wind_speed_m_s``; optional ``wind_direction_deg``, ``air_temp_c``, ``pressure_pa`` and
    ``height_m`` (the measurement height, or pass ``height_m``; if both, they must agree).
    Unknown columns are ignored; blank lines are skipped. ``label`` names the file in messages (default its
    path; ``"csv"`` for a buffer).

    Rules (every failure is a ``ValueError`` naming the row, its file line and the column):
    a missing required column; a timestamp that is empty, unparseable or without offset;
    timestamps not strictly increasing (unsorted or duplicated: sort the file first); a cell
    that is not a finite number, or outside the column's plausible range (negative speeds,
    directions outside 0-360, pressure not in Pa, ...). An EMPTY value cell is a missing
    measurement: it stays NaN here and :func:`resample_wind` fills or rejects it by its gap rule.
    """
    import pandas as pd  # local: the pure functions do not need pandas

    if label is None:  # how messages name the file
        label = os.fspath(path) if isinstance(path, (str, os.PathLike)) else "csv"
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False,
                          sep=delimiter, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"{label}: not a readable CSV ({exc})") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c, (req, _, _) in MEASURED_WIND_COLUMNS.items() if req and c not in raw.columns]
    if missing:
        raise ValueError(f"{label}: missing column(s) {', '.join(missing)}; found {', '.join(raw.columns)}")
    raw = raw.apply(lambda s: s.str.strip())
    raw = raw[(raw != "").any(axis=1)]  # blank lines
    if raw.empty:
        raise ValueError(f"{label}: no data rows")
    line = raw.index.to_numpy() + 2  # the header is line 1

    def where(i, column):
        return f"{label}: row {line[i] - 1} (line {line[i]}), column {column}"

    stamps = raw["timestamp"]
    bad = (stamps == "") | ~stamps.str.contains(_OFFSET)
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise ValueError(f"{where(i, 'timestamp')}: {stamps.iloc[i]!r} is not ISO 8601 with a UTC offset")
    time = pd.to_datetime(stamps, format="ISO8601", utc=True, errors="coerce")
    if time.isna().any():
        i = int(np.argmax(time.isna().to_numpy()))
        raise ValueError(f"{where(i, 'timestamp')}: cannot parse {stamps.iloc[i]!r} as ISO 8601")
    time = pd.DatetimeIndex(time)
    back = np.flatnonzero(np.diff(time.asi8) <= 0)
    if back.size:
        i = int(back[0]) + 1
        raise ValueError(f"{where(i, 'timestamp')}: {stamps.iloc[i]!r} is not after the previous row's "
                         f"{stamps.iloc[i - 1]!r}: timestamps must be sorted and unique")

    values = {}
    for column, (_required, unit, bounds) in MEASURED_WIND_COLUMNS.items():
        if column == "timestamp" or column not in raw.columns:
            continue
        text = raw[column]
        num = pd.to_numeric(text.where(text != ""), errors="coerce").to_numpy(dtype=float)
        bad = (text != "").to_numpy() & ~np.isfinite(num)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{where(i, column)}: cannot parse {text.iloc[i]!r} as a number [{unit}]")
        if bounds is not None:
            out = np.isfinite(num) & ((num < bounds[0]) | (num > bounds[1]))
            if out.any():
                i = int(np.argmax(out))
                raise ValueError(f"{where(i, column)}: {num[i]:g} outside the plausible range "
                                 f"{bounds[0]:g}..{bounds[1]:g} [{unit}]")
        values[column] = num

    heights = values.pop("height_m", None)
    if heights is not None:
        if np.isnan(heights).any():
            i = int(np.argmax(np.isnan(heights)))
            raise ValueError(f"{where(i, 'height_m')}: empty; the measurement height must be on every row")
        if np.any(heights != heights[0]):
            i = int(np.argmax(heights != heights[0]))
            raise ValueError(f"{where(i, 'height_m')}: {heights[i]!r} differs from the first row's "
                             f"{heights[0]!r}; one series has one height")
        if height_m is not None and not math.isclose(float(height_m), heights[0], rel_tol=1e-9):
            raise ValueError(f"height_m: argument {height_m!r} differs from the file's column ({heights[0]!r})")
        height = float(heights[0])
    elif height_m is None:
        raise ValueError(f"height_m: {label} has no height_m column; pass the measurement height")
    else:
        height = _scalar(height_m, "height_m", 0, low_open=True)
    return MeasuredWind(time=time, wind_speed_m_s=values["wind_speed_m_s"], height_m=height,
                        wind_direction_deg=values.get("wind_direction_deg"), air_temp_c=values.get("air_temp_c"),
                        pressure_pa=values.get("pressure_pa"))


def _window_means(t_s, y, starts_s, step_s, max_gap_s, name, epoch):
    """Mean over [s, s + step) of the linear interpolant of the valid (t, y); edges held up to max_gap_s."""
    ok = np.isfinite(y)
    t, v = t_s[ok], y[ok]
    t0, t1 = starts_s[0], starts_s[-1] + step_s

    def stamp(x):
        return (epoch + dt.timedelta(seconds=float(x))).isoformat()

    if t.size == 0:
        raise ValueError(f"{name}: no values at all")
    edges = np.concatenate(([min(t[0], t0) - 1.0], t, [max(t[-1], t1) + 1.0]))
    gaps = np.diff(edges)
    overlap = (edges[1:] > t0) & (edges[:-1] < t1)
    too_long = overlap & (gaps > max_gap_s + 1.0 * (np.arange(gaps.size) == 0)
                          + 1.0 * (np.arange(gaps.size) == gaps.size - 1))
    if too_long.any():
        k = int(np.argmax(too_long))
        a = max(edges[k], t0) if k == 0 else edges[k]
        b = min(edges[k + 1], t1) if k == gaps.size - 1 else edges[k + 1]
        what = "before the first value" if k == 0 else "after the last value" if k == gaps.size - 1 else "no value"
        raise ValueError(f"{name}: {what} from {stamp(a)} to {stamp(b)} ({(b - a) / 3600:.2f} h) "
                         f"exceeds the longest gap filled, max_gap_s = {max_gap_s:g} s")
    tt = np.concatenate(([edges[0]], t, [edges[-1]]))
    yy = np.concatenate(([v[0]], v, [v[-1]]))
    area = np.concatenate(([0.0], np.cumsum(0.5 * (yy[1:] + yy[:-1]) * np.diff(tt))))

    def integral(x):
        k = np.clip(np.searchsorted(tt, x, side="right") - 1, 0, tt.size - 2)
        d = x - tt[k]
        slope = (yy[k + 1] - yy[k]) / (tt[k + 1] - tt[k])
        return area[k] + yy[k] * d + 0.5 * slope * d * d

    return (integral(starts_s + step_s) - integral(starts_s)) / step_s


def resample_wind(series: MeasuredWind, start, step_s, n_steps, max_gap_s=3 * 3600.0) -> MeasuredWind:
    """A measured series on the run's steps: step i holds the mean over [start + i step, + step).

    Each variable is the time average of its piecewise-linear interpolant over the step (so
    linear interpolation when steps are shorter than the measurement interval, a block mean
    when longer); direction is averaged as a unit vector (its sine and cosine, then atan2), so
    350 and 10 deg give 0 deg, not 180. Gaps: an interval without a value (missing rows or
    empty cells) up to ``max_gap_s`` long (default 3 h) is bridged linearly; the first and
    last values are held up to ``max_gap_s`` beyond the measured span. A longer gap inside the
    window raises ``ValueError`` naming the variable and the interval. No NaN is returned.

    Parameters
    ----------
    series : MeasuredWind
    start : datetime.datetime, pandas.Timestamp or ISO 8601 str, with a UTC offset
    step_s : float
        Step [s], > 0.
    n_steps : int
        Number of steps, >= 1.
    max_gap_s : float
        Longest gap filled by interpolation [s], >= 0.
    """
    import pandas as pd

    if not isinstance(series, MeasuredWind):
        raise ValueError("series: must be a MeasuredWind (see read_measured_wind_csv)")
    step = _scalar(step_s, "step_s", 0, low_open=True)
    n = int(_scalar(n_steps, "n_steps", 1))
    if n != n_steps:
        raise ValueError(f"n_steps: must be an integer, got {n_steps!r}")
    gap = _scalar(max_gap_s, "max_gap_s", 0)
    try:
        t_start = pd.Timestamp(start)
    except (TypeError, ValueError):
        raise ValueError(f"start: cannot parse {start!r} as a time") from None
    if t_start.tzinfo is None:
        raise ValueError(f"start: {start!r} has no UTC offset")
    epoch = t_start.tz_convert("UTC").to_pydatetime()
    t_s = (series.time - pd.Timestamp(epoch)).total_seconds().to_numpy()
    starts = np.arange(n) * step

    def mean(y, name):
        return _window_means(t_s, np.asarray(y, float), starts, step, gap, name, epoch)

    direction = None
    if series.wind_direction_deg is not None:
        rad = np.deg2rad(series.wind_direction_deg)
        s_mean = mean(np.sin(rad), "wind_direction_deg")
        c_mean = mean(np.cos(rad), "wind_direction_deg")
        direction = np.mod(np.rad2deg(np.arctan2(s_mean, c_mean)), 360.0)
        direction[direction >= 360.0] = 0.0
    return MeasuredWind(
        time=pd.date_range(t_start.tz_convert("UTC"), periods=n, freq=pd.Timedelta(seconds=step)),
        wind_speed_m_s=np.maximum(mean(series.wind_speed_m_s, "wind_speed_m_s"), 0.0),
        height_m=series.height_m, wind_direction_deg=direction,
        air_temp_c=None if series.air_temp_c is None else mean(series.air_temp_c, "air_temp_c"),
        pressure_pa=None if series.pressure_pa is None else mean(series.pressure_pa, "pressure_pa"))


# --------------------------------------------------------------------------- statistics of a series
def fit_weibull(wind_speed_m_s, method="mle"):
    """Weibull shape k [-] and scale c [m s-1] of a speed sample.

    ``method="mle"``: maximum likelihood with location 0, as
    ``scipy.stats.weibull_min.fit(v, floc=0)``: k solves
    sum(v^k ln v) / sum(v^k) - 1/k - mean(ln v) = 0 (Cohen 1965), c = mean(v^k)^(1/k); speeds
    must be > 0 (a calm of exactly 0 has no likelihood: use the moments). ``method="moments"``:
    k solves Gamma(1 + 2/k) / Gamma(1 + 1/k)^2 = 1 + (std/mean)^2 (population std), c = mean /
    Gamma(1 + 1/k) (Justus et al. 1978); speeds >= 0. Returns ``(k, c)``.
    """
    from scipy.optimize import brentq  # here: scipy.optimize costs every process that imports physics.wind 0.8 s

    v = _nonneg(wind_speed_m_s, "wind_speed_m_s").ravel()
    if v.size < 2 or np.all(v == v[0]):
        raise ValueError("wind_speed_m_s: need at least 2 different values")
    if method == "mle":
        if np.any(v <= 0):
            raise ValueError("wind_speed_m_s: must be > 0 for method='mle' (use method='moments')")
        x = v / v.max()  # scale-free: x^k stays in (0, 1]
        lx = np.log(x)
        mean_lx = lx.mean()

        def score(k):
            w = x**k
            return (w @ lx) / w.sum() - 1.0 / k - mean_lx

        k = brentq(score, 0.02, 200.0, xtol=1e-12, rtol=1e-12)
        return k, float(v.max() * np.mean(x**k) ** (1.0 / k))
    if method == "moments":
        cv2 = v.var() / v.mean() ** 2

        def excess(log_k):
            k = math.exp(log_k)
            return math.exp(gammaln(1 + 2 / k) - 2 * gammaln(1 + 1 / k)) - 1.0 - cv2

        k = math.exp(brentq(excess, math.log(0.05), math.log(100.0), xtol=1e-14))
        return k, float(v.mean() / math.exp(gammaln(1 + 1 / k)))
    raise ValueError(f"method: must be 'mle' or 'moments', got {method!r}")


def autocorrelation(values, lag_steps=1):
    """Sample autocorrelation at ``lag_steps`` [-]: Pearson correlation of x[:-lag] with x[lag:].

    For the lag-1-hour autocorrelation of HOMER use ``lag_steps = round(3600 / step_s)``.
    """
    x = _array(values, "values").ravel()
    lag = int(_scalar(lag_steps, "lag_steps", 1))
    if x.size <= lag + 1:
        raise ValueError(f"values: need more than lag_steps + 1 = {lag + 1} values")
    return float(np.corrcoef(x[:-lag], x[lag:])[0, 1])


def diurnal_cycle(wind_speed_m_s, hour_of_day):
    """Diurnal strength [-] and peak hour [h] by a least-squares first-harmonic fit.

    Fits v = m (1 + s cos(2 pi (h - h_peak) / 24)) (HOMER's "diurnal pattern strength" s and
    "hour of peak wind speed" h_peak) as v = m + A cos + B sin; returns ``(s, h_peak)`` with
    s = hypot(A, B) / m and h_peak in [0, 24).
    """
    v = _nonneg(wind_speed_m_s, "wind_speed_m_s").ravel()
    h = _array(hour_of_day, "hour_of_day").ravel()
    if h.size != v.size:
        raise ValueError(f"hour_of_day: length {h.size} differs from wind_speed_m_s ({v.size})")
    w = 2 * np.pi * h / 24.0
    design = np.column_stack((np.ones_like(w), np.cos(w), np.sin(w)))
    (m, a, b), *_ = np.linalg.lstsq(design, v, rcond=None)
    if m <= 0:
        raise ValueError("wind_speed_m_s: mean must be > 0")
    return float(np.hypot(a, b) / m), float((np.arctan2(b, a) * 24 / (2 * np.pi)) % 24.0)
