"""The what-if API: ``create_app(settings)`` builds the FastAPI application.

At start-up (the lifespan) it opens the registry, starts the process pool (and the Dask client when configured),
and re-queues the runs a previous server left queued or running; at shutdown it stops the pool. Queued runs are
in the registry, so a restart picks them up again.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

import anyio
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api import errors
from api.calibrations import CalibrationRunner
from api.datasets import DatasetAccess
from api.jobs import JobManager
from api.routes import datasets, designs, health, runs, sweeps, twins, validations, views
from api.security import BodyLimit, TokenAuth
from api.settings import Settings
from api.store import RunStore

__all__ = ["create_app"]

log = logging.getLogger("seabed_twin.api")


def _version() -> str:
    try:
        return version("seabed-twin")
    except PackageNotFoundError:
        return "0+unknown"


DESCRIPTION = """
What-if runs of the seabed data-centre twin over HTTP. Submit a run (a design with overrides, or a whole scenario),
follow its progress, read its KPIs and series, compare runs and sweep a grid of overrides. Units are in every field's
description: SI inside, the unit in the field's name (`_w` watts, `_c` degrees Celsius, `_s` seconds, `_mwh`).
"""


def _warm_validation() -> None:
    from twin.scenario import design_names, load_scenario

    try:
        for name in design_names()[:1]:
            load_scenario(name)
    except Exception:  # a design that does not validate is reported when it is asked for
        pass


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        store = RunStore(settings.data_dir)
        jobs = JobManager(store, settings.workers, settings.max_queued_runs, settings.dask_scheduler_address,
                          settings.max_dataset_bytes)
        await anyio.to_thread.run_sync(jobs.start)
        app.state.store = store
        app.state.data_access = DatasetAccess(store.datasets_dir, store.db_path, settings.max_dataset_bytes)
        app.state.jobs = jobs
        calibrations = CalibrationRunner(store, settings.calibration_timeout_s, settings.max_calibration_runs,
                                         settings.max_dataset_bytes)
        interrupted = calibrations.recover()
        if interrupted:
            log.warning("%d calibration(s) were interrupted by the last shutdown; marked failed", len(interrupted))
        app.state.calibrations = calibrations
        requeued = store.recover(settings.requeue_interrupted)
        for run_id in requeued:
            row = store.get_run(run_id)
            jobs.submit(run_id, backend=row["backend"] if row else "local", reserved=False)
        if requeued:
            log.warning("re-queued %d run(s) interrupted by the last shutdown", len(requeued))
        app.state.started = time.monotonic()
        # the first scenario validation imports the physics models (seconds): do it now, beside the serving
        threading.Thread(target=_warm_validation, name="warm-validation", daemon=True).start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(calibrations.shutdown)
            await anyio.to_thread.run_sync(jobs.shutdown)

    app = FastAPI(title="seabed-twin what-if API", version=_version(), description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.version = _version()
    app.state.started = time.monotonic()
    errors.install(app)
    for module in (health, designs, datasets, runs, sweeps, views, validations, twins):
        app.include_router(module.router)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes,
                       upload_paths=("/v1/datasets", "/v1/twins/[^/]+/telemetry"),
                       upload_bytes=settings.max_dataset_bytes)
    if settings.token:
        app.add_middleware(TokenAuth, token=settings.token)

        def openapi():
            if app.openapi_schema is None:
                schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                     routes=app.routes)
                schema.setdefault("components", {})["securitySchemes"] = {
                    "bearer": {"type": "http", "scheme": "bearer"}}
                schema["security"] = [{"bearer": []}]
                app.openapi_schema = schema
            return app.openapi_schema

        app.openapi = openapi
    return app
