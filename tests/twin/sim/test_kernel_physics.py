"""The compiled kernel's inlined formulas against the public, checked functions they stand in for (house rule:
a fast kernel behind a checked public function, never an unchecked copy of a formula)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import expm

from physics import electrical, heat_transfer, servers, thermal
from twin.sim import controls
from twin.sim import kernel_physics as kp
from twin.sim.kernel import _battery_energy, _battery_power
from twin.sim.kernel_cabin import conductances
from twin.sim.state import (
    B_BATT_CH,
    B_BATT_DIS,
    B_BATT_E,
    B_BATT_EMAX,
    B_BATT_EMIN,
    B_BATT_ETA,
    B_COUNT,
    B_HAS_BATT,
    P_COUNT_ALL,
    network_params,
)

NTU = [0.0, 1e-6, 0.05, 0.5, 1.0, 2.7, 8.0, 30.0]
CR = [0.0, 1e-9, 0.1, 0.5, 0.93, 1.0]


@pytest.mark.parametrize("arrangement", list(kp.ARRANGEMENT_CODES))
def test_effectiveness_is_the_public_effectiveness_ntu(arrangement):
    code = kp.ARRANGEMENT_CODES[arrangement]
    for n in NTU:
        for c in CR:
            want = float(heat_transfer.effectiveness_ntu(n, c, arrangement))
            got = kp.effectiveness(n, c, code)
            assert got == pytest.approx(want, rel=1e-12, abs=1e-15), (arrangement, n, c)


def test_exchanger_ua_is_the_public_scaling():
    for fa in (0.0, 0.1, 0.37, 1.0, 1.3):
        for fw in (0.0, 0.002, 0.5, 1.0):
            for rf in (0.0, 9e-5, 3.5e-4):
                want = float(heat_transfer.hx_ua_scaled_w_k(4.3e5, fa, fw, fouling_resistance_m2k_w=rf,
                                                            area_m2=2000.0))
                assert kp.hx_ua_w_k(4.3e5, fa, fw, 0.5, 0.8, rf / 2000.0) == pytest.approx(want, rel=1e-14)


def _cabin(**changes) -> thermal.CabinThermal:
    from twin.scenario import load_scenario
    from twin.sim.cabin import build_cabin

    sc = load_scenario("lingang-phase1", [f"cabins.0.cooling.{k}={v}" for k, v in changes.items()])
    return build_cabin(sc, sc.cabins[0]).thermal


@pytest.mark.parametrize("location", ["central", "per_rack"])
def test_conductances_and_inlet_are_those_of_physics_thermal(location):
    p = _cabin(exchanger_location=location)
    prm = np.zeros((1, P_COUNT_ALL))
    network_params(prm[0], p)
    for fan in (0.01, 0.3, 0.77, 1.0):
        for pump in (0.0, 0.002, 0.1, 0.5, 1.0):
            for rf in (0.0, 1.75e-4):
                q = thermal.CabinThermal(**{**p.__dict__, "fouling_resistance_m2k_w": rf})
                g_it, g_hx, c_a = conductances(prm, 0, fan, pump, rf)
                a, b = thermal.network_matrices(q, fan, pump)
                assert g_it == pytest.approx(-a[0, 0] * p.c_it_j_k, rel=1e-13)
                assert g_hx == pytest.approx(b[1, 1] * p.c_gas_j_k, rel=1e-13, abs=1e-9)
                kg, ks = thermal.inlet_row(q, fan, pump)
                assert 1.0 - g_hx / c_a == pytest.approx(kg, rel=1e-13)


def _modes(p: thermal.CabinThermal, fan: float, pump: float):
    """The kernel's modal form of the network: eigenvalues, P = C^-1/2 V, and V (from kp.eig_sym3)."""
    prm = np.zeros((1, P_COUNT_ALL))
    network_params(prm[0], p)
    g_it, g_hx, _ = conductances(prm, 0, fan, pump, 0.0)
    ci, cg, cw = p.c_it_j_k, p.c_gas_j_k, p.c_wall_j_k
    m = np.array([[-g_it / ci, g_it / math.sqrt(ci * cg), 0.0],
                  [g_it / math.sqrt(ci * cg), -(g_it + g_hx + p.ua_gas_wall_w_k) / cg,
                   p.ua_gas_wall_w_k / math.sqrt(cg * cw)],
                  [0.0, p.ua_gas_wall_w_k / math.sqrt(cg * cw), -(p.ua_gas_wall_w_k + p.ua_wall_sea_w_k) / cw]])
    lam, v = np.empty(3), np.empty(9)
    kp.eig_sym3(m.ravel().copy(), lam, v)
    v = v.reshape(3, 3)
    sq = np.sqrt([ci, cg, cw])
    return lam, v, sq, g_hx


