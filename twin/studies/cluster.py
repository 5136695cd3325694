"""Where many runs execute: in this process one after the other, on a Dask LocalCluster, or on a Dask cluster
joined by address.

``open_backend`` gives an object with ``map(fn, items, progress)`` that yields ``(index, outcome)`` as each item
finishes; an outcome is ``{"ok": True, "value": ...}`` or ``{"ok": False, "error": "..."}``, so one failed item
never stops the others. Items and results are plain data (scenarios as dicts, KPIs as dicts), so what crosses the
network is small: the series stay on the worker.

- ``backend="dask"`` without an address (and without ``DASK_SCHEDULER_ADDRESS``): a LocalCluster of ``workers``
  processes with one thread each (default: the CPU count), started here and closed at the end.
- ``backend="dask"`` with an address: the scheduler must answer within ``connect_timeout_s`` and have a worker
  within ``worker_timeout_s``, else ``SchedulerError`` before anything is submitted.
- ``backend="serial"``: this process, in order (the reference the Dask results are compared with).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import traceback
import uuid
from typing import Any, Callable, Iterator

__all__ = ["SchedulerError", "open_backend", "run_point", "scheduler_address"]

ProgressFn = Callable[[int, int], None]

CONNECT_TIMEOUT_S = 10.0
"""How long a scheduler given by address has to answer [s]."""

WORKER_TIMEOUT_S = 30.0
"""How long a scheduler given by address has to show a worker [s]."""

LOCAL_CLUSTER_CONFIG = {
    # A year run is one task of half a minute of pure Python in the worker's one thread. Dask's defaults suit many
    # short tasks and cost such a task its CPU: the worker's statistical profiler samples the task's stack every
    # 10 ms, the event loop checks its own health every 20 ms and the system monitor reads psutil every 500 ms,
    # each taking the GIL from the task. Measured here (two year runs on a 2-worker LocalCluster, time.thread_time
    # against process time): with the defaults the worker's other threads used 3.3-3.6 s of CPU per 40 s run (8 %);
    # with this config 0.5-0.7 s. The profile page of the dashboard is empty, and the dashboard is off anyway.
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    # the nannies run in this process, beside the two workers on two cores: check the workers' memory every 0.5 s
    # rather than 0.1 s (a year run grows to 0.7 GiB over its half-minute, far below a worker's limit)
    "distributed.worker.memory.monitor-interval": "500ms",
}
"""Dask settings under which a LocalCluster started here runs (workers of an existing cluster keep their own)."""


class SchedulerError(RuntimeError):
    """The Dask scheduler cannot be used: unreachable, no workers, or Dask is missing."""


def scheduler_address(scheduler: str | None) -> str | None:
    """The address given, else ``DASK_SCHEDULER_ADDRESS``, else None (a LocalCluster)."""
    return scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None


def run_point(scenario: dict, series_specs: list[dict] | None = None, data_access=None) -> dict:
    """Simulate one scenario (a dict) on whichever process runs this; return its KPIs, its job classes' KPIs, the
    requested series statistics (``twin.studies.rules.series_statistic``) and the wall time, never the series
    itself. ``data_access`` reads the data files the scenario names (``twin.scenario.datafiles``)."""
    from twin.scenario import scenario_from_dict
    from twin.sim.engine import simulate
    from twin.studies.rules import series_statistic

    t0 = time.perf_counter()
    sc = scenario_from_dict(scenario)
    result = simulate(sc, data_access=data_access)
    stats = [series_statistic(result.series, float(sc.run.step_s), spec) for spec in (series_specs or [])]
    return {"kpis": result.kpis, "classes": result.classes, "series": stats, "wall_s": time.perf_counter() - t0}


def _call(fn, args) -> dict:
    try:
        return {"ok": True, "value": fn(*args)}
    except Exception as exc:  # the item failed; the rest go on
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(limit=6)}


class SerialBackend:
    name = "serial"
    address = None
    workers = 1

    def map(self, fn, items: list[tuple], progress: ProgressFn | None = None) -> Iterator[tuple[int, dict]]:
        for i, args in enumerate(items):
            out = _call(fn, args)
            if progress:
                progress(i + 1, len(items))
            yield i, out


class DaskBackend:
    name = "dask"

    def __init__(self, client, address: str | None, cluster=None):
        self.client = client
        self.address = address
        self.cluster = cluster

    @property
    def workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {})) if self.client else 0

    def map(self, fn, items: list[tuple], progress: ProgressFn | None = None) -> Iterator[tuple[int, dict]]:
        from distributed import as_completed

        tag = uuid.uuid4().hex[:8]
        futures = [self.client.submit(_call, fn, args, pure=False, key=f"{fn.__name__}-{tag}-{i}")
                   for i, args in enumerate(items)]
        index = {f.key: i for i, f in enumerate(futures)}
        done = 0
        try:
            for fut in as_completed(futures, loop=self.client.loop):
                try:
                    out = fut.result()
                except Exception as exc:  # the worker died or the task could not run: this item failed
                    out = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
                done += 1
                if progress:
                    progress(done, len(items))
                yield index[fut.key], out
        finally:
            for f in futures:
                if not f.done():
                    f.cancel()


@contextlib.contextmanager
def open_backend(backend: str = "dask", scheduler: str | None = None, workers: int | None = None,
                 connect_timeout_s: float | None = None, worker_timeout_s: float | None = None):
    """Yield a backend (see the module's doc); a cluster started here is closed on exit."""
    if backend == "serial":
        yield SerialBackend()
        return
    if backend != "dask":
        raise SchedulerError(f"backend: unknown backend {backend!r}; use dask or serial")
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise SchedulerError(f"backend: Dask is not installed ({exc}); pip install 'dask[distributed]'") from None
    address = scheduler_address(scheduler)
    connect_timeout_s = CONNECT_TIMEOUT_S if connect_timeout_s is None else connect_timeout_s
    worker_timeout_s = WORKER_TIMEOUT_S if worker_timeout_s is None else worker_timeout_s
    if address:
        try:
            client = Client(address, timeout=connect_timeout_s, set_as_default=False)
        except Exception as exc:
            raise SchedulerError(f"scheduler: cannot reach the Dask scheduler at {address!r} within "
                                 f"{connect_timeout_s:g} s ({type(exc).__name__}: {exc})") from None
        try:
            try:
                client.wait_for_workers(1, timeout=worker_timeout_s)
            except Exception:
                raise SchedulerError(f"scheduler: the Dask scheduler at {address!r} has no worker (none joined "
                                     f"within {worker_timeout_s:g} s)") from None
            yield DaskBackend(client, address)
        finally:
            client.close(timeout=10)
        return
    import dask

    n = workers or os.cpu_count() or 1
    with dask.config.set(LOCAL_CLUSTER_CONFIG):  # the nannies pass the config to their workers at start
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
    client = Client(cluster, set_as_default=False)
    try:
        yield DaskBackend(client, None, cluster)
    finally:
        client.close(timeout=10)
        cluster.close(timeout=30)


def outcome_value(out: dict[str, Any]) -> Any:
    return out["value"] if out.get("ok") else None
