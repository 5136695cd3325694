"""Tests for physics.liquid_cooling: the CDU by effectiveness-NTU, the coolant node, the ASHRAE classes."""

from __future__ import annotations

import math

import pytest
from ht.hx import effectiveness_from_NTU
from scipy.integrate import solve_ivp

from physics import liquid_cooling as lc

HEAT_W = 5.5e6
RISE_K = 10.0
SEA_RISE_K = 5.0
APPROACH_K = 3.0
LOOP_J_K = 2.0 * lc.WATER_DENSITY_KG_M3 * lc.WATER_CP_J_KGK  # 2 m3 of water


@pytest.fixture()
def loop() -> lc.LiquidLoop:
    return lc.design_liquid_loop(HEAT_W, RISE_K, SEA_RISE_K, APPROACH_K, LOOP_J_K)


def test_design_point_is_reproduced(loop):
    # at design heat and full seawater flow: supply = sea + approach, return = supply + rise, sea out = sea + rise
    s = lc.steady_state(loop, HEAT_W, 28.0, 1.0)
    assert s.supply_c == pytest.approx(28.0 + APPROACH_K, abs=1e-9)
    assert s.return_c == pytest.approx(28.0 + APPROACH_K + RISE_K, abs=1e-9)
    assert s.sea_out_c == pytest.approx(28.0 + SEA_RISE_K, abs=1e-9)


@pytest.mark.parametrize("sea_speed", [0.2, 0.5, 1.0, 1.3])
@pytest.mark.parametrize("heat_w", [1.0e5, 2.0e6, 5.5e6])
def test_cdu_energy_balance(loop, sea_speed, heat_w):
    # steady state: what the coolant gives up across the CDU, what the seawater takes and the heat are one number
    s = lc.steady_state(loop, heat_w, 20.0, sea_speed)
    coolant = loop.coolant_capacity_w_k * (s.return_c - s.supply_c)
    sea = loop.sea_capacity_design_w_k * sea_speed * (s.sea_out_c - 20.0)
    assert coolant == pytest.approx(heat_w, rel=1e-12)
    assert sea == pytest.approx(heat_w, rel=1e-12)
    # and the exchanger's own law: Q = eps C_min (T_hot,in - T_cold,in) with eps from the ht library (Caleb Bell)
    ua = float(lc.hx_ua_scaled_w_k(loop.cdu_ua_design_w_k, 1.0, sea_speed, 0.5))
    c1, c2 = loop.coolant_capacity_w_k, loop.sea_capacity_design_w_k * sea_speed
    c_min, c_max = min(c1, c2), max(c1, c2)
    eps = effectiveness_from_NTU(ua / c_min, c_min / c_max, subtype="counterflow")
    assert eps * c_min * (s.return_c - 20.0) == pytest.approx(heat_w, rel=1e-9)


def test_coolant_rise_of_a_gb300_tray():
    # dev.to (Zoey Lee), "GB300 Cold Plate Liquid Cooling": a 1U compute tray carries 6.9 kW on about 8 L/min;
    # water at 30 C (NIST: 995.6 kg m-3, 4180 J kg-1 K-1) rises 6900 / (8/60/1000 * 995.6 * 4180) = 12.4 K
    rise = 6900.0 / lc.coolant_capacity_w_k(8.0)
    assert rise == pytest.approx(12.4, abs=0.05)


def test_gpu_case_on_a_gb200_cold_plate():
    # Kenfa Tech, GB200 cold plate: thermal resistance below 0.03 C/W; a 1.2 kW GPU sits 36 K above its coolant
    assert lc.case_temp_c(40.0, 1200.0) == pytest.approx(76.0)
    with pytest.raises(ValueError, match="device_heat_w"):
        lc.case_temp_c(40.0, -1.0)


@pytest.mark.parametrize("temp, name", [(2.0, "W17"), (17.0, "W17"), (17.01, "W27"), (28.0, "W32"), (32.0, "W32"),
                                        (32.5, "W40"), (44.9, "W45"), (45.1, "W+")])
def test_facility_water_classes(temp, name):
    # ASHRAE TC 9.9 (2021): the class name is the facility water supply's upper limit
    assert lc.facility_class_of(temp) == name


def test_facility_class_limits_and_unknown_class():
    assert [lc.facility_class_limit_c(n) for n in ("W17", "W27", "W32", "W40", "W45")] == [17, 27, 32, 40, 45]
    assert lc.facility_class_limit_c("W+") == math.inf
    with pytest.raises(ValueError, match="facility_class: unknown ASHRAE liquid class 'W33'"):
        lc.facility_class_limit_c("W33")


def test_max_heat_puts_the_supply_on_its_limit(loop):
    q = lc.max_heat_w(loop, 28.0, 45.0)
    assert lc.steady_state(loop, q, 28.0, 1.0).supply_c == pytest.approx(45.0, abs=1e-9)
    # the approach is linear in the heat: 3 K at 5.5 MW, so the 17 K between a 28 C sea and 45 C hold 5.5 * 17 / 3
    assert q == pytest.approx(HEAT_W * 17.0 / APPROACH_K, rel=1e-12)
    assert lc.max_heat_w(loop, 46.0, 45.0) == 0.0


def test_seawater_speed_for_a_setpoint(loop):
    s = lc.sea_speed_for_supply(loop, 3.0e6, 15.0, 30.0, 0.05)
    assert lc.steady_state(loop, 3.0e6, 15.0, s).supply_c == pytest.approx(30.0, abs=1e-6)
    assert lc.sea_speed_for_supply(loop, 3.0e6, 29.0, 30.0, 0.05) == 1.0  # the setpoint is out of reach
    assert lc.sea_speed_for_supply(loop, 1.0e3, 15.0, 30.0, 0.05) == 0.05  # at the lowest speed already


@pytest.mark.parametrize("dt", [1.0, 60.0, 600.0, 1e5])
def test_exact_step_equals_the_ode(loop, dt):
    # C dT/dt = Q - G (T - T_sea), integrated numerically (scipy, tight tolerances)
    g = lc.cdu_conductance_w_k(loop, 0.6)
    sol = solve_ivp(lambda t, y: [(4.0e6 - g * (y[0] - 25.0)) / loop.loop_heat_capacity_j_k], (0.0, dt), [30.0],
                    rtol=1e-11, atol=1e-11)
    assert lc.step_return_c(loop, 30.0, 4.0e6, 25.0, 0.6, dt) == pytest.approx(sol.y[0, -1], abs=1e-7)


def test_time_constant_is_a_state_not_an_algebraic_relation(loop):
    # 2 m3 of water against G = 5.5 MW / 13 K: 8.3e6 / 4.2e5 = 20 s at design; far longer at low seawater flow,
    # so the coolant is the order of the 60 s control period or longer: a node of its own
    tau = lc.time_constant_s(loop, 1.0)
    assert tau == pytest.approx(LOOP_J_K / (HEAT_W / (APPROACH_K + RISE_K)), rel=1e-9)
    assert lc.time_constant_s(loop, 0.2) > 2.0 * tau
    assert lc.time_constant_s(loop, 0.0) == math.inf


def test_bad_loop_names_the_field():
    with pytest.raises(ValueError, match="coolant_capacity_w_k"):
        lc.LiquidLoop(1.0e5, -1.0, 1.0e5, 1.0e6)
    with pytest.raises(ValueError, match="sea_speed"):
        lc.cdu_conductance_w_k(lc.LiquidLoop(1.0e5, 1.0e5, 1.0e5, 1.0e6), 2.0)
