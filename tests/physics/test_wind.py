"""Tests of physics.wind against published values (shared/VALIDATION.md, Wind), windpowerlib and FLORIS."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import gamma, ndtri

from physics import wind

rng_inputs = np.random.default_rng(20240601)


# --------------------------------------------------------------------------- reference turbines
def test_nrel_5mw_power_curve():
    # Source: NREL turbine-models Offshore/NREL_Reference_5MW_126.csv; FLORIS nrel_5MW.yaml agrees (VALIDATION.md)
    c = wind.load_turbine("nrel-5mw")
    p = wind.turbine_power_w(c, [8.0, 10.0])
    assert p[0] == pytest.approx(1771.17e3, rel=1e-3)
    assert p[1] == pytest.approx(3448.38e3, rel=1e-3)
    # 0 up to the table's last zero node (2.9 m/s) and from its first zero node after cut-out (25.1 m/s); between
    # 2.9 and 3.0 m/s the curve ramps to the first producing node, as windpowerlib's does (issue 16)
    assert np.all(wind.turbine_power_w(c, [0.0, 1.0, 2.9, 25.1, 26.0, 40.0]) == 0.0)
    assert wind.turbine_power_w(c, 2.95) == pytest.approx(0.5 * c.power_w[2], rel=1e-9)
    assert c.cut_in_m_s == 2.9 and c.cut_out_m_s == 25.0 and c.zero_from_m_s == 25.1 and c.rated_power_w == 5e6
    # Source: VALIDATION.md rotor 126 m, hub 90 m; FLORIS lists 125.88 m (coning included), hence 0.2 %
    assert c.rotor_diameter_m == pytest.approx(126.0, rel=2e-3)
    assert c.hub_height_m == 90.0


def test_iea_15mw_power_curve():
    # Source: IEA Wind Task 37 IEA-15-240-RWT_tabular.xlsx, Rotor Performance; FLORIS iea_15MW.yaml
    c = wind.load_turbine("iea-15mw")
    assert wind.turbine_power_w(c, 7.970) == pytest.approx(6.3148e6, rel=1e-3)
    # IEA tabulates 15.0 MW from 10.658 m/s; FLORIS's table reaches rated at its node 10.673 m/s,
    # so at 10.658 it reads 14.94 MW (0.4 % low). Rated exactly from the FLORIS node up to cut-out.
    assert wind.turbine_power_w(c, 10.658) == pytest.approx(15e6, rel=5e-3)
    assert np.all(wind.turbine_power_w(c, np.linspace(10.674, 25.0, 50)) == 15e6)
    assert c.cut_in_m_s == 2.9 and c.cut_out_m_s == 25.0  # the curve rises from its last zero node, 2.9 m/s
    assert c.rotor_diameter_m == pytest.approx(241.94, rel=2e-3)  # FLORIS 242.24 m
    assert c.hub_height_m == 150.0


@pytest.mark.parametrize("name, rated_w", [("iea-10mw", 10e6), ("iea-22mw", 22e6)])
def test_other_library_turbines_load(name, rated_w):
    # Source: FLORIS turbine_library iea_10MW.yaml / iea_22MW.yaml (rated 10 and 22 MW)
    c = wind.load_turbine(name)
    assert c.rated_power_w == pytest.approx(rated_w)
    assert c.thrust_coefficient is not None and c.thrust_coefficient.shape == c.wind_speed_m_s.shape
    assert wind.load_turbine(name) is c  # cached


def test_custom_curve_and_default_thrust():
    c = wind.custom_power_curve([0, 2.5, 3, 8, 12, 25, 25.5], [0, 0, 1e4, 1e6, 2e6, 2e6, 0], 100.0, 80.0, name="mine")
    assert (c.cut_in_m_s, c.cut_out_m_s, c.zero_from_m_s, c.rated_power_w) == (2.5, 25.0, 25.5, 2e6)
    assert wind.turbine_power_w(c, 10.0) == pytest.approx(1.5e6)
    ct = wind.turbine_thrust_coefficient(c, [2.0, 5.0, 12.0, 24.0, 26.0])
    assert ct[0] == 0 and ct[-1] == 0
    assert ct[1] == ct[2] == wind.DEFAULT_THRUST_COEFFICIENT
    assert ct[3] == pytest.approx(0.8 * (12 / 24) ** 3)


# --------------------------------------------------------------------------- density correction
def test_density_equivalent_speed():
    # Source: IEC 61400-12-1, v_n = v (rho / 1.225)^(1/3)
    assert wind.density_equivalent_speed_m_s(10.0, 1.225 * 8) == pytest.approx(20.0)
    c = wind.load_turbine("nrel-5mw")
    assert wind.turbine_power_w(c, 9.0, 1.225) == wind.turbine_power_w(c, 9.0)


def test_density_correction_against_windpowerlib():
    # Source: windpowerlib power_output.power_curve_density_correction (Svenningsen 2010). It uses the
    # IEC exponent 1/3 for table speeds <= 7.5 m/s, so there both must agree to rounding.
    from windpowerlib.power_output import power_curve_density_correction

    c = wind.load_turbine("nrel-5mw")
    v = rng_inputs.uniform(3.5, 6.8, 300)
    rho = rng_inputs.uniform(1.15, 1.30, 300)  # equivalent speed <= 6.94 m/s, table nodes <= 7.0 m/s
    ours = wind.turbine_power_w(c, v, rho)
    theirs = power_curve_density_correction(v, c.wind_speed_m_s, c.power_w, rho)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    # Above 7.5 m/s windpowerlib's exponent rises to 2/3: the curves then differ near rated speed,
    # stated bound: within 5 % of rated power for 1.15-1.30 kg/m3 and 3-20 m/s.
    v = rng_inputs.uniform(3.0, 20.0, 300)
    ours = wind.turbine_power_w(c, v, rho)
    theirs = power_curve_density_correction(v, c.wind_speed_m_s, c.power_w, rho)
    assert np.max(np.abs(ours - theirs)) < 0.05 * c.rated_power_w


# --------------------------------------------------------------------------- shear, density, temperature
def test_shear_profiles_published_values():
    # Source: VALIDATION.md Wind, windpowerlib wind_speed.logarithmic_profile / hellman
    assert wind.logarithmic_profile(5.0, 10.0, 135.0, 0.15) == pytest.approx(8.0987, abs=1e-4)
    assert wind.power_law_profile(5.0, 10.0, 135.0, exponent=1 / 7) == pytest.approx(7.2518, abs=1e-4)


def test_shear_profiles_against_windpowerlib():
    # Source: windpowerlib.wind_speed (run here on random inputs)
    from windpowerlib.wind_speed import hellman, logarithmic_profile

    n = 200
    v = rng_inputs.uniform(0, 25, n)
    h_ref = rng_inputs.uniform(10, 100, n)
    h_hub = rng_inputs.uniform(20, 200, n)
    z0 = rng_inputs.uniform(0.0002, 0.5, n)
    # windpowerlib takes scalar measurement and obstacle heights (it compares them in an `if`)
    for ref, obstacle in ((10.0, 0.0), (33.3, 2.5), (100.0, 10.0)):
        np.testing.assert_allclose(wind.logarithmic_profile(v, ref, h_hub, z0, obstacle),
                                   logarithmic_profile(v, ref, h_hub, z0, obstacle), rtol=1e-12)
    alpha = rng_inputs.uniform(0.05, 0.4, n)
    np.testing.assert_allclose(wind.power_law_profile(v, h_ref, h_hub, alpha),
                               hellman(v, h_ref, h_hub, hellman_exponent=alpha), rtol=1e-12)


def test_density_and_temperature():
    # Source: VALIDATION.md Wind (windpowerlib density.barometric): 1.2631 kg/m3, tol 1e-3
    assert wind.barometric_air_density(98405.7, 0.0, 135.0, 266.74) == pytest.approx(1.2631, abs=1e-3)
    # Source: ICAO standard atmosphere gradient -6.5 K/km (windpowerlib temperature.linear_gradient)
    assert wind.temperature_at_height_k(288.15, 2.0, 1002.0) == pytest.approx(281.65)
    from windpowerlib.density import barometric
    from windpowerlib.temperature import linear_gradient

    n = 200
    p = rng_inputs.uniform(95000, 105000, n)
    hp = rng_inputs.uniform(0, 50, n)
    hh = rng_inputs.uniform(50, 250, n)
    t = rng_inputs.uniform(260, 310, n)
    np.testing.assert_allclose(wind.barometric_air_density(p, hp, hh, t), barometric(p, hp, hh, t), rtol=1e-12)
    np.testing.assert_allclose(wind.temperature_at_height_k(t, hp, hh), linear_gradient(t, hp, hh), rtol=1e-12)


# --------------------------------------------------------------------------- synthetic wind (HOMER)
def _clock(n, step_s):
    t_h = np.arange(n) * step_s / 3600.0
    return t_h % 24.0, t_h / 24.0


def test_synthetic_wind_marginal_and_autocorrelation():
    # Source: UL HOMER Pro manual, "Generating Synthetic Wind Data": AR(1) Gaussian, r(1 h) = 0.85, Weibull k ~ 2
    n, k, c, r = 200_000, 2.0, 8.0, 0.85
    h, d = _clock(n, 3600.0)
    v, _ = wind.synthetic_wind(h, d, 3600.0, k, c, autocorrelation_1h=r, diurnal_strength=0.0,
                               rng=np.random.default_rng(7))
    mean = c * gamma(1 + 1 / k)
    var = c**2 * (gamma(1 + 2 / k) - gamma(1 + 1 / k) ** 2)
    mu4 = c**4 * (gamma(1 + 4 / k) - 4 * gamma(1 + 3 / k) * gamma(1 + 1 / k)
                  + 6 * gamma(1 + 2 / k) * gamma(1 + 1 / k) ** 2 - 3 * gamma(1 + 1 / k) ** 4)
    # Sampling error with serial correlation: effective sample size n (1 - r) / (1 + r) (conservative,
    # the speed's autocorrelation is slightly below the Gaussian's); tolerance 4 standard errors.
    n_eff = n * (1 - r) / (1 + r)
    assert abs(v.mean() - mean) < 4 * np.sqrt(var / n_eff)
    assert abs(v.std() - np.sqrt(var)) < 4 * np.sqrt((mu4 - var**2) / (4 * var * n_eff))
    # The Gaussian series, recovered exactly (no modulation): z = -Phi^-1(exp(-(v/c)^k)).
    z = -ndtri(np.exp(-((v / c) ** k)))
    r_hat = np.corrcoef(z[:-1], z[1:])[0, 1]
    # Bartlett: Var(r1) ~ (1 - r^2) / n for an AR(1); 0.0012 here, tolerance 5 sigma.
    assert abs(r_hat - r) < 5 * np.sqrt((1 - r**2) / n)
    # The Weibull map lowers the speed's own autocorrelation slightly (about 0.845 for k = 2).
    assert 0.82 < np.corrcoef(v[:-1], v[1:])[0, 1] < r + 0.005
    assert np.all(v >= 0)


def test_synthetic_wind_sub_hourly_autocorrelation():
    # Source: HOMER method, phi per step = r^(step/3600): at 10-min steps the lag-6 autocorrelation is r.
    n, r, lag = 300_000, 0.85, 6
    h, d = _clock(n, 600.0)
    v, _ = wind.synthetic_wind(h, d, 600.0, 2.0, 8.0, autocorrelation_1h=r, diurnal_strength=0.0,
                               rng=np.random.default_rng(3))
    z = -ndtri(np.exp(-((v / 8.0) ** 2)))
    phi = r ** (1 / 6)
    assert np.corrcoef(z[:-1], z[1:])[0, 1] == pytest.approx(phi, abs=0.003)
    # Bartlett's variance of the lag-k sample autocorrelation of an AR(1), tolerance 5 sigma.
    bartlett = ((1 + phi**2) * (1 - phi ** (2 * lag)) / (1 - phi**2) - 2 * lag * phi ** (2 * lag)) / n
    assert abs(np.corrcoef(z[:-lag], z[lag:])[0, 1] - r) < 5 * np.sqrt(bartlett)


def test_synthetic_wind_diurnal_and_seasonal():
    # Source: HOMER diurnal pattern strength 0.25, hour of peak wind speed 15 (VALIDATION.md); the seasonal
    # factor is the same construction over the year. First-harmonic fits over 30 hourly years.
    step = 3600.0
    n = int(30 * 365.25 * 24)
    h, d = _clock(n, step)
    d = d % 365.25
    v, _ = wind.synthetic_wind(h, d, step, 2.0, 8.0, diurnal_strength=0.25, peak_hour=15.0,
                               seasonal_amplitude=0.2, peak_day_of_year=15.0, rng=np.random.default_rng(11))
    # n_eff ~ n (1 - 0.85)/(1 + 0.85) ~ 21,000: amplitude standard error ~ sqrt(2/n_eff) cv ~ 0.006,
    # phase error ~ 0.006/0.2 rad (1.6 d) seasonally and ~0.025 rad (0.1 h) diurnally; tolerances >= 4 sigma.
    for t, period, peak, amplitude, tol_peak in ((h, 24.0, 15.0, 0.25, 0.5), (d, 365.25, 15.0, 0.2, 8.0)):
        a = np.mean(v * np.cos(2 * np.pi * t / period))
        b = np.mean(v * np.sin(2 * np.pi * t / period))
        fitted_peak = (np.arctan2(b, a) * period / (2 * np.pi)) % period
        assert abs(fitted_peak - peak) < tol_peak
        assert 2 * np.hypot(a, b) / v.mean() == pytest.approx(amplitude, abs=0.03)
    # hour-of-day mean profile peaks near the peak hour
    profile = np.bincount(np.round(h).astype(int) % 24, weights=v)
    assert np.argmax(profile) in (14, 15, 16)
    # Renormalised modulation keeps the overall mean at the Weibull mean c Gamma(1 + 1/k).
    assert v.mean() == pytest.approx(8.0 * gamma(1.5), rel=0.02)


def test_synthetic_wind_same_seed_same_numbers():
    # Source: DESIGN.md (same seed, same numbers); its speed is measured in benchmarks/wind.py
    n = 525_600
    h, d = _clock(n, 60.0)
    v1, a1 = wind.synthetic_wind(h, d, 60.0, 2.0, 7.0, rng=np.random.default_rng(42))
    v2, a2 = wind.synthetic_wind(h, d, 60.0, 2.0, 7.0, rng=np.random.default_rng(42))
    v3, a3 = wind.synthetic_wind(h, d, 60.0, 2.0, 7.0, rng=np.random.default_rng(43))
    assert np.array_equal(v1, v2) and np.array_equal(a1, a2)
    assert not np.array_equal(v1, v3) and not np.array_equal(a1, a3)
    assert v1.shape == a1.shape == (n,)
    assert np.all((a1 >= 0) & (a1 < 360))


@pytest.mark.parametrize("sectors", [12, 16])
def test_synthetic_wind_direction_rose(sectors):
    # Source: sector-weighted wind rose (design choice documented in synthetic_wind)
    weights = np.random.default_rng(sectors).uniform(0.2, 3.0, sectors)
    weights[sectors // 2] = 0.0  # a sector that never occurs
    n = 200_000
    h, d = _clock(n, 3600.0)
    _, a = wind.synthetic_wind(h, d, 3600.0, 2.0, 8.0, direction_sector_weights=weights,
                               rng=np.random.default_rng(5), direction_autocorrelation_1h=0.85)
    width = 360.0 / sectors
    sector = np.floor(((a + width / 2) % 360) / width).astype(int)
    freq = np.bincount(sector, minlength=sectors) / n
    # n_eff = n (1 - 0.85) / (1 + 0.85) ~ 16,000: standard error <= 0.004; tolerance 0.015
    np.testing.assert_allclose(freq, weights / weights.sum(), atol=0.015)
    assert freq[sectors // 2] == 0.0
    # Persistence (default direction_autocorrelation_1h 0.97): the hourly veer is far smaller than
    # for independent draws (about 90 deg on average).
    _, a = wind.synthetic_wind(h, d, 3600.0, 2.0, 8.0, direction_sector_weights=weights,
                               rng=np.random.default_rng(5))
    change = np.abs((np.diff(a) + 180) % 360 - 180)
    assert np.median(change) < 25.0 and change.mean() < 30.0


# --------------------------------------------------------------------------- layout and wakes
def test_grid_layout():
    x, y = wind.grid_layout(7, 2, 100.0, 50.0)
    np.testing.assert_array_equal(x, [0, 100, 200, 300, 0, 100, 200])
    np.testing.assert_array_equal(y, [0, 0, 0, 0, 50, 50, 50])
    x, y = wind.grid_layout(40, 5, 1.0, 1.0)
    assert len(np.unique(x)) == 8 and len(np.unique(y)) == 5


def test_single_turbine_and_no_wake():
    # Source: definition; one turbine (or turbines never in each other's wake) = n x turbine power
    c = wind.load_turbine("nrel-5mw")
    one = wind.jensen_farm_table(c, [0.0], [0.0])
    ref = wind.no_wake_farm_table(c, 1)
    np.testing.assert_array_equal(one.power_w, ref.power_w)
    np.testing.assert_array_equal(one.power_w[0], wind.turbine_power_w(c, one.wind_speed_m_s))
    assert one.power_w.shape == (72, 61)
    np.testing.assert_array_equal(wind.no_wake_farm_table(c, 3).power_w, 3 * ref.power_w)


def _floris_row_power(x, speeds, direction_deg):
    from floris import FlorisModel

    config = {
        "name": "jensen-row", "description": "Jensen row test", "floris_version": "v4",
        "logging": {"console": {"enable": False, "level": "WARNING"},
                    "file": {"enable": False, "level": "WARNING"}},
        "solver": {"type": "turbine_grid", "turbine_grid_points": 3},
        "farm": {"layout_x": [0.0], "layout_y": [0.0], "turbine_type": ["nrel_5MW"]},
        "flow_field": {"air_density": 1.225, "reference_wind_height": -1, "turbulence_intensities": [0.06],
                       "wind_directions": [270.0], "wind_shear": 0.0, "wind_speeds": [8.0], "wind_veer": 0.0},
        "wake": {"model_strings": {"combination_model": "sosfs", "deflection_model": "none",
                                   "turbulence_model": "none", "velocity_model": "jensen"},
                 "enable_secondary_steering": False, "enable_yaw_added_recovery": False,
                 "enable_transverse_velocities": False, "enable_active_wake_mixing": False,
                 "wake_deflection_parameters": {"none": {}},
                 "wake_velocity_parameters": {"jensen": {"we": 0.05}},
                 "wake_turbulence_parameters": {"none": {}}},
    }
    fm = FlorisModel(config)
    n = len(speeds)
    fm.set(layout_x=x, layout_y=np.zeros_like(x), wind_directions=np.full(n, direction_deg),
           wind_speeds=np.asarray(speeds, float), turbulence_intensities=np.full(n, 0.06))
    fm.run()
    return fm.get_farm_power()


def test_jensen_row_against_floris():
    # Source: FLORIS 4 "jensen" velocity model (Jensen 1983), sosfs combination, no deflection/turbulence,
    # run here. For a row aligned with the wind every downstream rotor lies wholly inside the wakes, so
    # FLORIS's rotor-point sampling and our exact overlap area coincide and the two models are the same
    # equations (same Ct clipping, Ct at the waked speed): observed agreement ~1e-5, tolerance 0.1 %.
    # (With partial overlap, e.g. 5 deg off the row, FLORIS's 3x3 point sampling differs by up to ~10 %.)
    c = wind.load_turbine("nrel-5mw")
    x = np.arange(5) * 7 * c.rotor_diameter_m
    speeds = np.array([5.0, 6.0, 8.0, 10.0, 12.0, 15.0])
    table = wind.jensen_farm_table(c, x, np.zeros(5))
    ours = wind.farm_power_w(table, speeds, 270.0)
    np.testing.assert_allclose(ours, _floris_row_power(x, speeds, 270.0), rtol=1e-3)
    free = 5 * wind.turbine_power_w(c, speeds)
    assert np.all(ours[:4] < 0.75 * free[:4])  # strong wake loss below rated
    # Wind across the row (spacing 7 D): no wake in either model
    np.testing.assert_allclose(wind.farm_power_w(table, speeds, 0.0), free, rtol=1e-12)
    np.testing.assert_allclose(wind.farm_power_w(table, speeds, 180.0), free, rtol=1e-12)
    np.testing.assert_allclose(_floris_row_power(x, speeds, 0.0), free, rtol=1e-6)
    # Mirror symmetry: wind from the east sees the same row
    np.testing.assert_allclose(wind.farm_power_w(table, speeds, 90.0), ours, rtol=1e-12)


def test_jensen_grid_farm_loss():
    # Source: plausibility bound (VALIDATION.md style): offshore arrays at 7 D lose roughly 5-25 % to wakes
    c = wind.load_turbine("nrel-5mw")
    x, y = wind.grid_layout(40, 5, 7 * c.rotor_diameter_m, 7 * c.rotor_diameter_m)
    table = wind.jensen_farm_table(c, x, y)
    free = wind.no_wake_farm_table(c, 40)
    j8 = int(np.flatnonzero(table.wind_speed_m_s == 8.0)[0])
    loss_8 = 1 - table.power_w[:, j8].mean() / free.power_w[:, j8].mean()  # all directions, 8 m/s
    assert 0.05 < loss_8 < 0.25
    pdf = 2 / 8 * (table.wind_speed_m_s / 8) * np.exp(-((table.wind_speed_m_s / 8) ** 2))  # Weibull k 2, c 8
    energy_loss = 1 - (table.power_w @ pdf).sum() / (free.power_w @ pdf).sum()
    assert 0.05 < energy_loss < 0.25
    assert np.all(table.power_w <= free.power_w + 1e-6)
    # custom curve without a Ct table also works
    custom = wind.custom_power_curve(c.wind_speed_m_s, c.power_w, c.rotor_diameter_m, c.hub_height_m)
    assert np.all(wind.jensen_farm_table(custom, x, y).power_w <= free.power_w + 1e-6)


def test_farm_power_interpolation():
    c = wind.load_turbine("nrel-5mw")
    x = np.arange(3) * 5 * c.rotor_diameter_m
    table = wind.jensen_farm_table(c, x, np.zeros(3))
    # exact at the nodes
    vv, dd = np.meshgrid(table.wind_speed_m_s, table.direction_deg)
    np.testing.assert_allclose(wind.farm_power_w(table, vv, dd), table.power_w, rtol=1e-12)
    # periodic in direction
    assert wind.farm_power_w(table, 8.0, 359.9) == pytest.approx(wind.farm_power_w(table, 8.0, -0.1), rel=1e-12)
    assert wind.farm_power_w(table, 8.0, 359.9999) == pytest.approx(table.power_w[0, 16], rel=1e-4)
    np.testing.assert_allclose(wind.farm_power_w(table, 9.0, [360.0, 720.0, -360.0]),
                               wind.farm_power_w(table, 9.0, 0.0))
    assert wind.farm_power_w(table, 8.0, 359.9) == pytest.approx(wind.farm_power_w(table, 8.0, 0.1), rel=0.05)
    # bilinear: midpoint = mean of the four corners
    mid = wind.farm_power_w(table, 8.25, 272.5)
    i, j = 54, 16
    assert mid == pytest.approx(table.power_w[i:i + 2, j:j + 2].mean(), rel=1e-12)
    # beyond the last table speed (30 m/s, past cut-out): 0
    assert wind.farm_power_w(table, 40.0, 10.0) == 0.0


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda: wind.custom_power_curve([0, 5, 4], [0, 1, 2], 100, 80), "wind_speed_m_s"),
        (lambda: wind.custom_power_curve([0, 5, 6], [0, -1, 2], 100, 80), "power_w"),
        (lambda: wind.custom_power_curve([0, 5, 6], [0, 1], 100, 80), "power_w"),
        (lambda: wind.custom_power_curve([0, 5], [0, 1], -100, 80), "rotor_diameter_m"),
        (lambda: wind.turbine_power_w(wind.load_turbine("nrel-5mw"), [5.0, -1.0]), "wind_speed_m_s"),
        (lambda: wind.turbine_power_w(wind.load_turbine("nrel-5mw"), 5.0, 0.0), "air_density_kg_m3"),
        (lambda: wind.load_turbine("vestas-v999"), "name"),
        (lambda: wind.logarithmic_profile(5, 10, 135, 0.0), "roughness_length_m"),
        (lambda: wind.synthetic_wind([0, 1], [0], 3600, 2, 8), "day_of_year"),
        (lambda: wind.synthetic_wind([0, 1], [0, 0], 3600, -2, 8), "weibull_k"),
        (lambda: wind.synthetic_wind([0, 1], [0, 0], 3600, 2, 8, autocorrelation_1h=1.0), "autocorrelation_1h"),
        (lambda: wind.jensen_farm_table(wind.load_turbine("nrel-5mw"), [0, 1], [0]), "y_m"),
        (lambda: wind.jensen_farm_table(wind.load_turbine("nrel-5mw"), [0], [0], direction_deg=[0, 10, 20]),
         "direction_deg"),
        (lambda: wind.grid_layout(3, 4, 1.0, 1.0), "rows"),
        (lambda: wind.farm_power_w(wind.no_wake_farm_table(wind.load_turbine("nrel-5mw"), 1), -1.0, 0.0),
         "wind_speed_m_s"),
    ],
)
def test_bad_input_names_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_unknown_turbine_lists_known_names():
    with pytest.raises(ValueError, match="nrel-5mw"):
        wind.load_turbine("unknown")


def test_all_exports_exist():
    for name in wind.__all__:
        assert hasattr(wind, name)
