"""Wind resource and wind-farm power: power curves, shear, density, synthetic years, wakes.

Pure, vectorised functions (numpy arrays in, numpy arrays out); no I/O except reading
the reference turbine tables shipped with FLORIS. Units are SI and appear in every
argument name. Bad input raises ``ValueError("<argument>: <reason>")``.

Sources
-------
- Reference turbines: FLORIS ``turbine_library`` (NREL 5 MW, IEA 10/15/22 MW), NREL/FLORIS,
  https://github.com/NREL/floris; the NREL 5 MW table derives from NREL turbine-models
  ``Offshore/NREL_5MW_126_RWT_corrected.csv``, the IEA 15 MW one from IEA Wind Task 37.
- Shear, air density and temperature gradient: the formulas of windpowerlib
  (``wind_speed``, ``density``, ``temperature``; Haas et al., JOSS 2019), after
  Quaschning (2011), Hau (2008) and the ICAO standard atmosphere.
- Density correction: IEC 61400-12-1 (equivalent wind speed, exponent 1/3).
- Synthetic wind: UL HOMER Pro manual, "Generating Synthetic Wind Data".
- Wakes: Jensen (1983), Risø-M-2411; Katic, Højstrup & Jensen (1986), EWEC '86.

Meteorological convention throughout: a direction is where the wind comes FROM, in
degrees clockwise from north; the layout frame has x east and y north.
"""

from __future__ import annotations

import functools
import importlib.resources
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import lfilter
from scipy.special import log_ndtr, ndtr

__all__ = [
    "DEFAULT_THRUST_COEFFICIENT",
    "FarmPowerTable",
    "PowerCurve",
    "STANDARD_AIR_DENSITY_KG_M3",
    "TURBINES",
    "barometric_air_density",
    "custom_power_curve",
    "density_equivalent_speed_m_s",
    "farm_power_w",
    "grid_layout",
    "jensen_farm_table",
    "load_turbine",
    "logarithmic_profile",
    "no_wake_farm_table",
    "power_law_profile",
    "synthetic_wind",
    "temperature_at_height_k",
    "turbine_power_w",
    "turbine_thrust_coefficient",
]

#: Air density of the standard atmosphere at sea level [kg m-3] (IEC 61400-12-1).
STANDARD_AIR_DENSITY_KG_M3 = 1.225

#: Thrust coefficient [-] assumed below rated speed when a custom curve has no Ct table.
#: Reference variable-speed pitch-regulated rotors run near 0.78-0.79 there (NREL 5 MW,
#: IEA 15 MW tables in FLORIS); 0.8 is a round, slightly conservative value.
DEFAULT_THRUST_COEFFICIENT = 0.8

#: Our turbine names -> FLORIS ``turbine_library`` file names.
TURBINES: dict[str, str] = {
    "nrel-5mw": "nrel_5MW.yaml",
    "iea-10mw": "iea_10MW.yaml",
    "iea-15mw": "iea_15MW.yaml",
    "iea-22mw": "iea_22MW.yaml",
}

# FLORIS clips Ct to this range before computing the axial induction (operation_models.py);
# Ct >= 1 (turbulent-wake state, e.g. NREL 5 MW at 3 m/s) is outside momentum theory.
_CT_MIN, _CT_MAX = 0.0001, 0.9999


# --------------------------------------------------------------------------- validation
def _array(value, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be numeric") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: must be finite (no NaN or inf)")
    return arr


def _nonneg(value, name: str) -> np.ndarray:
    arr = _array(value, name)
    if np.any(arr < 0):
        raise ValueError(f"{name}: must be >= 0, got min {arr.min()!r}")
    return arr


def _positive(value, name: str) -> np.ndarray:
    arr = _array(value, name)
    if np.any(arr <= 0):
        raise ValueError(f"{name}: must be > 0, got min {arr.min()!r}")
    return arr


