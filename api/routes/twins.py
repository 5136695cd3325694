"""Live twins: create one from a design or scenario, send it telemetry in batches, read its present state, calibrate
its scenario on its telemetry and apply a calibration; all in the run registry (docs/twin.md)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Annotated

import anyio
import pandas as pd
from fastapi import APIRouter, Query, Request, Response

from api.calibrations import calibration_spec
from api.datasets import summarize, write_blob
from api.deps import CalibrationsDep, DataDep, JobsDep, SettingsDep, StoreDep
from api.errors import ApiError, error_responses
from api.resolve import override_item, resolve
from api.runs import queue_run, scenario_datasets, summary
from api.schemas import RunDetail
from api.series_probe import ProbeFailed, series_names
from api.store import scenario_hash
from api.telemetry_batches import from_ns, gap_summary, read_file_batch, read_json_batch
from api.twin_schemas import (
    CalibrationDetail,
    CalibrationList,
    CalibrationRequest,
    ForecastList,
    ForecastRequest,
    Measurement,
    TelemetryJson,
    TelemetryReceipt,
    TwinDetail,
    TwinList,
    TwinRequest,
    TwinState,
)
from api.twin_state import estimate_state, twin_saved_state
from api.twin_store import CalibrationBusy
from api.uploads import file_body, media_type, read_upload, refuse_encoding, upload_slot
from twin.scenario.datafiles import TableLimits, dataset_ref, parse_dataset_ref

router = APIRouter(prefix="/v1", tags=["twins"])

_TELEMETRY_BODY = file_body(extra_content={"application/json": {"schema": {
    "type": "object", "required": ["measurements"], "additionalProperties": False,
    "description": TelemetryJson.__doc__,
    "properties": {"measurements": {"type": "array", "minItems": 1, "items": Measurement.model_json_schema()}}}}})


def _time(t: float | None) -> dt.datetime | None:
    return None if t is None else dt.datetime.fromtimestamp(t, dt.timezone.utc)


def _tz(scenario: dict):
    return pd.Timestamp(scenario["run"]["start"]).tz


def _ns(value: int | None, tz):
    return None if value is None else from_ns(value, tz)


def _applied(twins, row: dict) -> dict | None:
    if not row.get("calibration_id"):
        return None
    cal = twins.get_calibration(row["id"], row["calibration_id"])
    report = json.loads(cal["report_json"]) if cal and cal.get("report_json") else {}
    return {"id": row["calibration_id"], "applied_at": _time(row["calibrated_at"]),
            "parameters": {k: v.get("value") for k, v in report.get("parameters", {}).items()}}


def _summary(twins, row: dict, tz) -> dict:
    tid = row["id"]
    return {"id": tid, "name": row["name"], "design": json.loads(row["request_json"]).get("design"),
            "scenario_hash": row["scenario_hash"], "created_at": _time(row["created_at"]),
            "updated_at": _time(row["updated_at"]), "measurements": row["measurements"],
            "first": _ns(row["first_ns"], tz), "last": _ns(row["last_ns"], tz), "calibration": _applied(twins, row),
            "links": {"self": f"/v1/twins/{tid}", "telemetry": f"/v1/twins/{tid}/telemetry",
                      "state": f"/v1/twins/{tid}/state", "calibrations": f"/v1/twins/{tid}/calibrations",
                      "forecasts": f"/v1/twins/{tid}/forecasts", "view": f"/v1/twins/{tid}/view"}}


def _totals(twins, row: dict, tz) -> dict:
    return {"measurements": row["measurements"], "batches": row["batches"], "first": _ns(row["first_ns"], tz),
            "last": _ns(row["last_ns"], tz),
            "signals": {s["signal"]: {"measurements": s["measurements"], "first": from_ns(s["first_ns"], tz),
                                      "last": from_ns(s["last_ns"], tz)} for s in twins.signal_stats(row["id"])}}


def _detail(twins, row: dict) -> dict:
    scenario = json.loads(row["scenario_json"])
    tz = _tz(scenario)
    return {**_summary(twins, row, tz), "step_s": float(scenario["run"]["step_s"]),
            "start": str(scenario["run"]["start"]), "horizon_s": float(scenario["run"]["horizon_s"]),
            "signals": json.loads(row["signals_json"]), "telemetry": _totals(twins, row, tz),
            "request": json.loads(row["request_json"]), "scenario": scenario}


def _twin(store, twin_id: str) -> dict:
    row = store.twins.get_twin(twin_id) if len(twin_id) <= 64 else None
    if row is None:
        raise ApiError(404, f"no twin {twin_id[:80]!r}")
    return row


# ----------------------------------------------------------------------------------------------- twins


@router.post("/twins", status_code=201, response_model=TwinDetail, responses={
    201: {"description": "Created; Location names it"}, **error_responses(404, 409, 413, 422, 429)})
def create_twin(body: TwinRequest, response: Response, store: StoreDep, settings: SettingsDep, data: DataDep):
    """Create a live twin from a design (with overrides) or a whole scenario, resolved and checked as a run's is
    (422 by field; data only as `dataset:<id>`). Its series names, the signals its telemetry may carry, come from a
    one-step run in a new process (a few seconds)."""
    scenario = resolve(body.design, body.scenario, body.overrides, settings.max_steps_per_run, data_access=data)
    with upload_slot(settings.max_concurrent_uploads, "twin creation", retry_after_s=5):
        try:
            signals = series_names(scenario, data)
        except ProbeFailed as exc:
            raise ApiError(422, "the twin's scenario does not run", [
                {"field": "scenario" if body.scenario is not None else "design",
                 "reason": f"a one-step run of it failed: {exc}"}]) from None
    twin_id = uuid.uuid4().hex
    request = {"design": body.design, "overrides": body.overrides, "name": body.name,
               "scenario_given": body.scenario is not None}
    gone = store.twins.create_twin(twin_id, body.name or scenario["name"], scenario, scenario_hash(scenario),
                                   request, signals, scenario_datasets(scenario))
    if gone:
        raise ApiError(409, f"data set(s) removed while the twin was created: {', '.join(gone)}")
    response.headers["Location"] = f"/v1/twins/{twin_id}"
    return _detail(store.twins, store.twins.get_twin(twin_id))


@router.get("/twins", response_model=TwinList, responses=error_responses())
def list_twins(store: StoreDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
               offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
    """Twins, newest first."""
    rows, total = store.twins.list_twins(limit, offset)
    return {"twins": [_summary(store.twins, r, _tz(json.loads(r["scenario_json"]))) for r in rows], "total": total}


@router.get("/twins/{twin_id}", response_model=TwinDetail, responses=error_responses(404))
def get_twin(twin_id: str, store: StoreDep):
    """A twin: its scenario, its series names, its telemetry per signal, the calibration applied."""
    return _detail(store.twins, _twin(store, twin_id))


@router.delete("/twins/{twin_id}", status_code=204, responses={
    204: {"description": "Removed with its telemetry and calibrations"}, **error_responses(404, 409)})
def delete_twin(twin_id: str, store: StoreDep):
    """Remove a twin with its telemetry and calibrations; 409 while one of its calibrations runs."""
    _twin(store, twin_id)
    running = store.twins.delete_twin(twin_id)
    if running is None:
        raise ApiError(404, f"no twin {twin_id[:80]!r}")
    if running:
        raise ApiError(409, f"twin {twin_id} has {len(running)} calibration(s) running: {', '.join(running)}; "
                       "wait for them to finish")
    return Response(status_code=204)


# ----------------------------------------------------------------------------------------------- telemetry


@router.post("/twins/{twin_id}/telemetry", response_model=TelemetryReceipt,
             openapi_extra={"requestBody": _TELEMETRY_BODY},
             responses=error_responses(404, 413, 415, 422, 429))
async def post_telemetry(twin_id: str, request: Request, store: StoreDep, settings: SettingsDep):
    """A batch of measurements (timestamp, signal, value) as CSV or Parquet (the body, or multipart `file`), or as
    JSON `{"measurements": [...]}`: checked against the twin's series names (422 names row, line and column),
    stored by (signal, time). The same batch again changes nothing (`replaced` counts it); a later value for the
    same signal and time replaces the stored one (`changed`)."""
    row = await anyio.to_thread.run_sync(_twin, store, twin_id)
    known = set(json.loads(row["signals_json"]))
    scenario = json.loads(row["scenario_json"])
    with upload_slot(settings.max_concurrent_uploads):
        if media_type(request) == "application/json":
            refuse_encoding(request)
            declared = request.headers.get("content-length", "")
            too_big = declared.isdigit() and int(declared) > settings.max_request_bytes
            body = b"" if too_big else await request.body()
            if too_big or len(body) > settings.max_request_bytes:
                raise ApiError(413, f"a JSON batch is larger than the limit of {settings.max_request_bytes} bytes; "
                               "send larger batches as CSV or Parquet")
            batch = await anyio.to_thread.run_sync(read_json_batch, body, known, settings.max_telemetry_rows)
        else:
            upload = await read_upload(request, settings.max_dataset_bytes, also_accepted=("application/json",))
            limits = TableLimits(max_columns=settings.max_dataset_columns, max_rows=settings.max_telemetry_rows,
                                 max_uncompressed_bytes=4 * settings.max_dataset_bytes)
            batch = await anyio.to_thread.run_sync(read_file_batch, upload.data, upload.field, known, limits)
        stats = await anyio.to_thread.run_sync(store.twins.add_telemetry, twin_id, batch.signal, batch.time_ns,
                                               batch.value)
    if stats is None:
        raise ApiError(404, f"twin {twin_id} was removed while its telemetry was sent")
    start = pd.Timestamp(scenario["run"]["start"])
    step_s = float(scenario["run"]["step_s"])
    steps, gaps = await anyio.to_thread.run_sync(gap_summary, batch, start, step_s)
    row = await anyio.to_thread.run_sync(_twin, store, twin_id)
    tz = start.tz
    return {"twin_id": twin_id, "format": batch.format, "accepted": batch.rows, "duplicates": batch.duplicates,
            "new": sum(s["new"] for s in stats.values()), "replaced": sum(s["replaced"] for s in stats.values()),
            "changed": sum(s["changed"] for s in stats.values()), "signals": sorted(stats),
            "first": from_ns(int(batch.time_ns.min()), tz), "last": from_ns(int(batch.time_ns.max()), tz),
            "step_s": step_s, "steps": steps, "gaps": gaps,
            "totals": await anyio.to_thread.run_sync(_totals, store.twins, row, tz)}


@router.get("/twins/{twin_id}/state", response_model=TwinState, responses=error_responses(404, 409, 429))
async def get_state(twin_id: str, store: StoreDep, settings: SettingsDep):
    """The synchronised present: the stored telemetry on the twin's steps (the latest `max_state_steps`), each
    cabin's thermal state and exchanger fouling by the extended Kalman filter, the battery and the servers from
    their last measurements. 409 names the signals missing."""
    row = await anyio.to_thread.run_sync(_twin, store, twin_id)
    with upload_slot(settings.max_concurrent_states, "state estimate"):
        return await anyio.to_thread.run_sync(estimate_state, store.twins, row, settings.max_state_steps)


# ----------------------------------------------------------------------------------------------- calibrations


def _calibration(row: dict) -> dict:
    tid, cid = row["twin_id"], row["id"]
    links = {"self": f"/v1/twins/{tid}/calibrations/{cid}", "twin": f"/v1/twins/{tid}"}
    if row["status"] == "completed":
        links["apply"] = f"/v1/twins/{tid}/calibrations/{cid}/apply"
    return {"id": cid, "twin_id": tid, "status": row["status"], "created_at": _time(row["created_at"]),
            "finished_at": _time(row.get("finished_at")), "error": row.get("error"),
            "applied_at": _time(row.get("applied_at")), "links": links}


def _calibration_detail(row: dict) -> dict:
    return {**_calibration(row), "request": json.loads(row["request_json"]),
            "report": json.loads(row["report_json"]) if row.get("report_json") else None,
            "scenario": json.loads(row["scenario_json"]) if row.get("scenario_json") else None}


def _calibration_row(store, twin_id: str, calibration_id: str) -> dict:
    row = store.twins.get_calibration(twin_id, calibration_id) if len(calibration_id) <= 64 else None
    if row is None:
        raise ApiError(404, f"twin {twin_id[:80]!r} has no calibration {calibration_id[:80]!r}")
    return row


@router.post("/twins/{twin_id}/calibrations", status_code=202, response_model=CalibrationDetail, responses={
    202: {"description": "Started in its own process; Location names it"},
    **error_responses(404, 409, 413, 422, 429, 503)})
def start_calibration(twin_id: str, body: CalibrationRequest, response: Response, store: StoreDep,
                      settings: SettingsDep, runner: CalibrationsDep):
    """Fit scenario fields (`params`, within `bounds`) of the twin to its stored telemetry on the `train` window
    and judge the fit on `test` (ASHRAE Guideline 14), in a process of its own. 422 by field; 409 without the
    telemetry to fit; 429 when `max_concurrent_calibrations` run already."""
    row = _twin(store, twin_id)
    spec = calibration_spec(store.twins, row, body)
    calibration_id = uuid.uuid4().hex
    try:
        created = store.twins.create_calibration(calibration_id, twin_id, body.model_dump(),
                                                 settings.max_concurrent_calibrations)
    except CalibrationBusy as exc:
        raise ApiError(429, str(exc), headers={"Retry-After": "30"}) from None
    if not created:
        raise ApiError(404, f"no twin {twin_id[:80]!r}")
    try:
        runner.start(calibration_id, twin_id, spec)
    except RuntimeError as exc:
        store.twins.fail_calibration(calibration_id, f"not started: {exc}")
        raise ApiError(503, f"the calibration was not started: {exc}") from None
    response.headers["Location"] = f"/v1/twins/{twin_id}/calibrations/{calibration_id}"
    return _calibration_detail(_calibration_row(store, twin_id, calibration_id))


@router.get("/twins/{twin_id}/calibrations", response_model=CalibrationList, responses=error_responses(404))
def list_calibrations(twin_id: str, store: StoreDep):
    """A twin's calibrations, newest first."""
    _twin(store, twin_id)
    return {"calibrations": [_calibration(r) for r in store.twins.list_calibrations(twin_id)]}


