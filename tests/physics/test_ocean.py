"""Tests for physics.ocean: TEOS-10 properties, transport correlations, sea-temperature climatology."""

from __future__ import annotations

import gsw
import numpy as np
import pytest
from scipy.integrate import quad

from physics import ocean
from physics.ocean import (
    MID_MONTH_DAY_OF_YEAR,
    SITE_MONTHLY_SEA_TEMP_C,
    absolute_salinity_g_kg,
    fit_annual_harmonics,
    pressure_dbar_at_depth,
    sea_temperature_c,
    seawater_conductivity_w_mk,
    seawater_cp_j_kgk,
    seawater_density_kg_m3,
    seawater_flow_for_heat_kg_s,
    seawater_thermal_expansion_1_k,
    seawater_viscosity_pa_s,
)

MONTH_EDGES_DAY = np.concatenate([[0.0], np.cumsum([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])])


def test_public_names_exist():
    for name in ocean.__all__:
        assert hasattr(ocean, name), name


# ---------------------------------------------------------------------------------------------------------------
# properties


def test_density_unesco_check_values():
    # VALIDATION "Seawater density": UNESCO EOS-80 check values, 0.001 kg/m3. The check value is for
    # Practical Salinity 35; TEOS-10 takes Absolute Salinity, here the Reference Salinity of standard seawater
    # (gsw.SR_from_SP). TEOS-10 reproduces it to 1.3e-4 kg/m3.
    sa = float(gsw.SR_from_SP(35.0))
    assert sa == pytest.approx(35.16504, abs=1e-9)
    assert seawater_density_kg_m3(5.0, sa, 0.0) == pytest.approx(1027.67547, abs=0.001)
    assert seawater_density_kg_m3(5.0, 0.0, 0.0) == pytest.approx(999.96675, abs=0.001)


def test_cp_teos10():
    # VALIDATION "Seawater heat capacity": 3990.1 J/(kg K) at SA = 35.165 g/kg, 10 C (gsw.cp_t_exact), 0.5 %
    assert seawater_cp_j_kgk(10.0, 35.165) == pytest.approx(3990.1, rel=0.005)


def test_energy_balance_flow():
    # VALIDATION "Energy balance": 240 kW at a 5 K seawater rise needs 240e3 / (3990 x 5) = 12.0 kg/s, 0.5 %
    assert seawater_flow_for_heat_kg_s(240e3, 5.0, 10.0, 35.165) == pytest.approx(12.0, rel=0.005)
    flows = seawater_flow_for_heat_kg_s(np.array([0.0, 240e3, 480e3]), 5.0, 10.0, 35.165)
    np.testing.assert_allclose(flows[2], 2 * flows[1], rtol=1e-15)
    assert flows[0] == 0.0


def test_thermal_expansion_matches_density_derivative():
    # alpha = -(1/rho) d rho/dt at fixed SA, p: central difference of gsw density
    t, sa, dt = 12.0, 34.0, 1e-3
    rho = seawater_density_kg_m3(t, sa)
    drho = seawater_density_kg_m3(t + dt, sa) - seawater_density_kg_m3(t - dt, sa)
    assert seawater_thermal_expansion_1_k(t, sa) == pytest.approx(-drho / (2 * dt) / rho, rel=1e-5)
    # fresh water below its density maximum (~4 C) contracts on warming
    assert seawater_thermal_expansion_1_k(2.0, 0.0) < 0.0 < seawater_thermal_expansion_1_k(2.0, 35.0)


def test_conductivity_against_independent_data():
    # Sharqawy et al. (2010) eq. 13 (Jamieson & Tudhope 1970), stated accuracy 3 %.
    # Independent: Caldwell (1974, Deep-Sea Res. 21, 131) eq. 9 gives 0.5972 W/(m K) at S_P = 35, 20 C, 0 dbar
    # (check value in sw_tcond.m of the sea-mat air-sea toolbox); this correlation is 0.7 % higher.
    k = seawater_conductivity_w_mk(20.0, 35.16504)
    assert k == pytest.approx(0.5972, rel=0.015)
    assert k == pytest.approx(0.60, rel=0.01)
    # pure water: IAPWS (2011) thermal conductivity 0.5984 W/(m K) at 20 C, 0.1 MPa
    assert seawater_conductivity_w_mk(20.0, 0.0) == pytest.approx(0.5984, rel=0.01)
    # salt lowers and warmth raises the conductivity of water in this range
    assert seawater_conductivity_w_mk(20.0, 35.0) < seawater_conductivity_w_mk(20.0, 0.0)
    assert seawater_conductivity_w_mk(10.0, 35.0) < seawater_conductivity_w_mk(30.0, 35.0)