@pytest.mark.parametrize("fan,pump", [(1.0, 1.0), (0.3, 0.1), (0.55, 0.002), (0.01, 0.0)])
@pytest.mark.parametrize("tau", [0.5, 60.0, 900.0, 7200.0])
def test_modal_step_is_the_exact_zero_order_hold_step(fan, pump, tau):
    p = _cabin()
    lam, v, sq, g_hx = _modes(p, fan, pump)
    x0 = np.array([41.0, 30.5, 18.2])
    heat, sea = 1.9e6, 17.0
    b_tilde = np.array([heat / sq[0], g_hx * sea / sq[1], p.ua_wall_sea_w_k * sea / sq[2]])
    z0, w = v.T @ (sq * x0), v.T @ b_tilde
    x, xint, e = np.empty(3), np.empty(3), np.empty(3)
    kp.modal_step(lam, (v / sq[:, None]).ravel(), z0, w, tau, x, xint, e)
    a, b = thermal.network_matrices(p, fan, pump)
    ad, bd = thermal.discretise_zoh(a, b, tau)
    u = np.array([heat, sea])
    np.testing.assert_allclose(x, ad @ x0 + bd @ u, rtol=1e-11)
    np.testing.assert_allclose(e, np.exp(lam * tau), rtol=1e-14)
    # the integral over the interval, from the augmented exponential [[A, B u, 0], [0, 0, 0], [I, 0, 0]]
    aug = np.zeros((7, 7))
    aug[:3, :3] = a
    aug[:3, 3] = b @ u
    aug[4:7, :3] = np.eye(3)
    big = expm(aug * tau)
    np.testing.assert_allclose(xint, big[4:7, :3] @ x0 + big[4:7, 3], rtol=1e-10)


def _random_sum(rng):
    lam = -np.sort(10.0 ** rng.uniform(-4, 0, 3))
    a = rng.normal(0.0, 3.0, 3)
    return 25.0 + rng.normal(), a, lam


def test_exponential_sums_peaks_and_crossings_against_dense_evaluation():
    rng = np.random.default_rng(7)
    found_interior = found_cross = monotone = 0
    for _ in range(400):
        a0, a, lam = _random_sum(rng)
        tau = float(rng.choice([10.0, 60.0, 900.0]))
        t = np.linspace(0.0, tau, 200_001)
        f = a0 + (a[None, :] * np.exp(np.outer(t, lam))).sum(axis=1)
        e = np.exp(lam * tau)
        lo, hi = kp.exp_sum_bounds(a0, a, e)
        assert lo <= f.min() + 1e-12 and f.max() <= hi + 1e-12
        crit = np.empty(2)
        n = kp.exp_sum_critical(a, lam, e, tau, crit)
        peak = kp.exp_sum_max(a0, a, lam, f[0], f[-1], crit, n)
        # the true peak may fall between two of the dense points, never below the highest of them
        assert f.max() - 1e-12 <= peak <= f.max() + 1e-5
        # the kernel's search for the peak alone finds the same
        assert kp.exp_sum_peak(a0, a, lam, e, tau, f[0], f[-1]) == pytest.approx(peak, abs=1e-10)
        # and where it skips that search (every term's slope of one sign), the peak is an end
        if kp.exp_sum_monotone(a, lam):
            monotone += 1
            assert f.max() <= max(f[0], f[-1]) + 1e-12
        found_interior += peak > max(f[0], f[-1]) + 1e-6
        thr = float(rng.uniform(f.min(), f.max()))
        iv = np.empty(4)
        k = kp.exp_sum_above(a0, a, lam, tau, thr, f[0], f[-1], crit, n, iv)
        above = sum(iv[2 * i + 1] - iv[2 * i] for i in range(k))
        assert above == pytest.approx((f > thr).mean() * tau, abs=2 * tau / 200_000)
        found_cross += 0 < above < tau
    assert found_interior > 20 and found_cross > 300  # the cases that need the analysis do occur
    assert monotone > 50