@router.get("/twins/{twin_id}/calibrations/{calibration_id}", response_model=CalibrationDetail,
            responses=error_responses(404))
def get_calibration(twin_id: str, calibration_id: str, store: StoreDep):
    """A calibration's status and, once completed, its report (each parameter with its standard error, their
    correlations, the fit per signal on the test window) and the calibrated scenario."""
    return _calibration_detail(_calibration_row(store, twin_id, calibration_id))


@router.post("/twins/{twin_id}/calibrations/{calibration_id}/apply", response_model=TwinDetail,
             responses=error_responses(404, 409))
def apply_calibration(twin_id: str, calibration_id: str, store: StoreDep):
    """Make a completed calibration's scenario the twin's (its record says which calibration, and when); 409 for a
    calibration that is running or failed."""
    _twin(store, twin_id)
    cal = _calibration_row(store, twin_id, calibration_id)
    if cal["status"] != "completed":
        raise ApiError(409, f"calibration {calibration_id} is {cal['status']}; only a completed one can be applied")
    why = store.twins.apply_calibration(twin_id, calibration_id, scenario_hash(json.loads(cal["scenario_json"])))
    if why == "missing":
        raise ApiError(404, f"twin {twin_id[:80]!r} has no calibration {calibration_id[:80]!r}")
    if why is not None:
        raise ApiError(409, f"calibration {calibration_id} is {why}; only a completed one can be applied")
    return _detail(store.twins, _twin(store, twin_id))


