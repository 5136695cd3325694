"""Request and response bodies of the live twins' endpoints (``/v1/twins``), with the unit of every number."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import RunSummary, ScenarioBody
from twin.scenario.units import Seconds

PATH_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$"
"""A scenario field's dotted path (list items by index)."""

Finite = Annotated[float, Field(allow_inf_nan=False)]

TIME_RANGE = Field(..., max_length=200, description="A window A..B: ISO 8601 times with a UTC offset, "
                   "e.g. 2026-01-01T00:00:00+08:00..2026-01-02T00:00:00+08:00")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TwinRequest(_Body):
    """A live twin: a shipped design with overrides, or a whole scenario (optionally with overrides too)."""

    design: str | None = Field(None, max_length=200, description="Name of a shipped design (GET /v1/designs)",
                               examples=["lingang-phase1"])
    scenario: ScenarioBody | None = Field(None, description="A whole scenario; give this or design, not both")
    overrides: list[Annotated[str, Field(max_length=100_000)]] = Field(
        default_factory=list, max_length=1000,
        description="dotted.path=value items applied to the design or scenario; values are read as YAML",
        examples=[["run.horizon_s=2d", "run.step_s=600"]])
    name: str | None = Field(None, max_length=200, description="A label; default the scenario's name")


class Measurement(_Body):
    timestamp: str = Field(..., max_length=64, description="ISO 8601 with a UTC offset")
    signal: str = Field(..., max_length=200, description="One of the twin's series names (GET /v1/twins/{id})")
    value: float = Field(..., allow_inf_nan=False, description="In the unit the signal's name carries")


class TelemetryJson(_Body):
    """A telemetry batch as JSON (the long format, one object per measurement)."""

    measurements: list[Measurement] = Field(..., min_length=1, description="At most max_telemetry_rows")


class SignalTelemetry(BaseModel):
    measurements: int = Field(..., ge=0, description="Stored measurements of the signal [-]")
    first: dt.datetime
    last: dt.datetime


class TelemetryTotals(BaseModel):
    measurements: int = Field(..., ge=0, description="Stored measurements, every signal [-]")
    batches: int = Field(..., ge=0, description="Batches accepted [-]")
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    signals: dict[str, SignalTelemetry] = Field(default_factory=dict)


class AppliedCalibration(BaseModel):
    id: str
    applied_at: dt.datetime
    parameters: dict[str, float | None] = Field(..., description="Scenario path -> calibrated value [its unit]")


class TwinSummary(BaseModel):
    id: str
    name: str
    design: str | None = Field(None, description="The design it was created from (null: a whole scenario)")
    scenario_hash: str = Field(..., description="SHA-256 of the twin's scenario as canonical JSON")
    created_at: dt.datetime
    updated_at: dt.datetime
    measurements: int = Field(..., ge=0, description="Stored measurements [-]")
    first: dt.datetime | None = Field(None, description="The earliest measurement's time")
    last: dt.datetime | None = Field(None, description="The latest measurement's time")
    calibration: AppliedCalibration | None = Field(None, description="The calibration whose scenario is the "
                                                   "twin's (null: the scenario it was created with)")
    links: dict[str, str]


class TwinDetail(TwinSummary):
    step_s: float = Field(..., description="The twin's step: telemetry is put on this grid [s]")
    start: str = Field(..., description="run.start: the step grid's origin (ISO 8601)")
    horizon_s: float = Field(..., description="run.horizon_s: what calibrations can simulate [s]")
    signals: list[str] = Field(..., description="The twin's series names: the signals telemetry may carry")
    telemetry: TelemetryTotals
    request: dict[str, Any]
    scenario: dict[str, Any] = Field(..., description="The twin's resolved scenario (every default filled)")


class TwinList(BaseModel):
    twins: list[TwinSummary]
    total: int = Field(..., ge=0)


class Gap(BaseModel):
    start: dt.datetime = Field(..., description="Start of the gap's first step")
    end: dt.datetime = Field(..., description="End of its last step")
    steps: int = Field(..., ge=1, description="Steps without a measurement [-]")


class SignalGaps(BaseModel):
    measurements: int = Field(..., ge=0, description="Rows of the batch with this signal [-]")
    first: dt.datetime
    last: dt.datetime
    steps_with_data: int = Field(..., ge=0, description="Twin steps in the batch's span with a measurement [-]")
    missing_steps: int = Field(..., ge=0, description="Twin steps in the batch's span without one [-]")
    gaps: int = Field(..., ge=0, description="Runs of steps without a measurement [-]")
    longest_gap: Gap | None = None


class TelemetryReceipt(BaseModel):
    twin_id: str
    format: Literal["csv", "parquet", "json"]
    accepted: int = Field(..., ge=0, description="Rows of the batch [-]")
    duplicates: int = Field(..., ge=0, description="Rows repeating an earlier row's signal and time in the same "
                            "batch (the last one counts) [-]")
    new: int = Field(..., ge=0, description="Measurements stored for the first time [-]")
    replaced: int = Field(..., ge=0, description="Measurements already stored, written again [-]")
    changed: int = Field(..., ge=0, description="Of the replaced, those whose value differs [-]")
    signals: list[str]
    first: dt.datetime
    last: dt.datetime
    step_s: float = Field(..., description="The twin's step, on which gaps are counted [s]")
    steps: int = Field(..., ge=1, description="Twin steps from the batch's first to its last measurement [-]")
    gaps: dict[str, SignalGaps] = Field(..., description="Per signal of the batch, its gaps on the twin's steps")
    totals: TelemetryTotals


