"""What the routes share about runs: look one up (404), ask that it has completed (409), register and queue one."""

from __future__ import annotations

import uuid

from api.errors import ApiError
from api.store import DatasetGone, RunStore
from twin.scenario import Scenario
from twin.scenario.datafiles import data_fields, parse_dataset_ref

__all__ = ["get_row", "completed_row", "register_and_submit", "dataset_uses", "scenario_datasets"]


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
                        reserved: bool = False) -> str:
    """Register a queued run and hand it to the job manager (room must already be reserved)."""
    run_id = uuid.uuid4().hex
    try:
        store.create_run(run_id, name, scenario, request, backend=backend, sweep_id=sweep_id, sweep_index=index,
                         point=point, datasets=scenario_datasets(scenario))
    except DatasetGone as exc:
        raise ApiError(409, f"data set(s) removed while the run was submitted: {exc}") from None
    jobs.submit(run_id, backend=backend, reserved=reserved)
    return run_id
