"""Seawater around a seabed cabin: site temperature climatology and properties.

Pure, vectorised functions (numpy arrays in, numpy arrays out). Thermodynamic
properties come from TEOS-10 via ``gsw``; the transport properties that TEOS-10
does not cover (thermal conductivity, viscosity) come from the correlations
reviewed by Sharqawy, Lienhard & Zubair (2010), *Desalination and Water
Treatment* 16, 354-380, doi:10.5004/dwt.2010.1079.

Temperatures are in-situ ITS-90 [degC]; salinity is Absolute Salinity [g kg-1]
(for standard seawater this equals the Reference Salinity that Sharqawy et al.
call "reference-composition salinity"); pressure is sea pressure [dbar]
(zero at the sea surface).
"""

from __future__ import annotations

import gsw
import numpy as np

__all__ = [
    "MID_MONTH_DAY_OF_YEAR",
    "SITE_MONTHLY_SEA_TEMP_C",
    "YEAR_LENGTH_DAYS",
    "absolute_salinity_g_kg",
    "fit_annual_harmonics",
    "pressure_dbar_at_depth",
    "sea_temperature_c",
    "seawater_conductivity_w_mk",
    "seawater_cp_j_kgk",
    "seawater_density_kg_m3",
    "seawater_flow_for_heat_kg_s",
    "seawater_thermal_expansion_1_k",
    "seawater_viscosity_pa_s",
    "significant_wave_height_m",
    "tidal_current_m_s",
    "M2_PERIOD_S",
    "S2_PERIOD_S",
]

#: Period of the annual cycle [d] (mean Julian year).
YEAR_LENGTH_DAYS = 365.25

_MONTH_LENGTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)

#: Day of year at the middle of each month of a 365-day year [d]. Day of year is
#: continuous time since 1 January 00:00, so 1 January at noon is 0.5 and the
#: middle of January is 15.5: 15.5, 45, 74.5, 105, 135.5, 166, 196.5, 227.5,
#: 258, 288.5, 319, 349.5.
MID_MONTH_DAY_OF_YEAR = np.cumsum(_MONTH_LENGTH_DAYS) - _MONTH_LENGTH_DAYS / 2.0

#: Monthly mean sea temperature at the cabin's depth [degC], January..December.
#: These are engineering defaults for simulation, not measured climatologies (each entry says what it rests
#: on); replace them with site survey data when available.
SITE_MONTHLY_SEA_TEMP_C: dict[str, tuple[float, ...]] = {
    # Lingang, Shanghai: cabin ~10 m deep off Lingang (~30.75 N 122.05 E), northern mouth of Hangzhou Bay south
    # of the Yangtze (Changjiang) estuary. The shallow, tide-stirred estuarine water is vertically mixed, so
    # 10 m ~ surface. Engineering estimate, not a measured climatology: shaped to the usual seasonal anchors for
    # the Changjiang estuary / Hangzhou Bay coastal water, coldest in February (~7 C; in winter the southward
    # river plume lays a cold band along this coast, Bai & Wu 2018, J. East China Normal Univ. (Nat. Sci.),
    # xblk.ecnu.edu.cn article 1000-5641/25541) and warmest in August (~28 C). The same values as
    # designs/lingang-phase1.yaml. Annual mean 17.3 C. Press reports (People's Daily via window-to-china.de,
    # VALIDATION.md) give the site's "annual mean sea temperature below 15 C"; that cannot be reconciled with
    # a 7 C February and a 28 C August (a 15 C mean would need a far colder year), so the seasonal anchors win
    # here and the press figure is not used. The East China Sea as a whole averages 23.70 C at the surface
    # (Sun et al. 2019, J. Coastal Research SI 90), warmer than this estuarine coast.
    "lingang": (8.0, 7.0, 9.0, 13.0, 18.0, 22.0, 26.5, 28.0, 26.0, 22.0, 17.0, 11.0),
    # Lingshui, Hainan (Qingshui Bay, South China Sea coast, ~18.4 N 110.1 E), cabin ~35 m deep
    # (szdaily.com 10 Oct 2025; the 2025 module lies at 30 m). Surface water ranges roughly 22-29 C over the
    # year (the South China Sea surface averages 27.62 C, Sun et al. 2019, J. Coastal Research SI 90); in
    # summer the Qiongdong coastal upwelling keeps the nearshore water below 24.5 C (Xinhua via chinaview.cn,
    # VALIDATION.md). Engineering estimate at 35 m: winter mixed column ~22-23 C, summer held under 24.5 C by
    # upwelling, an autumn maximum (Sep-Nov) when upwelling relaxes and the deepening mixed layer brings warm
    # surface water down. Annual mean 23.5 C.
    "lingshui": (22.5, 22.0, 22.5, 23.5, 24.0, 23.5, 23.0, 23.5, 24.5, 25.5, 24.5, 23.5),
    # Northern North Sea / Orkney (EMEC; Microsoft Project Natick phase 2 lay at ~36 m off Orkney, 2018-2020).
    # Strong tidal mixing keeps the column near-isothermal. Engineering estimate of the usual northern North
    # Sea cycle: minimum in March (~7 C), maximum in August (~13 C), lagging the air by ~1-2 months. Annual
    # mean 9.9 C. The shallower southern North Sea swings wider (roughly 6-17 C at the surface); give a
    # southern site its own values.
    "north-sea": (8.3, 7.4, 7.0, 7.6, 8.9, 10.6, 12.2, 13.0, 12.6, 11.4, 10.2, 9.2),
}

