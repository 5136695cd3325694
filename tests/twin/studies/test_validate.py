"""Design validation: rule and case files, every input problem before any run, pass/fail by rule and case, reports
(issue 8). Short cases recorded at 300 s; the full default validation is run by hand (docs/validation-scripts.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from twin.scenario import load_scenario
from twin.sim.exogenous import build_exogenous, lowest_wind_seed
from twin.sim.kpis import KPI_UNITS
from twin.studies import validate as validate_mod
from twin.studies.rules import (
    ValidationInputError,
    default_rules_path,
    load_cases,
    load_rules,
)
from twin.studies.stress_cases import WEEK_S, week_energies_mwh
from twin.studies.validate import prepare, validate

HALF_FLOW = "events=[{kind: pump_capacity, start_s: 0, duration_s: 400d, capacity_fraction: 0.5}]"
TENTH_WIND = "wind.resource.weibull_c_m_s=0.62"  # a tenth of the design's 6.2 m/s

# Two weeks of late July (the sea near its warmest), recorded at 300 s (the output step sets only what is recorded).
SHORT_CASES = {"cases": [
    {"name": "design-year", "description": "late July, 14 days", "start_offset": "195d", "horizon": "14d",
     "step": "300s"},
    {"name": "lowest-wind-week", "lowest_wind_week": {"seeds": [1, 2], "weeks": 3}, "step": "300s"},
    {"name": "five-years", "horizon": "30d", "step": "300s", "takes_all_rules": False},
]}


def short_rules() -> dict:
    """The default rules, with the annual throttling allowance (5 % of the year) scaled to the 14-day case and the
    job-wait objective left out (a service objective of the design year as a whole)."""
    data = yaml.safe_load(default_rules_path().read_text())
    rules = []
    for r in data["rules"]:
        if r["name"] == "job-wait-p95":
            continue
        if r["name"] == "throttling-hours":
            r = {**r, "max": 0.05 * 14 * 24}
        rules.append(r)
    return {"rules": rules}


@pytest.fixture(scope="module")
def reports():
    """The reference design and the two deliberately too-small ones, run once for the module (serially)."""
    return {name: validate("lingang-phase1", short_rules(), SHORT_CASES, extra, backend="serial")
            for name, extra in (("reference", []), ("half_flow", [HALF_FLOW]), ("tenth_wind", [TENTH_WIND]))}


def test_the_default_files_check_against_the_reference_design():
    rules, cases = load_rules(), load_cases()
    assert {c.name for c in cases.cases} >= {"design-year", "lowest-wind-week", "marine-heatwave",
                                             "turbine-string-down", "export-cable-cut", "pump-failure", "five-years"}
    for r in rules.rules:
        assert r.source.strip(), f"rule {r.name} gives no source"
        assert r.kpi is None or r.kpi in KPI_UNITS
    prep = prepare("lingang-phase1")  # every case's scenario and every name, no run
    heat = prep.scenarios["marine-heatwave"]
    assert [(e.kind, e.start_s, e.delta_k) for e in heat.events] == [("sea_temp_offset", 212 * 86400.0, 2.0)]
    assert prep.scenarios["five-years"].run.step_s == 3600
    assert prep.scenarios["lowest-wind-week"].run.horizon_s == WEEK_S
    assert prep.scenarios["turbine-string-down"].run.start.month == 7


def test_the_reference_design_passes_and_too_small_designs_fail_by_the_right_rules(reports):
    ref = reports["reference"]
    assert ref.passed and ref.exit_code == 0, ref.to_markdown()
    n_rules = {c: sum(1 for r in ref.results if r.case == c) for c in ("design-year", "lowest-wind-week",
                                                                       "five-years")}
    assert n_rules == {"design-year": 9, "lowest-wind-week": 5, "five-years": 1}
    for r in ref.results:
        assert r.figure is not None and r.status == "pass"
    half = reports["half_flow"]
    assert half.exit_code == 1
    assert {(r.rule, r.case) for r in half.failures} == {("throttling-hours", "design-year")}
    thr = next(r for r in half.results if r.rule == "throttling-hours" and r.case == "design-year")
    assert thr.figure > 2 * next(r.figure for r in ref.results if r.rule == "throttling-hours"
                                 and r.case == "design-year")
    tenth = reports["tenth_wind"]
    assert {(r.rule, r.case) for r in tenth.failures} == {("ref-legal-floor", "design-year")}
    assert next(r.figure for r in tenth.failures) < 0.05


def test_reports_markdown_json_and_junit(reports):
    from junitparser import Error, Failure, JUnitXml

    half = reports["half_flow"]
    md = half.to_markdown()
    assert "FAILED" in md and "| design-year | throttling-hours |" in md and "**FAIL**" in md
    data = json.loads(half.to_json())
    assert data["passed"] is False and data["counts"]["fail"] == 1
    assert len(data["results"]) == len(half.results)
    xml = JUnitXml.fromstring(half.to_junit())
    cases = [(suite.name, case.name, [type(x) for x in case.result]) for suite in xml for case in suite]
    assert len(cases) == len(half.results)
    failed = [(s, c) for s, c, res in cases if Failure in res]
    assert failed == [("lingang-phase1.design-year", "throttling-hours")]
    assert not any(Error in res for _, _, res in cases)
    assert JUnitXml.fromstring(reports["reference"].to_junit()).failures == 0


def test_the_lowest_wind_week_is_the_least_farm_energy_of_every_week_searched(reports):
    ref = reports["reference"]
    case = next(c for c in ref.cases if c.name == "lowest-wind-week")
    base = load_scenario("lingang-phase1", ["run.step_s=300", f"run.horizon_s={WEEK_S}"])
    data = json.loads(base.model_dump_json())
    every = {s: week_energies_mwh(data, s, 3) for s in (1, 2)}
    best = min((e, s, w) for s, es in every.items() for w, e in enumerate(es))
    assert (case.scenario.run.seed, (case.scenario.run.start - base.run.start).total_seconds()) == \
        (best[1], best[2] * WEEK_S)
    # the case runs exactly the week that was ranked: the same farm energy
    exo = build_exogenous(case.scenario)
    assert exo.farm_power_w.sum() * 300 / 3.6e9 == pytest.approx(best[0], rel=1e-12)
    # one week per seed is twin.exogenous.lowest_wind_seed's search
    first = {s: week_energies_mwh(data, s, 1)[0] for s in range(1, 6)}
    assert min(first, key=first.get) == lowest_wind_seed(base, range(1, 6))


def test_bad_rules_and_cases_are_named_before_any_run(monkeypatch):
    def no_backend(*a, **k):
        raise AssertionError("a backend was opened for bad input")

    monkeypatch.setattr(validate_mod, "open_backend", no_backend)
    rules = {"rules": [{"name": "a", "kpi": "pue_typo", "max": 1.2},
                       {"name": "b", "series": "inlet_temperature", "statistic": "max", "max": 32},
                       {"name": "c", "kpi": "pue"},
                       {"name": "d", "kpi": "ref", "min": 0.5, "cases": ["no-such-case"]}]}
    with pytest.raises(ValidationInputError) as exc:
        validate("lingang-phase1", rules, SHORT_CASES)
    fields = dict(exc.value.problems)
    assert "rules.2" in fields and "min, max or both" in fields["rules.2"]  # the model first, every rule at once
    good = {"rules": [r for r in rules["rules"] if r["name"] != "c"]}
    with pytest.raises(ValidationInputError) as exc:
        validate("lingang-phase1", good, SHORT_CASES)
    fields = dict(exc.value.problems)
    assert "unknown KPI 'pue_typo'" in fields["rules.0.kpi"] and "pue" in fields["rules.0.kpi"]
    assert "no series column 'inlet_temperature'" in fields["rules.1.series"]
    assert "no-such-case" in fields["rules.2.cases.0"]
    cases = {"cases": [{"name": "bad", "overrides": ["cabins.0.cooling.no_such_field=3"],
                        "events": [{"kind": "volcano", "start_s": 0, "duration_s": "1d"}]},
                       {"name": "worse", "horizon": "ten days"}]}
    with pytest.raises(ValidationInputError) as exc:
        validate("lingang-phase1", None, cases)
    assert "cases.1.horizon" in dict(exc.value.problems)
    cases["cases"].pop()
    with pytest.raises(ValidationInputError) as exc:
        validate("lingang-phase1", {"rules": [{"name": "x", "kpi": "pue", "max": 2}]}, cases)
    fields = dict(exc.value.problems)
    assert "cases.bad.cabins.0.cooling.no_such_field" in fields
    assert "cases.bad.events.0.kind" in fields


def _cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "twin", *args], capture_output=True, text=True, timeout=timeout)


def test_cli_exit_codes_and_junit_file(tmp_path):
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"rules": [
        {"name": "pue", "kpi": "pue", "max": 1.15, "source": "Lingang target"},
        {"name": "ref", "kpi": "ref", "min": 0.5, "source": "EnEfG"}]}))
    (tmp_path / "cases.yaml").write_text(yaml.safe_dump({"cases": [
        {"name": "week", "horizon": "3d", "step": "300s"}]}))
    common = ["--rules", str(tmp_path / "rules.yaml"), "--cases", str(tmp_path / "cases.yaml"), "--serial"]
    ok = _cli("validate", "lingang-phase1", *common, "--report", "junit", "--out", str(tmp_path / "r.xml"))
    assert ok.returncode == 0, ok.stderr
    from junitparser import JUnitXml

    assert [c.name for s in JUnitXml.fromfile(str(tmp_path / "r.xml")) for c in s] == ["pue", "ref"]
    bad = _cli("validate", "lingang-phase1", *common, "--set", TENTH_WIND, "--report", "json")
    assert bad.returncode == 1, bad.stderr
    assert [r["rule"] for r in json.loads(bad.stdout)["results"] if r["status"] == "fail"] == ["ref"]
    assert "ref in week" in bad.stderr
    (tmp_path / "typo.yaml").write_text(yaml.safe_dump({"rules": [{"name": "p", "kpi": "puee", "max": 1}]}))
    wrong = _cli("validate", "lingang-phase1", "--rules", str(tmp_path / "typo.yaml"), *common[2:])
    assert wrong.returncode == 2 and "rules.0.kpi" in wrong.stderr and "puee" in wrong.stderr
    assert wrong.stdout == ""


def test_cli_unreachable_scheduler_is_bad_input_before_any_run(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    out = _cli("validate", "lingang-phase1", "--cases", "default-cases",
               "--scheduler", f"tcp://127.0.0.1:{port}", timeout=120)
    assert out.returncode == 2
    assert "cannot reach the Dask scheduler" in out.stderr and str(port) in out.stderr


def test_twin_exposes_validate_and_sweep_lazily(monkeypatch):
    import twin.studies.sweep
    import twin.studies.validate

    seen = []
    monkeypatch.setattr(validate_mod, "validate", lambda *a, **k: seen.append(("validate", a)) or "report")
    monkeypatch.setattr(twin.studies.sweep, "sweep", lambda *a, **k: seen.append(("sweep", a)) or "table")
    assert twin.validate("d") == "report" and twin.sweep("d") == "table"
    assert seen == [("validate", ("d",)), ("sweep", ("d",))]
    code = "import sys, twin; print('twin.sim.engine' in sys.modules, 'distributed' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["False", "False"]


TWO_CLASSES = ('workload.classes=[{"name": "web", "target_utilisation": 0.25, "mean_job_duration_s": "10min"}, '
               '{"name": "batch", "target_utilisation": 0.35, "mean_job_duration_s": "2h", "mean_job_servers": 2, '
               '"max_job_servers": 8}]')


def test_a_rule_on_one_job_class_is_judged_on_that_class_and_a_wrong_class_is_named(monkeypatch):
    from twin.sim.engine import simulate

    cases = {"cases": [{"name": "three-days", "horizon": "3d", "step": "300s"}]}
    rules = {"rules": [
        {"name": "web-jobs", "kpi": "jobs_completed", "job_class": "web", "min": 1},
        {"name": "batch-wait", "kpi": "job_wait_p95_s", "job_class": "batch", "max": 1e9},
        {"name": "web-energy-impossible", "kpi": "energy_per_job_kwh", "job_class": "web", "max": 0.0},
    ]}
    rep = validate("lingang-phase1", rules, cases, [TWO_CLASSES], backend="serial")
    direct = simulate(load_scenario("lingang-phase1", [TWO_CLASSES, "run.horizon_s=3d", "run.step_s=300"])).classes
    by_rule = {r.rule: r for r in rep.results}
    assert by_rule["web-jobs"].figure == direct["web"]["jobs_completed"] > 100
    assert by_rule["batch-wait"].figure == pytest.approx(direct["batch"]["job_wait_p95_s"])
    assert by_rule["batch-wait"].unit == "s" and by_rule["web-jobs"].passed and by_rule["batch-wait"].passed
    bad = by_rule["web-energy-impossible"]
    assert not bad.passed and bad.figure == pytest.approx(direct["web"]["energy_per_job_kwh"]) and bad.figure > 0
    assert "energy_per_job_kwh of class web" in bad.message and rep.exit_code == 1

    # a class the design does not have, a KPI no class has, and job_class on a series rule: named before any run
    monkeypatch.setattr(validate_mod, "open_backend", lambda *a, **k: pytest.fail("a backend was opened"))
    wrong = {"rules": [{"name": "a", "kpi": "job_wait_p95_s", "job_class": "inference", "max": 60},
                       {"name": "b", "kpi": "pue", "job_class": "web", "max": 2}]}
    with pytest.raises(ValidationInputError) as exc:
        validate("lingang-phase1", wrong, cases, [TWO_CLASSES])
    fields = dict(exc.value.problems)
    assert "no job class 'inference'" in fields["rules.0.job_class"] and "web, batch" in fields["rules.0.job_class"]
    assert "unknown KPI of a job class 'pue'" in fields["rules.1.kpi"]
    with pytest.raises(ValidationInputError) as exc:
        validate("lingang-phase1", {"rules": [{"name": "c", "series": "inlet_temp_c", "statistic": "max",
                                               "job_class": "web", "max": 32}]}, cases)
    assert "job_class is for kpi rules" in str(exc.value)


def test_a_liquid_cooled_design_takes_the_liquid_rules_besides_the_defaults():
    from twin.studies.validate import prepare

    liquid = prepare("lingang-ai-liquid")
    names = [r.name for r in liquid.rules.rules]
    assert {"coolant-supply-tcs-limit", "facility-water-w32", "energy-ledger-1e-9"} <= set(names)
    assert "inlet-max-a1-allowable" in names and liquid.rules_source == "default rules + liquid rules"
    air = prepare("lingang-phase1")
    assert "coolant-supply-tcs-limit" not in [r.name for r in air.rules.rules]
    assert air.rules_source == "default rules"