# ----------------------------------------------------------------------------------------------- forecasts


def _forecast_overrides(body: ForecastRequest, state_ref: str, time: str) -> list[str]:
    """The forecast's scenario from the twin's: its start at the state's time, from that state, over the horizon,
    with the weather asked for; 422 naming the request's field for a weather and data set that do not agree."""
    problems = []
    if body.weather == "forecast" and body.forecast_dataset is None:
        problems.append({"field": "forecast_dataset", "reason": "weather forecast needs a data set of kind forecast"})
    if body.weather != "forecast" and body.forecast_dataset is not None:
        problems.append({"field": "forecast_dataset", "reason": f"a forecast data set is read only with weather "
                         f"forecast (weather is {body.weather})"})
    if body.weather != "persistence" and body.persistence_time_h is not None:
        problems.append({"field": "persistence_time_h", "reason": "only with weather persistence"})
    ref = None
    if body.forecast_dataset is not None:
        sha = parse_dataset_ref(body.forecast_dataset) or parse_dataset_ref(f"dataset:{body.forecast_dataset}")
        if sha is None:
            problems.append({"field": "forecast_dataset", "reason": "not dataset:<id> (64 hex digits)"})
        ref = dataset_ref(sha) if sha else None
    if problems:
        raise ApiError(422, f"the forecast request has {len(problems)} problem(s)", problems)
    items = [override_item("run.start", time), override_item("run.horizon_s", body.horizon_s),
             override_item("run.initial_state", state_ref), override_item("run.weather.mode", body.weather)]
    if body.step_s is not None:
        items.append(override_item("run.step_s", body.step_s))
    if body.seed is not None:
        items.append(override_item("run.seed", body.seed))
    if ref is not None:
        items.append(override_item("run.weather.forecast", ref))
    if body.persistence_time_h is not None:
        items.append(override_item("run.weather.persistence_time_h", body.persistence_time_h))
    return items


