"""Where runs execute: a process pool created at start-up, or a Dask cluster for sweeps.

Nothing here runs a simulation in the server's process. The pool's workers are spawned (not forked) and open the
registry themselves: a worker marks its run running, writes progress every 2 % (and reads, at the same time,
whether the run is still wanted: a cancel or a newer attempt makes it stop at once), saves the run's files into a
temporary folder that is renamed into place, and marks the run completed. A worker notices when the server that
started it has died (its parent process id changes) and stops.

On a Dask cluster the worker cannot be assumed to see the data folder: it returns the KPIs, ledger and the series
as Parquet bytes, and the server writes them. Dask runs report progress only when they finish.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import logging
import multiprocessing
import os
import shutil
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from api.store import RunStore

__all__ = ["JobManager", "QueueFull", "execute_run", "execute_remote"]

log = logging.getLogger("seabed_twin.api")

PROGRESS_STEP = 0.02
"""A worker writes progress when it has moved on by this much [-]."""


class QueueFull(Exception):
    """No room for more runs: the queue is at its limit."""


class _Stop(Exception):
    """The run is no longer wanted (cancelled, superseded) or the server died."""


# ----------------------------------------------------------------------------------------------- worker side


WORKER_NICENESS = 10
"""Workers run at a lower CPU priority than the server, so the API answers at once while every core simulates."""


def _init_worker() -> None:
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        pass


def _warm() -> int:
    """Import the engine in a fresh worker so the first run does not pay for it."""
    import twin.sim.engine  # noqa: F401

    return os.getpid()


def execute_run(data_dir: str, run_id: str, attempt: int, parent_pid: int, max_dataset_bytes: int = 1 << 31) -> str:
    """Run one attempt of a registered run in a pool worker; the outcome is written to the registry. The run reads
    only the data sets its scenario names, from the data folder (``api.datasets.DatasetAccess``)."""
    from api.datasets import DatasetAccess
    from twin.scenario import ScenarioError, scenario_from_dict
    from twin.sim.engine import simulate

    if os.getppid() != parent_pid:  # the server died while this call waited in the pool's queue
        return "stopped"
    store = RunStore(data_dir, create=False)
    row = store.get_run(run_id)
    if row is None or not store.mark_running(run_id, attempt):
        return "skipped"
    last = [0.0]

    def progress(fraction: float) -> None:
        if os.getppid() != parent_pid:
            raise _Stop("server died")
        if fraction - last[0] >= PROGRESS_STEP or fraction >= 1.0:
            last[0] = fraction
            if not store.set_progress(run_id, attempt, fraction):
                raise _Stop("no longer wanted")

    t0 = time.time()
    try:
        access = DatasetAccess(store.datasets_dir, store.db_path, max_dataset_bytes)
        scenario = scenario_from_dict(json.loads(row["scenario_json"]), data_access=access)
        result = simulate(scenario, progress=progress, data_access=access)
    except _Stop:
        return "stopped"
    except ScenarioError as exc:
        store.mark_failed(run_id, attempt, str(exc))
        return "failed"
    except Exception as exc:  # the run failed; the worker lives on
        store.mark_failed(run_id, attempt, f"{type(exc).__name__}: {exc}")
        return "failed"
    run_s = time.time() - t0
    final = store.run_dir(run_id)
    tmp = final.with_name(f".{run_id}.attempt{attempt}")
    shutil.rmtree(tmp, ignore_errors=True)
    paths = result.save(tmp)
    if final.exists():  # left by an attempt that died between rename and registry update
        shutil.rmtree(final)
    tmp.rename(final)
    artifacts = {name: str(Path(p).name) for name, p in paths.items()}
    timings = {**{k: float(v) for k, v in result.timings.items()}, "worker_s": run_s}
    if not store.mark_completed(run_id, attempt, result.kpis, artifacts, timings):
        # cancelled while saving, or superseded by a newer attempt: this attempt's files must not stand
        if store.get_run(run_id) is None or store.get_run(run_id)["status"] != "completed":
            shutil.rmtree(final, ignore_errors=True)
        return "stopped"
    return "completed"


def execute_remote(scenario_json: str, data=None) -> dict:
    """Run a scenario on a Dask worker; return what the server needs to store it: the run's files as
    ``RunResult.save`` writes them (``{artifact: (file name, bytes)}``), its KPIs and timings. ``data`` holds the
    data sets the scenario names, as bytes (``twin.scenario.datafiles.InlineDatasets``): the worker may not see
    the server's data folder."""
    import tempfile

    from twin.scenario import scenario_from_dict
    from twin.sim.engine import simulate

    t0 = time.time()
    from twin.scenario.datafiles import InlineDatasets

    data = data if data is not None else InlineDatasets()
    result = simulate(scenario_from_dict(json.loads(scenario_json), data_access=data), data_access=data)
    with tempfile.TemporaryDirectory() as d:
        files = {name: (Path(p).name, Path(p).read_bytes()) for name, p in result.save(d).items()}
    return {"kpis": result.kpis, "files": files,
            "timings": {**{k: float(v) for k, v in result.timings.items()}, "worker_s": time.time() - t0}}


