"""Power by work and throughput under a power cap (physics/work_power.py) against their published points."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from physics import work_power as wp
from physics.servers import SERVER_MODELS, busy_power_w, server_model

ACCELERATED = sorted(n for n, m in SERVER_MODELS.items() if m.is_accelerated)
CPU = sorted(n for n, m in SERVER_MODELS.items() if not m.is_accelerated)


def test_h100_node_reproduces_the_published_node_measurements():
    dgx = server_model("dgx-h100")
    # Newkirk et al. 2025: compute-intensive training at 76 % of the 10.2 kW rating.
    assert wp.work_power_w(dgx, "training") == pytest.approx(0.76 * 10200.0, rel=1e-12)
    assert wp.work_power_fraction(dgx, "training") == pytest.approx(0.76, rel=1e-12)
    # Latif et al. 2025: 8.4 kW, the largest draw with the GPUs near full utilisation; prefill runs them at TDP
    # (Patel et al., ASPLOS 2024).
    assert wp.work_power_w(dgx, "inference_prefill") == pytest.approx(8400.0, rel=1e-12)
    # Its host: 8.4 kW less eight 700 W GPUs at TDP.
    assert wp.host_power_w(dgx) == pytest.approx(2800.0, rel=1e-12)
    # Ma et al. 2026: decode draws 137-300 W of a 700 W GPU; the midpoint on each of the eight.
    assert wp.work_power_w(dgx, "inference_decode") == pytest.approx(2800.0 + 8 * 218.5, rel=1e-12)


def test_published_figures_are_the_ones_in_the_code():
    assert (wp.H100_NODE_RATED_W, wp.H100_NODE_OBSERVED_MAX_W, wp.TRAINING_NODE_FRACTION) == (10200.0, 8400.0, 0.76)
    assert wp.DECODE_GPU_POWER_W == (137.0, 300.0)
    assert wp.ACCELERATOR_DRAW_FRACTION["inference_prefill"] == 1.0
    # Prefill draws most, decode least, on every accelerator server.
    for name in ACCELERATED:
        m = server_model(name)
        p = {w: wp.work_power_w(m, w) for w in wp.ACCELERATOR_WORK}
        assert m.idle_power_w < p["inference_decode"] < p["training"] < p["inference_prefill"] <= m.peak_power_w
        assert wp.host_power_w(m) > 0.0


@pytest.mark.parametrize("name", ACCELERATED + CPU)
def test_work_utilisation_gives_the_work_power_through_the_engine_law(name):
    m = server_model(name)
    works = wp.ACCELERATOR_WORK if m.is_accelerated else ("cpu_batch",)
    for work in works:
        u = wp.work_utilisation(m, work)
        assert 0.0 <= u <= 1.0
        assert busy_power_w(m, u, 1.0) == pytest.approx(wp.work_power_w(m, work), rel=1e-12)


def test_cpu_batch_runs_at_the_specpower_full_load():
    for name in CPU:
        m = server_model(name)
        assert wp.work_power_w(m, "cpu_batch") == m.peak_power_w
        assert wp.work_utilisation(m, "cpu_batch") == 1.0


def test_dgx_h100_training_utilisation_is_the_reference_design_figure():
    # docs/designs.md runs the DGX H100 at job_utilisation 0.7 (7.74 kW); the training profile gives 0.701.
    assert wp.work_utilisation(server_model("dgx-h100"), "training") == pytest.approx(0.7015, abs=1e-4)


# Zeus NSDI 2023 trace summary_power_a40.csv, imagenet resnet50 batch 256: limit [W] -> time per epoch [s].
ZEUS = {100: 10606.19, 125: 9639.82, 150: 6326.84, 175: 4705.61, 200: 4123.52, 225: 3909.47, 250: 3864.98,
        275: 3857.81, 300: 3847.48}


def test_cap_curve_reproduces_its_published_points():
    limits = np.array(sorted(ZEUS), dtype=float)
    expected = ZEUS[300] / np.array([ZEUS[k] for k in sorted(ZEUS)])
    np.testing.assert_allclose(wp.cap_throughput_fraction(limits / 300.0), expected, rtol=1e-12)
    # What the points say: 75 % of TDP costs 1.6 % of the speed, 58 % costs 18 %.
    assert float(wp.cap_throughput_fraction(0.75)) == pytest.approx(0.9841, abs=1e-4)
    assert float(wp.cap_throughput_fraction(175 / 300)) == pytest.approx(0.8176, abs=1e-4)


def test_cap_at_tdp_costs_nothing_for_every_work():
    for work in wp.ACCELERATOR_WORK:
        assert float(wp.cap_throughput_fraction(1.0, work)) == 1.0
        assert float(wp.cap_throughput_fraction(1.3, work)) == 1.0


@settings(max_examples=200, deadline=None)
@given(a=st.floats(1 / 3, 1.5), b=st.floats(1 / 3, 1.5), work=st.sampled_from(wp.ACCELERATOR_WORK))
def test_cap_curve_is_monotone_and_costs_less_speed_than_power(a, b, work):
    lo, hi = min(a, b), max(a, b)
    f_lo, f_hi = (float(wp.cap_throughput_fraction(x, work)) for x in (lo, hi))
    assert 0.0 < f_lo <= f_hi <= 1.0
    # From half of TDP up, a cap costs a smaller share of the speed than of the power limit (below that the
    # measured points fall under the diagonal: at 125 W of 300 W the job runs at 0.40).
    if lo >= 0.5 and work == "training":
        assert f_lo >= min(lo, 1.0)


def test_decode_is_not_slowed_by_a_cap_above_its_draw():
    # Ma et al. 2026: decode draws 0.31 of TDP; a cap at 40 % never triggers.
    assert float(wp.cap_throughput_fraction(0.4, "inference_decode")) == 1.0
    assert float(wp.cap_throughput_fraction(0.4, "training")) < 0.5


def test_server_cap_maps_to_an_accelerator_limit():
    dgx = server_model("dgx-h100")
    assert wp.server_cap_throughput_fraction(dgx, "training", None) == 1.0
    assert wp.server_cap_throughput_fraction(dgx, "training", 10200.0) == 1.0
    # 6.0 kW: 3.2 kW left for 8 GPUs -> 400 W each, 4/7 of TDP, on the curve.
    assert wp.server_cap_throughput_fraction(dgx, "training", 6000.0) == pytest.approx(
        float(wp.cap_throughput_fraction(400.0 / 700.0)), rel=1e-12)
    assert wp.server_cap_throughput_fraction(dgx, "inference_decode", 6000.0) == 1.0
    assert wp.capped_work_power_w(dgx, "training", 6000.0) == 6000.0
    assert wp.capped_work_power_w(dgx, "inference_decode", 6000.0) == wp.work_power_w(dgx, "inference_decode")
    assert wp.capped_work_power_w(dgx, "training", None) == wp.work_power_w(dgx, "training")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: wp.work_power_w(server_model("dgx-h100"), "finetune"), "work"),
        (lambda: wp.work_power_w(server_model("dgx-h100"), "cpu_batch"), "work"),
        (lambda: wp.work_power_w(server_model("epyc-9654-2s"), "training"), "work"),
        (lambda: wp.work_power_w("dgx-h100", "training"), "model"),
        (lambda: wp.host_power_w(server_model("epyc-9654-2s")), "model"),
        (lambda: wp.work_utilisation(server_model("dgx-b200"), None), "work"),
        (lambda: wp.cap_throughput_fraction(0.2), "cap_fraction"),
        (lambda: wp.cap_throughput_fraction(0.1, "inference_decode"), "cap_fraction"),
        (lambda: wp.cap_throughput_fraction(-1.0), "cap_fraction"),
        (lambda: wp.cap_throughput_fraction([0.5, np.nan]), "cap_fraction"),
        (lambda: wp.cap_throughput_fraction(0.5, "cpu_batch"), "work"),
        (lambda: wp.server_cap_throughput_fraction(server_model("dgx-h100"), "training", 2000.0), "cap_w"),
        (lambda: wp.server_cap_throughput_fraction(server_model("dgx-h100"), "training", 4000.0), "cap_w"),
        (lambda: wp.server_cap_throughput_fraction(server_model("dgx-h100"), "training", "x"), "cap_w"),
        (lambda: wp.server_cap_throughput_fraction(server_model("hp-ml110-g5"), "training", 100.0), "work"),
        (lambda: wp.capped_work_power_w(server_model("dgx-h100"), "training", 1000.0), "cap_w"),
    ],
)
def test_bad_inputs_raise_naming_the_field(call, field):
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        call()


def test_work_under_caps_takes_the_tighter_cap_and_reads_the_curve():
    m = server_model("dgx-h100")
    host = 8400.0 - 8 * 700.0  # Latif et al. 2025: 8.4 kW observed maximum less eight 700 W GPUs
    # each GPU at 75 % of TDP: the server held at host + 8 x 525 W, the throughput of the Zeus point at 225 W
    power, share = wp.work_under_caps(m, "training", None, 0.75)
    assert power == pytest.approx(host + 8 * 525.0)
    assert share == pytest.approx(3847.48 / 3909.47)
    assert wp.accelerator_cap_w(m, 0.75) == pytest.approx(host + 8 * 525.0)
    # a server cap tighter than the GPU limit acts instead (5800 W: GPUs at 375 W, 125 % of the A40's 300 W
    # scale point 187.5 W, between the 175 W and 200 W points)
    p2, s2 = wp.work_under_caps(m, "training", 5800.0, 0.75)
    assert p2 == 5800.0
    assert s2 == pytest.approx(float(wp.cap_throughput_fraction(375.0 / 700.0)))
    # uncapped: the work's power at full speed
    assert wp.work_under_caps(m, "inference_prefill") == (wp.work_power_w(m, "inference_prefill"), 1.0)
    # cpu_batch: RAPL on the clock, the power table's law at full load (SPECpower 100 % = 817 W, idle 128 W)
    cpu = server_model("epyc-9654-2s")
    p3, s3 = wp.work_under_caps(cpu, "cpu_batch", 600.0)
    assert p3 == pytest.approx(600.0) and s3 == pytest.approx((600.0 - 128.0) / (817.0 - 128.0))
    with pytest.raises(ValueError, match="cap_fraction"):
        wp.work_under_caps(cpu, "cpu_batch", None, 0.8)
    with pytest.raises(ValueError, match="cap_fraction"):
        wp.accelerator_cap_w(m, 1.5)
