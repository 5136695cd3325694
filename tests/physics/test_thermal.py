"""Tests for physics.thermal: exact discretisation, energy balance, exchanger design, step cache, affinity laws."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.signal import cont2discrete

from physics.heat_transfer import effectiveness_ntu, hx_ua_scaled_w_k
from physics.thermal import (
    PUMP_LEVELS,
    SPEED_LEVELS,
    CabinThermal,
    StepCache,
    design_exchanger_ua_w_k,
    discretise_zoh,
    fan_power_w,
    inlet_row,
    network_matrices,
    ntu_counterflow_from_effectiveness,
    pump_power_w,
    steady_state,
)

STEPS_S = (1.0, 60.0, 3600.0, 1e6)

DESIGN_HEAT_W = 2.3e6
GAS_RISE_K = 12.0
SEA_RISE_K = 5.0
APPROACH_K = 6.0


def make_cabin(arrangement: str = "counterflow", recirculation: float = 0.1, ua_gas_wall: float = 4.0e3,
               ua_wall_sea: float = 2.5e4, **extra) -> CabinThermal:
    """A 2.3 MW cabin sized by design_exchanger_ua_w_k (orders of magnitude of the Lingang cabin)."""
    ua, c_gas, c_sea = design_exchanger_ua_w_k(DESIGN_HEAT_W, GAS_RISE_K, SEA_RISE_K, APPROACH_K, recirculation,
                                               arrangement)
    return CabinThermal(
        c_it_j_k=2.0e7, c_gas_j_k=1.5e5, c_wall_j_k=1.2e8,
        g_it_design_w_k=DESIGN_HEAT_W / 15.0,
        ua_gas_wall_w_k=ua_gas_wall, ua_wall_sea_w_k=ua_wall_sea,
        exchanger_ua_design_w_k=ua, gas_capacity_design_w_k=c_gas, sea_capacity_design_w_k=c_sea,
        recirculation_fraction=recirculation, arrangement=arrangement, **extra)


# ---------------------------------------------------------------------------------------------------------------
# (a) exact discretisation


@pytest.mark.parametrize("step_s", STEPS_S)
def test_zoh_one_node_equals_analytic_step_response(step_s):
    # VALIDATION "Linear RC network": C dT/dt = Q - (T - T_sea)/R, exact ZOH equals the analytic step response
    # T(t) = T_sea + Q R + (T0 - T_sea - Q R) exp(-t / (R C)) to 1e-10, for any step.
    c_j_k, r_k_w = 1.0e6, 1.0e-3  # time constant 1000 s
    a = np.array([[-1.0 / (r_k_w * c_j_k)]])
    b = np.array([[1.0 / c_j_k, 1.0 / (r_k_w * c_j_k)]])
    ad, bd = discretise_zoh(a, b, step_s)
    decay = math.exp(-step_s / (r_k_w * c_j_k))
    assert ad[0, 0] == pytest.approx(decay, rel=1e-10, abs=1e-300)
    np.testing.assert_allclose(bd[0], [r_k_w * (1.0 - decay), 1.0 - decay], rtol=1e-10)
    # one step of the whole trajectory
    t0, q_w, t_sea = 20.0, 5.0e3, 12.0
    analytic = t_sea + q_w * r_k_w + (t0 - t_sea - q_w * r_k_w) * decay
    stepped = ad[0, 0] * t0 + bd[0, 0] * q_w + bd[0, 1] * t_sea
    assert stepped == pytest.approx(analytic, rel=1e-10)


@pytest.mark.parametrize("step_s", STEPS_S)
def test_zoh_three_node_equals_scipy_and_eigen_solution(step_s):
    p = make_cabin()
    a, b = network_matrices(p, 0.8, 0.6)
    ad, bd = discretise_zoh(a, b, step_s)
    ad_ref, bd_ref, *_ = cont2discrete((a, b, np.eye(3), np.zeros((3, 2))), step_s, method="zoh")
    np.testing.assert_allclose(ad, ad_ref, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(bd, bd_ref, rtol=1e-10, atol=1e-14)
    # closed form: Ad = V exp(L dt) V^-1, Bd = A^-1 (Ad - I) B
    lam, vec = np.linalg.eig(a)
    ad_eig = (vec * np.exp(lam * step_s)) @ np.linalg.inv(vec)
    np.testing.assert_allclose(ad, ad_eig.real, rtol=1e-10, atol=1e-12)
    bd_closed = np.linalg.solve(a, (ad_eig.real - np.eye(3)) @ b)
    np.testing.assert_allclose(bd, bd_closed, rtol=1e-9, atol=1e-12)


def test_zoh_long_step_reaches_steady_state():
    p = make_cabin()
    a, b = network_matrices(p, 1.0, 1.0)
    ad, bd = discretise_zoh(a, b, 1e9)
    u = np.array([DESIGN_HEAT_W, 14.0])
    x = ad @ np.full(3, 14.0) + bd @ u
    np.testing.assert_allclose(x, steady_state(p, 1.0, 1.0, *u), rtol=1e-10)


def test_discretise_bad_step():
    a, b = network_matrices(make_cabin(), 1.0, 1.0)
    with pytest.raises(ValueError, match="step_s"):
        discretise_zoh(a, b, 0.0)


# ---------------------------------------------------------------------------------------------------------------
# (b) steady-state energy balance


@pytest.mark.parametrize("arrangement", ["counterflow", "crossflow"])
@pytest.mark.parametrize("fan, pump", [(1.0, 1.0), (0.5, 1.2), (1.3, 0.3), (0.7, 0.0)])
def test_steady_state_energy_balance(arrangement, fan, pump):
    p = make_cabin(arrangement, exchanger_area_m2=800.0, fouling_resistance_m2k_w=5e-5)
    heat_w, sea_c = 1.7e6, 9.0
    t_it, t_gas, t_wall = steady_state(p, fan, pump, heat_w, sea_c)
    # the exchanger's conductance, computed here from the heat-transfer functions, not taken from the network
    if pump > 0:
        ua = hx_ua_scaled_w_k(p.exchanger_ua_design_w_k, fan, pump, fouling_resistance_m2k_w=5e-5, area_m2=800.0)
        c_hot = (1 - p.recirculation_fraction) * p.gas_capacity_design_w_k * fan
        c_sea = p.sea_capacity_design_w_k * pump
        c_min, c_max = min(c_hot, c_sea), max(c_hot, c_sea)
        g_hx = effectiveness_ntu(ua / c_min, c_min / c_max, arrangement) * c_min
    else:
        g_hx = 0.0
    to_sea = g_hx * (t_gas - sea_c) + p.ua_wall_sea_w_k * (t_wall - sea_c)
    assert to_sea == pytest.approx(heat_w, rel=1e-9)
    # and each node balances: servers -> gas, gas -> wall -> sea
    g_it = p.g_it_design_w_k * fan**0.8
    assert g_it * (t_it - t_gas) == pytest.approx(heat_w, rel=1e-9)
    assert p.ua_gas_wall_w_k * (t_gas - t_wall) == pytest.approx(p.ua_wall_sea_w_k * (t_wall - sea_c), rel=1e-9)
    assert sea_c < t_wall < t_gas < t_it


# ---------------------------------------------------------------------------------------------------------------
# (c) exchanger design, end to end


@pytest.mark.parametrize("arrangement", ["counterflow", "crossflow"])
@pytest.mark.parametrize("recirculation", [0.0, 0.15])
def test_design_point_reproduced(arrangement, recirculation):
    # no gas-to-wall path, so all the heat leaves through the exchanger, as the design assumes
    p = make_cabin(arrangement, recirculation, ua_gas_wall=0.0)
    sea_c = 17.0
    t_it, t_gas, t_wall = steady_state(p, 1.0, 1.0, DESIGN_HEAT_W, sea_c)
    k_gas, k_sea = inlet_row(p, 1.0, 1.0)
    t_in = k_gas * t_gas + k_sea * sea_c
    assert t_in - sea_c == pytest.approx(APPROACH_K, rel=1e-9)
    assert t_gas - t_in == pytest.approx(GAS_RISE_K, rel=1e-9)
    assert t_wall == pytest.approx(sea_c, rel=1e-12)
    # seawater rise as designed: Q = C_sea dT_sea
    assert DESIGN_HEAT_W / p.sea_capacity_design_w_k == pytest.approx(SEA_RISE_K, rel=1e-12)
    assert p.gas_capacity_design_w_k * GAS_RISE_K == pytest.approx(DESIGN_HEAT_W, rel=1e-12)


def test_ntu_counterflow_inverse():
    for cr in (0.0, 0.3, 0.9, 1.0):
        for eps in (0.1, 0.5, 0.85):
            ntu = ntu_counterflow_from_effectiveness(eps, cr)
            assert effectiveness_ntu(ntu, cr, "counterflow") == pytest.approx(eps, rel=1e-10)
    with pytest.raises(ValueError, match="effectiveness"):
        ntu_counterflow_from_effectiveness(1.0, 0.5)


def test_design_unreachable_raises():
    # an approach far below what a finite crossflow exchanger can reach at this capacity ratio
    with pytest.raises(ValueError):
        design_exchanger_ua_w_k(1e6, 10.0, 10.0, 0.01, 0.0, "crossflow")


# ---------------------------------------------------------------------------------------------------------------
# (d) step cache


def _step(cache_entry, x, heat_w, sea_c):
    ad, bd, _, _ = cache_entry
    return [ad[3 * i] * x[0] + ad[3 * i + 1] * x[1] + ad[3 * i + 2] * x[2] + bd[2 * i] * heat_w + bd[2 * i + 1] * sea_c
            for i in range(3)]


def test_step_cache_equals_direct_discretisation():
    p = make_cabin("crossflow")
    cache = StepCache(p, 60.0)
    for fan_level, pump_level in [(SPEED_LEVELS, PUMP_LEVELS), (SPEED_LEVELS * 137 // 200, PUMP_LEVELS * 61 // 200),
                                  (SPEED_LEVELS // 10, 0), (SPEED_LEVELS * 3 // 2, 1)]:
        ad_t, bd_t, k_gas, k_sea = cache.get(fan_level, pump_level)
        fan, pump = fan_level / SPEED_LEVELS, pump_level / PUMP_LEVELS
        ad, bd = discretise_zoh(*network_matrices(p, fan, pump), 60.0)
        # equal up to rounding (BLAS results can differ in the last bits with memory alignment)
        np.testing.assert_allclose(ad_t, ad.ravel(), rtol=1e-10, atol=1e-300)
        np.testing.assert_allclose(bd_t, bd.ravel(), rtol=1e-10, atol=1e-300)
        assert all(type(v) is float for v in ad_t + bd_t)
        assert (k_gas, k_sea) == inlet_row(p, fan, pump)
    assert len(cache) == 4
    key = (SPEED_LEVELS * 137 // 200, PUMP_LEVELS * 61 // 200)
    assert cache.get(*key) is cache.get(*key)
    assert len(cache) == 4


def test_sixty_minute_steps_equal_one_hour_step():
    p = make_cabin()
    fine, coarse = StepCache(p, 60.0), StepCache(p, 3600.0)
    x_fine = x_coarse = [15.0, 15.0, 15.0]
    heat_w, sea_c = 1.9e6, 15.0
    for _ in range(60):
        x_fine = _step(fine.get(150, 120), x_fine, heat_w, sea_c)
    x_coarse = _step(coarse.get(150, 120), x_coarse, heat_w, sea_c)
    np.testing.assert_allclose(x_fine, x_coarse, rtol=0, atol=1e-9)
    assert x_fine[0] > 16.0  # it did warm up: the comparison is not trivial


# ---------------------------------------------------------------------------------------------------------------
# (e) affinity laws


def test_pump_and_fan_affinity_laws():
    flow_kg_s, head_m, eta, rho = 110.0, 12.0, 0.75, 1025.0
    design = pump_power_w(flow_kg_s, head_m, eta, 1.0, rho)
    assert design == pytest.approx(flow_kg_s * 9.80665 * head_m / eta, rel=1e-14)
    fan_design = fan_power_w(160.0, 450.0, 0.6, 1.0)
    assert fan_design == pytest.approx(160.0 * 450.0 / 0.6, rel=1e-14)
    for speed in (0.0, 0.3, 0.5, 1.0, 1.4):
        assert pump_power_w(flow_kg_s, head_m, eta, speed, rho) == pytest.approx(design * speed**3, rel=1e-14)
        assert fan_power_w(160.0, 450.0, 0.6, speed) == pytest.approx(fan_design * speed**3, rel=1e-14)
    # halving the speed takes one eighth of the power
    assert pump_power_w(flow_kg_s, head_m, eta, 0.5, rho) == pytest.approx(design / 8, rel=1e-14)


# ---------------------------------------------------------------------------------------------------------------
# parameter checks


@pytest.mark.parametrize("change, name", [
    (dict(c_it_j_k=0.0), "c_it_j_k"),
    (dict(exchanger_ua_design_w_k=-1.0), "exchanger_ua_design_w_k"),
    (dict(ua_wall_sea_w_k=-1.0), "ua_wall_sea_w_k"),
    (dict(recirculation_fraction=1.0), "recirculation_fraction"),
])
def test_cabin_parameter_checks(change, name):
    with pytest.raises(ValueError, match=name):
        replace(make_cabin(), **change)


def test_speed_checks():
    p = make_cabin()
    with pytest.raises(ValueError, match="fan_speed"):
        network_matrices(p, 0.0, 1.0)
    with pytest.raises(ValueError, match="pump_speed"):
        network_matrices(p, 1.0, 1.6)


# ---------------------------------------------------------------------------------------------------------------
# (f) any valid parameters, any step: finite, bounded, monotone


@settings(max_examples=120, deadline=None)
@given(
    c_it=st.floats(1e4, 1e9), c_gas=st.floats(1e3, 1e7), c_wall=st.floats(1e5, 1e10),
    g_it=st.floats(1e2, 1e6), ua_gw=st.one_of(st.just(0.0), st.floats(1.0, 1e5)),
    ua_ws=st.one_of(st.just(0.0), st.floats(1.0, 1e5)),
    ua_hx=st.floats(1e2, 1e7), c_gas_rate=st.floats(1e3, 1e6), c_sea_rate=st.floats(1e3, 1e7),
    recirculation=st.floats(0.0, 0.9), arrangement=st.sampled_from(["counterflow", "crossflow"]),
    fan=st.floats(0.05, 1.5), pump=st.one_of(st.just(0.0), st.floats(0.05, 1.5)),
    heat_w=st.floats(0.0, 5e6), sea_c=st.floats(-2.0, 32.0), step_s=st.floats(1e-2, 1e7),
)
def test_any_valid_network_approaches_steady_state_monotonically(
        c_it, c_gas, c_wall, g_it, ua_gw, ua_ws, ua_hx, c_gas_rate, c_sea_rate, recirculation, arrangement,
        fan, pump, heat_w, sea_c, step_s):
    # a connected network: the wall touches something, and heat has a path from the gas to the sea
    # (otherwise A is singular and there is no steady state)
    assume(ua_gw > 0.0 or ua_ws > 0.0)
    assume(pump > 0.0 or (ua_gw > 0.0 and ua_ws > 0.0))
    p = CabinThermal(c_it, c_gas, c_wall, g_it, ua_gw, ua_ws, ua_hx, c_gas_rate, c_sea_rate, recirculation,
                     arrangement)
    a, b = network_matrices(p, fan, pump)
    # at the sea temperature with no heat the cabin stays put (each row of [A | B_sea] sums to zero)
    np.testing.assert_allclose(a.sum(axis=1) + b[:, 1], 0.0, atol=1e-12 * np.abs(a).max())
    x_ss = steady_state(p, fan, pump, heat_w, sea_c)
    ad, bd = discretise_zoh(a, b, step_s)
    u = np.array([heat_w, sea_c])
    x = np.full(3, sea_c)
    span = float(np.max(x_ss - sea_c))
    # rounding: the matrix exponential of a stiff A dt is accurate to about eps ||A dt|| (Al-Mohy & Higham 2009,
    # SIAM J. Matrix Anal. Appl. 31, 970); measured here up to 4e-16 ||A dt||_1 over 3000 random networks
    tol = (1e-9 + 1e-14 * np.abs(a).sum(axis=0).max() * step_s) * (1.0 + abs(sea_c) + span)
    assert np.all(np.isfinite(x_ss)) and np.all(x_ss >= sea_c - tol)
    for _ in range(25):
        x_new = ad @ x + bd @ u
        assert np.all(np.isfinite(x_new))
        assert np.all(x_new >= x - tol)  # monotone: never cools under constant heat from the sea temperature
        assert np.all(x_new <= x_ss + tol)  # never overshoots the steady state
        x = x_new