def _scalar(value, name: str, low: float | None = None, high: float | None = None,
            low_open: bool = False, high_open: bool = False) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be a number, got {value!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"{name}: must be finite, got {value!r}")
    if low is not None and (x <= low if low_open else x < low):
        raise ValueError(f"{name}: must be {'>' if low_open else '>='} {low}, got {x!r}")
    if high is not None and (x >= high if high_open else x > high):
        raise ValueError(f"{name}: must be {'<' if high_open else '<='} {high}, got {x!r}")
    return x


# --------------------------------------------------------------------------- power curves
@dataclass(frozen=True, eq=False)
class PowerCurve:
    """Power and thrust curve of one turbine at standard air density (1.225 kg m-3).

    Parameters
    ----------
    name : str
        Identifier.
    wind_speed_m_s : np.ndarray
        Hub-height wind speeds [m s-1], strictly increasing, >= 0, at least 2.
    power_w : np.ndarray
        Electrical power at each speed [W], >= 0, same length.
    thrust_coefficient : np.ndarray or None
        Ct at each speed [-], >= 0, same length; ``None`` selects the default model of
        :func:`turbine_thrust_coefficient`.
    rotor_diameter_m, hub_height_m : float
        Rotor diameter and hub height [m], > 0.

    Derived (not constructor arguments): ``rated_power_w`` (maximum of ``power_w``),
    ``cut_in_m_s`` and ``cut_out_m_s`` (first and last table speed with power > 0).
    Arrays are stored read-only. ``eq=False``: curves compare and hash by identity, so they
    can key caches.
    """

    name: str
    wind_speed_m_s: np.ndarray
    power_w: np.ndarray
    thrust_coefficient: np.ndarray | None
    rotor_diameter_m: float
    hub_height_m: float
    rated_power_w: float = field(init=False)
    cut_in_m_s: float = field(init=False)
    cut_out_m_s: float = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("name: must be a non-empty string")
        speed = _nonneg(self.wind_speed_m_s, "wind_speed_m_s").ravel().copy()
        power = _nonneg(self.power_w, "power_w").ravel().copy()
        if speed.size < 2:
            raise ValueError("wind_speed_m_s: need at least 2 points")
        if np.any(np.diff(speed) <= 0):
            raise ValueError("wind_speed_m_s: must be sorted strictly increasing")
        if power.size != speed.size:
            raise ValueError(f"power_w: length {power.size} differs from wind_speed_m_s ({speed.size})")
        if not np.any(power > 0):
            raise ValueError("power_w: at least one value must be > 0")
        ct = None
        if self.thrust_coefficient is not None:
            ct = _nonneg(self.thrust_coefficient, "thrust_coefficient").ravel().copy()
            if ct.size != speed.size:
                raise ValueError(f"thrust_coefficient: length {ct.size} differs from wind_speed_m_s ({speed.size})")
            ct.flags.writeable = False
        speed.flags.writeable = False
        power.flags.writeable = False
        producing = np.flatnonzero(power > 0)
        set_ = object.__setattr__
        set_(self, "wind_speed_m_s", speed)
        set_(self, "power_w", power)
        set_(self, "thrust_coefficient", ct)
        set_(self, "rotor_diameter_m", _scalar(self.rotor_diameter_m, "rotor_diameter_m", 0, low_open=True))
        set_(self, "hub_height_m", _scalar(self.hub_height_m, "hub_height_m", 0, low_open=True))
        set_(self, "rated_power_w", float(power.max()))
        set_(self, "cut_in_m_s", float(speed[producing[0]]))
        set_(self, "cut_out_m_s", float(speed[producing[-1]]))


def custom_power_curve(wind_speed_m_s, power_w, rotor_diameter_m, hub_height_m, name="custom",
                       thrust_coefficient=None) -> PowerCurve:
    """Build a validated :class:`PowerCurve` from tables (e.g. read from a CSV).

    Speeds must be strictly increasing and >= 0, powers >= 0 [W], same length >= 2; see
    :class:`PowerCurve`. Without ``thrust_coefficient`` the default Ct model applies.
    """
    return PowerCurve(name=name, wind_speed_m_s=wind_speed_m_s, power_w=power_w,
                      thrust_coefficient=thrust_coefficient, rotor_diameter_m=rotor_diameter_m,
                      hub_height_m=hub_height_m)


