"""Sweeps: a base scenario times a grid of overrides, each point a run; status and the result table."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import uuid
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, Header, Query, Response

from api import series as ts
from api.deps import DataDep, JobsDep, SettingsDep, StoreDep
from api.errors import ApiError, error_responses
from api.jobs import QueueFull
from api.resolve import override_item, resolve
from api.runs import register_and_submit
from api.schemas import SweepDetail, SweepList, SweepRequest
from api.store import scenario_hash

router = APIRouter(prefix="/v1", tags=["sweeps"])

MAX_PROBLEMS = 100


def _finite(v):
    return None if isinstance(v, float) and not math.isfinite(v) else v


@router.post("/sweeps", status_code=202, response_model=SweepDetail, responses={
    202: {"description": "Accepted: every point is queued; Location names the sweep"},
    **error_responses(404, 413, 422, 429)})
def submit_sweep(body: SweepRequest, response: Response, store: StoreDep, jobs: JobsDep, settings: SettingsDep,
                 data: DataDep):
    """Run every combination of the grid's values on the base scenario (on Dask when a scheduler is configured)."""
    paths = list(body.grid)
    size = math.prod(len(v) for v in body.grid.values())
    if size > settings.max_sweep_points:
        raise ApiError(422, "sweep too large", [{"field": "grid", "reason": f"{size} points is more than this "
                                                f"server's limit of {settings.max_sweep_points}"}])
    resolve(body.design, body.scenario, body.overrides, settings.max_steps_per_run, data_access=data)  # base first
    points, scenarios, problems = [], [], []
    for i, values in enumerate(itertools.product(*body.grid.values())):
        point = dict(zip(paths, values))
        extra = [override_item(p, v) for p, v in point.items()]
        try:
            scenarios.append(resolve(body.design, body.scenario, body.overrides, settings.max_steps_per_run, extra,
                                     data_access=data))
        except ApiError as exc:
            label = ", ".join(extra)
            problems += [{"field": p["field"], "reason": f"grid point {i} ({label}): {p['reason']}"}
                         for p in exc.problems] or [{"field": "grid", "reason": f"grid point {i}: {exc.detail}"}]
            if len(problems) >= MAX_PROBLEMS:
                break
        points.append(point)
    if problems:
        raise ApiError(422, f"{len(problems)} problem(s) in the sweep's points", problems[:MAX_PROBLEMS])
    backend = jobs.sweep_backend
    sweep_id = uuid.uuid4().hex
    request = {"design": body.design, "overrides": body.overrides, "grid": body.grid, "name": body.name,
               "cache": body.cache, "scenario_given": body.scenario is not None}
    reuse: dict[int, str] = {}
    if body.cache:
        for i, sc in enumerate(scenarios):
            hit = store.find_completed(scenario_hash(sc))
            if hit is not None:
                reuse[i] = hit["id"]
    fresh = size - len(reuse)
    try:
        jobs.reserve(fresh)
    except QueueFull as exc:
        raise ApiError(429, str(exc), headers={"Retry-After": "10"}) from None
    table = []
    submitted = 0
    try:
        for i, (point, sc) in enumerate(zip(points, scenarios)):
            if i in reuse:
                run_id = reuse[i]
            else:
                name = f"{body.name or sc['name']} [{i}]"
                run_id = register_and_submit(store, jobs, sc, {**request, "grid_point": point}, name,
                                             backend=backend, sweep_id=sweep_id, index=i, point=point, reserved=True)
                submitted += 1
            table.append({"index": i, "run_id": run_id, "point": point})
    finally:
        jobs.release(fresh - submitted)
    store.create_sweep(sweep_id, backend, request, table)
    response.headers["Location"] = f"/v1/sweeps/{sweep_id}"
    return _detail(store, store.get_sweep(sweep_id))


