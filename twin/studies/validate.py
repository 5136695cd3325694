"""Design validation: a design against a rule set over a set of stress cases, one pass or fail per rule and case.

``validate(design, rules, cases)`` checks everything first (the rule and case files, every case's scenario, every
KPI and series column a rule names) and raises one ``ValidationInputError`` with every problem before any run
starts; then it runs the cases (on Dask by default, see ``twin.cluster``) and judges each rule on each case it
applies to. The report (``ValidationReport``) renders as Markdown, JSON or JUnit XML (``twin.validation_report``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from twin.scenario import Scenario, ScenarioError
from twin.scenario.datafiles import DataAccess
from twin.studies.cluster import open_backend, run_point
from twin.studies.rules import (
    CaseSet,
    RuleSet,
    ValidationInputError,
    check_rule_names,
    judge,
    limit_text,
    load_cases,
    load_rules,
    rule_applies,
)
from twin.studies.stress_cases import (
    LowestWind,
    apply_lowest_wind,
    choose_lowest_wind_week,
    resolve_cases,
    week_energies_mwh,
)

__all__ = ["validate", "prepare", "ValidationReport", "RuleResult", "CaseRun", "HEADLINE_KPIS"]

HEADLINE_KPIS = ("pue", "ref", "max_inlet_temp_c", "min_cooling_margin_k", "max_plume_rise_k",
                 "unserved_energy_mwh", "job_wait_p95_s", "servers_alive_end")
"""KPIs shown for every case in a report, beside the rules' own figures."""


@dataclass
class RuleResult:
    rule: str
    case: str
    figure_name: str
    figure: float | None
    limit: str
    unit: str
    status: str  # pass, fail, error (the case did not run)
    description: str = ""
    source: str = ""
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass
class CaseRun:
    name: str
    description: str
    scenario: Scenario
    status: str = "pending"  # completed, failed, skipped (no rule applies)
    kpis: dict | None = None
    classes: dict = field(default_factory=dict)  # job class -> its KPIs
    series: list = field(default_factory=list)
    error: str | None = None
    wall_s: float | None = None
    note: str = ""


@dataclass
class ValidationReport:
    design: str
    rules_source: str
    cases_source: str
    cases: list[CaseRun]
    results: list[RuleResult]
    backend: str = ""
    wall_s: float = 0.0

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results) and all(c.status in ("completed", "skipped")
                                                           for c in self.cases)

    @property
    def failures(self) -> list[RuleResult]:
        return [r for r in self.results if not r.passed]

    @property
    def exit_code(self) -> int:
        """0 every rule passes on every case, 1 otherwise (a rule failed or a case did not run)."""
        return 0 if self.passed else 1

    def to_dict(self) -> dict:
        from twin.studies.report import report_dict

        return report_dict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def to_markdown(self) -> str:
        from twin.studies.report import report_markdown

        return report_markdown(self)

    def to_junit(self) -> str:
        from twin.studies.report import report_junit

        return report_junit(self)


@dataclass
class Prepared:
    """A validation checked and ready to run: the rules, the cases and each case's scenario."""

    rules: RuleSet
    cases: CaseSet
    base: Scenario
    scenarios: dict[str, Scenario]
    rules_source: str
    cases_source: str


LIQUID_RULES = "liquid-rules"
"""The shipped rules added to the defaults for a design with a liquid-cooled cabin group."""


def _source(x, default: str) -> str:
    if x is None:
        return default
    return str(x) if isinstance(x, (str, Path)) else "(given)"


def probe_columns(scenario: Scenario, data_access: DataAccess | None = None) -> list[str]:
    """The series columns a run of this scenario has: a one-step run of it (its exogenous series and plant)."""
    from twin.sim.engine import simulate

    data = json.loads(scenario.model_dump_json())
    data["run"]["horizon_s"] = data["run"]["step_s"]
    data["events"] = []
    return list(simulate(Scenario.model_validate(data), data_access=data_access).series.columns)


