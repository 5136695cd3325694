"""Request and response bodies of the API, with the unit of every number in its description."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from twin.scenario import Scenario

RunStatus = Literal["queued", "running", "completed", "failed", "cancelled"]

# the scenario is documented with its full schema but validated by twin.scenario, so that every problem comes back
# with its field path in one 422 (see api/errors.py)
ScenarioBody = Annotated[Scenario, SkipValidation]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldProblem(BaseModel):
    field: str = Field(..., description="Dotted path of the field in the scenario or request ('' for the top level)")
    reason: str


class Problem(BaseModel):
    detail: str
    problems: list[FieldProblem] = Field(default_factory=list, description="Every problem found, by field path")


class RunRequest(_Body):
    """A what-if run: a shipped design with overrides, or a whole scenario (optionally with overrides too)."""

    design: str | None = Field(None, description="Name of a shipped design (GET /v1/designs)", max_length=200,
                               examples=["lingang-phase1"])
    scenario: ScenarioBody | None = Field(None, description="A whole scenario; give this or design, not both")
    overrides: list[Annotated[str, Field(max_length=100_000)]] = Field(
        default_factory=list, max_length=1000,
        description="dotted.path=value items applied to the design or scenario; values are read as YAML",
        examples=[["run.horizon_s=7d", "cabins.0.count=2"]])
    name: str | None = Field(None, max_length=200, description="A label for the run; default the scenario's name")
    cache: bool = Field(False, description="Return an existing completed run of the identical scenario if there is one")


class SweepRequest(_Body):
    """A base scenario and a grid: every combination of the grid's values becomes one run."""

    design: str | None = Field(None, max_length=200, description="Name of a shipped design")
    scenario: ScenarioBody | None = Field(None, description="A whole base scenario; give this or design")
    overrides: list[Annotated[str, Field(max_length=100_000)]] = Field(
        default_factory=list, max_length=1000, description="dotted.path=value items applied to the base")
    grid: dict[str, Annotated[list[Any], Field(min_length=1, max_length=1000)]] = Field(
        ..., min_length=1, max_length=20,
        description="dotted.path -> list of values; the sweep is their Cartesian product",
        examples=[{"cabins.0.count": [1, 2], "run.seed": [1, 2, 3]}])
    name: str | None = Field(None, max_length=200)
    cache: bool = Field(False, description="Reuse completed runs of identical scenarios")


class Timings(BaseModel):
    created_at: dt.datetime = Field(..., description="When the run was submitted (UTC)")
    started_at: dt.datetime | None = Field(None, description="When its current attempt started executing (UTC)")
    finished_at: dt.datetime | None = Field(None, description="When it completed, failed or was cancelled (UTC)")
    queue_wait_s: float | None = Field(None, description="Submitted to started [s]")
    run_s: float | None = Field(None, description="Started to finished [s]")
    engine: dict[str, float | None] = Field(default_factory=dict,
                                            description="The engine's own timings, e.g. total_s [s]")


class RunLinks(BaseModel):
    self: str
    events: str
    kpis: str
    timeseries: str
    twin: str | None = Field(None, description="A forecast: the twin it was forked from")


class RunSummary(BaseModel):
    id: str
    name: str
    status: RunStatus
    progress: float = Field(..., ge=0.0, le=1.0, description="Share of the simulated steps done [-]")
    scenario_hash: str = Field(..., description="SHA-256 of the resolved scenario as canonical JSON")
    backend: Literal["local", "dask"] = Field(..., description="Where the run executes")
    timings: Timings
    error: str | None = Field(None, description="Why the run failed or was cancelled")
    note: str | None = Field(None, description="What happened to the run, e.g. re-queued after a restart")
    attempts: int = Field(..., ge=0, description="Times the run has been handed to a worker [-]")
    interruptions: int = Field(..., ge=0, description="Server restarts the run lived through [-]")
    sweep_id: str | None = None
    twin_id: str | None = Field(None, description="A forecast: the twin it was forked from "
                                "(POST /v1/twins/{id}/forecasts)")
    links: RunLinks


