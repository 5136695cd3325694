"""Design validations: a design against design rules over stress cases, each case an ordinary run.

``POST /v1/validations`` checks the rules, the cases and every case's scenario (in a worker process: a series rule's
columns are read off a one-step run, and a lowest-wind case searches its weeks there), registers one run per case
through the pool and answers 202. ``GET /v1/validations/{id}`` judges the rules once every case's run has finished,
as JSON, Markdown or JUnit XML. A validation is a small JSON file in ``<data>/validations/``; its runs are in the
registry like any other.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import json
import multiprocessing
import os
import time
import uuid
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Query, Request, Response

from api.deps import DataDep, JobsDep, SettingsDep, StoreDep
from api.errors import ApiError, error_responses
from api.jobs import QueueFull
from api.resolve import base_mapping
from api.runs import register_and_submit
from api.schemas import ValidationDetail, ValidationRequest
from api.store import TERMINAL
from twin.sim.results import RunResult

router = APIRouter(prefix="/v1", tags=["validations"])


def _shipped(value, what: str):
    """A shipped set's name becomes its path; a mapping passes; nothing else (no server file is read by name)."""
    from twin.scenario import design_dir

    if not isinstance(value, str):
        return value
    folder = design_dir() / "validation"
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    if value not in names:
        raise ApiError(422, f"no shipped {what} set {value!r}", [
            {"field": what, "reason": f"unknown shipped set {value!r}; shipped: {', '.join(names)}"}])
    return str(folder / f"{value}.yaml")


def plan_in_worker(base: dict, rules, cases, overrides: list[str], max_steps: int, data) -> dict:
    """Runs in a worker process: twin.studies.validate.plan, the data files through the server's data sets."""
    from twin.studies.validate import plan

    return plan(base, rules, cases, overrides, max_steps, data_access=data)


def _plan_in_subprocess(base: dict, rules, cases, overrides: list[str], max_steps: int, data) -> dict:
    """The plan in a fresh spawned process (one-step probe runs and the wind search stay out of the server)."""
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(plan_in_worker, base, rules, cases, overrides, max_steps, data).result()


def _folder(store) -> "os.PathLike":
    path = store.data_dir / "validations"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _save(store, record: dict) -> None:
    path = _folder(store) / f"{record['id']}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record))
    tmp.replace(path)


def _load(store, vid: str) -> dict:
    if not vid.isalnum():
        raise ApiError(404, f"no validation {vid!r}")
    path = _folder(store) / f"{vid}.json"
    if not path.is_file():
        raise ApiError(404, f"no validation {vid!r}")
    return json.loads(path.read_text())


@router.post("/validations", status_code=202, response_model=ValidationDetail, responses={
    202: {"description": "Accepted: every case is queued as a run; Location names the validation"},
    **error_responses(404, 413, 422, 429)})
async def submit_validation(body: ValidationRequest, request: Request, response: Response, store: StoreDep,
                            jobs: JobsDep, settings: SettingsDep, data: DataDep):
    """Validate a design: every rule and case is checked before any run (422 naming the field); then one run per
    case. A case set with a lowest-wind week makes this answer wait for the search (seconds to a minute)."""
    base = base_mapping(body.design, body.scenario)
    rules, cases = _shipped(body.rules, "rules"), _shipped(body.cases, "cases")
    planned = await anyio.to_thread.run_sync(_plan_in_subprocess, base, rules, cases, list(body.overrides),
                                             settings.max_steps_per_run, data)
    if "problems" in planned:
        n = len(planned["problems"])
        what = {"validation": "the validation has", "scenario": "the scenario has",
                "limit": "a case is beyond this server's limit:"}[planned["kind"]]
        raise ApiError(422, f"{what} {n} problem{'s' if n != 1 else ''}", planned["problems"])
    to_run = [r for r in planned["runs"] if r["status"] == "pending"]
    try:
        jobs.reserve(len(to_run))
    except QueueFull as exc:
        raise ApiError(429, str(exc), headers={"Retry-After": "10"}) from None
    vid = uuid.uuid4().hex
    req = {"design": body.design, "overrides": body.overrides, "name": body.name,
           "scenario_given": body.scenario is not None, "validation_id": vid}
    submitted = 0
    try:
        for r in to_run:
            name = f"{body.name or planned['design']} [validation {r['case']}]"
            r["run_id"] = await anyio.to_thread.run_sync(
                lambda r=r, name=name: register_and_submit(store, jobs, r["scenario"], {**req, "case": r["case"]},
                                                           name, backend=jobs.sweep_backend, reserved=True))
            submitted += 1
    finally:
        jobs.release(len(to_run) - submitted)
    record = {"id": vid, "name": body.name, "created_at": time.time(), "request": req, "plan": planned}
    _save(store, record)
    response.headers["Location"] = f"/v1/validations/{vid}"
    return await anyio.to_thread.run_sync(_detail, store, record)


