"""What the routes share about runs: look one up (404), ask that it has completed (409), register and queue one."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from api.errors import ApiError
from api.jobs import QueueFull
from api.store import DatasetGone, RunStore
from twin.scenario import Scenario
from twin.scenario.datafiles import data_fields, parse_dataset_ref

__all__ = ["get_row", "completed_row", "register_and_submit", "queue_run", "dataset_uses", "scenario_datasets",
           "summary", "detail"]


def dataset_uses(scenario: dict) -> list[dict]:
    """``[{field, id, kind}]``: the data sets a resolved scenario (JSON) names."""
    refs = data_fields(Scenario.model_validate(scenario))
    return [{"field": r.path, "id": parse_dataset_ref(r.value), "kind": r.kind} for r in refs
            if parse_dataset_ref(r.value)]


def scenario_datasets(scenario: dict) -> list[str]:
    """The SHA-256s of the data sets a resolved scenario (JSON) names."""
    return [u["id"] for u in dataset_uses(scenario)]


def get_row(store: RunStore, run_id: str) -> dict:
    row = store.get_run(run_id)
    if row is None:
        raise ApiError(404, f"no run {run_id!r}")
    return row


def completed_row(store: RunStore, run_id: str) -> dict:
    row = get_row(store, run_id)
    if row["status"] != "completed":
        raise ApiError(409, f"run {run_id} is {row['status']}; its results are there once it has completed")
    return row


def register_and_submit(store: RunStore, jobs, scenario: dict, request: dict, name: str, backend: str = "local",
                        sweep_id: str | None = None, index: int | None = None, point: dict | None = None,
                        reserved: bool = False, twin_id: str | None = None) -> str:
    """Register a queued run and hand it to the job manager (room must already be reserved); ``twin_id``: the
    twin it forecasts for."""
    run_id = uuid.uuid4().hex
    try:
        store.create_run(run_id, name, scenario, request, backend=backend, sweep_id=sweep_id, sweep_index=index,
                         point=point, datasets=scenario_datasets(scenario), twin_id=twin_id)
    except DatasetGone as exc:
        raise ApiError(409, f"data set(s) removed while the run was submitted: {exc}") from None
    jobs.submit(run_id, backend=backend, reserved=reserved)
    return run_id


def queue_run(store: RunStore, jobs, scenario: dict, request: dict, name: str, response,
              twin_id: str | None = None) -> dict:
    """Reserve room in the queue (429 with Retry-After when full), register and queue one run, point the response's
    ``Location`` at it and return its detail: what ``POST /v1/runs`` and a twin's forecast both do."""
    try:
        jobs.reserve(1)
    except QueueFull as exc:
        raise ApiError(429, str(exc), headers={"Retry-After": "5"}) from None
    try:
        run_id = register_and_submit(store, jobs, scenario, request, name, reserved=True, twin_id=twin_id)
    except BaseException:
        jobs.release(1)
        raise
    response.headers["Location"] = f"/v1/runs/{run_id}"
    return detail(store.get_run(run_id))


def _time(t: float | None) -> dt.datetime | None:
    return None if t is None else dt.datetime.fromtimestamp(t, dt.timezone.utc)


def summary(row: dict) -> dict:
    rid = row["id"]
    started, finished, created = row.get("started_at"), row.get("finished_at"), row["created_at"]
    engine = json.loads(row["timings_json"]) if row.get("timings_json") else {}
    return {
        "id": rid, "name": row["name"], "status": row["status"], "progress": row["progress"],
        "scenario_hash": row["scenario_hash"], "backend": row["backend"],
        "timings": {
            "created_at": _time(created), "started_at": _time(started), "finished_at": _time(finished),
            "queue_wait_s": started - created if started is not None else None,
            "run_s": finished - started if (finished is not None and started is not None) else None,
            "engine": engine,
        },
        "error": row.get("error"), "note": row.get("note"), "attempts": row["attempts"],
        "interruptions": row["interruptions"], "sweep_id": row.get("sweep_id"), "twin_id": row.get("twin_id"),
        "links": {"self": f"/v1/runs/{rid}", "events": f"/v1/runs/{rid}/events", "kpis": f"/v1/runs/{rid}/kpis",
                  "timeseries": f"/v1/runs/{rid}/timeseries",
                  **({"twin": f"/v1/twins/{row['twin_id']}"} if row.get("twin_id") else {})},
    }


def detail(row: dict, cached: bool = False) -> dict:
    return {**summary(row), "cached": cached, "request": json.loads(row["request_json"]),
            "scenario": json.loads(row["scenario_json"]),
            "artifacts": json.loads(row["artifacts_json"]) if row.get("artifacts_json") else {},
            "datasets": dataset_uses(json.loads(row["scenario_json"]))}