class DatasetInfo(BaseModel):
    id: str = Field(..., description="The data set's id: the SHA-256 of its bytes (64 hex digits)")
    reference: str = Field(..., description="How a scenario names it: dataset:<id>")
    kind: Literal["wind", "trace", "state", "forecast"]
    name: str = Field(..., description="The label given at upload (default the file's name)")
    format: Literal["csv", "parquet", "json"]
    size_bytes: int = Field(..., ge=0, description="[bytes]")
    rows: int = Field(..., ge=0, description="Data rows [-]")
    start: str | float | None = Field(..., description="First time: ISO 8601 (wind, forecast, state), or the "
                                                        "first submit time in s after the run's start (trace)")
    end: str | float | None = Field(..., description="Last time, as start")
    sha256: str = Field(..., description="SHA-256 of the stored bytes; a run keeps it in its scenario")
    created_at: dt.datetime
    details: dict[str, Any] = Field(default_factory=dict, description="What the kind's reader found: the "
                                    "measurement height and columns (wind); classes, cabins and server-hours (trace)")
    links: dict[str, str] = Field(default_factory=dict)


class DatasetList(BaseModel):
    datasets: list[DatasetInfo]
    total: int = Field(..., ge=0, description="Data sets matching the filter [-]")


class DatasetUse(BaseModel):
    field: str = Field(..., description="Dotted path of the scenario field that names the data set")
    id: str = Field(..., description="The data set's id (its SHA-256)")
    kind: str


class RunDetail(RunSummary):
    cached: bool = Field(False, description="True when this answer is an earlier run of the identical scenario")
    request: dict[str, Any] = Field(..., description="The request as given: design, overrides, name")
    scenario: dict[str, Any] = Field(..., description="The resolved scenario the run executes (every default filled)")
    artifacts: dict[str, str] = Field(default_factory=dict, description="Files of a completed run, by kind")
    datasets: list[DatasetUse] = Field(default_factory=list, description="The data sets the scenario names")


class RunList(BaseModel):
    runs: list[RunSummary]
    total: int = Field(..., ge=0, description="Runs matching the filter [-]")


class Kpis(BaseModel):
    run_id: str
    kpis: dict[str, float | int | None] = Field(..., description="KPI name -> value in the unit of `units`")
    units: dict[str, str] = Field(..., description="KPI name -> unit ('-' for ratios)")
    classes: dict[str, dict[str, float | int | None]] = Field(
        default_factory=dict, description="Job class -> its KPIs: jobs_completed, throughput_jobs_per_h, "
        "job_wait_p50_s/p95_s/p99_s, deadline_misses, jobs_rejected, energy_per_job_kwh, mean_servers_busy, "
        "work_done_server_h, restarts, lost_work_server_h, restart_server_h, goodput_share (docs/workload.md)")


class KpiComparison(BaseModel):
    unit: str
    values: dict[str, float | int | None] = Field(..., description="Run id -> value [unit]")
    differences: dict[str, float | None] = Field(..., description="Run id -> value minus the baseline's [unit]")
    relative_differences: dict[str, float | None] = Field(
        ..., description="Run id -> (value - baseline) / |baseline| [-]; null when the baseline is 0")


class Comparison(BaseModel):
    ids: list[str]
    baseline: str = Field(..., description="The first id; differences are taken against it")
    kpis: dict[str, KpiComparison]


class SeriesJson(BaseModel):
    run_id: str
    index: list[str] = Field(..., description="Start of each step (or resampling bin), ISO 8601 with UTC offset")
    columns: dict[str, list[float | None]] = Field(..., description="Variable -> values, in the unit of `units`")
    units: dict[str, str] = Field(..., description="Variable -> unit; powers are step means [W]")
    resample: str | None = Field(None, description="Bin width when resampled (bin means)")