_GRAVITY_CHECK_LAT_DEG = 90.0


def _as_float_array(name: str, value) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: must be numeric, got {value!r}") from exc
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: must be finite, got non-finite values")
    return arr


def _check_range(name: str, arr: np.ndarray, lo: float, hi: float, unit: str) -> None:
    if np.any(arr < lo) or np.any(arr > hi):
        raise ValueError(
            f"{name}: must lie in [{lo}, {hi}] {unit}, got min {arr.min():g}, max {arr.max():g}"
        )


def _temp(name: str, value) -> np.ndarray:
    arr = _as_float_array(name, value)
    # Seawater freezes near -1.9 C; the correlations below are fitted up to 180 C,
    # the cabin never sees more than ~100 C.
    _check_range(name, arr, -2.5, 100.0, "degC")
    return arr


def _salinity(name: str, value) -> np.ndarray:
    arr = _as_float_array(name, value)
    # TEOS-10 is validated to ~42 g/kg in the ocean and 50 g/kg in the lab.
    _check_range(name, arr, 0.0, 50.0, "g kg-1")
    return arr


def _pressure(name: str, value) -> np.ndarray:
    arr = _as_float_array(name, value)
    _check_range(name, arr, 0.0, 12000.0, "dbar")
    return arr


def _design_matrix(day_of_year: np.ndarray, n_harmonics: int) -> np.ndarray:
    omega = 2.0 * np.pi * day_of_year[..., None] / YEAR_LENGTH_DAYS
    k = np.arange(1, n_harmonics + 1)
    cols = [np.ones_like(day_of_year)[..., None]]
    for kk in k:
        cols.append(np.cos(kk * omega))
        cols.append(np.sin(kk * omega))
    return np.concatenate(cols, axis=-1)


def _monthly_mean_matrix(n_harmonics: int) -> np.ndarray:
    """Mean of each basis function over each month of a 365-day year, shape (12, 1 + 2 n)."""
    end = np.cumsum(_MONTH_LENGTH_DAYS)
    start = end - _MONTH_LENGTH_DAYS
    cols = [np.ones(12)]
    for kk in range(1, n_harmonics + 1):
        w = 2.0 * np.pi * kk / YEAR_LENGTH_DAYS
        span = w * _MONTH_LENGTH_DAYS
        cols.append((np.sin(w * end) - np.sin(w * start)) / span)
        cols.append((np.cos(w * start) - np.cos(w * end)) / span)
    return np.stack(cols, axis=-1)


