"""Fitting the synthetic wind generator to a measured series: Weibull marginal, diurnal and seasonal cycles, the
hourly and synoptic memory, the wind rose; and the statistics that judge a generated year against the measured one
(autocorrelation at a lag, calm spells).

The generator is :func:`physics.wind_resource.synthetic_wind`. The fit works on hourly means:

1. diurnal and seasonal cycles: the first harmonic of the hour-of-day and day-of-year means, relative to the mean
   (the generator's multiplicative modulation);
2. the Weibull shape and scale of the de-modulated speeds by maximum likelihood, readings below the anemometer's
   threshold (0.5 m/s by default) counted as censored (calm hours are recorded as 0);
3. the memory (hourly autocorrelation, synoptic weight and time) by the method of simulated moments: the
   parameters whose generated speed series (10 years, fixed draws) has the measured series' autocorrelation at
   lags of 1, 3, 6, 12, 24, 48 and 72 h. The measured autocorrelation at a day or more holds the diurnal and
   seasonal cycles as well; simulating the whole generator compares like with like.
4. the wind rose: the frequency of each of 12 sectors when directions are measured.

Judged (issue 16) by a year generated from the fit against the measured year: the autocorrelation at 24 h and 72 h
(within 0.05) and the 90th percentile of calm-spell length (within 20 %).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.optimize import least_squares, minimize

from physics.wind_resource import synthetic_wind

__all__ = ["autocorrelation", "calm_spell_lengths_h", "WindFit", "fit_synthetic_wind", "FIT_LAGS_H",
           "hour_and_day"]

FIT_LAGS_H = (1, 3, 6, 12, 24, 48, 72)
"""Lags [h] whose autocorrelation the memory fit matches."""


def autocorrelation(series, lags_steps) -> np.ndarray:
    """Sample autocorrelation of a series at the given lags [steps]; NaN (gaps) are left out pair by pair.

    ``r(L) = sum((x_t - m)(x_{t+L} - m)) / sum((x_t - m)^2) * n / n_L`` over the pairs where both are finite, with
    the mean m and variance of all finite values (the usual estimator, Box and Jenkins, corrected for the pairs
    a gap removes).
    """
    x = np.asarray(series, dtype=float).ravel()
    ok = np.isfinite(x)
    if ok.sum() < 3:
        raise ValueError("series: fewer than 3 finite values")
    d = np.where(ok, x - x[ok].mean(), 0.0)
    var = float((d[ok] ** 2).mean())
    if var <= 0.0:
        raise ValueError("series: constant, its autocorrelation is undefined")
    out = []
    for lag in np.atleast_1d(lags_steps):
        lag = int(lag)
        if not 0 < lag < x.size:
            raise ValueError(f"lags_steps: {lag} is not between 1 and the series' length - 1")
        both = ok[:-lag] & ok[lag:]
        out.append(float((d[:-lag] * d[lag:])[both].mean()) / var if both.any() else math.nan)
    return np.array(out)


def calm_spell_lengths_h(speed_m_s, step_s: float, threshold_m_s: float) -> np.ndarray:
    """Lengths [h] of the spells of consecutive steps with speed below ``threshold_m_s`` [m s-1] (a gap, NaN,
    ends a spell)."""
    v = np.asarray(speed_m_s, dtype=float).ravel()
    calm = np.isfinite(v) & (v < threshold_m_s)
    edges = np.diff(np.concatenate(([0], calm.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return (ends - starts) * step_s / 3600.0


def hour_and_day(time) -> tuple[np.ndarray, np.ndarray]:
    """Local hour of day [h] and day of year [d, from 0] of a pandas DatetimeIndex."""
    return (np.asarray(time.hour + time.minute / 60.0, float), np.asarray(time.day_of_year - 1, float))


@dataclass
class WindFit:
    """The generator's parameters fitted to a measured series (``synthetic_wind``'s arguments), and the
    measured statistics they were fitted to."""

    weibull_k: float
    weibull_c_m_s: float
    autocorrelation_1h: float
    synoptic_weight: float
    synoptic_time_h: float
    diurnal_strength: float
    peak_hour: float
    seasonal_amplitude: float
    peak_day_of_year: float
    direction_sector_weights: list | None
    height_m: float
    measured: dict = field(default_factory=dict)
    """Hours of data, mean speed [m s-1], autocorrelation at each fitted lag, calm-spell 90th percentile [h]."""

    def generator_kwargs(self) -> dict:
        """The keyword arguments of ``synthetic_wind``."""
        keep = ("weibull_k", "weibull_c_m_s", "autocorrelation_1h", "synoptic_weight", "synoptic_time_h",
                "diurnal_strength", "peak_hour", "seasonal_amplitude", "peak_day_of_year", "direction_sector_weights")
        return {k: v for k, v in asdict(self).items() if k in keep}


def _first_harmonic(values: np.ndarray, phase: np.ndarray) -> tuple[float, float]:
    """Amplitude and phase [rad] of ``values ~ 1 + a cos(phase - phi)`` by least squares."""
    a_mat = np.column_stack((np.cos(phase), np.sin(phase)))
    (ac, as_), *_ = np.linalg.lstsq(a_mat, values - 1.0, rcond=None)
    return float(math.hypot(ac, as_)), float(math.atan2(as_, ac))


def _fit_modulation(v: np.ndarray, hour: np.ndarray, day: np.ndarray) -> tuple[float, float, float, float]:
    ok = np.isfinite(v)
    mean = v[ok].mean()
    hours = np.arange(24)
    hm = np.array([v[ok & (np.floor(hour) == h)].mean() for h in hours]) / mean
    good = np.isfinite(hm)
    ds, phi = _first_harmonic(hm[good], 2 * np.pi * hours[good] / 24.0)
    days = np.floor(day).astype(int)
    dm = np.array([v[ok & (days == d)].mean() if np.any(ok & (days == d)) else np.nan for d in range(366)]) / mean
    good = np.isfinite(dm)
    if good.sum() >= 60:
        sa, psi = _first_harmonic(dm[good], 2 * np.pi * np.arange(366)[good] / 365.25)
    else:  # less than two months: no seasonal cycle can be seen
        sa, psi = 0.0, 0.0
    peak_hour = (phi * 24.0 / (2 * np.pi)) % 24.0
    peak_day = (psi * 365.25 / (2 * np.pi)) % 365.25
    return min(ds, 0.95), peak_hour, min(sa, 0.95), peak_day


def _modulation(hour, day, ds, peak_hour, sa, peak_day) -> np.ndarray:
    return ((1.0 + ds * np.cos(2 * np.pi * (hour - peak_hour) / 24.0))
            * (1.0 + sa * np.cos(2 * np.pi * (day - peak_day) / 365.25)))


def _fit_weibull_censored(v: np.ndarray, threshold_m_s: float) -> tuple[float, float]:
    """Weibull (k, c) by maximum likelihood, values below ``threshold_m_s`` left-censored."""
    x = v[v >= threshold_m_s]
    n_cens = int((v < threshold_m_s).sum())
    if x.size < 10:
        raise ValueError("wind_speed_m_s: fewer than 10 readings above the anemometer threshold")

    def nll(p):
        k, c = np.exp(p)
        ll = np.sum(np.log(k / c) + (k - 1.0) * np.log(x / c) - (x / c) ** k)
        if n_cens:
            ll += n_cens * math.log(-math.expm1(-((threshold_m_s / c) ** k)))
        return -ll

    res = minimize(nll, np.log([2.0, float(np.mean(v))]), method="Nelder-Mead",
                   options={"xatol": 1e-8, "fatol": 1e-8, "maxiter": 2000})
    k, c = np.exp(res.x)
    return float(k), float(c)


def _memory_start(v0: np.ndarray, lags: np.ndarray, target: np.ndarray) -> tuple[float, float, float]:
    """A starting point for the memory fit: the Gaussian model ``(1 - w) r^L + w exp(-L / tau)`` fitted to the
    measured autocorrelation by least squares from three starts (no simulation)."""
    best = None
    for start in ((0.8, 0.3, 48.0), (0.5, 0.6, 18.0), (0.9, 0.15, 120.0)):
        fit = least_squares(lambda p: (1 - p[1]) * p[0] ** lags + p[1] * np.exp(-lags / p[2]) - target, start,
                            bounds=([0.0, 0.0, 2.0], [0.995, 0.95, 480.0]))
        if best is None or fit.cost < best.cost:
            best = fit
    return tuple(float(x) for x in best.x)


def fit_synthetic_wind(time, speed_m_s, height_m: float, direction_deg=None, calm_threshold_m_s: float = 3.0,
                       anemometer_threshold_m_s: float = 0.5, simulated_years: int = 10, seed: int = 0) -> WindFit:
    """Fit :func:`physics.wind_resource.synthetic_wind` to an hourly measured series (module docstring).

    Parameters
    ----------
    time : pandas.DatetimeIndex
        Local times of the hourly values (the generator's diurnal and seasonal cycles are in local time).
    speed_m_s : array_like
        Hourly mean wind speed [m s-1] at ``height_m``; NaN for gaps.
    height_m : float
        Measurement height [m] (the fitted resource is at that reference height).
    direction_deg : array_like or None
        Hourly mean direction [deg FROM]; with it the wind rose is fitted (12 sectors).
    calm_threshold_m_s : float
        Speed below which an hour counts as calm for the calm-spell statistic [m s-1].
    anemometer_threshold_m_s : float
        Readings below it are censored in the Weibull fit [m s-1].
    simulated_years, seed : int
        Length and draws of the simulation the memory is fitted on (common random numbers).
    """
    v = np.asarray(speed_m_s, dtype=float).ravel()
    if v.size != len(time):
        raise ValueError(f"speed_m_s: length {v.size} differs from time ({len(time)})")
    if np.isfinite(v).sum() < 24 * 60:
        raise ValueError("speed_m_s: fewer than 60 days of hourly values; too short to fit the wind's memory")
    hour, day = hour_and_day(time)
    ds, peak_hour, sa, peak_day = _fit_modulation(v, hour, day)
    m = _modulation(hour, day, ds, peak_hour, sa, peak_day)
    ok = np.isfinite(v)
    m /= m[ok].mean()
    k, c = _fit_weibull_censored(v[ok] / m[ok], anemometer_threshold_m_s)
    lags = np.array(FIT_LAGS_H)
    target = autocorrelation(v, lags)

    n_sim = 8760 * simulated_years
    t_sim = np.arange(n_sim, dtype=float)
    h_sim, d_sim = t_sim % 24.0, (t_sim // 24.0) % 365.0

    def model(p):
        r, w, tau = p
        s, _ = synthetic_wind(h_sim, d_sim, 3600.0, k, c, autocorrelation_1h=r, diurnal_strength=ds,
                              peak_hour=peak_hour, seasonal_amplitude=sa, peak_day_of_year=peak_day,
                              synoptic_weight=w, synoptic_time_h=tau, rng=seed)
        return autocorrelation(s, lags)

    best = least_squares(lambda p: model(p) - target, _memory_start(v / m, lags, target),
                         bounds=([0.0, 0.0, 2.0], [0.995, 0.95, 480.0]), diff_step=1e-3, xtol=1e-5, ftol=1e-6)
    r, w, tau = (float(x) for x in best.x)

    weights = None
    if direction_deg is not None:
        d = np.asarray(direction_deg, dtype=float).ravel()
        good = np.isfinite(d)
        if good.any():
            sector = np.floor(((d[good] + 15.0) % 360.0) / 30.0).astype(int)
            counts = np.bincount(sector, minlength=12).astype(float)
            weights = [round(x, 4) for x in (counts / counts.sum()).tolist()]
    calms = calm_spell_lengths_h(v, 3600.0, calm_threshold_m_s)
    measured = {"hours": int(ok.sum()), "mean_speed_m_s": float(v[ok].mean()),
                "autocorrelation": {int(L): float(a) for L, a in zip(lags, target)},
                "calm_threshold_m_s": calm_threshold_m_s,
                "calm_spell_p90_h": float(np.percentile(calms, 90)) if calms.size else 0.0,
                "fit_rms_autocorrelation": float(math.sqrt(2.0 * best.cost / lags.size))}
    return WindFit(weibull_k=k, weibull_c_m_s=c, autocorrelation_1h=r, synoptic_weight=w, synoptic_time_h=tau,
                   diurnal_strength=ds, peak_hour=peak_hour, seasonal_amplitude=sa, peak_day_of_year=peak_day,
                   direction_sector_weights=weights, height_m=float(height_m), measured=measured)