def prepare(design: str | Path | dict, rules=None, cases=None, overrides: list[str] | None = None,
            data_access: DataAccess | None = None) -> Prepared:
    """Load and check everything a validation needs; one ValidationInputError (or ScenarioError for the design
    itself) with every problem, before any run. ``data_access`` decides which data files the design and its
    cases may name and reads them (``twin.scenario.datafiles``; the user's own paths when None)."""
    from twin.sim.kpis import KPI_UNITS

    rule_set = load_rules(rules)
    case_set = load_cases(cases)
    base, scenarios = resolve_cases(design, case_set, overrides, data_access)
    rules_source = _source(rules, "default rules")
    if rules is None and any(g.cooling.liquid is not None for g in base.cabins):
        # a liquid-cooled design: the default rules and the liquid path's (designs/validation/liquid-rules.yaml)
        liquid = load_rules(LIQUID_RULES)
        rule_set = RuleSet(description=f"{rule_set.description} {liquid.description}",
                           rules=[*rule_set.rules, *liquid.rules])
        rules_source = "default rules + liquid rules"
    columns = {}
    if any(r.series is not None for r in rule_set.rules):
        for case in case_set.cases:
            if any(r.series is not None and rule_applies(r, case) for r in rule_set.rules):
                columns[case.name] = probe_columns(scenarios[case.name], data_access)
    classes = {name: [c.name for c in sc.workload.job_classes()] for name, sc in scenarios.items()}
    check_rule_names(rule_set, case_set, set(KPI_UNITS), columns, classes)
    return Prepared(rule_set, case_set, base, scenarios, rules_source, _source(cases, "default cases"))


def _servers(sc: Scenario) -> int:
    return sum(g.count * g.racks.rack_count * g.racks.servers_per_rack for g in sc.cabins)


def judge_case(prep: Prepared, run: CaseRun) -> list[RuleResult]:
    """Every rule that applies to one case, judged on its run (or marked error when the run failed)."""
    from twin.sim.kpis import KPI_UNITS
    from twin.sim.results import CLASS_KPI_UNITS

    case = next(c for c in prep.cases.cases if c.name == run.name)
    servers = _servers(run.scenario)
    out, k = [], 0
    for rule in prep.rules.rules:
        if not rule_applies(rule, case):
            continue
        spec_index = None
        if rule.series is not None:
            spec_index = k
            k += 1
        if rule.kpi:
            unit = (CLASS_KPI_UNITS if rule.job_class else KPI_UNITS).get(rule.kpi, "")
        else:
            unit = "h" if rule.statistic in ("hours_above", "hours_below") else ""
        common = dict(rule=rule.name, case=run.name, figure_name=rule.figure_name, limit=limit_text(rule, servers),
                      unit=unit, description=rule.description, source=rule.source)
        if run.status != "completed":
            out.append(RuleResult(figure=None, status="error", message=f"the case did not run: {run.error}",
                                  **common))
            continue
        if rule.series is not None:
            figure = run.series[spec_index]
        elif rule.job_class is not None:
            figure = (run.classes or {}).get(rule.job_class, {}).get(rule.kpi)
        else:
            figure = run.kpis.get(rule.kpi)
        if figure is not None:
            figure = float(figure)
        ok = judge(rule, figure, servers)
        msg = "" if ok else (f"{rule.figure_name} is {'missing' if figure is None else f'{figure:.6g}'}, "
                             f"limit {limit_text(rule, servers)}")
        out.append(RuleResult(figure=figure, status="pass" if ok else "fail", message=msg, **common))
    return out


def series_specs(prep: Prepared, case_name: str) -> list[dict]:
    case = next(c for c in prep.cases.cases if c.name == case_name)
    return [r.series_spec() for r in prep.rules.rules if r.series is not None and rule_applies(r, case)]