# ----------------------------------------------------------------------------------------------- server side


class JobManager:
    """Owns the process pool (and the Dask client, when configured) and the bounded queue of active runs."""

    def __init__(self, store: RunStore, workers: int, max_queued: int, dask_address: str | None = None,
                 max_dataset_bytes: int = 1 << 31):
        self.store = store
        self.max_dataset_bytes = max_dataset_bytes
        self.workers = workers
        self.max_queued = max_queued
        self.dask_address = dask_address
        self.dask_client = None
        self._pool: cf.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._active: dict[str, object] = {}  # run id -> its future (concurrent or Dask)
        self._reserved = 0
        self._closing = False

    # --- life cycle

    def start(self) -> None:
        self._pool = self._new_pool()
        if self.dask_address:
            try:
                from distributed import Client

                self.dask_client = Client(self.dask_address, timeout=10, set_as_default=False)
                log.info("sweeps run on the Dask scheduler at %s", self.dask_address)
            except Exception as exc:  # missing package or unreachable scheduler: the local pool serves
                log.warning("cannot use the Dask scheduler at %s (%s); sweeps use the local pool",
                            self.dask_address, exc)
                self.dask_client = None

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        pool = cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                      initializer=_init_worker)
        for _ in range(self.workers):  # spawn every worker now; they import the engine while the server starts
            pool.submit(_warm)
        return pool

    def shutdown(self) -> None:
        with self._lock:
            self._closing = True
            pool, self._pool = self._pool, None
        if pool is not None:
            # runs still executing stay 'running' in the registry and are re-queued by the next start
            procs = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in procs:
                if proc.is_alive():
                    proc.terminate()
            for proc in procs:
                proc.join(5)
            pool.shutdown(wait=True)
        if self.dask_client is not None:
            try:
                self.dask_client.close(timeout=5)
            except Exception:
                pass

    @property
    def sweep_backend(self) -> str:
        return "dask" if self.dask_client is not None else "local"

    # --- the bounded queue

    @property
    def active(self) -> int:
        with self._lock:
            return len(self._active)

    def reserve(self, n: int = 1) -> None:
        """Hold room for ``n`` runs about to be registered, or raise QueueFull."""
        with self._lock:
            if len(self._active) + self._reserved + n > self.workers + self.max_queued:
                raise QueueFull(f"the queue is full ({len(self._active)} runs active, limit "
                                f"{self.workers + self.max_queued}); retry later")
            self._reserved += n

    def release(self, n: int = 1) -> None:
        with self._lock:
            self._reserved = max(0, self._reserved - n)

    # --- submission

    def submit(self, run_id: str, backend: str = "local", reserved: bool = True) -> None:
        """Queue a registered (status queued) run; with ``reserved`` it uses room held by ``reserve``."""
        attempt = self.store.new_attempt(run_id)
        if reserved:
            self.release()
        if attempt is None:
            return
        if backend == "dask" and self.dask_client is not None:
            self._submit_dask(run_id, attempt)
            return
        with self._lock:
            for _ in range(2):
                if self._pool is None:
                    raise RuntimeError("the job manager is shut down")
                try:
                    fut = self._pool.submit(execute_run, str(self.store.data_dir), run_id, attempt, os.getpid(),
                                            self.max_dataset_bytes)
                    break
                except BrokenProcessPool:
                    log.warning("the process pool broke; starting a new one")
                    self._pool = self._new_pool()
            self._active[run_id] = fut
        fut.add_done_callback(lambda f, r=run_id, a=attempt: self._local_done(r, a, f))

    def _local_done(self, run_id: str, attempt: int, fut: cf.Future) -> None:
        with self._lock:
            if self._active.get(run_id) is fut:
                del self._active[run_id]
        if fut.cancelled() or self._closing:
            return
        exc = fut.exception()
        if exc is None:
            return
        if not isinstance(exc, BrokenProcessPool):
            self.store.mark_failed(run_id, attempt, f"run lost: {type(exc).__name__}: {exc}")
            return
        # a worker died (killed, out of memory): the pool is broken and every call in it fails
        with self._lock:
            if self._pool is not None and getattr(self._pool, "_broken", False):
                log.warning("a worker process died; starting a new pool")
                self._pool = self._new_pool()
        row = self.store.get_run(run_id)
        if row is not None and row["status"] == "queued" and row["attempts"] == attempt:
            self.submit(run_id, backend="local", reserved=False)  # it never started: queue it again
        else:
            self.store.mark_failed(run_id, attempt, "run lost: the worker process died")

    def _submit_dask(self, run_id: str, attempt: int) -> None:
        from api.datasets import DatasetAccess, inline_datasets
        from twin.scenario import scenario_from_dict

        row = self.store.get_run(run_id)
        self.store.mark_running(run_id, attempt)
        access = DatasetAccess(self.store.datasets_dir, self.store.db_path, self.max_dataset_bytes)
        try:  # the data sets travel with the run: a Dask worker need not see the data folder
            shipped = inline_datasets(scenario_from_dict(json.loads(row["scenario_json"])), access)
        except ValueError as exc:
            self.store.mark_failed(run_id, attempt, str(exc))
            return
        fut = self.dask_client.submit(execute_remote, row["scenario_json"], shipped, pure=False,
                                      key=f"run-{run_id}-{attempt}")
        with self._lock:
            self._active[run_id] = fut
        fut.add_done_callback(lambda f, r=run_id, a=attempt: self._dask_done(r, a, f))

    def _dask_done(self, run_id: str, attempt: int, fut) -> None:
        with self._lock:
            if self._active.get(run_id) is fut:
                del self._active[run_id]
        try:
            if fut.status == "cancelled":
                return
            payload = fut.result()
        except Exception as exc:
            self.store.mark_failed(run_id, attempt, f"{type(exc).__name__}: {exc}")
            return
        row = self.store.get_run(run_id)
        if row is None or row["status"] not in ("queued", "running") or row["attempts"] != attempt:
            return
        final = self.store.run_dir(run_id)
        tmp = final.with_name(f".{run_id}.attempt{attempt}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for file_name, data in payload["files"].values():
            (tmp / file_name).write_bytes(data)
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
        artifacts = {name: file_name for name, (file_name, _) in payload["files"].items()}
        self.store.mark_completed(run_id, attempt, payload["kpis"], artifacts, payload["timings"])

    def cancel(self, run_id: str) -> None:
        """Drop a cancelled run's work: a waiting future is cancelled, a running worker stops on its own."""
        with self._lock:
            fut = self._active.get(run_id)
        if fut is not None:
            fut.cancel()
