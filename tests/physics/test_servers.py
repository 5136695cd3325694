"""Tests of physics.servers against published server power data (VALIDATION.md, Servers)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from physics.servers import (
    DGX_H100_IDLE_POWER_W,
    DGX_H100_PEAK_POWER_W,
    FAN_SLOPE_PER_K,
    FAN_THRESHOLD_C,
    SERVER_MODELS,
    ServerModel,
    busy_power_w,
    custom_server_model,
    fleet_power_w,
    idle_power_w,
    linear_server_model,
    peak_power_w,
    server_fan_power_fraction,
    server_model,
    server_power_w,
)

LOADS = np.arange(11) / 10.0

# SPECpower_ssj2008, IBM x3550 (2 x Xeon X5670), watts at 0, 10, ..., 100 % load; spec.org result
# power_ssj2008-20100315-00239 as tabulated in CloudSim's PowerModelSpecPowerIbmX3550XeonX5670.
IBM_X3550_W = [66, 107, 120, 131, 143, 156, 173, 191, 211, 229, 247]
# SPECpower_ssj2008, HP ProLiant ML110 G5 (Xeon 3075); spec.org result power_ssj2008-20110124-00339
# as tabulated in CloudSim's PowerModelSpecPowerHpProLiantMl110G5Xeon3075.
HP_ML110_G5_W = [93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135]

unit = st.floats(0.0, 1.0, allow_nan=False)


@pytest.mark.parametrize(
    ("name", "table"), [("ibm-x3550-x5670", IBM_X3550_W), ("hp-ml110-g5", HP_ML110_G5_W)]
)
def test_specpower_tables_exact_at_ten_percent_steps(name, table):
    model = server_model(name)
    np.testing.assert_array_equal(server_power_w(model, LOADS), np.array(table, dtype=float))
    for u, w in zip(LOADS, table):
        assert busy_power_w(model, float(u), 1.0) == pytest.approx(w, rel=1e-15)
    assert idle_power_w(model) == table[0]
    assert peak_power_w(model) == table[-1]


def test_specpower_linear_between_points():
    ibm = server_model("ibm-x3550-x5670")
    # Midpoints of the CloudSim tables above: CloudSim interpolates linearly between 10 % steps.
    assert server_power_w(ibm, 0.05) == pytest.approx((66 + 107) / 2, rel=1e-12)
    assert server_power_w(ibm, 0.55) == pytest.approx((156 + 173) / 2, rel=1e-12)
    assert server_power_w(ibm, 0.83) == pytest.approx(211 + 0.3 * (229 - 211), rel=1e-12)
    hp = server_model("hp-ml110-g5")
    assert server_power_w(hp, 0.95) == pytest.approx(134.0, rel=1e-12)
    assert server_power_w(hp, 0.01) == pytest.approx(93.7 + 0.1 * (97 - 93.7), rel=1e-12)


def test_server_power_is_vectorised_and_keeps_shape():
    model = server_model("ibm-x3550-x5670")
    u = np.linspace(0.0, 1.0, 12).reshape(3, 4)
    p = server_power_w(model, u)
    assert p.shape == (3, 4)
    assert np.all(np.diff(p.ravel()) >= 0.0)


def test_dgx_h100_peak_and_linear_model():
    # NVIDIA DGX H100 user guide: 10.2 kW maximum system power.
    dgx = server_model("dgx-h100")
    assert peak_power_w(dgx) == 10_200.0 == DGX_H100_PEAK_POWER_W
    assert server_power_w(dgx, 1.0) == 10_200.0
    # Idle is the module's documented assumption (2.0 kW), not a published figure.
    assert idle_power_w(dgx) == DGX_H100_IDLE_POWER_W == 2_000.0
    # Linear model P(u) = P_idle + (P_peak - P_idle) u (Fan, Weber, Barroso, ISCA 2007).
    u = np.linspace(0.0, 1.0, 101)
    np.testing.assert_allclose(server_power_w(dgx, u), 2_000.0 + 8_200.0 * u, rtol=1e-14)
    assert dgx.mass_kg > 0.0


@settings(max_examples=200, deadline=None)
@given(idle=st.floats(0.0, 5e3), extra=st.floats(0.0, 5e3), u=unit)
def test_linear_server_model_matches_fan_weber_barroso(idle, extra, u):
    # Fan, Weber, Barroso, ISCA 2007: P(u) = P_idle + (P_peak - P_idle) u.
    peak = idle + extra
    model = linear_server_model("x", idle, peak, 20.0)
    expected = idle + (peak - idle) * u
    assert float(server_power_w(model, u)) == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert busy_power_w(model, u, 1.0) == pytest.approx(expected, rel=1e-12, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(SERVER_MODELS)), u=unit, s=unit)
def test_busy_power_scales_dynamic_part_with_speed(name, u, s):
    model = SERVER_MODELS[name]
    p_u = float(server_power_w(model, u))
    idle = idle_power_w(model)
    p = busy_power_w(model, u, s)
    assert p == pytest.approx(idle + (p_u - idle) * s, rel=1e-12, abs=1e-9)
    assert idle - 1e-9 <= p <= p_u + 1e-9
    # Throttling never raises power, and a stalled busy server draws idle power.
    assert busy_power_w(model, u, 0.0) == idle
    assert busy_power_w(model, u, 1.0) == pytest.approx(p_u, rel=1e-12)


def test_fleet_power():
    model = server_model("ibm-x3550-x5670")
    p = fleet_power_w(model, 10, 5, 3, 0.5, 1.0)
    assert p == pytest.approx(10 * 156.0 + 5 * 66.0, rel=1e-12)
    assert fleet_power_w(model, 0, 0, 7, 0.5, 1.0) == 0.0
    assert fleet_power_w(model, 4, 0, 0, 1.0, 0.5) == pytest.approx(4 * (66 + 0.5 * (247 - 66)))


def test_custom_server_model_and_registry():
    m = custom_server_model("mine", [0, 0.5, 1], [100, 150, 300], 25)
    assert isinstance(m, ServerModel)
    assert m.utilisation_points == (0.0, 0.5, 1.0)
    assert server_power_w(m, 0.75) == pytest.approx(225.0)
    assert {"ibm-x3550-x5670", "hp-ml110-g5", "dgx-h100"} <= set(SERVER_MODELS)


def test_fan_power_fraction():
    # Threshold is the ASHRAE TC 9.9 recommended upper bound, 27 C (VALIDATION.md, Servers).
    assert FAN_THRESHOLD_C == 27.0
    t = np.array([10.0, 20.0, 27.0, 31.0, 35.0])
    f = server_fan_power_fraction(t)
    assert f.shape == t.shape
    np.testing.assert_allclose(f, [0.0, 0.0, 0.0, 4 * FAN_SLOPE_PER_K, 8 * FAN_SLOPE_PER_K])
    # The module's assumption: +5 % at 35 C.
    assert float(server_fan_power_fraction(35.0)) == pytest.approx(0.05)
    assert float(server_fan_power_fraction(30.0, threshold_c=25.0, slope_per_k=0.01)) == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: server_model("nope"), "name"),
        (lambda: server_power_w(SERVER_MODELS["dgx-h100"], 1.2), "utilisation"),
        (lambda: server_power_w(SERVER_MODELS["dgx-h100"], [0.2, np.nan]), "utilisation"),
        (lambda: server_power_w("dgx-h100", 0.5), "model"),
        (lambda: busy_power_w(SERVER_MODELS["dgx-h100"], -0.1, 1.0), "utilisation"),
        (lambda: busy_power_w(SERVER_MODELS["dgx-h100"], 0.5, 1.5), "speed_fraction"),
        (lambda: busy_power_w(SERVER_MODELS["dgx-h100"], 0.5, float("nan")), "speed_fraction"),
        (lambda: fleet_power_w(SERVER_MODELS["dgx-h100"], -1, 0, 0, 0.5, 1.0), "busy_servers"),
        (lambda: fleet_power_w(SERVER_MODELS["dgx-h100"], 1, 2.5, 0, 0.5, 1.0), "idle_servers"),
        (lambda: fleet_power_w(SERVER_MODELS["dgx-h100"], 1, 0, -3, 0.5, 1.0), "off_servers"),
        (lambda: linear_server_model("x", -1.0, 10.0, 1.0), "idle_power_w"),
        (lambda: linear_server_model("x", 10.0, 5.0, 1.0), "peak_power_w"),
        (lambda: linear_server_model("x", 1.0, float("inf"), 1.0), "peak_power_w"),
        (lambda: custom_server_model("", [0, 1], [1, 2], 1.0), "name"),
        (lambda: custom_server_model("x", [0, 0.5], [1, 2], 1.0), "utilisation_points"),
        (lambda: custom_server_model("x", [0, 0.6, 0.5, 1], [1, 2, 3, 4], 1.0), "utilisation_points"),
        (lambda: custom_server_model("x", [0, 1], [1, 2, 3], 1.0), "power_w_points"),
        (lambda: custom_server_model("x", [0, 1], [5, 2], 1.0), "power_w_points"),
        (lambda: custom_server_model("x", [0, 1], [1, 2], 0.0), "mass_kg"),
        (lambda: custom_server_model("x", [0, 1], [1, 2], None), "mass_kg"),
        (lambda: server_fan_power_fraction(np.nan), "inlet_temp_c"),
        (lambda: server_fan_power_fraction(30.0, slope_per_k=-1.0), "slope_per_k"),
        (lambda: server_fan_power_fraction(30.0, threshold_c=np.inf), "threshold_c"),
    ],
)
def test_bad_inputs_raise_value_error_naming_the_argument(call, argument):
    with pytest.raises(ValueError, match=rf"^{argument}\b"):
        call()


def test_accelerator_failure_rates_follow_the_llama3_counts():
    from physics.servers import (
        ACCELERATOR_FAILURES_PER_YEAR,
        HOST_FAILURES_PER_YEAR,
        LLAMA3_GPU_INTERRUPTIONS,
        LLAMA3_HOST_INTERRUPTIONS,
        annual_failure_rate,
        failure_x_factor,
    )

    # Dubey et al. 2024, Table 5: GPU rows 148 + 72 + 19 + 17 + 6 + 6, host rows 7 + 3 + 3 + 2 + 2 + 2 + 2, of 419
    # unexpected interruptions in 54 days on 16,384 H100s, 8 per host
    assert sum(LLAMA3_GPU_INTERRUPTIONS.values()) == 268
    assert sum(LLAMA3_HOST_INTERRUPTIONS.values()) == 21
    gpu_years = 16384 * 54 / 365.25
    assert ACCELERATOR_FAILURES_PER_YEAR == pytest.approx(268 / gpu_years / 1.13)
    assert HOST_FAILURES_PER_YEAR == pytest.approx(21 / (gpu_years / 8) / 1.13)
    assert failure_x_factor(22.5) == 1.13  # the assumed inlet of the run, referred to 20 C
    # an 8-GPU server fails about 0.85 times a year at 20 C on land; at the run's inlet, the run's own rate:
    # 289 failures on 2,048 hosts in 54 days
    rate = annual_failure_rate(server_model("dgx-h200"), 0.033)
    assert rate == pytest.approx(0.8447, abs=1e-4)
    assert rate * 1.13 * 2048 * 54 / 365.25 == pytest.approx(268 + 21)
    # 72 GPUs: nine 8-GPU servers' worth; a CPU server keeps the cabin's land rate
    assert annual_failure_rate(server_model("gb200-nvl72"), 0.033) == pytest.approx(9 * rate)
    assert annual_failure_rate(server_model("epyc-9654-2s"), 0.033) == 0.033
    with pytest.raises(ValueError, match="cpu_server_rate_per_year"):
        annual_failure_rate(server_model("dgx-h200"), -1.0)