def test_viscosity_against_independent_data():
    # Sharqawy et al. (2010) eqs. 22-23, stated accuracy 1.5 %.
    # pure water: IAPWS (2008) viscosity release, 1.0016e-3 Pa s at 20 C, 0.1 MPa
    assert seawater_viscosity_pa_s(20.0, 0.0) == pytest.approx(1.0016e-3, rel=0.005)
    # seawater 20 C, 35 g/kg: about 1.08e-3 Pa s (Sharqawy et al. 2010, their tabulated values)
    assert seawater_viscosity_pa_s(20.0, 35.16504) == pytest.approx(1.08e-3, rel=0.01)
    # Dorsey (1940) Table 87 as fitted in oce's swViscosity: 1.383779e-3 Pa s at S_P = 30, 10 C
    assert seawater_viscosity_pa_s(10.0, float(gsw.SR_from_SP(30.0))) == pytest.approx(1.383779e-3, rel=0.015)


def test_properties_vectorised():
    t = np.array([[0.0, 10.0, 20.0, 30.0]])
    sa = np.array([[0.0], [20.0], [35.0]])
    for func in (seawater_density_kg_m3, seawater_cp_j_kgk, seawater_conductivity_w_mk, seawater_viscosity_pa_s,
                 seawater_thermal_expansion_1_k):
        out = func(t, sa)
        assert out.shape == (3, 4)
        assert out[2, 1] == pytest.approx(float(func(10.0, 35.0)), rel=1e-14)


def test_pressure_and_absolute_salinity():
    p = pressure_dbar_at_depth(np.array([0.0, 10.0, 35.0]), 30.75)
    assert p[0] == pytest.approx(0.0, abs=1e-9)
    assert p[1] == pytest.approx(10.06, abs=0.05)  # ~1.006 dbar per metre near the surface
    sa = absolute_salinity_g_kg(35.0, 10.0, 122.05, 30.75)
    assert sa == pytest.approx(35.16504, abs=0.02)  # the Absolute Salinity anomaly here is small


@pytest.mark.parametrize("call, name", [
    (lambda: seawater_density_kg_m3(-5.0, 35.0), "temp_c"),
    (lambda: seawater_density_kg_m3(10.0, 60.0), "absolute_salinity_g_kg"),
    (lambda: seawater_density_kg_m3(10.0, 35.0, -1.0), "pressure_dbar"),
    (lambda: seawater_cp_j_kgk(np.nan, 35.0), "temp_c"),
    (lambda: seawater_conductivity_w_mk("warm", 35.0), "temp_c"),
    (lambda: seawater_viscosity_pa_s(10.0, -1.0), "absolute_salinity_g_kg"),
    (lambda: seawater_thermal_expansion_1_k(150.0, 35.0), "temp_c"),
    (lambda: seawater_flow_for_heat_kg_s(-1.0, 5.0, 10.0, 35.0), "heat_w"),
    (lambda: seawater_flow_for_heat_kg_s(1e3, 0.0, 10.0, 35.0), "temp_rise_k"),
    (lambda: pressure_dbar_at_depth(-1.0, 30.0), "depth_m"),
    (lambda: pressure_dbar_at_depth(10.0, 91.0), "latitude_deg"),
    (lambda: absolute_salinity_g_kg(50.0, 10.0, 122.0, 30.0), "practical_salinity"),
])
def test_property_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ---------------------------------------------------------------------------------------------------------------
# sea temperature


def _month_means(coefficients) -> np.ndarray:
    return np.array([quad(lambda d: float(sea_temperature_c(d, coefficients)), a, b)[0] / (b - a)
                     for a, b in zip(MONTH_EDGES_DAY[:-1], MONTH_EDGES_DAY[1:])])


def test_harmonic_fit_recovers_a_harmonic_series_from_its_monthly_means():
    coefficients = np.array([15.0, -10.0, -3.0, 1.0, 0.5])
    monthly = _month_means(coefficients)
    np.testing.assert_allclose(fit_annual_harmonics(monthly, 2), coefficients, atol=1e-10)


@pytest.mark.parametrize("site", sorted(SITE_MONTHLY_SEA_TEMP_C))
def test_harmonic_fit_reproduces_site_monthly_means(site):
    monthly = np.array(SITE_MONTHLY_SEA_TEMP_C[site])
    assert monthly.shape == (12,)
    coefficients = fit_annual_harmonics(monthly, 2)
    # two harmonics follow the monthly means to 0.6 C; the annual mean is kept to 0.1 C
    np.testing.assert_allclose(_month_means(coefficients), monthly, atol=0.6)
    assert coefficients[0] == pytest.approx(monthly.mean(), abs=0.1)
    # with the most harmonics 12 points allow (11 parameters) the residual shrinks
    c5 = fit_annual_harmonics(monthly, 5)
    assert np.abs(_month_means(c5) - monthly).max() < np.abs(_month_means(coefficients) - monthly).max()
    # periodic: 31 December 24:00 joins 1 January 00:00
    assert sea_temperature_c(ocean.YEAR_LENGTH_DAYS, coefficients) == pytest.approx(
        float(sea_temperature_c(0.0, coefficients)), abs=1e-9)


