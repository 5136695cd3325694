"""The liquid path in the engine (issue 17, part 3): the kernel's CDU and coolant node against
physics.liquid_cooling, the heat split, the ledger, the supply under control, throttling at the coolant limit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from twin_runs import run_cached

from physics import liquid_cooling as lc
from twin.sim.kernel import _liquid_step
from twin.sim.kernel_cabin import cdu_conductance
from twin.sim.recorder import AC_COUNT, AC_LQ_ABOVE, AC_LQ_RETURN, AC_LQ_RETURN_MAX, AC_LQ_SUPPLY, AC_LQ_SUPPLY_MAX
from twin.sim.state import (
    P_COUNT_ALL,
    P_LQ_C,
    P_LQ_C_SEA,
    P_LQ_C_TCS,
    P_LQ_FWS_MAX,
    P_LQ_MARGIN,
    P_LQ_MAX,
    P_LQ_UA,
    S_COUNT,
    S_LQ_CAP,
    S_LQ_G,
    S_LQ_K,
    S_LQ_T,
    S_LQ_W,
)

LOOP = lc.design_liquid_loop(5.5e6, 10.0, 5.0, 3.0, 2.0 * lc.WATER_DENSITY_KG_M3 * lc.WATER_CP_J_KGK)
AUGUST = ("run.start=2026-08-01T00:00:00+08:00", "run.horizon_s=7d")
HEATWAVE = "events=[{kind: sea_temp_offset, start_s: 0, duration_s: 7d, delta_k: 2}]"


def _prm(limit_c: float = 45.0, margin_k: float = 1.5) -> np.ndarray:
    prm = np.zeros((1, P_COUNT_ALL))
    prm[0, P_LQ_UA], prm[0, P_LQ_C_TCS] = LOOP.cdu_ua_design_w_k, LOOP.coolant_capacity_w_k
    prm[0, P_LQ_C_SEA], prm[0, P_LQ_C] = LOOP.sea_capacity_design_w_k, LOOP.loop_heat_capacity_j_k
    prm[0, P_LQ_MAX], prm[0, P_LQ_MARGIN], prm[0, P_LQ_FWS_MAX] = limit_c, margin_k, 32.0
    return prm


@pytest.mark.parametrize("speed", [0.0, 0.01, 0.1, 0.37, 1.0, 1.2])
def test_cdu_conductance_is_the_public_one(speed):
    want = lc.cdu_conductance_w_k(LOOP, speed)
    assert cdu_conductance(_prm(), 0, speed) == pytest.approx(want, rel=1e-13, abs=1e-9)


@pytest.mark.parametrize("t0,heat_w,speed", [(40.0, 3.0e6, 0.3), (30.0, 5.5e6, 1.0), (45.0, 1.0e6, 0.1)])
@pytest.mark.parametrize("tau", [1.0, 60.0, 600.0])
def test_coolant_node_is_the_exact_step_with_means_maxima_and_crossings(t0, heat_w, speed, tau):
    sea = 28.0
    prm = _prm(limit_c=36.0, margin_k=1.5)
    st = np.zeros((1, S_COUNT))
    g = lc.cdu_conductance_w_k(LOOP, speed)
    st[0, S_LQ_T], st[0, S_LQ_W], st[0, S_LQ_G], st[0, S_LQ_K] = t0, heat_w, g, g / LOOP.coolant_capacity_w_k
    st[0, S_LQ_CAP] = 1.0
    acc_c = np.zeros((1, AC_COUNT))  # the accumulators of the kernel's rows; this is row 0
    acc = acc_c[0]
    acc[AC_LQ_SUPPLY_MAX] = acc[AC_LQ_RETURN_MAX] = -np.inf
    iv = np.zeros(8)
    end = _liquid_step(0, tau, sea, prm, st, acc_c, iv, 0)
    assert st[0, S_LQ_T] == pytest.approx(lc.step_return_c(LOOP, t0, heat_w, sea, speed, tau), abs=1e-10)
    # against dense evaluation of the public step: means, maxima, time in the band and above the limit
    ts = np.linspace(0.0, tau, 200_001)
    ret = np.array([lc.step_return_c(LOOP, t0, heat_w, sea, speed, t) for t in ts[::100]])
    k = g / LOOP.coolant_capacity_w_k
    sup = (1.0 - k) * ret + k * sea
    mean_ret = quad(lambda t: lc.step_return_c(LOOP, t0, heat_w, sea, speed, t), 0.0, tau, epsabs=1e-9)[0] / tau
    assert acc[AC_LQ_RETURN] / tau == pytest.approx(mean_ret, abs=1e-8)
    assert acc[AC_LQ_SUPPLY] / tau == pytest.approx((1.0 - k) * mean_ret + k * sea, abs=1e-8)
    assert acc[AC_LQ_SUPPLY_MAX] == pytest.approx(sup.max(), abs=1e-9)
    dt = tau / (sup.size - 1)
    assert acc[AC_LQ_ABOVE] == pytest.approx((sup > 36.0).sum() * dt, abs=2 * dt)
    assert end == 0  # no cap on the servers: no protective interval
    st[0, S_LQ_T], st[0, S_LQ_CAP] = t0, 0.8
    assert _liquid_step(0, tau, sea, prm, st, acc_c, iv, 0) == 2 and (iv[0], iv[1]) == (0.0, tau)


def test_without_a_liquid_section_nothing_changes_in_the_columns():
    r = run_cached("lingang-phase1", ("run.horizon_s=1d",))
    assert not any(c.startswith("cabin0_coolant") for c in r.series.columns)
    assert "max_coolant_supply_c" not in r.kpis
    assert (r.series.liquid_pump_power_w == 0.0).all()


@pytest.fixture(scope="module")
def august():
    return run_cached("lingang-ai-liquid", (*AUGUST, HEATWAVE))


def test_liquid_cabin_in_an_august_heatwave_closes_its_ledger_and_keeps_its_class(august):
    k, s = august.kpis, august.series
    assert k["energy_balance_error"] < 1e-9
    # the sea at the cabin (28 C August mean, +2 K) stays inside W32, the coolant supply inside the IT's 45 C
    assert s.sea_temp_c.max() < 32.0 and k["hours_facility_water_above_class"] == 0.0
    assert k["hours_coolant_above_limit"] == 0.0 and 0.0 < k["coolant_class_margin_k"] < 45.0 - s.sea_temp_c.max()
    # in a 30 C sea the gas path's inlet reaches its throttling band (the gas path carries 19 % of the heat with
    # the approach of a 1.4 MW exchanger): protective hours come from the air, not from the coolant
    assert s.cabin0_inlet_temp_c.max() < 32.0


def test_cold_plates_take_their_share_of_the_racks_power():
    from twin.scenario import load_scenario
    from twin.sim.cabin import build_cabin

    january = run_cached("lingang-ai-liquid", ("run.horizon_s=1d",))
    s = january.series
    assert s.cabin0_inlet_temp_c.max() < 27.0  # server fans at their base speed: IT power is the racks' power
    sc = load_scenario("lingang-ai-liquid")
    rack_heat = s.cabin0_liquid_heat_w.mean() - build_cabin(sc, sc.cabins[0]).liquid_tcs_pump_w
    assert rack_heat == pytest.approx(0.81 * s.cabin0_it_power_w.mean(), rel=1e-5)
    assert january.kpis["energy_balance_error"] < 1e-9
    # the liquid pumps are cooling power in the ledger
    assert (s.liquid_pump_power_w <= s.cooling_power_w + 1e-6).all() and s.liquid_pump_power_w.min() > 0.0


def test_the_cdu_holds_the_supply_at_its_setpoint_when_it_can(august):
    s = august.series
    # between its limits the CDU's seawater pump holds the supply at 32 C: within 0.5 K 99 % of the time, job
    # starts (a rack's heat in a step) overshooting by at most about a kelvin
    free = (s.cabin0_cdu_pump_speed > 0.31) & (s.cabin0_cdu_pump_speed < 0.99)
    assert free.mean() > 0.9
    err = (s.cabin0_coolant_supply_c[free] - 32.0).abs()
    assert (err < 0.5).mean() > 0.99 and err.max() < 1.5
    assert abs(s.cabin0_coolant_supply_c[free].mean() - 32.0) < 0.05


def test_the_servers_throttle_when_the_coolant_leaves_its_class():
    # a week of June (sea about 22 C, the gas path far from its band) with a CDU of 8 K approach and a 25 C
    # setpoint: the supply rises past 27 C at full load; with a 27 C limit the servers throttle on the coolant
    small = ("run.start=2026-06-15T00:00:00+08:00", "run.horizon_s=7d", "cabins.0.cooling.liquid.design_approach_k=8",
             "cabins.0.cooling.liquid.supply_setpoint_c=25")
    loose = run_cached("lingang-ai-liquid", small)
    tight = run_cached("lingang-ai-liquid", (*small, "cabins.0.cooling.liquid.supply_max_c=27"))
    assert loose.kpis["max_coolant_supply_c"] > 27.5 and loose.kpis["hours_protective_action"] == 0.0
    k = tight.kpis
    assert k["hours_protective_action"] > 1.0
    assert tight.series.cabin0_throttle.min() < 1.0
    # the coolant's cap holds the supply at the start of its throttling band: at the limit at most briefly
    assert k["max_coolant_supply_c"] < 27.2 and k["hours_coolant_above_limit"] < 0.05 * k["hours_protective_action"]
    sp = tight.series.cabin0_coolant_supply_c[tight.series.cabin0_throttle < 0.999]
    assert sp.mean() == pytest.approx(25.5, abs=0.5)
    # and it settles rather than alternating between its ends from one control period to the next
    assert tight.series.cabin0_throttle.diff().abs().mean() < 0.02
    assert k["energy_balance_error"] < 1e-9
    assert k["coolant_class_margin_k"] == pytest.approx(27.0 - k["max_coolant_supply_c"])


def test_the_answer_does_not_depend_on_the_output_step(august):
    coarse = run_cached("lingang-ai-liquid", (*AUGUST, HEATWAVE, "run.step_s=600"))
    a, b = august.kpis, coarse.kpis
    assert b["max_coolant_supply_c"] == pytest.approx(a["max_coolant_supply_c"], abs=0.05)
    assert b["liquid_pump_energy_mwh"] == pytest.approx(a["liquid_pump_energy_mwh"], rel=1e-3)
    assert b["pue"] == pytest.approx(a["pue"], rel=1e-4)