@router.post("/twins/{twin_id}/forecasts", status_code=202, response_model=RunDetail, responses={
    202: {"description": "Queued as a run linked to the twin; Location names it"},
    **error_responses(404, 409, 422, 429)})
def start_forecast(twin_id: str, body: ForecastRequest, response: Response, store: StoreDep, jobs: JobsDep,
                   settings: SettingsDep, data: DataDep):
    """Fork a forecast from the twin's present: its synchronised state (as GET state estimates it) is stored as a
    data set of kind state, and a run of the twin's scenario from that state and time over `horizon_s`, with the
    weather asked for, is queued like any other run (`GET /v1/runs/{id}`; its `twin_id` names the twin). 409 when
    the telemetry cannot give a state; 422 by field; 429 when the queue is full."""
    row = _twin(store, twin_id)
    with upload_slot(settings.max_concurrent_states, "state estimate"):
        state = twin_saved_state(store.twins, row, settings.max_state_steps)
    blob = (state.to_json() + "\n").encode()
    summary = summarize("state", blob, TableLimits())
    sha = write_blob(store.datasets_dir, blob)
    store.add_dataset(sha, "state", f"twin {twin_id[:12]} at {state.time.isoformat()}", len(blob), summary)
    overrides = _forecast_overrides(body, dataset_ref(sha), state.time.isoformat())
    scenario = resolve(None, json.loads(row["scenario_json"]), overrides, settings.max_steps_per_run,
                       data_access=data)
    request = {"twin_id": twin_id, "forecast": body.model_dump(), "state": dataset_ref(sha),
               "state_time": state.time.isoformat()}
    return queue_run(store, jobs, scenario, request, body.name or f"{row['name']} forecast", response,
                     twin_id=twin_id)


@router.get("/twins/{twin_id}/forecasts", response_model=ForecastList, responses=error_responses(404))
def list_forecasts(twin_id: str, store: StoreDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                   offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
    """The twin's forecasts, newest first: runs, as GET /v1/runs lists them."""
    _twin(store, twin_id)
    rows, total = store.list_runs(twin_id=twin_id, limit=limit, offset=offset)
    return {"forecasts": [summary(r) for r in rows], "total": total}
