"""What the routes share about runs: look one up (404), ask that it has completed (409), register and queue one."""

from __future__ import annotations

import uuid

from api.errors import ApiError
from api.store import RunStore

__all__ = ["get_row", "completed_row", "register_and_submit"]


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
    store.create_run(run_id, name, scenario, request, backend=backend, sweep_id=sweep_id, sweep_index=index,
                     point=point)
    jobs.submit(run_id, backend=backend, reserved=reserved)
    return run_id