def _detail(store, sweep: dict) -> dict:
    points = json.loads(sweep["points_json"])
    runs = store.runs_by_ids([p["run_id"] for p in points])
    results, counts = [], {}
    for p in points:
        r = runs.get(p["run_id"])
        status = r["status"] if r else "cancelled"
        counts[status] = counts.get(status, 0) + 1
        kpis = json.loads(r["kpis_json"]) if r and r["kpis_json"] else None
        results.append({
            "index": p["index"], "run_id": p["run_id"], "point": p["point"], "status": status,
            "progress": r["progress"] if r else 0.0,
            "error": (r["error"] if r else "the run was removed"),
            "kpis": {k: _finite(v) for k, v in kpis.items()} if kpis else None})
    n = len(points)
    if counts.get("completed", 0) == n:
        status = "completed"
    elif counts.get("queued", 0) == n:
        status = "queued"
    elif counts.get("queued", 0) + counts.get("running", 0) > 0:
        status = "running"
    elif counts.get("failed", 0) == n:
        status = "failed"
    elif counts.get("cancelled", 0) == n:
        status = "cancelled"
    else:
        status = "partial"
    request = json.loads(sweep["request_json"])
    return {"id": sweep["id"], "name": request.get("name"), "status": status, "backend": sweep["backend"], "size": n,
            "counts": counts, "progress": sum(r["progress"] for r in results) / n if n else 1.0,
            "created_at": dt.datetime.fromtimestamp(sweep["created_at"], dt.timezone.utc), "request": request,
            "results": results}


def _get(store, sweep_id: str) -> dict:
    sweep = store.get_sweep(sweep_id)
    if sweep is None:
        raise ApiError(404, f"no sweep {sweep_id!r}")
    return sweep


@router.get("/sweeps", response_model=SweepList, responses=error_responses(422))
def list_sweeps(store: StoreDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
    """Sweeps, newest first."""
    rows, total = store.list_sweeps(limit, offset)
    return {"sweeps": [{"id": r["id"], "name": json.loads(r["request_json"]).get("name"), "backend": r["backend"],
                        "size": r["size"],
                        "created_at": dt.datetime.fromtimestamp(r["created_at"], dt.timezone.utc)} for r in rows],
            "total": total}


@router.get("/sweeps/{sweep_id}", response_model=SweepDetail, responses={
    200: {"description": "Status and the result table (one row per point) as JSON, CSV or Parquet",
          "content": {"text/csv": {"schema": {"type": "string"}},
                      "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}}}},
    **error_responses(404, 406)})
def get_sweep(sweep_id: str, store: StoreDep,
              format: Annotated[Literal["json", "csv", "parquet"] | None, Query(description="Overrides Accept")]
              = None,
              accept: Annotated[str | None, Header(include_in_schema=False)] = None):
    """A sweep's status and result table: the grid values and KPIs of each point (units: see /v1/runs/{id}/kpis)."""
    sweep = _get(store, sweep_id)
    fmt = ts.choose_format(format, accept)
    out = _detail(store, sweep)
    if fmt == "json":
        return out
    rows = []
    for r in out["results"]:
        row = {"index": r["index"], "run_id": r["run_id"], "status": r["status"], "error": r["error"]}
        for k, v in r["point"].items():
            row[k] = v if isinstance(v, (int, float, str, bool)) or v is None else json.dumps(v)
        row.update(r["kpis"] or {})
        rows.append(row)
    frame = pd.DataFrame(rows).set_index("index")
    for c in frame.columns:  # mixed types in a column (grid values) are written as text
        if frame[c].dtype == object:
            frame[c] = frame[c].map(lambda v: None if v is None else str(v))
    if fmt == "csv":
        return Response(frame.to_csv().encode(), media_type="text/csv")
    return Response(ts.to_parquet(frame), media_type=ts.MEDIA_TYPES["parquet"])


@router.delete("/sweeps/{sweep_id}", response_model=SweepDetail, responses=error_responses(404))
def cancel_sweep(sweep_id: str, store: StoreDep, jobs: JobsDep):
    """Cancel every queued or running point of a sweep; finished points are kept."""
    sweep = _get(store, sweep_id)
    for p in json.loads(sweep["points_json"]):
        if store.cancel(p["run_id"]):
            jobs.cancel(p["run_id"])
    return _detail(store, sweep)
