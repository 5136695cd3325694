"""Runs: submit, list, status, cancel or remove, progress events, KPIs, time series; and comparisons."""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from api import series as ts
from api.deps import DataDep, JobsDep, SettingsDep, StoreDep
from api.errors import ApiError, error_responses
from api.resolve import resolve
from api.runs import completed_row, detail, get_row, queue_run, summary
from api.schemas import (
    Comparison,
    Kpis,
    RunDetail,
    RunList,
    RunRequest,
    RunStatus,
    SeriesJson,
)
from api.store import TERMINAL, scenario_hash
from twin.sim.kpis import KPI_UNITS
from twin.sim.results import RunResult

router = APIRouter(prefix="/v1", tags=["runs"])

@router.post("/runs", status_code=202, response_model=RunDetail, responses={
    200: {"model": RunDetail, "description": "cache: an earlier completed run of the identical scenario"},
    202: {"description": "Accepted: the run is queued; Location names it"}, **error_responses(404, 413, 422, 429)})
def submit_run(body: RunRequest, response: Response, store: StoreDep, jobs: JobsDep, settings: SettingsDep,
               data: DataDep):
    """Submit a what-if run. The resolved scenario is stored and echoed back; poll `Location` or follow its events."""
    scenario = resolve(body.design, body.scenario, body.overrides, settings.max_steps_per_run,
                       data_access=data)
    request = {"design": body.design, "overrides": body.overrides, "name": body.name, "cache": body.cache,
               "scenario_given": body.scenario is not None}
    if body.cache:
        hit = store.find_completed(scenario_hash(scenario))
        if hit is not None:
            response.status_code = 200
            response.headers["Location"] = f"/v1/runs/{hit['id']}"
            return detail(hit, cached=True)
    return queue_run(store, jobs, scenario, request, body.name or scenario["name"], response)