def _search_lowest_wind(prep: Prepared, runs: dict[str, CaseRun], wanted, be, progress,
                        data_access: DataAccess | None = None) -> None:
    """For each lowest-wind case, search its weeks on the backend and set its scenario (or mark it failed)."""
    for case in wanted:
        if case.lowest_wind_week is None:
            continue
        lw = case.lowest_wind_week
        sc = prep.scenarios[case.name]
        data = json.loads(sc.model_dump_json())
        energies: dict[int, list[float]] = {}
        problems = []
        for i, out in be.map(week_energies_mwh, [(data, s, lw.weeks, data_access) for s in lw.seeds],
                             progress=(lambda d, n, name=case.name: progress(f"{name}: wind search", d, n))
                             if progress else None):
            if out["ok"]:
                energies[lw.seeds[i]] = out["value"]
            else:
                problems.append(out["error"])
        if problems:
            runs[case.name].status = "failed"
            runs[case.name].error = f"the lowest-wind search failed: {problems[0]}"
            continue
        found: LowestWind = choose_lowest_wind_week(sc, lw.seeds, energies)
        runs[case.name].scenario = apply_lowest_wind(sc, found)
        runs[case.name].note = (f"week {found.week + 1} of seed {found.seed} (from {found.start.isoformat()}), "
                                f"{found.energy_mwh:.0f} MWh of farm energy against a median week of "
                                f"{found.median_energy_mwh:.0f} MWh, of {found.weeks_searched} weeks searched")


def _case_runs(prep: Prepared) -> tuple[dict[str, CaseRun], list]:
    runs = {c.name: CaseRun(c.name, c.description, prep.scenarios[c.name]) for c in prep.cases.cases}
    for c in prep.cases.cases:  # a case no rule applies to is not run
        if not any(rule_applies(r, c) for r in prep.rules.rules):
            runs[c.name].status, runs[c.name].note = "skipped", "no rule applies to this case"
    return runs, [c for c in prep.cases.cases if runs[c.name].status == "pending"]


def _name(design, prep: Prepared) -> str:
    return design if isinstance(design, str) else (str(design) if isinstance(design, Path) else prep.base.name)


def validate(design: str | Path | dict, rules=None, cases=None, overrides: list[str] | None = None,
             backend: str = "dask", scheduler: str | None = None, workers: int | None = None,
             progress: Callable[[str, int, int], None] | None = None) -> ValidationReport:
    """Validate a design (a shipped name, a scenario file or a mapping) against ``rules`` over ``cases``.

    ``rules`` and ``cases``: a YAML file, a shipped name under ``designs/validation/``, a mapping, a
    ``RuleSet``/``CaseSet``, or None for the shipped defaults. ``overrides`` (``dotted.path=value``) change the
    design for every case (a case's own settings win). ``backend``, ``scheduler`` and ``workers`` choose where the
    runs execute (``twin.cluster.open_backend``). ``progress(stage, done, total)`` is told as cases finish.

    Raises ``ValidationInputError`` (every problem with its field path) before any run when an input is bad, and
    ``twin.cluster.SchedulerError`` when the cluster cannot be used.
    """
    t0 = time.perf_counter()
    prep = prepare(design, rules, cases, overrides)
    runs, wanted = _case_runs(prep)
    with open_backend(backend, scheduler, workers) as be:
        _search_lowest_wind(prep, runs, wanted, be, progress)
        todo = [runs[c.name] for c in wanted if runs[c.name].status == "pending"]
        items = [(json.loads(r.scenario.model_dump_json()), series_specs(prep, r.name)) for r in todo]
        for i, out in be.map(run_point, items, progress=(lambda d, n: progress("cases", d, n)) if progress else None):
            r = todo[i]
            if out["ok"]:
                v = out["value"]
                r.status, r.kpis, r.series, r.wall_s = "completed", v["kpis"], v["series"], v["wall_s"]
                r.classes = v.get("classes") or {}
            else:
                r.status, r.error = "failed", out["error"]
        backend_name = be.name if be.name == "serial" else f"dask ({be.address or 'LocalCluster'}, " \
                                                          f"{be.workers} workers)"
    results = [res for c in wanted for res in judge_case(prep, runs[c.name])]
    return ValidationReport(design=_name(design, prep), rules_source=prep.rules_source,
                            cases_source=prep.cases_source, cases=[runs[c.name] for c in prep.cases.cases],
                            results=results, backend=backend_name, wall_s=time.perf_counter() - t0)