def fit_annual_harmonics(monthly_mean_temp_c, n_harmonics: int = 2) -> np.ndarray:
    """Least-squares fit of an annual harmonic series to 12 monthly means.

    The model is ``T(d) = c0 + sum_k [a_k cos(2 pi k d / P) + b_k sin(2 pi k d / P)]``
    with period ``P = 365.25`` d and day of year ``d`` counted from 1 January
    00:00. Each monthly value is matched to the *mean of the series over that
    month* (January = days 0-31, ..., of a 365-day year), integrated exactly, so
    a series built from harmonics is recovered exactly from its own monthly
    means. (Matching point values at mid-month instead,
    :data:`MID_MONTH_DAY_OF_YEAR`, would shrink the annual amplitude by about
    1 % and the semi-annual by about 4 %.)

    Parameters
    ----------
    monthly_mean_temp_c : array_like, shape (12,)
        Monthly mean temperatures, January first [degC].
    n_harmonics : int, optional
        Number of harmonics, 0 to 5 (11 parameters for 12 points) [-].

    Returns
    -------
    numpy.ndarray, shape (1 + 2 * n_harmonics,)
        Coefficients ``[c0, a1, b1, a2, b2, ...]`` [degC].

    Raises
    ------
    ValueError
        If the input is not 12 finite values or ``n_harmonics`` is out of range.
    """
    values = _as_float_array("monthly_mean_temp_c", monthly_mean_temp_c)
    if values.shape != (12,):
        raise ValueError(
            f"monthly_mean_temp_c: must hold exactly 12 monthly values, got shape {values.shape}"
        )
    if isinstance(n_harmonics, bool) or not isinstance(n_harmonics, (int, np.integer)):
        raise ValueError(f"n_harmonics: must be an integer, got {n_harmonics!r}")
    if not 0 <= n_harmonics <= 5:
        raise ValueError(
            f"n_harmonics: must be 0..5 so 12 monthly values over-determine the fit, got {n_harmonics}"
        )
    design = _monthly_mean_matrix(int(n_harmonics))
    coefficients, *_ = np.linalg.lstsq(design, values, rcond=None)
    return coefficients


def sea_temperature_c(
    day_of_year,
    coefficients,
    depth_m=0.0,
    mixed_layer_depth_m=None,
    thermocline_drop_c=0.0,
    thermocline_scale_m: float = 20.0,
) -> np.ndarray:
    """Sea temperature from an annual harmonic series and a simple depth profile.

    Within the mixed layer (``depth_m <= mixed_layer_depth_m``) the temperature
    is the harmonic (surface) value. Below it the temperature relaxes
    exponentially towards ``surface - thermocline_drop_c``::

        T(z) = T_s - dT * (1 - exp(-(z - h) / L))     for z > h

    the "uniform mixed layer over an exponential thermocline" shape, one of the
    analytic profiles compared by Fiedler (2010), *Limnol. Oceanogr. Methods* 8,
    313-325. ``h`` is the mixed layer depth, ``dT`` the total drop across the
    thermocline and ``L`` its e-folding scale. With the defaults
    (``mixed_layer_depth_m=None``, ``thermocline_drop_c=0``) depth has no effect.

    Parameters
    ----------
    day_of_year : array_like
        Day of year, fractional, counted from 1 January 00:00 [d].
    coefficients : array_like
        ``[c0, a1, b1, ...]`` from :func:`fit_annual_harmonics` [degC].
    depth_m : array_like, optional
        Depth below the surface, positive down [m].
    mixed_layer_depth_m : float or array_like or None, optional
        Mixed layer depth [m]; ``None`` means the whole column is mixed.
    thermocline_drop_c : float or array_like, optional
        Temperature drop from the surface to the deep water [K], >= 0.
    thermocline_scale_m : float, optional
        E-folding depth of the thermocline below the mixed layer [m].

    Returns
    -------
    numpy.ndarray
        Temperature [degC], broadcast over the inputs.
    """
    day = _as_float_array("day_of_year", day_of_year)
    coef = _as_float_array("coefficients", coefficients)
    if coef.ndim != 1 or coef.size % 2 != 1:
        raise ValueError(
            f"coefficients: must be 1-D with odd length [mean, a1, b1, ...], got shape {coef.shape}"
        )
    depth = _as_float_array("depth_m", depth_m)
    if np.any(depth < 0):
        raise ValueError("depth_m: must be >= 0 (positive down)")
    drop = _as_float_array("thermocline_drop_c", thermocline_drop_c)
    if np.any(drop < 0):
        raise ValueError("thermocline_drop_c: must be >= 0")
    scale = float(_as_float_array("thermocline_scale_m", thermocline_scale_m))
    if scale <= 0:
        raise ValueError("thermocline_scale_m: must be > 0")

    n_harmonics = (coef.size - 1) // 2
    surface = _design_matrix(day, n_harmonics) @ coef
    if mixed_layer_depth_m is None:
        return np.broadcast_to(surface, np.broadcast_shapes(surface.shape, depth.shape, drop.shape)).copy()
    mld = _as_float_array("mixed_layer_depth_m", mixed_layer_depth_m)
    if np.any(mld < 0):
        raise ValueError("mixed_layer_depth_m: must be >= 0")
    below = np.clip(depth - mld, 0.0, None)
    return surface - drop * (1.0 - np.exp(-below / scale))


