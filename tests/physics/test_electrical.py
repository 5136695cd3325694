"""Tests of physics.electrical: cables, transformer, battery, bus dispatch, grid carbon."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from physics.electrical import (
    CHINA_NATIONAL_GRID_CARBON_KG_PER_KWH,
    COPPER_TEMP_COEFFICIENT_PER_K,
    EAST_CHINA_GRID_CARBON_KG_PER_KWH,
    BatteryParams,
    battery_step,
    cable_current_a,
    cable_loss_coefficient_per_w,
    cable_received_power_w,
    cable_resistance_ohm,
    cable_sending_power_scalar_w,
    cable_sending_power_w,
    dispatch_bus,
    dispatch_bus_scalar,
    hourly_carbon_profile,
    transformer_load_loss_coefficient_per_w2,
    transformer_loss_scalar_w,
    transformer_loss_w,
)

# ----------------------------------------------------------------------------------------- cables


def test_copper_resistance_240mm2_at_20_and_90_c():
    # IEC 60228, class 2 copper conductor 240 mm2: 0.0754 ohm/km max DC resistance at 20 C.
    # Temperature coefficient of copper alpha_20 = 3.93e-3 /K (IEC 60287-1-1, Table 1).
    assert COPPER_TEMP_COEFFICIENT_PER_K == 0.00393
    assert cable_resistance_ohm(0.0754, 1000.0) == pytest.approx(0.0754, rel=1e-15)
    r90 = cable_resistance_ohm(0.0754, 1000.0, conductor_temp_c=90.0)
    assert r90 == pytest.approx(0.0754 * (1.0 + 0.00393 * 70.0), rel=1e-14)
    assert r90 == pytest.approx(0.09614254, rel=1e-7)  # hand calculation: 0.0754 x 1.2751
    # 12 km route, two circuits in parallel, 20 C.
    assert cable_resistance_ohm(0.0754, 12_000.0, parallel_count=2) == pytest.approx(0.4524, rel=1e-14)


def test_three_phase_cable_loss_textbook_example():
    # Textbook three-phase line loss: I = P / (sqrt(3) V pf), loss = 3 I^2 R.
    # 35 kV line-to-line (Lingang's subsea cables are 35 kV, VALIDATION.md), 30 MW, pf 0.95,
    # R = 0.0754 ohm/km (IEC 60228, 240 mm2 Cu, 20 C) x 12 km.
    v, p, pf = 35e3, 30e6, 0.95
    r = cable_resistance_ohm(0.0754, 12_000.0)
    assert r == pytest.approx(0.9048, rel=1e-14)
    i = p / (math.sqrt(3.0) * v * pf)
    assert i == pytest.approx(520.93, rel=1e-4)  # hand calculation
    loss = 3.0 * i * i * r
    assert loss == pytest.approx(736.6e3, rel=1e-3)  # hand calculation: about 2.5 % of 30 MW
    assert float(cable_current_a(p, v, pf)) == pytest.approx(i, rel=1e-14)
    k = cable_loss_coefficient_per_w(v, r, pf)
    assert k * p * p == pytest.approx(loss, rel=1e-13)
    # Sending 30 MW: the received power is 30 MW less that loss.
    assert float(cable_received_power_w(p, v, r, pf)) == pytest.approx(p - loss, rel=1e-13)


@settings(max_examples=150, deadline=None)
@given(
    frac=st.floats(0.0, 1.0),
    v=st.floats(400.0, 500e3),
    r=st.floats(1e-4, 50.0),
    pf=st.floats(0.5, 1.0),
)
def test_sending_power_consistency(frac, v, r, pf):
    # Formulation: loss on the sending-end current, P_s - k P_s^2 = P_r.
    k = cable_loss_coefficient_per_w(v, r, pf)
    p_r = frac * 0.25 / k  # up to the deliverable maximum 1/(4k)
    p_s = float(cable_sending_power_w(p_r, v, r, pf))
    assert p_s >= p_r
    assert p_s - k * p_s * p_s == pytest.approx(p_r, rel=1e-9, abs=1e-9 * (0.25 / k))
    # Scalar twin: identical formula, identical number.
    assert cable_sending_power_scalar_w(p_r, k) == p_s
    # Inverse.
    assert float(cable_received_power_w(p_s, v, r, pf)) == pytest.approx(p_r, rel=1e-9, abs=1e-9 * (0.25 / k))


def test_sending_power_vectorised_matches_scalar():
    v, pf = 35e3, 0.95
    r = cable_resistance_ohm(0.0754, 12_000.0, conductor_temp_c=90.0)
    k = cable_loss_coefficient_per_w(v, r, pf)
    p_r = np.linspace(0.0, 60e6, 61).reshape(61, 1)
    p_s = cable_sending_power_w(p_r, v, r, pf)
    assert p_s.shape == p_r.shape
    assert p_s[0, 0] == 0.0
    assert [cable_sending_power_scalar_w(float(x), k) for x in p_r.ravel()] == list(p_s.ravel())
    np.testing.assert_allclose(p_s - k * p_s**2, p_r, rtol=1e-12)
    # Zero resistance: lossless.
    np.testing.assert_array_equal(cable_sending_power_w(p_r, v, 0.0, pf), p_r)


# ------------------------------------------------------------------------------------ transformer


def test_transformer_loss_datasheet_style_example():
    # Datasheet-style example (illustrative values of the order listed for a 2.5 MVA oil-immersed
    # distribution transformer; not one maker's sheet): S_r = 2500 kVA, no-load loss
    # P0 = 2300 W, load loss at rated current Pk = 21000 W. Two-term loss model (IEC 60076-1
    # no-load and load-loss tests): loss = P0 + Pk (S / S_r)^2.
    # At 1.9 MW and pf 0.95, S = 2.0 MVA, 80 % load: 2300 + 21000 x 0.64 = 15740 W.
    s_r, p0, pk = 2.5e6, 2300.0, 21_000.0
    assert float(transformer_loss_w(1.9e6, s_r, p0, pk, 0.95)) == pytest.approx(15_740.0, rel=1e-12)
    # At rated apparent power: P0 + Pk; at no load: P0.
    assert float(transformer_loss_w(2.5e6 * 0.95, s_r, p0, pk, 0.95)) == pytest.approx(p0 + pk, rel=1e-12)
    assert float(transformer_loss_w(0.0, s_r, p0, pk)) == p0
    # Scalar twin.
    c = transformer_load_loss_coefficient_per_w2(s_r, pk, 0.95)
    loads = np.linspace(-3e6, 3e6, 41)
    vec = transformer_loss_w(loads, s_r, p0, pk, 0.95)
    assert [transformer_loss_scalar_w(float(x), p0, c) for x in loads] == pytest.approx(list(vec), rel=1e-15)


def test_transformer_efficiency_peaks_where_load_loss_equals_no_load_loss():
    # Textbook result (e.g. any electrical-machines text): efficiency is highest at the load where
    # the load (copper) loss equals the no-load (iron) loss, S / S_r = sqrt(P0 / Pk).
    s_r, p0, pk, pf = 2.5e6, 2300.0, 21_000.0, 0.95
    p = np.linspace(1e4, s_r * pf, 200_001)
    eff = p / (p + transformer_loss_w(p, s_r, p0, pk, pf))
    best = p[np.argmax(eff)] / pf / s_r
    assert best == pytest.approx(math.sqrt(p0 / pk), rel=1e-4)


# ---------------------------------------------------------------------------------------- battery


def _params(**kw):
    base = dict(
        energy_capacity_wh=4e6,
        max_charge_power_w=1e6,
        max_discharge_power_w=1.5e6,
        round_trip_efficiency=0.88,
        soc_min_fraction=0.1,
        soc_max_fraction=0.9,
        initial_soc_fraction=0.1,
    )
    base.update(kw)
    return BatteryParams(**base)


def test_battery_full_cycle_returns_round_trip_efficiency():
    p = _params()
    e = p.initial_energy_wh
    assert e == p.energy_min_wh
    step_s = 60.0
    taken_wh = 0.0
    while e < p.energy_max_wh:
        e, bus_w, loss_w = battery_step(e, 5e6, step_s, p)
        assert 0.0 < bus_w <= p.max_charge_power_w
        taken_wh += bus_w * step_s / 3600.0
    assert e == p.energy_max_wh
    given_wh = 0.0
    while e > p.energy_min_wh:
        e, bus_w, loss_w = battery_step(e, -5e6, step_s, p)
        assert -p.max_discharge_power_w <= bus_w < 0.0
        given_wh -= bus_w * step_s / 3600.0
    assert e == p.energy_min_wh
    assert given_wh == pytest.approx(0.88 * taken_wh, rel=1e-12)
    # Stored energy swing: one-way efficiency sqrt(0.88) on each leg.
    assert taken_wh == pytest.approx((p.energy_max_wh - p.energy_min_wh) / math.sqrt(0.88), rel=1e-12)
    # Full: no more charge; empty: no more discharge.
    assert battery_step(p.energy_min_wh, -1e6, 60.0, p) == (p.energy_min_wh, 0.0, 0.0)
    assert battery_step(p.energy_max_wh, 1e6, 60.0, p) == (p.energy_max_wh, 0.0, 0.0)
    assert battery_step(p.energy_max_wh, 0.0, 60.0, p) == (p.energy_max_wh, 0.0, 0.0)


def test_battery_initial_energy_is_clipped_into_the_window():
    assert _params(initial_soc_fraction=0.5).initial_energy_wh == 2e6
    assert _params(initial_soc_fraction=0.95).initial_energy_wh == _params().energy_max_wh
    assert _params(initial_soc_fraction=0.0).initial_energy_wh == _params().energy_min_wh


def test_battery_single_step_values():
    p = _params(round_trip_efficiency=0.81, initial_soc_fraction=0.5)  # one-way 0.9
    e0 = p.initial_energy_wh
    e1, bus, loss = battery_step(e0, 1e6, 3600.0, p)
    assert (e1, bus, loss) == pytest.approx((e0 + 0.9e6, 1e6, 0.1e6), rel=1e-12)
    e2, bus, loss = battery_step(e0, -0.9e6, 3600.0, p)
    assert (e2, bus, loss) == pytest.approx((e0 - 1e6, -0.9e6, 0.1e6), rel=1e-12)


battery_params = st.builds(
    lambda cap, pc, pd, rt, lo, width, init: BatteryParams(
        cap, pc, pd, rt, lo, lo + width * (1.0 - lo), lo + init * width * (1.0 - lo)
    ),
    cap=st.floats(1.0, 1e9),
    pc=st.floats(0.0, 1e9),
    pd=st.floats(0.0, 1e9),
    rt=st.floats(0.05, 1.0),
    lo=st.floats(0.0, 0.5),
    width=st.floats(0.01, 1.0),
    init=st.floats(0.0, 1.0),
)


@settings(max_examples=300, deadline=None)
@given(
    p=battery_params,
    requests=st.lists(st.floats(-2e9, 2e9), min_size=1, max_size=40),
    step_s=st.floats(1e-3, 7200.0),
)
def test_battery_conservation_limits_over_random_sequences(p, requests, step_s):
    hours = step_s / 3600.0
    e = p.initial_energy_wh
    lo, hi = p.energy_min_wh, p.energy_max_wh
    for request in requests:
        e_new, bus_w, loss_w = battery_step(e, request, step_s, p)
        scale = max(p.energy_capacity_wh, abs(bus_w) * hours)
        # Energy in - energy out = change in store + loss (sign of bus_w: + in, - out).
        assert bus_w * hours == pytest.approx((e_new - e) + loss_w * hours, abs=1e-9 * scale)
        assert loss_w >= 0.0
        # Power limits, direction and no over-delivery.
        assert -p.max_discharge_power_w <= bus_w <= p.max_charge_power_w
        assert abs(bus_w) <= abs(request)
        assert bus_w * request >= 0.0
        # SoC window: never left (started inside it).
        assert lo <= e_new <= hi
        e = e_new


# ------------------------------------------------------------------------------------- bus dispatch

power_arrays = hnp.arrays(np.float64, st.integers(1, 30), elements=st.floats(0.0, 1e9))


@settings(max_examples=80, deadline=None)
@given(
    data=st.data(),
    wind=power_arrays,
)
def test_dispatch_bus_balances_and_limits(data, wind):
    n = wind.shape
    demand = data.draw(hnp.arrays(np.float64, n, elements=st.floats(0.0, 1e9)))
    export_limit = data.draw(hnp.arrays(np.float64, n, elements=st.floats(0.0, 1e9)))
    import_limit = data.draw(hnp.arrays(np.float64, n, elements=st.floats(0.0, 1e9)))
    grid_ok = data.draw(hnp.arrays(np.bool_, n))
    used, imp, exp, curt, unserved = dispatch_bus(wind, demand, export_limit, import_limit, grid_ok)
    tol = 1e-12 * np.maximum(1.0, np.maximum(wind, demand))
    assert np.all(np.abs(used + imp + unserved - demand) <= tol)
    assert np.all(np.abs(used + exp + curt - wind) <= tol)
    for x in (used, imp, exp, curt, unserved):
        assert x.shape == n
        assert np.all(x >= 0.0)
    assert np.all(exp <= export_limit) and np.all(imp <= import_limit)
    assert np.all(imp[~grid_ok] == 0.0) and np.all(exp[~grid_ok] == 0.0)
    # Wind first: no import or unserved while wind is curtailed or exported.
    assert np.all((imp + unserved == 0.0) | (exp + curt == 0.0))
    # The scalar twin gives the same numbers.
    for i in range(n[0]):
        twin = dispatch_bus_scalar(
            float(wind[i]), float(demand[i]), float(export_limit[i]), float(import_limit[i]), bool(grid_ok[i])
        )
        assert twin == (used[i], imp[i], exp[i], curt[i], unserved[i])


def test_dispatch_bus_examples_and_defaults():
    # Surplus: 10 MW wind, 6 MW demand, 3 MW export limit -> 3 exported, 1 curtailed.
    r = dispatch_bus(10e6, 6e6, 3e6, 1e12, True)
    assert [float(x) for x in r] == [6e6, 0.0, 3e6, 1e6, 0.0]
    assert float(r.curtailed_w) == 1e6
    # Shortfall with the grid out: all unserved.
    assert [float(x) for x in dispatch_bus(2e6, 6e6, 3e6, 1e12, False)] == [2e6, 0.0, 0.0, 0.0, 4e6]
    # Defaults: no export, unlimited import, grid in service.
    assert [float(x) for x in dispatch_bus([1e6, 5e6], 3e6).grid_import_w] == [2e6, 0.0]
    assert [float(x) for x in dispatch_bus([1e6, 5e6], 3e6).curtailed_w] == [0.0, 2e6]


# ------------------------------------------------------------------------------------------ carbon


def test_grid_carbon_factors():
    # MEE / NBS 2022 electricity CO2 emission factors (announced December 2024), as reported by
    # Beijing News 2024-12-27: East China regional grid 0.5617, national average 0.5366 kg/kWh.
    assert EAST_CHINA_GRID_CARBON_KG_PER_KWH == 0.5617
    assert CHINA_NATIONAL_GRID_CARBON_KG_PER_KWH == 0.5366


@settings(max_examples=200, deadline=None)
@given(mean=st.floats(0.0, 2.0), amp=st.floats(0.0, 1.0), peak=st.floats(0.0, 23.999))
def test_hourly_carbon_profile_preserves_mean(mean, amp, peak):
    c = hourly_carbon_profile(mean, amp, peak)
    assert c.shape == (24,)
    assert c.mean() == pytest.approx(mean, rel=1e-12, abs=1e-15)
    assert np.all(c >= -1e-15)


def test_hourly_carbon_profile_shape():
    flat = hourly_carbon_profile(EAST_CHINA_GRID_CARBON_KG_PER_KWH)
    np.testing.assert_array_equal(flat, np.full(24, 0.5617))
    c = hourly_carbon_profile(0.5, 0.2, 19.0)
    assert int(np.argmax(c)) == 19 and int(np.argmin(c)) == 7
    assert c.max() == pytest.approx(0.6) and c.min() == pytest.approx(0.4)


# ------------------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: cable_resistance_ohm(-0.1, 1000.0), "resistance_ohm_per_km"),
        (lambda: cable_resistance_ohm(0.0754, 0.0), "length_m"),
        (lambda: cable_resistance_ohm(0.0754, float("nan")), "length_m"),
        (lambda: cable_resistance_ohm(0.0754, 1000.0, parallel_count=0), "parallel_count"),
        (lambda: cable_resistance_ohm(0.0754, 1000.0, parallel_count=1.5), "parallel_count"),
        (lambda: cable_resistance_ohm(0.0754, 1000.0, parallel_count=float("nan")), "parallel_count"),
        (lambda: cable_resistance_ohm(0.0754, 1000.0, conductor_temp_c=400.0), "conductor_temp_c"),
        (lambda: cable_resistance_ohm(0.0754, 1000.0, temp_coefficient_per_k=-1.0), "temp_coefficient_per_k"),
        (lambda: cable_loss_coefficient_per_w(0.0, 1.0), "voltage_v"),
        (lambda: cable_loss_coefficient_per_w(35e3, -1.0), "resistance_ohm"),
        (lambda: cable_loss_coefficient_per_w(35e3, 1.0, 1.2), "power_factor"),
        (lambda: cable_loss_coefficient_per_w(35e3, 1.0, 0.0), "power_factor"),
        (lambda: cable_sending_power_w(-1.0, 35e3, 1.0), "received_power_w"),
        (lambda: cable_sending_power_w([1.0, np.nan], 35e3, 1.0), "received_power_w"),
        (lambda: cable_sending_power_w(1e12, 35e3, 1.0), "received_power_w"),
        (lambda: cable_sending_power_scalar_w(-1.0, 1e-9), "received_power_w"),
        (lambda: cable_sending_power_scalar_w(float("nan"), 1e-9), "received_power_w"),
        (lambda: cable_sending_power_scalar_w(1e12, 1e-9), "received_power_w"),
        (lambda: cable_sending_power_scalar_w(1.0, -1e-9), "loss_coefficient_per_w"),
        (lambda: cable_received_power_w(1e12, 35e3, 1.0), "sending_power_w"),
        (lambda: cable_current_a(1e6, -35e3), "voltage_v"),
        (lambda: cable_current_a(np.inf, 35e3), "power_w"),
        (lambda: transformer_loss_w(1e6, 0.0, 1.0, 1.0), "rated_power_va"),
        (lambda: transformer_loss_w(1e6, 1e6, -1.0, 1.0), "no_load_loss_w"),
        (lambda: transformer_loss_w(1e6, 1e6, 1.0, -1.0), "load_loss_rated_w"),
        (lambda: transformer_loss_w(np.nan, 1e6, 1.0, 1.0), "load_w"),
        (lambda: _params(energy_capacity_wh=0.0), "energy_capacity_wh"),
        (lambda: _params(max_charge_power_w=-1.0), "max_charge_power_w"),
        (lambda: _params(max_discharge_power_w=np.nan), "max_discharge_power_w"),
        (lambda: _params(round_trip_efficiency=1.1), "round_trip_efficiency"),
        (lambda: _params(round_trip_efficiency=0.0), "round_trip_efficiency"),
        (lambda: _params(soc_min_fraction=-0.1), "soc_min_fraction"),
        (lambda: _params(soc_max_fraction=0.05), "soc_max_fraction"),
        (lambda: _params(initial_soc_fraction=1.05), "initial_soc_fraction"),
        (lambda: battery_step(-1.0, 0.0, 60.0, _params()), "energy_wh"),
        (lambda: battery_step(1e6, float("nan"), 60.0, _params()), "request_w"),
        (lambda: battery_step(1e6, 1.0, 0.0, _params()), "step_s"),
        (lambda: battery_step(1e6, 1.0, float("inf"), _params()), "step_s"),
        (lambda: dispatch_bus(-1.0, 1.0), "wind_available_w"),
        (lambda: dispatch_bus(1.0, [1.0, np.nan]), "demand_w"),
        (lambda: dispatch_bus(1.0, 1.0, -1.0), "export_limit_w"),
        (lambda: dispatch_bus(1.0, 1.0, 0.0, np.nan), "grid_import_limit_w"),
        (lambda: dispatch_bus(1.0, 1.0, 0.0, 1.0, "yes"), "grid_available"),
        (lambda: dispatch_bus([1.0, 2.0], [1.0, 2.0, 3.0]), "wind_available_w, demand_w"),
        (lambda: dispatch_bus_scalar(1.0, -1.0, 0.0, 0.0, True), "demand_w"),
        (lambda: dispatch_bus_scalar(float("nan"), 1.0, 0.0, 0.0, True), "wind_available_w"),
        (lambda: hourly_carbon_profile(-0.1), "mean_kg_per_kwh"),
        (lambda: hourly_carbon_profile(0.5, 1.5), "amplitude_fraction"),
        (lambda: hourly_carbon_profile(0.5, 0.1, 24.0), "peak_hour"),
    ],
)
def test_bad_inputs_raise_value_error_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=rf"^{argument}\b"):
        call()