class StateWindow(BaseModel):
    start: dt.datetime = Field(..., description="Start of the first step filtered")
    end: dt.datetime = Field(..., description="End of the last step filtered")
    steps: int = Field(..., ge=1, description="Steps filtered [-]")
    steps_left_out: int = Field(..., ge=0, description="Earlier steps with telemetry beyond max_state_steps [-]")
    measurements: int = Field(..., ge=0, description="Measurements read [-]")


class CabinState(BaseModel):
    model_config = ConfigDict(extra="allow")

    cabin: int = Field(..., description="Index of the cabin group in the scenario")
    it_temp_c: float | None = Field(None, description="Hardware node [C]")
    gas_temp_c: float | None = Field(None, description="Gas (air or nitrogen) node [C]")
    wall_temp_c: float | None = Field(None, description="Wall node [C]")
    inlet_temp_c: float | None = Field(None, description="Rack inlet [C]")
    fouling_m2k_w: float | None = Field(None, description="Exchanger fouling resistance [m2 K W-1]")
    fouling_sd_m2k_w: float | None = Field(None, description="Its standard deviation [m2 K W-1]")
    sea_temp_c: float | None = Field(None, description="Sea temperature [C]")
    innovation_k: float | None = Field(None, description="Last measured minus predicted inlet [K]")
    held_steps: int = Field(..., ge=0, description="Steps whose inputs were missing and held [-]")
    servers_alive: float | None = Field(None, description="From the last measurement [-]")
    servers_alive_at: str | None = None


class TwinState(BaseModel):
    twin_id: str
    time: str = Field(..., description="Start of the last step filtered (the present), ISO 8601")
    step_s: float = Field(..., description="[s]")
    window: StateWindow
    cabins: list[CabinState]
    battery_energy_wh: float | None = Field(None, description="From the last measurement [Wh]")
    battery_energy_at: str | None = None
    coverage: dict[str, float] = Field(..., description="Signal -> share of the window's steps measured [-]")


class CalibrationRequest(_Body):
    """Fit scenario fields of the twin to its stored telemetry (twin.live.calibration)."""

    params: list[Annotated[str, Field(max_length=200, pattern=PATH_PATTERN)]] = Field(
        ..., min_length=1, max_length=10, description="Dotted paths of the number fields to fit",
        examples=[["wind.resource.weibull_c_m_s", "electrical.distribution_efficiency"]])
    bounds: dict[Annotated[str, Field(max_length=200)], tuple[Finite, Finite]] = Field(
        default_factory=dict, max_length=10, description="path -> [lower, upper] in the field's unit; default "
        "half and twice its value, within the field's own constraints")
    train: str = TIME_RANGE
    test: str = TIME_RANGE
    signals: list[Annotated[str, Field(max_length=200)]] | None = Field(
        None, min_length=1, max_length=200, description="Signals to fit; default every one with telemetry")


class CalibrationSummary(BaseModel):
    id: str
    twin_id: str
    status: Literal["running", "completed", "failed"]
    created_at: dt.datetime
    finished_at: dt.datetime | None = None
    error: str | None = None
    applied_at: dt.datetime | None = Field(None, description="When its scenario was made the twin's")
    links: dict[str, str]


class CalibrationDetail(CalibrationSummary):
    request: dict[str, Any]
    report: dict[str, Any] | None = Field(None, description="Once completed: parameters (value, std_error, "
                                          "initial, lower, upper), correlation, fit per signal on the test window "
                                          "(cv_rmse, nmbe, pass, hours; ASHRAE Guideline 14 hourly), runs, wall_s")
    scenario: dict[str, Any] | None = Field(None, description="Once completed: the calibrated scenario")


class CalibrationList(BaseModel):
    calibrations: list[CalibrationSummary]


class ForecastRequest(_Body):
    """A forecast forked from the twin's present: a run from its synchronised state (the filter's estimate of each
    cabin, the last measurements of the speeds, servers, battery, turbines and wind) over ``horizon_s``."""

    horizon_s: Seconds = Field(..., gt=0.0, le=366 * 86400.0, description="How far ahead [s]; also '48h', '7d'",
                               examples=["7d"])
    step_s: Seconds | None = Field(None, gt=0.0, le=3600.0, description="Output step [s]; default the twin's")
    weather: Literal["persistence", "climatology", "forecast"] = Field(
        "persistence", description="persistence: the present wind relaxing to the resource's mean, the sea's "
        "anomaly held; climatology: the design's own statistical weather; forecast: the uploaded data set "
        "`forecast_dataset` (docs/live.md, Forecasts)")
    forecast_dataset: str | None = Field(None, max_length=80, description="weather forecast: dataset:<id> (or the "
                                         "id) of a data set of kind forecast")
    persistence_time_h: float | None = Field(None, gt=0.0, le=1e5, description="weather persistence: e-folding "
                                             "time of the wind's relaxation [h]; default the resource's own")
    seed: int | None = Field(None, ge=0, le=2**63 - 1, description="The run's seed (workload; weather in "
                             "climatology); default the twin's")
    name: str | None = Field(None, max_length=200, description="A label; default '<twin name> forecast'")


class ForecastList(BaseModel):
    forecasts: list[RunSummary]
    total: int = Field(..., ge=0)