SECONDS_PER_YEAR = 365.25 * 86400.0


def interannual_anomaly_k(time_s, sd_k: float, year_autocorrelation: float, rng) -> np.ndarray:
    """Year-to-year anomaly of the sea temperature [K] at each time [s from the run's start].

    One anomaly a year, a stationary AR(1) over years (standard deviation ``sd_k`` [K], lag-one-year correlation
    ``year_autocorrelation``), drawn at that resolution whatever the time step, and interpolated linearly between
    the middles of the years so the sea does not jump at New Year (the interpolation lowers the variance between
    the middles: ``sd_k`` holds at each year's middle). ``sd_k = 0`` gives zeros and draws nothing.
    """
    t = _as_float_array("time_s", time_s).ravel()
    sd = float(sd_k)
    rho = float(year_autocorrelation)
    if sd < 0:
        raise ValueError("sd_k: must be >= 0")
    if not -1.0 < rho < 1.0:
        raise ValueError("year_autocorrelation: must be in (-1, 1)")
    if sd == 0.0 or t.size == 0:
        return np.zeros(t.size)
    n_years = int(np.ceil((t.max() + 1.0) / SECONDS_PER_YEAR)) + 1
    e = rng.standard_normal(n_years)
    a = np.empty(n_years)
    a[0] = e[0]
    for i in range(1, n_years):
        a[i] = rho * a[i - 1] + np.sqrt(1.0 - rho * rho) * e[i]
    middles = (np.arange(n_years) + 0.5) * SECONDS_PER_YEAR
    return sd * np.interp(t, middles, a)


def warming_k(time_s, rate_k_per_year: float) -> np.ndarray:
    """Warming since the run's start [K] at a constant rate [K per year] (the scenario's monthly means are the
    climate of the start)."""
    return _as_float_array("time_s", time_s) * (float(rate_k_per_year) / SECONDS_PER_YEAR)


def seawater_density_kg_m3(temp_c, absolute_salinity_g_kg, pressure_dbar=0.0) -> np.ndarray:
    """In-situ seawater density, TEOS-10 ``gsw.rho_t_exact``.

    Parameters
    ----------
    temp_c : array_like
        In-situ temperature, ITS-90 [degC].
    absolute_salinity_g_kg : array_like
        Absolute Salinity [g kg-1].
    pressure_dbar : array_like, optional
        Sea pressure [dbar].

    Returns
    -------
    numpy.ndarray
        Density [kg m-3].
    """
    t = _temp("temp_c", temp_c)
    sa = _salinity("absolute_salinity_g_kg", absolute_salinity_g_kg)
    p = _pressure("pressure_dbar", pressure_dbar)
    return np.asarray(gsw.rho_t_exact(sa, t, p), dtype=float)