def test_site_climatologies_plausible():
    lingang = np.array(SITE_MONTHLY_SEA_TEMP_C["lingang"])
    # coldest in February at ~7 C, warmest in August at ~28 C (Changjiang estuary / Hangzhou Bay coastal water)
    assert int(np.argmin(lingang)) == 1 and 6.0 <= lingang.min() <= 9.0
    assert int(np.argmax(lingang)) == 7 and 26.0 <= lingang.max() <= 29.0
    # annual mean 17.3 C: VALIDATION quotes the press for "below 15 C", which these seasonal anchors cannot give
    # (see the comment on SITE_MONTHLY_SEA_TEMP_C); this only keeps the estimate within its stated band.
    assert 15.0 < lingang.mean() < 18.5
    lingshui = np.array(SITE_MONTHLY_SEA_TEMP_C["lingshui"])
    # VALIDATION "Hainan Lingshui": nearshore water below 24.5 C in summer (upwelling)
    assert np.all(lingshui[5:8] < 24.5)
    assert np.all((lingshui > 20.0) & (lingshui < 30.0))
    north_sea = np.array(SITE_MONTHLY_SEA_TEMP_C["north-sea"])
    assert np.all((north_sea > 5.0) & (north_sea < 17.0))


def test_sea_temperature_depth_profile():
    coefficients = np.array([20.0, 0.0, 0.0])
    depth = np.array([0.0, 10.0, 30.0, 1e4])
    t = sea_temperature_c(100.0, coefficients, depth, mixed_layer_depth_m=10.0, thermocline_drop_c=6.0,
                          thermocline_scale_m=20.0)
    np.testing.assert_allclose(t, [20.0, 20.0, 20.0 - 6.0 * (1 - np.exp(-1.0)), 14.0], rtol=1e-14)
    # without a mixed layer depth, depth has no effect; output broadcasts over day and depth
    grid = sea_temperature_c(np.array([[0.0], [100.0]]), np.array([15.0, -5.0, 0.0]), depth)
    assert grid.shape == (2, 4)
    np.testing.assert_allclose(grid[:, 0], grid[:, 3], rtol=0)
    assert sea_temperature_c(0.0, [15.0, -5.0, 0.0]) == pytest.approx(10.0, rel=1e-14)


@pytest.mark.parametrize("call, name", [
    (lambda: fit_annual_harmonics(np.ones(11)), "monthly_mean_temp_c"),
    (lambda: fit_annual_harmonics(np.ones(12), 6), "n_harmonics"),
    (lambda: fit_annual_harmonics(np.ones(12), 1.5), "n_harmonics"),
    (lambda: fit_annual_harmonics([np.nan] * 12), "monthly_mean_temp_c"),
    (lambda: sea_temperature_c(1.0, [1.0, 2.0]), "coefficients"),
    (lambda: sea_temperature_c(1.0, [1.0], depth_m=-1.0), "depth_m"),
    (lambda: sea_temperature_c(1.0, [1.0], thermocline_drop_c=-1.0), "thermocline_drop_c"),
    (lambda: sea_temperature_c(1.0, [1.0], mixed_layer_depth_m=-1.0), "mixed_layer_depth_m"),
    (lambda: sea_temperature_c(1.0, [1.0], thermocline_scale_m=0.0), "thermocline_scale_m"),
    (lambda: sea_temperature_c(np.inf, [1.0]), "day_of_year"),
])
def test_sea_temperature_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_mid_month_days():
    np.testing.assert_allclose(MID_MONTH_DAY_OF_YEAR[[0, 1, 11]], [15.5, 45.0, 349.5])


def test_interannual_anomaly_statistics_and_continuity():
    # an AR(1) over years: sample SD at the years' middles and lag-one-year correlation as stated (2,000 years:
    # within sampling error, about 0.03 and 0.05)
    years = 2000
    middles = (np.arange(years) + 0.5) * ocean.SECONDS_PER_YEAR
    a = ocean.interannual_anomaly_k(middles, 0.4, 0.3, np.random.default_rng(1))
    assert a.std() == pytest.approx(0.4, abs=0.03)
    assert np.corrcoef(a[:-1], a[1:])[0, 1] == pytest.approx(0.3, abs=0.06)
    # continuous: hourly values of two years change by at most the year-to-year step over 8766 hours
    t = np.arange(0, 2 * ocean.SECONDS_PER_YEAR, 3600.0)
    b = ocean.interannual_anomaly_k(t, 0.4, 0.3, np.random.default_rng(2))
    assert np.abs(np.diff(b)).max() < 0.01
    # drawn a year at a time: the same seed gives the same anomaly at any time step
    coarse = ocean.interannual_anomaly_k(t[::6], 0.4, 0.3, np.random.default_rng(2))
    np.testing.assert_allclose(coarse, b[::6], rtol=0, atol=1e-12)
    assert not ocean.interannual_anomaly_k(t, 0.0, 0.3, np.random.default_rng(2)).any()


def test_warming_trend():
    # Sun et al. 2019 (J. Coastal Research SI 90; VALIDATION.md): warming > 0.04 C a year near the Yangtze estuary;
    # at that rate ten years add 0.4 K
    assert ocean.warming_k(10 * ocean.SECONDS_PER_YEAR, 0.04) == pytest.approx(0.4)
