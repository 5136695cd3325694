"""Power by work (issue 17, part 2): a job class says what it runs, a busy server draws that work's published power
(physics/work_power.py), and an accelerator power cap stretches the job by the Zeus NSDI 2023 curve, not in
proportion to the power."""

from __future__ import annotations

import pytest

from physics import servers, work_power
from twin.scenario import ScenarioError, load_scenario
from twin.sim.cabin import build_cabin, build_fleet
from twin.sim.engine import simulate

# Zeus artifact trace/summary_power_a40.csv, ResNet-50 on an A40: time per epoch at 300 W (its TDP) and at 225 W
# (a limit of 75 % of TDP) [s]
ZEUS_S_AT_300W, ZEUS_S_AT_225W = 3847.48, 3909.47
# DGX H100: rating 10.2 kW, 8 x 700 W GPUs; host = 8.4 kW observed maximum (Latif et al. 2025) - 8 x 700 W
HOST_W = 8400.0 - 8 * 700.0
IDLE_W = 2000.0


def _classes(extra: str) -> str:
    return ('workload.classes=[{"name": "train", "arrival_rate_per_h": 0, "work": "training"' + extra + '}]')


def test_a_work_class_gets_its_work_power_and_the_default_keeps_the_table():
    sc = load_scenario("lingang-phase1", [
        'workload.classes=[{"name": "web", "target_utilisation": 0.3}, '
        '{"name": "train", "target_utilisation": 0.3, "work": "training"}, '
        '{"name": "decode", "target_utilisation": 0.1, "work": "inference_decode"}]'])
    g = sc.cabins[0]
    _, groups, _ = build_fleet(sc, g, build_cabin(sc, g))
    m = servers.server_model("dgx-h100")
    web, train, decode = groups
    assert web.dyn_w == servers.busy_power_w(m, 0.7, 1.0) - IDLE_W and web.cap_speed == 1.0
    # training: 76 % of the 10.2 kW rating (Newkirk et al. 2025); decode: host + 8 x 218.5 W (Ma et al. 2026)
    assert train.dyn_w + IDLE_W == pytest.approx(0.76 * 10200.0)
    assert train.dyn_w == work_power.work_power_w(m, "training") - IDLE_W
    assert decode.dyn_w + IDLE_W == pytest.approx(HOST_W + 8 * 218.5)
    assert train.cap_speed == decode.cap_speed == 1.0


def test_work_must_fit_the_server_and_a_cap_needs_accelerator_work():
    with pytest.raises(ScenarioError, match=r"workload.classes.0.work.*cpu_batch.*dgx-h100"):
        load_scenario("lingang-phase1", ['workload.classes=[{"name": "b", "target_utilisation": 0.3, '
                                         '"work": "cpu_batch"}]'])
    with pytest.raises(ScenarioError, match="power_cap_fraction needs accelerator work"):
        load_scenario("lingang-phase1", ['workload.classes=[{"name": "b", "target_utilisation": 0.3, '
                                         '"power_cap_fraction": 0.8}]'])
    with pytest.raises(ScenarioError, match="power_cap_fraction"):
        load_scenario("lingang-phase1", [_classes(', "power_cap_fraction": 0.2')])
    with pytest.raises(ScenarioError, match="checkpoint_interval_s is for training"):
        load_scenario("lingang-phase1", ['workload.classes=[{"name": "d", "target_utilisation": 0.3, '
                                         '"work": "inference_decode", "checkpoint_interval_s": 600}]'])


@pytest.fixture(scope="module")
def capped_job(tmp_path_factory):
    """One training job of 8 servers and 10 h of work at full speed, its GPUs capped at 75 % of TDP, alone in the
    cabin in January (no thermal throttling)."""
    p = tmp_path_factory.mktemp("trace") / "trace.csv"
    p.write_text("submit_s,servers,duration_s,class\n3600,8,36000,train\n")
    sc = load_scenario("lingang-phase1", ["run.horizon_s=2d", "run.step_s=60", "wind.farm.mttr_h=0",
                                          "cabins.0.racks.failure_rate_per_year=0",
                                          _classes(', "power_cap_fraction": 0.75'), f"workload.trace_csv={p}"])
    return simulate(sc)


def test_a_cap_stretches_the_job_by_the_published_curve_and_holds_its_power(capped_job):
    r = capped_job
    c = r.classes["train"]
    assert c["jobs_completed"] == 1
    assert r.kpis["max_inlet_temp_c"] < 27.0  # nothing throttled the job
    duration_s = 36000.0 * ZEUS_S_AT_225W / ZEUS_S_AT_300W  # 1.6 % longer, not 1 / 0.85 as the power fell
    hours = 2 * 24.0
    assert c["mean_servers_busy"] * hours * 3600.0 == pytest.approx(8 * duration_s, rel=1e-9)
    capped_w = HOST_W + 8 * 700.0 * 0.75  # each GPU held at 525 W
    assert capped_w < 0.76 * 10200.0  # the cap binds: training draws more uncapped
    assert c["energy_per_job_kwh"] == pytest.approx(8 * capped_w * duration_s / 3.6e6, rel=1e-9)
    assert c["work_done_server_h"] == pytest.approx(8 * 10.0, rel=1e-9)
    assert r.ledger["relative_residual"] < 1e-9