def seawater_cp_j_kgk(temp_c, absolute_salinity_g_kg, pressure_dbar=0.0) -> np.ndarray:
    """Isobaric specific heat capacity of seawater, TEOS-10 ``gsw.cp_t_exact``.

    Parameters
    ----------
    temp_c : array_like
        In-situ temperature, ITS-90 [degC].
    absolute_salinity_g_kg : array_like
        Absolute Salinity [g kg-1].
    pressure_dbar : array_like, optional
        Sea pressure [dbar].

    Returns
    -------
    numpy.ndarray
        Specific heat capacity [J kg-1 K-1].
    """
    t = _temp("temp_c", temp_c)
    sa = _salinity("absolute_salinity_g_kg", absolute_salinity_g_kg)
    p = _pressure("pressure_dbar", pressure_dbar)
    return np.asarray(gsw.cp_t_exact(sa, t, p), dtype=float)


def seawater_thermal_expansion_1_k(temp_c, absolute_salinity_g_kg, pressure_dbar=0.0) -> np.ndarray:
    """Thermal expansion coefficient of seawater with respect to in-situ temperature.

    ``alpha = -(1/rho) (d rho / d t)`` at constant Absolute Salinity and
    pressure, TEOS-10 ``gsw.alpha_wrt_t_exact``. It is what free convection
    needs (``Gr = g alpha dT L^3 / nu^2``). For low salinity below ~4 C it is
    negative (water below its density maximum).

    Parameters
    ----------
    temp_c : array_like
        In-situ temperature, ITS-90 [degC].
    absolute_salinity_g_kg : array_like
        Absolute Salinity [g kg-1].
    pressure_dbar : array_like, optional
        Sea pressure [dbar].

    Returns
    -------
    numpy.ndarray
        Thermal expansion coefficient [K-1].
    """
    t = _temp("temp_c", temp_c)
    sa = _salinity("absolute_salinity_g_kg", absolute_salinity_g_kg)
    p = _pressure("pressure_dbar", pressure_dbar)
    return np.asarray(gsw.alpha_wrt_t_exact(sa, t, p), dtype=float)


def seawater_conductivity_w_mk(temp_c, absolute_salinity_g_kg) -> np.ndarray:
    """Thermal conductivity of seawater at 0.1 MPa.

    Jamieson & Tudhope (1970), *Desalination* 8, 393-401, as given in Sharqawy
    et al. (2010) eq. (13) and the MIT seawater library::

        log10(k) = log10(240 + 0.0002 S) + 0.434 (2.3 - (343.5 + 0.037 S) / T)
                   * (1 - T / (647.3 + 0.03 S))**(1/3)

    with ``k`` in [mW m-1 K-1], ``T`` in [K] on IPTS-68 (``T68 = 1.00024 T90``)
    and ``S`` practical salinity (``S_P = S_R / 1.00472``). Stated accuracy 3 %,
    valid 0-180 C and 0-160 g/kg. Pressure dependence (~0.1 % per 10 bar) is
    ignored.

    Parameters
    ----------
    temp_c : array_like
        In-situ temperature, ITS-90 [degC].
    absolute_salinity_g_kg : array_like
        Absolute (reference-composition) Salinity [g kg-1].

    Returns
    -------
    numpy.ndarray
        Thermal conductivity [W m-1 K-1].
    """
    t = _temp("temp_c", temp_c)
    sa = _salinity("absolute_salinity_g_kg", absolute_salinity_g_kg)
    t68_k = 1.00024 * t + 273.15
    sp = sa / 1.00472
    log10_k_mw = np.log10(240.0 + 0.0002 * sp) + 0.434 * (
        2.3 - (343.5 + 0.037 * sp) / t68_k
    ) * (1.0 - t68_k / (647.3 + 0.03 * sp)) ** (1.0 / 3.0)
    return 1e-3 * 10.0**log10_k_mw