@functools.lru_cache(maxsize=None)
def load_turbine(name: str) -> PowerCurve:
    """Reference turbine from the FLORIS turbine library (cached).

    Reads ``power_thrust_table.{wind_speed [m s-1], power [kW], thrust_coefficient}``,
    ``rotor_diameter`` and ``hub_height`` of the YAML file named in :data:`TURBINES`,
    located through the ``floris.turbine_library`` package. Tables are for 1.225 kg m-3.
    (turbine-models' DTU 10 MW is not offered: that package is not a dependency.)
    """
    if name not in TURBINES:
        raise ValueError(f"name: unknown turbine {name!r}; known: {', '.join(sorted(TURBINES))}")
    import yaml  # local: only needed here

    text = importlib.resources.files("floris.turbine_library").joinpath(TURBINES[name]).read_text()
    data = yaml.safe_load(text)
    table = data["power_thrust_table"]
    return PowerCurve(
        name=name,
        wind_speed_m_s=np.asarray(table["wind_speed"], dtype=float),
        power_w=np.asarray(table["power"], dtype=float) * 1e3,
        thrust_coefficient=np.asarray(table["thrust_coefficient"], dtype=float),
        rotor_diameter_m=float(data["rotor_diameter"]),
        hub_height_m=float(data["hub_height"]),
    )


def density_equivalent_speed_m_s(wind_speed_m_s, air_density_kg_m3):
    """Wind speed at standard density giving the same power: v (rho / 1.225)^(1/3) [m s-1].

    IEC 61400-12-1 normalisation for pitch-regulated turbines (kinetic-energy flux
    rho v^3 conserved). windpowerlib's ``power_curve_density_correction`` (Svenningsen
    2010) uses the same exponent 1/3 for table speeds <= 7.5 m/s but raises it linearly to
    2/3 at 12.5 m/s and above; the two agree below 7.5 m/s and near rated power differ by a
    few percent of power for densities a few percent from 1.225.
    """
    v = _nonneg(wind_speed_m_s, "wind_speed_m_s")
    rho = _positive(air_density_kg_m3, "air_density_kg_m3")
    return v * np.cbrt(rho / STANDARD_AIR_DENSITY_KG_M3)