def _outcome(store, row: dict | None, specs: list[dict]) -> dict:
    from twin.studies.rules import series_statistic

    if row is None:
        return {"status": "failed", "error": "the run was removed"}
    if row["status"] != "completed":
        return {"status": "failed", "error": row.get("error") or row["status"]}
    kpis = json.loads(row["kpis_json"]) if row.get("kpis_json") else {}
    series = []
    if specs:
        cols = sorted({s["column"] for s in specs})
        frame = RunResult.load(store.run_dir(row["id"]), columns=cols).series
        step_s = json.loads(row["scenario_json"])["run"]["step_s"]
        series = [series_statistic(frame, float(step_s), s) for s in specs]
    classes = RunResult.load(store.run_dir(row["id"]), columns=[]).classes
    timings = json.loads(row["timings_json"]) if row.get("timings_json") else {}
    return {"status": "completed", "kpis": kpis, "classes": classes, "series": series,
            "wall_s": timings.get("worker_s")}


def _report(store, record: dict):
    """The judged report once every case's run has finished; None before."""
    from twin.studies.validate import report_from_plan

    planned = record["plan"]
    rows = {r["case"]: store.get_run(r["run_id"]) for r in planned["runs"] if r.get("run_id")}
    if any(row is not None and row["status"] not in TERMINAL for row in rows.values()):
        return None, rows
    outcomes = {case: _outcome(store, row, next(r["series_specs"] for r in planned["runs"] if r["case"] == case))
                for case, row in rows.items()}
    return report_from_plan(planned, outcomes, backend="api"), rows


def _detail(store, record: dict) -> dict:
    rep, rows = _report(store, record)
    planned = record["plan"]
    cases = []
    for r in planned["runs"]:
        row = rows.get(r["case"])
        status = r["status"] if r["status"] != "pending" else (row["status"] if row else "failed")
        cases.append({"name": r["case"], "run_id": r.get("run_id"), "status": status, "note": r["note"],
                      "error": (row.get("error") if row else r["error"]) if status != "skipped" else None,
                      "description": next((c["description"] for c in planned["cases"]["cases"]
                                           if c["name"] == r["case"]), "")})
    active = any(c["status"] in ("queued", "running") for c in cases)
    out = {"id": record["id"], "name": record["name"], "design": planned["design"],
           "created_at": dt.datetime.fromtimestamp(record["created_at"], dt.timezone.utc), "cases": cases,
           "status": ("running" if any(c["status"] == "running" for c in cases) else "queued") if active
           else "completed", "passed": None, "counts": {}, "results": []}
    if rep is not None:
        d = rep.to_dict()
        out.update(passed=rep.passed, counts=d["counts"], results=d["results"])
    return out


@router.get("/validations/{validation_id}", response_model=ValidationDetail, responses={
    200: {"description": "Status, and once completed the report: JSON, Markdown or JUnit XML",
          "content": {"text/markdown": {"schema": {"type": "string"}},
                      "application/xml": {"schema": {"type": "string"}}}},
    **error_responses(404, 409)})
def get_validation(validation_id: str, store: StoreDep,
                   format: Annotated[Literal["json", "md", "junit"], Query(description="Report format")] = "json"):
    """A validation's status and, once every case has finished, each rule's figure, limit and pass or fail."""
    record = _load(store, validation_id)
    if format == "json":
        return _detail(store, record)
    rep, _ = _report(store, record)
    if rep is None:
        raise ApiError(409, f"validation {validation_id} is still running; its report is there once every case "
                       "has finished")
    if format == "md":
        return Response(rep.to_markdown().encode(), media_type="text/markdown")
    return Response(rep.to_junit().encode(), media_type="application/xml")