def seawater_viscosity_pa_s(temp_c, absolute_salinity_g_kg) -> np.ndarray:
    """Dynamic viscosity of seawater at 0.1 MPa.

    Sharqawy et al. (2010) eqs. (22)-(23): ``mu = mu_w (1 + A s + B s**2)`` with
    ``s`` in [kg kg-1], ``A = 1.541 + 1.998e-2 t - 9.52e-5 t**2``,
    ``B = 7.974 - 7.561e-2 t + 4.724e-4 t**2`` (fit to Isdale et al. 1972 and
    Fabuss et al. 1969), and the pure-water part ``mu_w = 4.2844e-5 +
    1 / (0.157 (t + 64.993)**2 - 91.296)`` fitted to the IAPWS 2008 viscosity
    release. Stated accuracy 1.5 %, valid 0-180 C, 0-150 g/kg.

    Parameters
    ----------
    temp_c : array_like
        In-situ temperature, ITS-90 [degC].
    absolute_salinity_g_kg : array_like
        Absolute (reference-composition) Salinity [g kg-1].

    Returns
    -------
    numpy.ndarray
        Dynamic viscosity [Pa s].
    """
    t = _temp("temp_c", temp_c)
    s = _salinity("absolute_salinity_g_kg", absolute_salinity_g_kg) / 1000.0
    mu_w = 4.2844e-5 + 1.0 / (0.157 * (t + 64.993) ** 2 - 91.296)
    a = 1.541 + 1.998e-2 * t - 9.52e-5 * t**2
    b = 7.974 - 7.561e-2 * t + 4.724e-4 * t**2
    return mu_w * (1.0 + a * s + b * s**2)


def pressure_dbar_at_depth(depth_m, latitude_deg) -> np.ndarray:
    """Sea pressure at a depth, TEOS-10 ``gsw.p_from_z(-depth, lat)``.

    Parameters
    ----------
    depth_m : array_like
        Depth below the sea surface, positive down [m].
    latitude_deg : array_like
        Latitude [deg N].

    Returns
    -------
    numpy.ndarray
        Sea pressure [dbar].
    """
    depth = _as_float_array("depth_m", depth_m)
    _check_range("depth_m", depth, 0.0, 11000.0, "m")
    lat = _as_float_array("latitude_deg", latitude_deg)
    _check_range("latitude_deg", lat, -_GRAVITY_CHECK_LAT_DEG, _GRAVITY_CHECK_LAT_DEG, "deg")
    return np.asarray(gsw.p_from_z(-depth, lat), dtype=float)


def absolute_salinity_g_kg(practical_salinity, depth_m, longitude_deg, latitude_deg) -> np.ndarray:
    """Absolute Salinity from Practical Salinity, TEOS-10 ``gsw.SA_from_SP``.

    Parameters
    ----------
    practical_salinity : array_like
        Practical Salinity (PSS-78) [-].
    depth_m : array_like
        Depth below the sea surface, positive down [m].
    longitude_deg : array_like
        Longitude [deg E].
    latitude_deg : array_like
        Latitude [deg N].

    Returns
    -------
    numpy.ndarray
        Absolute Salinity [g kg-1].
    """
    sp = _as_float_array("practical_salinity", practical_salinity)
    _check_range("practical_salinity", sp, 0.0, 42.0, "")
    lon = _as_float_array("longitude_deg", longitude_deg)
    _check_range("longitude_deg", lon, -360.0, 360.0, "deg")
    p = pressure_dbar_at_depth(depth_m, latitude_deg)
    return np.asarray(gsw.SA_from_SP(sp, p, lon, latitude_deg), dtype=float)


def seawater_flow_for_heat_kg_s(heat_w, temp_rise_k, temp_c, absolute_salinity_g_kg) -> np.ndarray:
    """Seawater mass flow that carries a heat load at a given temperature rise.

    First law for a steady open system: ``m = Q / (cp * dT)``, with ``cp`` from
    :func:`seawater_cp_j_kgk` at ``temp_c`` and surface pressure.

    Parameters
    ----------
    heat_w : array_like
        Heat rejected to the seawater [W], >= 0.
    temp_rise_k : array_like
        Seawater temperature rise [K], > 0.
    temp_c : array_like
        Seawater temperature at which cp is evaluated [degC].
    absolute_salinity_g_kg : array_like
        Absolute Salinity [g kg-1].

    Returns
    -------
    numpy.ndarray
        Mass flow [kg s-1].
    """
    q = _as_float_array("heat_w", heat_w)
    if np.any(q < 0):
        raise ValueError("heat_w: must be >= 0")
    dt = _as_float_array("temp_rise_k", temp_rise_k)
    if np.any(dt <= 0):
        raise ValueError("temp_rise_k: must be > 0")
    return q / (seawater_cp_j_kgk(temp_c, absolute_salinity_g_kg) * dt)