def test_controllers_are_the_public_ones():
    pi = controls.PumpPI(0.1, 60.0, 0.1)
    speed, last = pi.speed, 0.0
    rng = np.random.default_rng(3)
    for _ in range(200):
        err, dt, sens, cap = rng.normal(0, 2), float(rng.choice([1.0, 60.0, 900.0])), rng.uniform(0, 200), 1.0
        cap = float(rng.choice([1.0, 0.2, 0.0]))
        want = pi.update(err, dt, sens, cap)
        speed = kp.pump_pi_speed(speed, last, err, dt, sens, 0.1, 60.0, 0.1, cap)
        last = err
        assert speed == want
    for t_in in np.linspace(20.0, 36.0, 161):
        assert kp.throttle_speed(t_in, 32.0, 1.5, 0.3) == controls.throttle_speed(t_in, 32.0, 1.5, 0.3)
        assert kp.throttle_speed(t_in, 32.0, 1.5, 0.3) == pytest.approx(
            float(controls.throttle_speeds(np.array([t_in]), 32.0, 1.5, 0.3)[0]), rel=1e-15)
        assert kp.server_fan_fraction(t_in, servers.FAN_THRESHOLD_C, servers.FAN_SLOPE_PER_K) == pytest.approx(
            float(servers.server_fan_power_fraction(t_in)), rel=1e-15, abs=0.0)
    table = np.array(servers.ASHRAE_X_FACTOR, float).T.copy()
    for t_in in np.linspace(0.0, 60.0, 601):
        assert kp.x_factor(t_in, table) == pytest.approx(servers.failure_x_factor(t_in), rel=1e-15)
    for heat in np.linspace(0.0, 3e6, 31):
        assert kp.fan_speed_for_load(heat, 2.4e6, 0.3) == controls.fan_speed_for_load(heat, 2.4e6, 0.3)


def test_cable_and_transformer_are_the_public_ones():
    k = electrical.cable_loss_coefficient_per_w(35000.0, electrical.cable_resistance_ohm(0.0754, 12000.0, 2), 0.95)
    for p in np.linspace(0.0, 25e6, 26):
        assert kp.cable_sending_w(p, k) == electrical.cable_sending_power_scalar_w(p, k)
        assert kp.cable_sending_w(p, k) == pytest.approx(
            float(electrical.cable_sending_power_w(p, 35000.0, electrical.cable_resistance_ohm(0.0754, 12000.0, 2),
                                                   0.95)), rel=1e-15)
        c = electrical.transformer_load_loss_coefficient_per_w2(3.15e6, 26000.0, 0.95)
        assert kp.transformer_loss_w(p, 3300.0, c) == pytest.approx(
            float(electrical.transformer_loss_w(p, 3.15e6, 3300.0, 26000.0, 0.95)), rel=1e-14)


@pytest.mark.parametrize("request_w,energy_wh,step_s", [
    (2.0e6, 5.0e6, 60.0), (-1.0e6, 5.0e6, 60.0), (3.0e6, 8.9e6, 600.0), (-2.5e6, 1.1e6, 600.0),
    (5.0e6, 9.0e6, 60.0), (-5.0e6, 1.0e6, 60.0), (0.5e6, 2.0e6, 3600.0)])
def test_battery_is_the_public_battery_step(request_w, energy_wh, step_s):
    """Over a step at constant request the kernel holds the battery's power until the interval is cut at a limit;
    energy stored and energy exchanged are those of ``electrical.battery_step``, which spreads the same energy as
    a lower mean power over the whole step."""
    p = electrical.BatteryParams(energy_capacity_wh=10e6, max_charge_power_w=3e6, max_discharge_power_w=3e6,
                                 round_trip_efficiency=0.9)
    want_e, want_bus, want_loss = electrical.battery_step(energy_wh, request_w, step_s, p)
    bus = np.zeros(B_COUNT)
    bus[B_HAS_BATT], bus[B_BATT_E], bus[B_BATT_CH], bus[B_BATT_DIS] = 1.0, energy_wh, 3e6, 3e6
    bus[B_BATT_ETA], bus[B_BATT_EMIN], bus[B_BATT_EMAX] = p.one_way_efficiency, p.energy_min_wh, p.energy_max_wh
    charge, discharge, t_lim = _battery_power(bus, max(-request_w, 0.0), max(request_w, 0.0), True)
    tau = min(step_s, t_lim)
    loss = _battery_energy(bus, charge, discharge, tau, t_lim <= step_s) if tau > 0 else 0.0
    assert bus[B_BATT_E] == pytest.approx(want_e, rel=1e-13)
    assert (charge - discharge) * tau == pytest.approx(want_bus * step_s, rel=1e-12, abs=1e-6)
    assert loss * tau == pytest.approx(want_loss * step_s, rel=1e-9, abs=1e-6)