def _interp_operating(curve: PowerCurve, speed: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.interp(speed, curve.wind_speed_m_s, values)
    return np.where((speed >= curve.cut_in_m_s) & (speed <= curve.cut_out_m_s), out, 0.0)


def turbine_power_w(curve: PowerCurve, wind_speed_m_s, air_density_kg_m3=None):
    """Electrical power of one turbine [W] at hub-height wind speed [m s-1].

    Linear interpolation in the table; 0 below ``cut_in_m_s`` and above ``cut_out_m_s``.
    With ``air_density_kg_m3`` [kg m-3] the curve is read at the density-equivalent speed
    (:func:`density_equivalent_speed_m_s`, IEC 61400-12-1).
    """
    v = _nonneg(wind_speed_m_s, "wind_speed_m_s")
    if air_density_kg_m3 is not None:
        v = density_equivalent_speed_m_s(v, air_density_kg_m3)
    return _interp_operating(curve, v, curve.power_w)


def turbine_thrust_coefficient(curve: PowerCurve, wind_speed_m_s):
    """Thrust coefficient Ct [-] at hub-height wind speed [m s-1]; 0 outside cut-in..cut-out.

    With a Ct table: linear interpolation. Without one (custom curves) the default model is
    Ct = :data:`DEFAULT_THRUST_COEFFICIENT` up to rated speed (first table speed reaching
    99.5 % of rated power) and Ct = 0.8 (v_rated / v)^3 above it, i.e. Ct falls like the
    power coefficient at constant power. Against the NREL 5 MW table this overestimates Ct
    above rated (0.35 vs 0.25 at 15 m/s), so wakes are slightly pessimistic.
    """
    v = _nonneg(wind_speed_m_s, "wind_speed_m_s")
    if curve.thrust_coefficient is not None:
        return _interp_operating(curve, v, curve.thrust_coefficient)
    rated_speed = curve.wind_speed_m_s[np.argmax(curve.power_w >= 0.995 * curve.rated_power_w)]
    ct = DEFAULT_THRUST_COEFFICIENT * np.minimum(1.0, (rated_speed / np.maximum(v, 1e-9)) ** 3)
    return np.where((v >= curve.cut_in_m_s) & (v <= curve.cut_out_m_s), ct, 0.0)


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
    """Stationary AR(1) with unit variance: z0 = e0, z_t = phi z_{t-1} + sqrt(1-phi^2) e_t."""
    x = innovations * math.sqrt(1.0 - phi * phi)
    x[..., 0] = innovations[..., 0]
    return lfilter([1.0], [1.0, -phi], x, axis=-1)


def synthetic_wind(hour_of_day, day_of_year, step_s, weibull_k, weibull_c_m_s, autocorrelation_1h=0.85,
                   diurnal_strength=0.25, peak_hour=15.0, seasonal_amplitude=0.0, peak_day_of_year=15.0,
                   direction_sector_weights=None, rng=None, direction_autocorrelation_1h=0.97):
    """Synthetic hub-height wind speed [m s-1] and direction [deg] series (HOMER method).

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


# --------------------------------------------------------------------------- farm layout and wakes
def grid_layout(turbine_count, rows, spacing_x_m, spacing_y_m):
    """Rectangular layout [m]: ``rows`` rows along y, ceil(n/rows) columns along x.

    Turbines fill row by row from the origin (row r at y = r spacing_y, column j at
    x = j spacing_x); the last row may be partial. Returns ``(x_m, y_m)``.
    """
    n = int(_scalar(turbine_count, "turbine_count", 1))
    if n != turbine_count:
        raise ValueError(f"turbine_count: must be an integer, got {turbine_count!r}")
    r = int(_scalar(rows, "rows", 1, n))
    if r != rows:
        raise ValueError(f"rows: must be an integer, got {rows!r}")
    sx = _scalar(spacing_x_m, "spacing_x_m", 0, low_open=True)
    sy = _scalar(spacing_y_m, "spacing_y_m", 0, low_open=True)
    cols = -(-n // r)
    idx = np.arange(n)
    return (idx % cols) * sx, (idx // cols) * sy


@dataclass(frozen=True, eq=False)
class FarmPowerTable:
    """Total farm power [W] over free-stream speed [m s-1] and direction [deg].

    ``power_w[i, j]`` is the farm power at ``direction_deg[i]``, ``wind_speed_m_s[j]``, at
    1.225 kg m-3 with all turbines available. Directions are evenly spaced over the full
    circle within [0, 360); speeds strictly increasing and >= 0.
    """

    wind_speed_m_s: np.ndarray
    direction_deg: np.ndarray
    power_w: np.ndarray

    def __post_init__(self) -> None:
        speeds = _speed_grid(self.wind_speed_m_s)
        dirs = _direction_grid(self.direction_deg)
        power = _nonneg(self.power_w, "power_w").copy()
        if power.shape != (dirs.size, speeds.size):
            raise ValueError(f"power_w: shape {power.shape} must be (n_direction, n_speed) = "
                             f"{(dirs.size, speeds.size)}")
        for name, arr in (("wind_speed_m_s", speeds), ("direction_deg", dirs), ("power_w", power)):
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)


def _speed_grid(wind_speed_m_s) -> np.ndarray:
    if wind_speed_m_s is None:
        return np.linspace(0.0, 30.0, 61)
    v = _nonneg(wind_speed_m_s, "wind_speed_m_s").ravel().copy()
    if v.size < 2 or np.any(np.diff(v) <= 0):
        raise ValueError("wind_speed_m_s: need >= 2 speeds, sorted strictly increasing")
    return v


def _direction_grid(direction_deg) -> np.ndarray:
    if direction_deg is None:
        return np.arange(72) * 5.0
    dirs = _array(direction_deg, "direction_deg").ravel().copy()
    n = dirs.size
    if n < 1 or np.any(dirs < 0) or np.any(dirs >= 360):
        raise ValueError("direction_deg: need >= 1 direction, each in [0, 360)")
    if not np.allclose(np.diff(dirs), 360.0 / n, rtol=0, atol=1e-9):
        raise ValueError(f"direction_deg: must be evenly spaced over the full circle (step 360/{n})")
    return dirs


def _overlap_fraction(distance_m, rotor_radius_m, wake_radius_m):
    """Fraction of a rotor disc (radius R) inside a wake disc (radius Rw >= R) whose centre is
    ``distance_m`` away: exact circle-circle intersection area / (pi R^2)."""
    d, r, rw = np.broadcast_arrays(distance_m, rotor_radius_m, wake_radius_m)
    ds = np.maximum(d, 1e-12)
    c1 = np.clip((ds**2 + r**2 - rw**2) / (2 * ds * r), -1, 1)
    c2 = np.clip((ds**2 + rw**2 - r**2) / (2 * ds * rw), -1, 1)
    kite = np.sqrt(np.clip((-ds + r + rw) * (ds + r - rw) * (ds - r + rw) * (ds + r + rw), 0, None))
    lens = r**2 * np.arccos(c1) + rw**2 * np.arccos(c2) - 0.5 * kite
    frac = np.where(d >= r + rw, 0.0, np.where(d <= rw - r, 1.0, lens / (np.pi * r**2)))
    return np.clip(frac, 0.0, 1.0)


def jensen_farm_table(curve: PowerCurve, x_m, y_m, wake_decay=0.05, wind_speed_m_s=None,
                      direction_deg=None) -> FarmPowerTable:
    """Farm power table with the top-hat Jensen/Park wake model.

    Deficit of turbine i on turbine j at downstream distance s > 0 (Jensen 1983; Katic et
    al. 1986): delta_ij = (1 - sqrt(1 - Ct_i)) (D / (D + 2 k s))^2 A_ij / A_rotor, where
    A_ij is the exact overlap of j's rotor disc with i's wake disc of radius D/2 + k s.
    Deficits combine as a root-sum-of-squares (FLORIS "sosfs"):
    U_j = U_inf (1 - sqrt(sum_i delta_ij^2)), clipped at 0. Turbines are solved in upstream
    order for every direction, each Ct_i read at turbine i's own waked speed (as FLORIS's
    sequential solver does); Ct is clipped to [0.0001, 0.9999] like FLORIS. Rotor-averaging
    is by area fraction (FLORIS samples a grid of rotor points instead), and all turbines
    are assumed at the same hub height with no shear or wake deflection.

    Parameters
    ----------
    curve : PowerCurve
    x_m, y_m : array_like, shape (n_turbines,)
        Positions [m], x east, y north.
    wake_decay : float
        Wake decay constant k [-], >= 0 (0.04-0.05 offshore).
    wind_speed_m_s : array_like or None
        Free-stream speeds [m s-1]; default 0..30 step 0.5.
    direction_deg : array_like or None
        Evenly spaced directions [deg] the wind comes FROM; default every 5 deg.
    """
    x = _array(x_m, "x_m").ravel()
    y = _array(y_m, "y_m").ravel()
    if x.size == 0:
        raise ValueError("x_m: need at least one turbine")
    if y.size != x.size:
        raise ValueError(f"y_m: length {y.size} differs from x_m ({x.size})")
    k = _scalar(wake_decay, "wake_decay", 0)
    speeds = _speed_grid(wind_speed_m_s)
    dirs = _direction_grid(direction_deg)
    n_t, n_d = x.size, dirs.size
    diameter = curve.rotor_diameter_m

    theta = np.deg2rad(dirs)
    flow_x, flow_y = -np.sin(theta), -np.cos(theta)  # unit vector the air moves along
    dx = x[None, :] - x[:, None]  # [i, j]: from i to j
    dy = y[None, :] - y[:, None]
    down = dx[None] * flow_x[:, None, None] + dy[None] * flow_y[:, None, None]  # [dir, i, j]
    lateral = np.abs(dx[None] * flow_y[:, None, None] - dy[None] * flow_x[:, None, None])
    s = np.maximum(down, 0.0)
    geometry = np.where(
        down > 1e-6,
        (diameter / (diameter + 2 * k * s)) ** 2
        * _overlap_fraction(lateral, diameter / 2.0, diameter / 2.0 + k * s),
        0.0,
    )  # [dir, i, j]
    geometry_sq = geometry**2
    order = np.argsort(x[None, :] * flow_x[:, None] + y[None, :] * flow_y[:, None], axis=1, kind="stable")

    induction = np.zeros((n_d, n_t, speeds.size))  # 1 - sqrt(1 - Ct) of solved turbines
    total = np.zeros((n_d, speeds.size))
    rows = np.arange(n_d)
    for rank in range(n_t):
        j = order[:, rank]
        deficit_sq = np.einsum("di,dis->ds", geometry_sq[rows, :, j], induction**2)
        u = speeds[None, :] * np.maximum(0.0, 1.0 - np.sqrt(deficit_sq))
        ct = np.clip(turbine_thrust_coefficient(curve, u), _CT_MIN, _CT_MAX)
        induction[rows, j, :] = 1.0 - np.sqrt(1.0 - ct)
        total += _interp_operating(curve, u, curve.power_w)
    return FarmPowerTable(wind_speed_m_s=speeds, direction_deg=dirs, power_w=total)


def no_wake_farm_table(curve: PowerCurve, turbine_count, wind_speed_m_s=None,
                       direction_deg=None) -> FarmPowerTable:
    """Farm power table without wakes: ``turbine_count`` x turbine power, every direction."""
    n = int(_scalar(turbine_count, "turbine_count", 1))
    if n != turbine_count:
        raise ValueError(f"turbine_count: must be an integer, got {turbine_count!r}")
    speeds = _speed_grid(wind_speed_m_s)
    dirs = _direction_grid(direction_deg)
    power = np.broadcast_to(n * turbine_power_w(curve, speeds), (dirs.size, speeds.size))
    return FarmPowerTable(wind_speed_m_s=speeds, direction_deg=dirs, power_w=power)


def farm_power_w(table: FarmPowerTable, wind_speed_m_s, direction_deg):
    """Farm power [W] by bilinear interpolation in a :class:`FarmPowerTable`.

    Periodic in direction [deg, FROM, clockwise from north]; speeds [m s-1] are clipped to
    the table's range (so beyond the last speed the power is that of the last column, 0 when
    the table extends past cut-out, as the default 0..30 m/s grid does). Exact at the nodes.
    The table is for 1.225 kg m-3; for other densities pass
    :func:`density_equivalent_speed_m_s` (wake Ct changes with density are neglected).
    Near cut-in and cut-out the power ramps linearly across one table step.
    """
    v = _nonneg(wind_speed_m_s, "wind_speed_m_s")
    a = _array(direction_deg, "direction_deg")
    v, a = np.broadcast_arrays(v, a)
    speeds, dirs, power = table.wind_speed_m_s, table.direction_deg, table.power_w
    vc = np.clip(v, speeds[0], speeds[-1])
    j = np.clip(np.searchsorted(speeds, vc, side="right") - 1, 0, speeds.size - 2)
    wv = (vc - speeds[j]) / (speeds[j + 1] - speeds[j])
    n_d = dirs.size
    pos = np.mod(a - dirs[0], 360.0) * (n_d / 360.0)
    i0 = np.floor(pos).astype(np.intp)
    wd = pos - i0
    i0 %= n_d
    i1 = (i0 + 1) % n_d
    p0 = power[i0, j] * (1 - wv) + power[i0, j + 1] * wv
    p1 = power[i1, j] * (1 - wv) + power[i1, j + 1] * wv
    return p0 * (1 - wd) + p1 * wd