# ----------------------------------------------------------------------------------------------- in two halves
# (the API: plan in a worker process, runs through its pool, judge when they are done)


def plan(design: str | Path | dict, rules=None, cases=None, overrides: list[str] | None = None,
         max_steps: int | None = None, data_access: DataAccess | None = None) -> dict:
    """Everything before the runs, as JSON-ready data: the checked rules and cases and each case's scenario
    (lowest-wind weeks searched in this process). Bad input comes back as ``{"problems": [...]}``, not raised,
    so the answer crosses a process boundary intact."""
    try:
        prep = prepare(design, rules, cases, overrides, data_access)
    except ValidationInputError as exc:
        return {"problems": exc.as_dicts(), "kind": "validation"}
    except ScenarioError as exc:
        return {"problems": exc.as_dicts(), "kind": "scenario"}
    from twin.studies.cluster import SerialBackend

    runs, wanted = _case_runs(prep)
    if max_steps is not None:  # a server's limit, before the wind search
        long = [{"field": f"cases.{c.name}.run.horizon_s",
                 "reason": f"{steps:.0f} steps (horizon_s / step_s) is more than the limit of {max_steps} per run"}
                for c in wanted if (steps := prep.scenarios[c.name].run.horizon_s
                                    / prep.scenarios[c.name].run.step_s) > max_steps]
        if long:
            return {"problems": long, "kind": "limit"}
    _search_lowest_wind(prep, runs, wanted, SerialBackend(), None, data_access)
    return {"design": _name(design, prep), "rules": prep.rules.model_dump(mode="json"),
            "cases": prep.cases.model_dump(mode="json"), "rules_source": prep.rules_source,
            "cases_source": prep.cases_source,
            "runs": [{"case": r.name, "status": r.status, "note": r.note, "error": r.error,
                      "scenario": json.loads(r.scenario.model_dump_json()),
                      "series_specs": series_specs(prep, r.name) if r.status == "pending" else []}
                     for r in runs.values()]}


def report_from_plan(planned: dict, outcomes: dict[str, dict], backend: str = "", wall_s: float = 0.0
                     ) -> ValidationReport:
    """Judge a plan's cases from their outcomes: ``{case: {"status": "completed", "kpis": {...}, "classes":
    {...}, "series": [...], "wall_s": ...}}`` or ``{"status": "failed", "error": "..."}``."""
    from twin.scenario import scenario_from_dict

    rule_set, case_set = RuleSet.model_validate(planned["rules"]), CaseSet.model_validate(planned["cases"])
    scenarios = {r["case"]: scenario_from_dict(r["scenario"]) for r in planned["runs"]}
    prep = Prepared(rule_set, case_set, next(iter(scenarios.values())), scenarios, planned["rules_source"],
                    planned["cases_source"])
    runs = {}
    for r in planned["runs"]:
        run = CaseRun(r["case"], next(c.description for c in case_set.cases if c.name == r["case"]),
                      scenarios[r["case"]], status=r["status"], note=r["note"], error=r["error"])
        if run.status == "pending":
            out = outcomes[run.name]
            run.status, run.error = out["status"], out.get("error")
            run.kpis, run.series, run.wall_s = out.get("kpis"), out.get("series") or [], out.get("wall_s")
            run.classes = out.get("classes") or {}
        runs[run.name] = run
    judged = [c for c in case_set.cases if runs[c.name].status != "skipped"]
    results = [res for c in judged for res in judge_case(prep, runs[c.name])]
    return ValidationReport(design=planned["design"], rules_source=prep.rules_source, cases_source=prep.cases_source,
                            cases=[runs[c.name] for c in case_set.cases], results=results, backend=backend,
                            wall_s=wall_s)
