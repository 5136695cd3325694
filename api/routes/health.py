"""Liveness: answered from memory, never waiting on the registry or the workers."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request

from api.errors import error_responses
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, responses=error_responses())
async def healthz(request: Request):
    """The server is up; how busy its pool is."""
    state = request.app.state
    jobs = state.jobs
    return {"status": "ok", "version": state.version, "workers": jobs.workers, "active_runs": jobs.active,
            "capacity": jobs.workers + jobs.max_queued, "sweep_backend": jobs.sweep_backend,
            "uptime_s": time.monotonic() - state.started}
