"""Tests for physics.heat_transfer against Incropera's examples, the VALIDATION table and ``ht``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ht.conv_external import Nu_cylinder_Churchill_Bernstein
from ht.conv_free_immersed import (
    Nu_horizontal_cylinder_Churchill_Chu,
    Nu_vertical_plate_Churchill,
)
from ht.hx import effectiveness_from_NTU
from hypothesis import given, settings
from hypothesis import strategies as st

from physics import heat_transfer as ht_mod
from physics.heat_transfer import (
    effectiveness_ntu,
    external_convection_h_w_m2k,
    fouling_resistance_m2k_w,
    hx_ua_scaled_w_k,
    nu_cylinder_churchill_bernstein,
    nu_horizontal_cylinder_churchill_chu,
    nu_mixed_convection,
    nu_vertical_plate_churchill_chu,
    wall_ua_w_k,
)

# ---------------------------------------------------------------------------------------------------------------
# Nusselt correlations


def test_horizontal_cylinder_incropera_example_9_2():
    # VALIDATION "Natural convection, horizontal cylinder": Incropera Example 9.2, Pr = 0.69, Gr = 2.63e9,
    # Nu = 139.13 (1e-3 relative). The function takes Ra = Gr Pr.
    nu = nu_horizontal_cylinder_churchill_chu(2.63e9 * 0.69, 0.69)
    assert nu == pytest.approx(139.13, rel=1e-3)


def test_cylinder_crossflow_incropera_example_7_3():
    # VALIDATION "Forced convection, cylinder in cross-flow": Incropera Example 7.3, Re = 6071, Pr = 0.7 -> 40.637
    assert nu_cylinder_churchill_bernstein(6071.0, 0.7) == pytest.approx(40.637, rel=1e-3)


def test_vertical_plate_by_hand():
    # Incropera eq. 9.26 evaluated by hand at Ra = 1e9, Pr = 0.71 (air)
    ra, pr = 1e9, 0.71
    expected = (0.825 + 0.387 * ra ** (1 / 6) / (1 + (0.492 / pr) ** (9 / 16)) ** (8 / 27)) ** 2
    assert nu_vertical_plate_churchill_chu(ra, pr) == pytest.approx(expected, rel=1e-12)
    # the full-range form tends to 0.825^2 with no buoyancy
    assert nu_vertical_plate_churchill_chu(0.0, pr) == pytest.approx(0.825**2, rel=1e-12)


RA = np.logspace(-2, 12, 15)
PR = np.array([0.7, 1.0, 7.0, 13.0])


def test_natural_convection_matches_ht_vectorised():
    ra, pr = np.meshgrid(RA, PR)
    got_h = nu_horizontal_cylinder_churchill_chu(ra, pr)
    got_v = nu_vertical_plate_churchill_chu(ra, pr)
    assert got_h.shape == ra.shape
    for (i, j), r in np.ndenumerate(ra):
        p = pr[i, j]
        assert got_h[i, j] == pytest.approx(Nu_horizontal_cylinder_Churchill_Chu(p, r / p), rel=1e-12)
        assert got_v[i, j] == pytest.approx(Nu_vertical_plate_Churchill(p, r / p), rel=1e-12)


def test_forced_convection_matches_ht_vectorised():
    re = np.logspace(-1, 7, 17)
    got = nu_cylinder_churchill_bernstein(re[:, None], PR[None, :])
    assert got.shape == (17, 4)
    for (i, j), v in np.ndenumerate(got):
        assert v == pytest.approx(Nu_cylinder_Churchill_Bernstein(re[i], PR[j]), rel=1e-12)


def test_mixed_convection():
    assert nu_mixed_convection(3.0, 4.0, exponent=2.0) == pytest.approx(5.0, rel=1e-12)
    assert nu_mixed_convection(10.0, 0.0) == pytest.approx(10.0, rel=1e-15)
    assert nu_mixed_convection(0.0, 0.0) == 0.0
    nf, nn = np.array([1.0, 50.0, 1e200]), np.array([2.0, 50.0, 1e200])
    # scaled internally, so 1e200 does not overflow when cubed
    np.testing.assert_allclose(nu_mixed_convection(nf, nn), [9.0 ** (1 / 3), 50.0 * 2 ** (1 / 3), 1e200 * 2 ** (1 / 3)],
                               rtol=1e-12)
    # combined always at least the larger of the two, at most their sum
    assert max(nf[0], nn[0]) <= nu_mixed_convection(nf[0], nn[0]) <= nf[0] + nn[0]


@pytest.mark.parametrize("func, args, name", [
    (nu_horizontal_cylinder_churchill_chu, (-1.0, 0.7), "rayleigh"),
    (nu_horizontal_cylinder_churchill_chu, (1e6, 0.0), "prandtl"),
    (nu_vertical_plate_churchill_chu, (np.nan, 0.7), "rayleigh"),
    (nu_cylinder_churchill_bernstein, (-5.0, 0.7), "reynolds"),
    (nu_cylinder_churchill_bernstein, (100.0, "x"), "prandtl"),
    (nu_mixed_convection, (-1.0, 1.0), "nu_forced"),
    (nu_mixed_convection, (1.0, 1.0, 0.0), "exponent"),
])
def test_nusselt_bad_input(func, args, name):
    with pytest.raises(ValueError, match=name):
        func(*args)


# ---------------------------------------------------------------------------------------------------------------
# effectiveness-NTU


def test_effectiveness_validation_values():
    # VALIDATION "Effectiveness-NTU" (Incropera Table 11.3), 1e-4
    assert effectiveness_ntu(1.0, 0.5, "counterflow") == pytest.approx(0.5647, abs=1e-4)
    # 0.5475 is the exact solution for crossflow with both fluids unmixed (ht subtype "crossflow");
    # Incropera's approximation eq. 11.32 gives 0.5448, 2.7e-3 lower.
    assert effectiveness_ntu(1.0, 0.5, "crossflow") == pytest.approx(0.5475, abs=1e-4)
    assert effectiveness_ntu(1.0, 0.5, "crossflow-approximate") == pytest.approx(0.54476, abs=1e-5)


@pytest.mark.parametrize("arrangement", ht_mod.ARRANGEMENTS)
def test_effectiveness_limits_exact(arrangement):
    ntu = np.array([0.0, 1e-8, 0.3, 1.0, 4.0, 30.0])
    # Cr = 0: every arrangement is 1 - exp(-NTU)
    np.testing.assert_allclose(effectiveness_ntu(ntu, 0.0, arrangement), -np.expm1(-ntu), rtol=1e-13, atol=0)
    for n in ntu:
        assert effectiveness_ntu(float(n), 0.0, arrangement) == pytest.approx(-math.expm1(-n), rel=1e-13, abs=0)
    # NTU = 0: no heat transfer
    np.testing.assert_array_equal(effectiveness_ntu(0.0, np.array([0.0, 0.5, 1.0]), arrangement), 0.0)


def test_counterflow_balanced_exact_and_continuous():
    ntu = np.array([0.0, 0.5, 1.0, 3.0, 50.0])
    np.testing.assert_allclose(effectiveness_ntu(ntu, 1.0), ntu / (1 + ntu), rtol=1e-15, atol=0)
    assert effectiveness_ntu(3.0, 1.0) == 3.0 / 4.0
    # approaching Cr = 1 from below: no cancellation, tends smoothly to NTU / (1 + NTU)
    for gap in (1e-4, 1e-8, 1e-12, 1e-15):
        assert effectiveness_ntu(3.0, 1.0 - gap) == pytest.approx(0.75, abs=3 * gap)


ARR_HT = {"counterflow": "counterflow", "parallel": "parallel", "crossflow": "crossflow",
          "crossflow-approximate": "crossflow approximate"}


@pytest.mark.parametrize("arrangement", ht_mod.ARRANGEMENTS)
def test_effectiveness_matches_ht(arrangement):
    ntu = np.array([0.05, 0.5, 1.0, 2.0, 5.0, 12.0])
    cr = np.array([0.01, 0.25, 0.5, 0.8, 0.999, 1.0])
    grid = effectiveness_ntu(ntu[:, None], cr[None, :], arrangement)
    assert grid.shape == (6, 6)
    for (i, j), eps in np.ndenumerate(grid):
        expected = effectiveness_from_NTU(float(ntu[i]), float(cr[j]), ARR_HT[arrangement])
        # ht evaluates the exact crossflow solution by numerical quadrature
        assert eps == pytest.approx(expected, rel=1e-9 if arrangement == "crossflow" else 1e-10)
        # scalar (math) path agrees with the array path
        assert effectiveness_ntu(float(ntu[i]), float(cr[j]), arrangement) == pytest.approx(eps, rel=1e-13)


@settings(max_examples=60, deadline=None)
@given(ntu=st.floats(0.0, 200.0), cr=st.floats(0.0, 1.0))
def test_effectiveness_bounds_and_order(ntu, cr):
    values = {a: effectiveness_ntu(ntu, cr, a) for a in ht_mod.ARRANGEMENTS}
    for a, eps in values.items():
        assert 0.0 <= eps <= 1.0 + 1e-12, a
        assert eps <= -math.expm1(-ntu) + 1e-12, a  # never better than Cr = 0
    # counterflow is the best single-pass arrangement, parallel the worst
    assert values["parallel"] <= values["crossflow"] + 1e-9
    assert values["crossflow"] <= values["counterflow"] + 1e-9


def test_effectiveness_monotone_in_ntu():
    ntu = np.linspace(0.0, 20.0, 81)
    for a in ht_mod.ARRANGEMENTS:
        eps = effectiveness_ntu(ntu, 0.7, a)
        assert np.all(np.diff(eps) >= -1e-15), a


@pytest.mark.parametrize("args, name", [
    ((-0.1, 0.5), "ntu"),
    ((1.0, 1.1), "cr"),
    ((1.0, -0.1), "cr"),
    ((np.inf, 0.5), "ntu"),
    ((1.0, 0.5, "shell"), "arrangement"),
    ((np.array([1.0]), 0.5, "shell"), "arrangement"),
    ((np.array([1.0, -1.0]), 0.5), "ntu"),
])
def test_effectiveness_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        effectiveness_ntu(*args)


# ---------------------------------------------------------------------------------------------------------------
# external convection, wall, fouling, off-design UA


def test_external_convection_natural_by_hand():
    # no current: the forced term is Churchill-Bernstein's constant 0.3, so h is Churchill-Chu combined with it
    from physics import ocean

    d, t_w, t_s, sa = 3.6, 22.0, 18.0, 35.16504
    tf = 20.0
    rho = ocean.seawater_density_kg_m3(tf, sa)
    mu = ocean.seawater_viscosity_pa_s(tf, sa)
    k = ocean.seawater_conductivity_w_mk(tf, sa)
    cp = ocean.seawater_cp_j_kgk(tf, sa)
    alpha = ocean.seawater_thermal_expansion_1_k(tf, sa)
    pr = mu * cp / k
    gr = 9.80665 * alpha * (t_w - t_s) * d**3 / (mu / rho) ** 2
    nu_n = Nu_horizontal_cylinder_Churchill_Chu(pr, gr)
    expected = (nu_n**3 + 0.3**3) ** (1 / 3) * k / d
    got = external_convection_h_w_m2k(d, 18.0, t_w, t_s, 0.0, "horizontal", sa)
    assert got == pytest.approx(expected, rel=1e-12)
    # seawater at 20 C: Pr about 7 (Sharqawy et al. 2010 tables)
    assert 6.5 < pr < 7.5
    # a plausible magnitude for free convection in water at 4 K: a few hundred W/m2K
    assert 100.0 < got < 1000.0


def test_external_convection_behaviour():
    base = dict(diameter_m=3.6, length_m=18.0, wall_temp_c=20.0, sea_temp_c=15.0, absolute_salinity_g_kg=33.0)
    speeds = np.array([0.0, 0.1, 0.3, 1.0, 2.0])
    h = external_convection_h_w_m2k(current_speed_m_s=speeds, orientation="vertical", **base)
    assert h.shape == (5,)
    assert np.all(np.diff(h) > 0)  # more current, more heat transfer
    # strong current: forced convection dominates, h -> Churchill-Bernstein alone
    from physics import ocean

    tf = 17.5
    rho = ocean.seawater_density_kg_m3(tf, 33.0)
    mu = ocean.seawater_viscosity_pa_s(tf, 33.0)
    k = ocean.seawater_conductivity_w_mk(tf, 33.0)
    pr = mu * ocean.seawater_cp_j_kgk(tf, 33.0) / k
    h_forced = Nu_cylinder_Churchill_Bernstein(rho * 2.0 * 3.6 / mu, pr) * k / 3.6
    assert h[-1] == pytest.approx(h_forced, rel=0.02)
    assert h[-1] >= h_forced
    # symmetric in the sign of the temperature difference
    h_cold = external_convection_h_w_m2k(3.6, 18.0, 15.0, 20.0, 0.0, "vertical", 33.0)
    assert h_cold == pytest.approx(float(h[0]), rel=1e-12)


@pytest.mark.parametrize("kwargs, name", [
    (dict(diameter_m=0.0), "diameter_m"),
    (dict(length_m=-1.0), "length_m"),
    (dict(current_speed_m_s=-0.1), "current_speed_m_s"),
    (dict(orientation="sideways"), "orientation"),
    (dict(wall_temp_c=np.nan), "wall_temp_c"),
    (dict(absolute_salinity_g_kg=80.0), "absolute_salinity_g_kg"),
])
def test_external_convection_bad_input(kwargs, name):
    args = dict(diameter_m=3.0, length_m=10.0, wall_temp_c=20.0, sea_temp_c=15.0, current_speed_m_s=0.2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        external_convection_h_w_m2k(**args)


def test_wall_ua_series_resistances():
    # 100 m2, 20 mm steel (k = 50), h_i = 5, h_o = 500, R_f = 1e-4
    r = 1 / 5 + 0.02 / 50 + 1e-4 + 1 / 500
    assert wall_ua_w_k(100.0, 0.02, 50.0, 5.0, 500.0, 1e-4) == pytest.approx(100.0 / r, rel=1e-14)
    ua = wall_ua_w_k(np.array([1.0, 2.0]), 0.0, 1.0, 10.0, 10.0)
    np.testing.assert_allclose(ua, [5.0, 10.0], rtol=1e-15)
    for kwargs, name in [(dict(area_m2=0.0), "area_m2"), (dict(thickness_m=-1e-3), "thickness_m"),
                         (dict(conductivity_w_mk=0.0), "conductivity_w_mk"),
                         (dict(h_inside_w_m2k=0.0), "h_inside_w_m2k"),
                         (dict(h_outside_w_m2k=-1.0), "h_outside_w_m2k"),
                         (dict(fouling_resistance_m2k_w=-1e-5), "fouling_resistance_m2k_w")]:
        args = dict(area_m2=1.0, thickness_m=0.01, conductivity_w_mk=50.0, h_inside_w_m2k=5.0,
                    h_outside_w_m2k=500.0)
        args.update(kwargs)
        with pytest.raises(ValueError, match=name):
            wall_ua_w_k(**args)


def test_fouling_kern_seaton():
    # VALIDATION "Seawater fouling resistance": TEMA about 0.00009 m2K/W below 50 C
    assert ht_mod.TEMA_SEAWATER_FOULING_M2K_W == pytest.approx(0.00009, rel=0.1)
    assert fouling_resistance_m2k_w(0.0) == 0.0
    tau = ht_mod.DEFAULT_FOULING_TIME_CONSTANT_S
    assert fouling_resistance_m2k_w(tau) == pytest.approx(0.00009 * (1 - math.exp(-1)), rel=1e-14)
    assert fouling_resistance_m2k_w(1e12) == pytest.approx(0.00009, rel=1e-12)
    t = np.linspace(0, 10 * tau, 50)
    r = fouling_resistance_m2k_w(t, 0.00018, tau)
    assert np.all(np.diff(r) > 0) and r[-1] < 0.00018
    with pytest.raises(ValueError, match="time_s"):
        fouling_resistance_m2k_w(-1.0)
    with pytest.raises(ValueError, match="time_constant_s"):
        fouling_resistance_m2k_w(1.0, time_constant_s=0.0)
    with pytest.raises(ValueError, match="asymptotic_m2k_w"):
        fouling_resistance_m2k_w(1.0, asymptotic_m2k_w=-1.0)


def test_hx_ua_scaled():
    ua_d = 50_000.0
    assert hx_ua_scaled_w_k(ua_d, 1.0, 1.0) == pytest.approx(ua_d, rel=1e-15)
    # both flows scaled by f: UA scales by f^0.8
    assert hx_ua_scaled_w_k(ua_d, 0.5, 0.5) == pytest.approx(ua_d * 0.5**0.8, rel=1e-14)
    # by hand: half the resistance on each side
    expected = 1 / (0.5 / (ua_d * 0.6**0.8) + 0.5 / (ua_d * 1.2**0.8))
    assert hx_ua_scaled_w_k(ua_d, 0.6, 1.2) == pytest.approx(expected, rel=1e-14)
    # fouling adds R_f / A in series
    expected = 1 / (1 / ua_d + 1e-4 / 200.0)
    assert hx_ua_scaled_w_k(ua_d, 1.0, 1.0, fouling_resistance_m2k_w=1e-4, area_m2=200.0) == pytest.approx(
        expected, rel=1e-14)
    # a stopped side transfers nothing; a side with no share does not care
    assert hx_ua_scaled_w_k(ua_d, 1.0, 0.0) == 0.0
    assert hx_ua_scaled_w_k(ua_d, 0.0, 0.7, hot_side_share=0.0) == pytest.approx(ua_d * 0.7**0.8, rel=1e-14)
    # vectorised path equals the scalar path
    fa = np.array([0.0, 0.2, 0.5, 1.0, 1.5])
    fw = np.array([[0.0], [0.3], [1.0]])
    grid = hx_ua_scaled_w_k(ua_d, fa, fw, 0.3, 0.8, 5e-5, 100.0)
    assert grid.shape == (3, 5)
    for (i, j), v in np.ndenumerate(grid):
        assert v == pytest.approx(hx_ua_scaled_w_k(ua_d, float(fa[j]), float(fw[i, 0]), 0.3, 0.8, 5e-5, 100.0),
                                  rel=1e-14, abs=0)
    # plain floats in, a float out (thermal.py calls float() on it)
    assert isinstance(hx_ua_scaled_w_k(ua_d, 0.5, 0.5), float)
    assert isinstance(effectiveness_ntu(1.0, 0.5, "crossflow"), float)


@pytest.mark.parametrize("kwargs, name", [
    (dict(ua_design_w_k=0.0), "ua_design_w_k"),
    (dict(air_flow_fraction=-0.1), "air_flow_fraction"),
    (dict(water_flow_fraction=np.array([1.0, -1.0])), "water_flow_fraction"),
    (dict(hot_side_share=1.5), "hot_side_share"),
    (dict(exponent=-0.8), "exponent"),
    (dict(fouling_resistance_m2k_w=1e-4), "area_m2"),
    (dict(fouling_resistance_m2k_w=1e-4, area_m2=0.0), "area_m2"),
    (dict(fouling_resistance_m2k_w=np.array([1e-4]), area_m2=None), "area_m2"),
])
def test_hx_ua_scaled_bad_input(kwargs, name):
    args = dict(ua_design_w_k=1000.0, air_flow_fraction=1.0, water_flow_fraction=1.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        hx_ua_scaled_w_k(**args)