@router.get("/runs", response_model=RunList, responses=error_responses(422))
def list_runs(store: StoreDep, status: RunStatus | None = None, sweep_id: Annotated[str | None, Query(
        max_length=64)] = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
    """Runs, newest first, without their scenarios."""
    rows, total = store.list_runs(status=status, sweep_id=sweep_id, limit=limit, offset=offset)
    return {"runs": [summary(r) for r in rows], "total": total}


@router.get("/runs/{run_id}", response_model=RunDetail, responses=error_responses(404))
def get_run(run_id: str, store: StoreDep):
    """Status, progress [-], timings [s], error, the request and the resolved scenario."""
    return detail(get_row(store, run_id))


@router.delete("/runs/{run_id}", status_code=200, response_model=RunDetail, responses={
    200: {"description": "The run was queued or running and is now cancelled"},
    204: {"description": "The finished run and its files were removed"}, **error_responses(404)})
def delete_run(run_id: str, store: StoreDep, jobs: JobsDep):
    """Cancel a queued or running run (200); remove a finished one with its files (204)."""
    get_row(store, run_id)
    if store.cancel(run_id):
        jobs.cancel(run_id)
        return detail(get_row(store, run_id))
    if store.delete_run(run_id):
        return Response(status_code=204)
    raise ApiError(404, f"no run {run_id!r}")


@router.get("/runs/{run_id}/events", responses={
    200: {"description": "Server-sent events: `progress` on every change, then one of `completed`, `failed`, "
                         "`cancelled` (or `deleted`), then the stream ends. Data is JSON: id, status, progress [-], "
                         "error.",
          "content": {"text/event-stream": {"schema": {"type": "string"}}}}, **error_responses(404)})
async def run_events(run_id: str, request: Request, store: StoreDep, settings: SettingsDep):
    """Follow a run's progress as server-sent events until it finishes."""
    row = await anyio.to_thread.run_sync(store.get_run, run_id)
    if row is None:
        raise ApiError(404, f"no run {run_id!r}")
    poll = settings.sse_poll_s

    async def stream():
        last = None
        n = 0
        quiet_since = time.monotonic()
        current = row
        yield "retry: 1000\n\n"
        while True:
            if current is None:
                yield f"event: deleted\ndata: {json.dumps({'id': run_id, 'status': 'deleted'})}\n\n"
                return
            state = (current["status"], round(current["progress"], 4))
            data = json.dumps({"id": run_id, "status": current["status"], "progress": current["progress"],
                               "error": current.get("error")})
            if state != last:
                n += 1
                last = state
                quiet_since = time.monotonic()
                yield f"id: {n}\nevent: progress\ndata: {data}\n\n"
            if current["status"] in TERMINAL:
                yield f"id: {n + 1}\nevent: {current['status']}\ndata: {data}\n\n"
                return
            if time.monotonic() - quiet_since > 15.0:
                quiet_since = time.monotonic()
                yield ": keep-alive\n\n"
            if await request.is_disconnected():
                return
            await asyncio.sleep(poll)
            current = await anyio.to_thread.run_sync(store.get_run, run_id)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _finite(v):
    return v if not (isinstance(v, float) and not math.isfinite(v)) else None


@router.get("/runs/{run_id}/kpis", response_model=Kpis, responses=error_responses(404, 409))
def run_kpis(run_id: str, store: StoreDep):
    """The KPIs of a completed run with their units."""
    row = completed_row(store, run_id)
    kpis = {k: _finite(v) for k, v in json.loads(row["kpis_json"]).items()}
    classes = {c: {k: _finite(v) for k, v in vals.items()}
               for c, vals in RunResult.load(store.run_dir(run_id), columns=[]).classes.items()}
    return {"run_id": run_id, "kpis": kpis, "units": {k: KPI_UNITS.get(k, "-") for k in kpis}, "classes": classes}


@router.get("/runs/{run_id}/timeseries", response_model=SeriesJson, responses={
    200: {"description": "The series as JSON, CSV (first column `time`) or Parquet",
          "content": {"text/csv": {"schema": {"type": "string"}},
                      "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}}}},
    **error_responses(404, 406, 409, 422)})
def run_timeseries(
        run_id: str, store: StoreDep, settings: SettingsDep,
        vars: Annotated[str | None, Query(max_length=10_000, description="Comma-separated column names; default all")]
        = None,
        start: Annotated[str | None, Query(max_length=64, description="ISO 8601 time; no offset: the run's")] = None,
        end: Annotated[str | None, Query(max_length=64, description="ISO 8601 time, inclusive")] = None,
        resample: Annotated[str | None, Query(max_length=32, description="Bin width, e.g. 1h, 15min, 1d, 3600 "
                                                                          "(seconds); bins hold means")] = None,
        format: Annotated[Literal["json", "csv", "parquet"] | None, Query(
            description="Overrides Accept")] = None,
        accept: Annotated[str | None, Header(include_in_schema=False)] = None):
    """A completed run's series: powers are step means [W], temperatures [C]; units by the name's suffix."""
    row = completed_row(store, run_id)
    fmt = ts.choose_format(format, accept)
    step_s = float(json.loads(row["scenario_json"])["run"]["step_s"])
    frame, rule = ts.select(RunResult.load(store.run_dir(run_id)).series, step_s, vars, start, end, resample,
                            None if fmt == "parquet" else settings.max_table_cells)
    if fmt == "csv":
        return Response(ts.to_csv(frame), media_type="text/csv",
                        headers={"Content-Disposition": f'inline; filename="{run_id}.csv"'})
    if fmt == "parquet":
        return Response(ts.to_parquet(frame), media_type=ts.MEDIA_TYPES["parquet"],
                        headers={"Content-Disposition": f'attachment; filename="{run_id}.parquet"'})
    return ts.to_json(run_id, frame, rule)


@router.get("/compare", response_model=Comparison, tags=["compare"], responses=error_responses(404, 409, 422))
def compare(store: StoreDep, ids: Annotated[str, Query(
        max_length=5000, description="Comma-separated run ids, 2 to 50; the first is the baseline")]):
    """KPIs of completed runs side by side, with differences from the first."""
    wanted = [i.strip() for i in ids.split(",") if i.strip()]
    if not 2 <= len(wanted) <= 50 or len(set(wanted)) != len(wanted):
        raise ApiError(422, "bad ids", [{"field": "query.ids", "reason": "give 2 to 50 distinct run ids"}])
    rows = {}
    missing = []
    for rid in wanted:
        row = store.get_run(rid)
        if row is None:
            missing.append(rid)
        else:
            rows[rid] = row
    if missing:
        raise ApiError(404, f"no run(s) {', '.join(missing)}")
    pending = [f"{rid} ({rows[rid]['status']})" for rid in wanted if rows[rid]["status"] != "completed"]
    if pending:
        raise ApiError(409, f"not completed: {', '.join(pending)}")
    values = {rid: json.loads(rows[rid]["kpis_json"]) for rid in wanted}
    base = wanted[0]
    names = list(dict.fromkeys(k for rid in wanted for k in values[rid]))
    table = {}
    for k in names:
        vals = {rid: _finite(values[rid].get(k)) for rid in wanted}
        b = vals[base]
        diffs, rel = {}, {}
        for rid, v in vals.items():
            ok = isinstance(v, (int, float)) and isinstance(b, (int, float))
            diffs[rid] = _finite(float(v - b)) if ok else None
            rel[rid] = _finite(float((v - b) / abs(b))) if ok and b != 0 else None
        table[k] = {"unit": KPI_UNITS.get(k, "-"), "values": vals, "differences": diffs, "relative_differences": rel}
    return {"ids": wanted, "baseline": base, "kpis": table}