class SweepPoint(BaseModel):
    index: int
    run_id: str
    point: dict[str, Any] = Field(..., description="The grid values of this point, by path")
    status: RunStatus
    progress: float = Field(..., ge=0.0, le=1.0, description="[-]")
    error: str | None = None
    kpis: dict[str, float | int | None] | None = Field(None, description="KPIs once completed (units: /v1/kpis)")


class SweepDetail(BaseModel):
    id: str
    name: str | None = None
    status: Literal["queued", "running", "completed", "failed", "cancelled", "partial"] = Field(
        ..., description="completed: every point completed; partial: all finished, some failed or cancelled")
    backend: Literal["local", "dask"]
    size: int = Field(..., ge=0, description="Grid points [-]")
    counts: dict[str, int] = Field(..., description="Runs by status [-]")
    progress: float = Field(..., ge=0.0, le=1.0, description="Mean progress of the points [-]")
    created_at: dt.datetime
    request: dict[str, Any]
    results: list[SweepPoint] = Field(..., description="The result table: one row per grid point")


class SweepSummary(BaseModel):
    id: str
    name: str | None = None
    backend: Literal["local", "dask"]
    size: int
    created_at: dt.datetime


class SweepList(BaseModel):
    sweeps: list[SweepSummary]
    total: int


class DesignSummary(BaseModel):
    name: str
    description: str = ""
    links: dict[str, str]


class DesignList(BaseModel):
    designs: list[DesignSummary]


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    workers: int = Field(..., description="Worker processes [-]")
    active_runs: int = Field(..., description="Runs queued or executing in this server [-]")
    capacity: int = Field(..., description="Most runs that may be active at once [-]")
    sweep_backend: Literal["local", "dask"]
    uptime_s: float = Field(..., description="Time since start-up [s]")


# ----------------------------------------------------------------------------------------------- validations


class ValidationRequest(_Body):
    """A design validation: a design (or whole scenario) with overrides, a rule set and a stress-case set."""

    design: str | None = Field(None, max_length=200, description="Name of a shipped design")
    scenario: ScenarioBody | None = Field(None, description="A whole scenario; give this or design")
    overrides: list[Annotated[str, Field(max_length=100_000)]] = Field(
        default_factory=list, max_length=1000, description="dotted.path=value items applied to every case")
    rules: str | dict[str, Any] | None = Field(
        None, description="A rule set: the content of a rule file as an object, or the name of a shipped set "
        "(designs/validation/, e.g. default-rules, green-targets-rules); default the default rules",
        examples=["default-rules"])
    cases: str | dict[str, Any] | None = Field(
        None, description="A stress-case set: the content of a case file as an object, or a shipped set's name; "
        "default the default cases")
    name: str | None = Field(None, max_length=200)


class ValidationCase(BaseModel):
    name: str
    description: str = ""
    run_id: str | None = Field(None, description="The case's run (GET /v1/runs/{id}); null when it is not run")
    status: Literal["queued", "running", "completed", "failed", "cancelled", "skipped"]
    note: str = Field("", description="e.g. which seed and week the lowest-wind search chose")
    error: str | None = None


class ValidationResult(BaseModel):
    rule: str
    case: str
    figure_name: str
    figure: float | None = Field(None, description="The figure judged, in `unit`")
    limit: str
    unit: str
    status: Literal["pass", "fail", "error"]
    message: str = ""
    source: str = ""


class ValidationDetail(BaseModel):
    id: str
    name: str | None = None
    design: str
    status: Literal["queued", "running", "completed"] = Field(
        ..., description="completed: every case finished (or failed) and every rule is judged")
    passed: bool | None = Field(None, description="Every rule passed on every case; null until completed")
    counts: dict[str, int] = Field(..., description="Rule checks by result once completed [-]")
    created_at: dt.datetime
    cases: list[ValidationCase]
    results: list[ValidationResult] = Field(default_factory=list, description="One per rule and case, once "
                                            "completed")