def significant_wave_height_m(wind_speed_10m_m_s, fetch_m) -> np.ndarray:
    """Significant wave height of a wind sea, fetch-limited, capped at the fully developed sea [m].

    Shore Protection Manual (US Army CERC 1984), eqs. 3-33 to 3-36: the wind-stress factor
    ``U_A = 0.71 U10^1.23`` [m s-1], then ``g Hm0 / U_A^2 = 1.6e-3 (g F / U_A^2)^(1/2)`` for a fetch-limited sea,
    and at most ``g Hm0 / U_A^2 = 2.433e-1`` (fully developed). Duration limits are ignored: the wind series is
    persistent over hours and the fetch limits first on enclosed coasts such as Hangzhou Bay.

    Parameters
    ----------
    wind_speed_10m_m_s : array_like
        Wind speed at 10 m [m s-1], >= 0.
    fetch_m : float or array_like
        Distance over which the wind blows on open water [m], > 0.
    """
    u = _as_float_array("wind_speed_10m_m_s", wind_speed_10m_m_s)
    if np.any(u < 0):
        raise ValueError("wind_speed_10m_m_s: must be >= 0")
    fetch = _as_float_array("fetch_m", fetch_m)
    if np.any(fetch <= 0):
        raise ValueError("fetch_m: must be > 0")
    g = 9.80665
    ua = 0.71 * u ** 1.23
    ua2 = np.maximum(ua * ua, 1e-12)
    limited = 1.6e-3 * np.sqrt(g * fetch / ua2)
    return np.minimum(limited, 2.433e-1) * ua2 / g * (u > 0)


M2_PERIOD_S = 12.4206012 * 3600.0
"""Principal lunar semi-diurnal tide (Doodson; Pugh 1987, Tides, Surges and Mean Sea-Level, table 4.2) [s]."""
S2_PERIOD_S = 12.0 * 3600.0
"""Principal solar semi-diurnal tide [s]; beating with M2 gives the 14.77-day spring-neap cycle."""


def tidal_current_m_s(time_s, mean_speed_m_s: float, s2_to_m2_ratio: float = 0.4,
                      phase_rad: float = 0.0) -> np.ndarray:
    """Speed of a rectilinear semi-diurnal tidal current with a spring-neap cycle [m s-1].

    ``u(t) = A [cos(w_M2 t + phase) + r cos(w_S2 t + phase)]``, speed ``|u|``, with ``A`` set so the mean speed over
    whole spring-neap cycles is ``mean_speed_m_s``: the mean of ``|cos a + r cos b|`` over independent phases is
    computed numerically once. Springs reach ``A (1 + r)``, neaps ``A (1 - r)``. The S2/M2 amplitude ratio 0.4 is an
    assumption typical of the East China Sea shelf (Pugh 1987 gives 0.2-0.5 for semi-diurnal coasts).
    """
    t = _as_float_array("time_s", time_s)
    if not mean_speed_m_s >= 0:
        raise ValueError("mean_speed_m_s: must be >= 0")
    if not 0.0 <= s2_to_m2_ratio < 1.0:
        raise ValueError("s2_to_m2_ratio: must be in [0, 1)")
    a = np.linspace(0.0, 2.0 * np.pi, 721)[:-1]
    mean_shape = np.abs(np.cos(a)[:, None] + s2_to_m2_ratio * np.cos(a)[None, :]).mean()
    amp = mean_speed_m_s / mean_shape
    w1, w2 = 2.0 * np.pi / M2_PERIOD_S, 2.0 * np.pi / S2_PERIOD_S
    return amp * np.abs(np.cos(w1 * t + phase_rad) + s2_to_m2_ratio * np.cos(w2 * t + phase_rad))
