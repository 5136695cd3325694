"""The liquid path in a saved state (issue 17): a liquid-cooled cabin's end state carries its coolant node, the CDU
controller's output and memory and the coolant's speed cap, and a run from that state resumes them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from twin.scenario import ScenarioError, load_scenario
from twin.sim.engine import simulate
from twin.sim.results import TEMPERATURE_QUANTUM_K

START = pd.Timestamp("2026-08-01T00:00:00+08:00")
H = 3600.0
# a replayed workload, so that both halves of a split run see the same load: a 900-tray job (3.8 MW into the cold
# plates against 1.1 MW idle) from 1 h to 5.8 h and another from 6.5 h to 9 h
JOBS = [(1.0 * H, 900, 4.8 * H), (6.5 * H, 900, 2.5 * H)]
# the split falls 5 min after the first job starts, while the coolant and the CDU's controller are in their
# transient (supply 34 C falling to its 32 C setpoint, the CDU's seawater pump rising from its 30 % floor)
SPLIT_S = 1.0 * H + 300.0
HORIZON_S = 12 * H
LIQUID_KEYS = ("coolant_return_c", "cdu_pump_speed", "cdu_error_k", "coolant_speed_cap")


def _trace(tmp, shift_s):
    """The jobs as seen from ``shift_s`` after the start: a job running then is submitted at 0 with the rest of
    its work (at full speed: the cabin does not throttle in these runs)."""
    rows = [(max(s - shift_s, 0.0), n, d - max(shift_s - s, 0.0)) for s, n, d in JOBS if s + d > shift_s]
    path = tmp / f"trace-{shift_s:g}.csv"
    pd.DataFrame(rows, columns=["submit_s", "servers", "duration_s"]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("liquid-state")


def _run(tmp, start_s, horizon_s, state=None):
    ov = ["run.step_s=300", "site.sea.interannual_sd_k=0", "wind.farm.mttr_h=0",
          f"run.start={(START + pd.Timedelta(seconds=start_s)).isoformat()}", f"run.horizon_s={horizon_s:g}",
          f"workload.trace_csv={_trace(tmp, start_s)}"]
    if state is not None:
        path = tmp / f"state-{abs(hash(state))}.json"
        path.write_text(state)
        ov.append(f"run.initial_state={path}")
    return simulate(load_scenario("lingang-ai-liquid", ov))


@pytest.fixture(scope="module")
def runs(tmp):
    full = _run(tmp, 0.0, HORIZON_S)
    first = _run(tmp, 0.0, SPLIT_S)
    second = _run(tmp, SPLIT_S, HORIZON_S - SPLIT_S, first.end_state.to_json())
    doc = json.loads(first.end_state.to_json())
    for k in LIQUID_KEYS:
        doc["cabins"][0].pop(k)
    steady = _run(tmp, SPLIT_S, HORIZON_S - SPLIT_S, json.dumps(doc))  # the coolant from its steady state
    return full, first, second, steady


def test_the_end_state_carries_the_coolant(runs):
    full, first, _, _ = runs
    cab = first.end_state.cabins[0]
    last = first.series.iloc[-1]
    assert cab.coolant_return_c is not None and cab.cdu_pump_speed is not None
    # the node is monotonic in an interval: the last step's maximum of the return is its end value (or its start)
    assert abs(cab.coolant_return_c - last["cabin0_coolant_return_c"]) < 0.5
    assert 0.3 < cab.cdu_pump_speed < 1.0  # the controller above its floor, in its transient
    assert cab.cdu_error_k > 0.5  # the supply still above its setpoint
    assert cab.coolant_speed_cap == 1.0
    # an air-cooled cabin's state has none of them, and still loads
    air = simulate(load_scenario("lingang-phase1", ["run.horizon_s=1h", "run.step_s=300"])).end_state
    assert air.cabins[0].coolant_return_c is None and air.cabins[0].cdu_pump_speed is None


def test_a_split_liquid_run_reproduces_the_single_run(runs):
    full, first, second, steady = runs
    ref = full.series.iloc[len(first.series):]
    supply = ref["cabin0_coolant_supply_c"].to_numpy(float)
    assert supply[:3].max() - supply.min() > 1.0  # the coolant is in its transient at the split
    for col in ("cabin0_coolant_supply_c", "cabin0_coolant_return_c", "cabin0_coolant_supply_max_c",
                "cabin0_coolant_return_max_c"):
        # the state carries the coolant node and the CDU controller in double precision; what it does not carry is
        # the workload (the running job is submitted again, on the same servers), which moves the gas path by at
        # most 12.5 mK at the split, decaying; the coolant agrees to the series' storage resolution (0.24 mK;
        # measured: at most one quantum), the steady start is 0.9 K off (below)
        diff = np.abs(second.series[col].to_numpy(float) - ref[col].to_numpy(float)).max()
        assert diff <= 2 * TEMPERATURE_QUANTUM_K, col
    speed = np.abs(second.series["cabin0_cdu_pump_speed"].to_numpy(float) - ref["cabin0_cdu_pump_speed"].to_numpy(
        float)).max()
    assert speed < 1e-4  # measured 5e-6
    # the final coolant and the KPIs of the whole run
    assert abs(second.end_state.cabins[0].coolant_return_c - full.end_state.cabins[0].coolant_return_c) < 1e-3
    assert abs(second.end_state.cabins[0].cdu_pump_speed - full.end_state.cabins[0].cdu_pump_speed) < 1e-6
    k_full, k1, k2 = full.kpis, first.kpis, second.kpis
    assert abs(max(k1["max_coolant_supply_c"], k2["max_coolant_supply_c"]) - k_full["max_coolant_supply_c"]) < 1e-3
    assert abs(max(k1["max_coolant_return_c"], k2["max_coolant_return_c"]) - k_full["max_coolant_return_c"]) < 1e-3
    pump = k1["liquid_pump_energy_mwh"] + k2["liquid_pump_energy_mwh"]
    assert abs(pump - k_full["liquid_pump_energy_mwh"]) < 1e-4 * k_full["liquid_pump_energy_mwh"]
    assert second.ledger["relative_residual"] < 1e-9
    # without the coolant in the state the run starts it from its steady state: visibly off in the transient
    off = np.abs(steady.series["cabin0_coolant_supply_c"].to_numpy(float) - supply).max()
    assert off > 0.5  # measured 0.94 K
    off_speed = np.abs(steady.series["cabin0_cdu_pump_speed"].to_numpy(float)
                       - ref["cabin0_cdu_pump_speed"].to_numpy(float)).max()
    assert off_speed > 0.02  # measured 0.078


def test_a_bad_coolant_state_is_refused_by_field(tmp, runs):
    _, first, _, _ = runs
    doc = json.loads(first.end_state.to_json())

    def problems(d, design="lingang-ai-liquid"):
        path = tmp / "bad.json"
        path.write_text(json.dumps(d) if isinstance(d, dict) else d)
        ov = ["run.step_s=300", f"run.start={(START + pd.Timedelta(seconds=SPLIT_S)).isoformat()}",
              "run.horizon_s=1h", f"run.initial_state={path}"]
        with pytest.raises(ScenarioError) as exc:
            simulate(load_scenario(design, ov))
        return dict(exc.value.problems)

    for key, value in (("coolant_return_c", 150.0), ("coolant_return_c", -10.0), ("cdu_pump_speed", 0.0),
                       ("cdu_pump_speed", 1.5), ("cdu_error_k", 80.0), ("coolant_speed_cap", 0.0)):
        bad = json.loads(json.dumps(doc))
        bad["cabins"][0][key] = value
        assert f"run.initial_state.cabins.0.{key}" in problems(bad), (key, value)
    # not finite (YAML's .nan and .inf; JSON has neither)
    text = first.end_state.to_json().replace(f'"coolant_return_c": {doc["cabins"][0]["coolant_return_c"]!r}',
                                             '"coolant_return_c": .nan')
    assert ".nan" in text
    assert "run.initial_state.cabins.0.coolant_return_c" in problems(text)
    # a coolant state for a cabin without a liquid path
    air = simulate(load_scenario("lingang-phase1", ["run.horizon_s=1h", "run.step_s=300"])).end_state
    a = json.loads(air.to_json())
    a["cabins"][0]["coolant_return_c"] = 30.0
    a["time"] = (START + pd.Timedelta(seconds=SPLIT_S)).isoformat()
    found = problems(a, "lingang-phase1")
    assert "run.initial_state.cabins.0.coolant_return_c" in found
    assert "no liquid path" in found["run.initial_state.cabins.0.coolant_return_c"]
