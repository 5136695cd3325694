"""Design rules and stress cases: the two files a design validation reads, their models and how a rule is judged.

A **rule** is a limit on one figure of a run: a KPI (``kpi: pue``), a KPI of one job class (``kpi:
job_wait_p95_s``, ``job_class: web``: ``twin.results.CLASS_KPI_UNITS``) or a statistic of a series column
(``series: inlet_temp_c``, ``statistic: max``), with ``min`` and/or ``max``. A rule applies to the cases it names
(``cases: [design-year]``), or, without a list, to every case that takes all rules.

A **case** is a named set of changes to the design: ``overrides`` (``dotted.path=value``), ``events`` (as
``twin.scenario.Event``), and optionally ``horizon``, ``step``, ``start`` or ``start_offset``, ``seed``; or a search
for the lowest-wind week (``lowest_wind_week``, see ``twin.stress_cases``).

Every problem in a rule or case file is reported at once, each with its field path and reason, as one
``ValidationInputError`` (a ``ScenarioError``, so the CLI and the API report it the same way).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from twin.scenario import ScenarioError, design_dir, parse_duration_s
from twin.scenario.units import require_utc_offset

__all__ = ["Rule", "RuleSet", "Case", "CaseSet", "LowestWindWeek", "ValidationInputError", "load_rules",
           "load_cases", "default_rules_path", "default_cases_path", "check_rule_names", "series_statistic",
           "judge", "limit_text", "rule_applies"]

STATISTICS = ("max", "min", "mean", "quantile", "hours_above", "hours_below")


class ValidationInputError(ScenarioError):
    """Bad rules, cases or case scenarios: ``problems`` lists ``(field path, reason)``, every one of them."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rule(_Model):
    """A limit on one KPI, or on one statistic of one series column, of every case it applies to."""

    name: str = Field(..., min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    source: str = Field("", description="Where the limit comes from (standard, target, assumption and why)")
    kpi: str | None = Field(None, description="A KPI name (twin.kpis.KPI_UNITS), or with job_class a KPI of that "
                            "class (twin.results.CLASS_KPI_UNITS)")
    job_class: str | None = Field(None, min_length=1, description="For a kpi rule: the job class "
                                  "(workload.classes[].name; 'default' when the design has none) whose KPI is taken")
    series: str | None = Field(None, description="A series column of the run (e.g. inlet_temp_c)")
    statistic: Literal["max", "min", "mean", "quantile", "hours_above", "hours_below"] | None = Field(
        None, description="For a series rule: what is taken of the column")
    q: float | None = Field(None, gt=0.0, lt=1.0, description="statistic quantile: which quantile [-]")
    threshold: float | None = Field(None, description="statistic hours_above/hours_below: the level, in the "
                                    "column's unit")
    min: float | None = Field(None, description="The figure must be at least this")
    max: float | None = Field(None, description="The figure must be at most this")
    relative_to: Literal["servers"] | None = Field(
        None, description="servers: min and max are shares of the scenario's servers (all cabins)")
    cases: list[str] | None = Field(None, min_length=1, description="The cases this rule applies to; default every "
                                    "case that takes all rules")

    @model_validator(mode="after")
    def _shape(self) -> "Rule":
        problems = []
        if (self.kpi is None) == (self.series is None):
            problems.append("give either kpi or series (with statistic), not both or neither")
        if self.series is not None:
            if self.statistic is None:
                problems.append(f"statistic is required for a series rule; one of {', '.join(STATISTICS)}")
            elif self.statistic == "quantile" and self.q is None:
                problems.append("statistic quantile needs q (0 < q < 1)")
            elif self.statistic in ("hours_above", "hours_below") and self.threshold is None:
                problems.append(f"statistic {self.statistic} needs threshold")
        elif self.statistic is not None:
            problems.append("statistic is for series rules; a kpi rule takes the KPI as it is")
        if self.job_class is not None and self.kpi is None:
            problems.append("job_class is for kpi rules: a series is the whole plant's")
        if self.min is None and self.max is None:
            problems.append("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            problems.append(f"min ({self.min}) is above max ({self.max})")
        for v in (self.min, self.max):
            if v is not None and not math.isfinite(v):
                problems.append("limits must be finite numbers")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def figure_name(self) -> str:
        if self.kpi is not None:
            return self.kpi if self.job_class is None else f"{self.kpi} of class {self.job_class}"
        extra = f" q={self.q:g}" if self.statistic == "quantile" else (
            f" {self.threshold:g}" if self.statistic in ("hours_above", "hours_below") else "")
        return f"{self.statistic}{extra} of {self.series}"

    def series_spec(self) -> dict | None:
        if self.series is None:
            return None
        return {"column": self.series, "statistic": self.statistic, "q": self.q, "threshold": self.threshold}


def _unique_names(names: list[str], what: str) -> None:
    """Raise naming the first name given twice."""
    seen = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} name {name!r} is used twice")
        seen.add(name)


class RuleSet(_Model):
    description: str = ""
    rules: list[Rule] = Field(..., min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "RuleSet":
        _unique_names([r.name for r in self.rules], "rule")
        return self


class LowestWindWeek(_Model):
    """Search the weeks of several seeded years for the one with the least farm energy (twin.stress_cases)."""

    seeds: list[int] = Field(default_factory=lambda: list(range(1, 11)), min_length=1, max_length=100,
                             description="The seeded years searched [-]")
    weeks: int = Field(52, ge=1, le=53, description="Weeks of each year searched, from the design's start [-]")

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, v: list[int]) -> list[int]:
        if any(s < 0 for s in v):
            raise ValueError("seeds must be >= 0")
        return v


class Case(_Model):
    """A stress case: what changes from the design."""

    name: str = Field(..., min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    overrides: list[str] = Field(default_factory=list, description="dotted.path=value items, as --set")
    events: list[dict[str, Any]] = Field(default_factory=list,
                                         description="Events added to the design's own (twin.scenario.Event)")
    horizon: str | float | None = Field(None, description="Simulated time, e.g. 7d; default the design's")
    step: str | float | None = Field(None, description="Step, e.g. 3600s; default the design's (or --step)")
    start: dt.datetime | None = Field(None, description="Start with a UTC offset; default the design's")
    start_offset: str | float | None = Field(None, description="Start this long after the design's start, e.g. 181d")
    seed: int | None = Field(None, ge=0)
    lowest_wind_week: LowestWindWeek | None = Field(
        None, description="Run the lowest-wind week of the given seeded years (sets start, seed and a 7-day "
        "horizon)")
    takes_all_rules: bool = Field(True, description="Rules without a case list apply here; false: only rules "
                                  "that name this case")

    @field_validator("horizon", "step", "start_offset")
    @classmethod
    def _duration(cls, v):
        if v is not None:
            parse_duration_s(v)  # ValueError names the format
        return v

    @field_validator("start")
    @classmethod
    def _aware(cls, v):
        return require_utc_offset(v, "start")

    @model_validator(mode="after")
    def _exclusive(self) -> "Case":
        if self.start is not None and self.start_offset is not None:
            raise ValueError("give start or start_offset, not both")
        if self.lowest_wind_week is not None and (self.start is not None or self.start_offset is not None
                                                  or self.seed is not None or self.horizon is not None):
            raise ValueError("lowest_wind_week chooses start, seed and horizon itself; do not give them too")
        return self


class CaseSet(_Model):
    description: str = ""
    cases: list[Case] = Field(..., min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "CaseSet":
        _unique_names([c.name for c in self.cases], "case")
        return self


# ----------------------------------------------------------------------------------------------- loading


def default_rules_path() -> Path:
    return design_dir() / "validation" / "default-rules.yaml"


def default_cases_path() -> Path:
    return design_dir() / "validation" / "default-cases.yaml"


def _read(source: str | Path | dict | None, default: Path, what: str) -> tuple[Any, str]:
    if source is None:
        source = default
    if isinstance(source, dict):
        return source, what
    path = Path(source)
    if not path.is_file():
        shipped = design_dir() / "validation" / f"{source}.yaml"
        if not shipped.is_file():
            raise ValidationInputError([(what, f"no such file: {source}")], str(source))
        path = shipped
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), str(path)
    except yaml.YAMLError as exc:
        raise ValidationInputError([(what, f"cannot parse {path.name}: {exc}")], str(path)) from None


def _validate(model, data: Any, source: str, prefix: str):
    if isinstance(data, model):
        return data
    if not isinstance(data, dict):
        raise ValidationInputError([(prefix, f"expected a mapping, got {type(data).__name__}")], source)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            msg = e["msg"][len("Value error, "):] if e["msg"].startswith("Value error, ") else e["msg"]
            loc = ".".join(str(p) for p in e["loc"])
            problems.append((f"{prefix}.{loc}" if loc and prefix else (loc or prefix), msg))
        raise ValidationInputError(problems, source) from None


def load_rules(source: str | Path | dict | RuleSet | None = None) -> RuleSet:
    """A rule set from a YAML file, a shipped name (``designs/validation/NAME.yaml``), a mapping, or the default."""
    if isinstance(source, RuleSet):
        return source
    data, where = _read(source, default_rules_path(), "rules")
    return _validate(RuleSet, data, where, "")


def load_cases(source: str | Path | dict | CaseSet | None = None) -> CaseSet:
    """A case set from a YAML file, a shipped name, a mapping, or the default."""
    if isinstance(source, CaseSet):
        return source
    data, where = _read(source, default_cases_path(), "cases")
    return _validate(CaseSet, data, where, "")


def rule_applies(rule: Rule, case: Case) -> bool:
    return case.name in rule.cases if rule.cases is not None else case.takes_all_rules


def check_rule_names(rules: RuleSet, cases: CaseSet, kpi_names, series_columns: dict[str, list[str]],
                     class_names: dict[str, list[str]] | None = None) -> None:
    """Every KPI a rule names must be a KPI (a class KPI with ``job_class``, and the class one of each case it
    applies to: ``class_names``, by case), every series column a column of each case it applies to, every case a
    rule names a case of the set; raise one ValidationInputError with every problem."""
    from twin.sim.results import CLASS_KPI_UNITS

    names = {c.name for c in cases.cases}
    problems = []
    kpis = sorted(kpi_names)
    for i, r in enumerate(rules.rules):
        if r.cases is not None:
            for j, c in enumerate(r.cases):
                if c not in names:
                    problems.append((f"rules.{i}.cases.{j}", f"rule {r.name!r} names case {c!r}, which is not in "
                                     f"the case set; cases: {', '.join(sorted(names))}"))
        if r.kpi is not None and r.job_class is not None:
            if r.kpi not in CLASS_KPI_UNITS:
                problems.append((f"rules.{i}.kpi", f"rule {r.name!r}: unknown KPI of a job class {r.kpi!r}; class "
                                 f"KPIs: {', '.join(CLASS_KPI_UNITS)}"))
            for case in cases.cases:
                known = (class_names or {}).get(case.name)
                if known is not None and rule_applies(r, case) and r.job_class not in known:
                    problems.append((f"rules.{i}.job_class", f"rule {r.name!r}: no job class {r.job_class!r} in case "
                                     f"{case.name!r}; classes: {', '.join(known)}"))
                    break
        elif r.kpi is not None and r.kpi not in kpi_names:
            problems.append((f"rules.{i}.kpi", f"rule {r.name!r}: unknown KPI {r.kpi!r}; KPIs: {', '.join(kpis)}"))
        if r.series is not None:
            for case in cases.cases:
                cols = series_columns.get(case.name)
                if cols is not None and rule_applies(r, case) and r.series not in cols:
                    problems.append((f"rules.{i}.series", f"rule {r.name!r}: no series column {r.series!r} in "
                                     f"case {case.name!r}; columns: {', '.join(cols)}"))
                    break
        if not any(rule_applies(r, c) for c in cases.cases):
            problems.append((f"rules.{i}", f"rule {r.name!r} applies to no case of the set (no case list and "
                             "every case takes only the rules that name it)"))
    if problems:
        raise ValidationInputError(problems, "rules")


# ----------------------------------------------------------------------------------------------- judging


def series_statistic(frame, step_s: float, spec: dict) -> float:
    """The statistic of one series column: max, min, mean, quantile ``q``, or hours above/below ``threshold``."""
    x = np.asarray(frame[spec["column"]].to_numpy(), float)
    stat = spec["statistic"]
    if x.size == 0:
        return math.nan
    if stat == "max":
        return float(np.nanmax(x))
    if stat == "min":
        return float(np.nanmin(x))
    if stat == "mean":
        return float(np.nanmean(x))
    if stat == "quantile":
        return float(np.nanquantile(x, spec["q"]))
    if stat == "hours_above":
        return float((x > spec["threshold"]).sum()) * step_s / 3600.0
    if stat == "hours_below":
        return float((x < spec["threshold"]).sum()) * step_s / 3600.0
    raise ValueError(f"unknown statistic {stat!r}")


def limits_for(rule: Rule, servers: int) -> tuple[float | None, float | None]:
    scale = float(servers) if rule.relative_to == "servers" else 1.0
    return (None if rule.min is None else rule.min * scale, None if rule.max is None else rule.max * scale)


def limit_text(rule: Rule, servers: int) -> str:
    lo, hi = limits_for(rule, servers)
    rel = f" ({rule.min if lo is not None else rule.max:g} of {servers} servers)" if rule.relative_to else ""
    if lo is not None and hi is not None:
        return f"{lo:g} .. {hi:g}{rel}"
    return (f">= {lo:g}" if lo is not None else f"<= {hi:g}") + rel


def judge(rule: Rule, figure: float | None, servers: int) -> bool:
    """Whether the figure holds the rule's limits; a missing or NaN figure does not."""
    if figure is None or (isinstance(figure, float) and math.isnan(figure)):
        return False
    lo, hi = limits_for(rule, servers)
    return (lo is None or figure >= lo) and (hi is None or figure <= hi)
