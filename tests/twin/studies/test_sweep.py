"""Sweeps (issue 8): grid x Latin hypercube points, a LocalCluster gives the serial table, a scheduler and worker
started as separate processes and joined by address, failed points reported, bad input before any run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import twin
from twin.studies import cluster
from twin.studies.pareto import pareto_mask
from twin.studies.sweep import SweepInputError, sweep, sweep_points, write_outputs

SHORT = ["run.horizon_s=2d", "run.step_s=300"]
GRID8 = {"cabins.0.count": [1, 2], "run.seed": [1, 2], "workload.target_utilisation": [0.5, 0.7]}


def test_grid_times_latin_hypercube_points():
    pts = sweep_points({"a": [1, 2, 3]}, {"b": (0.0, 1.0), "c": (1, 4)}, samples=4, sample_seed=3)
    assert len(pts) == 12 and [p["a"] for p in pts] == [1] * 4 + [2] * 4 + [3] * 4
    # every grid value meets the same four samples
    assert [(p["b"], p["c"]) for p in pts[:4]] == [(p["b"], p["c"]) for p in pts[8:]]
    b = np.array([p["b"] for p in pts[:4]])
    assert sorted(np.floor(b * 4).astype(int)) == [0, 1, 2, 3]  # one sample in each stratum
    assert sorted(p["c"] for p in pts[:4]) == [1, 2, 3, 4] and all(isinstance(p["c"], int) for p in pts)
    lhs_only = [{k: v for k, v in p.items() if k != "a"} for p in pts[:4]]
    assert lhs_only == sweep_points(None, {"b": (0.0, 1.0), "c": (1, 4)}, samples=4, sample_seed=3)
    assert lhs_only != sweep_points(None, {"b": (0.0, 1.0), "c": (1, 4)}, samples=4, sample_seed=4)
    with pytest.raises(SweepInputError) as exc:
        sweep_points({"a": []}, {"b": (2, 1), "a": (0, 1)}, samples=0)
    fields = [p for p, _ in exc.value.problems]
    assert fields == ["grid.a", "lhs.b", "lhs.a", "samples"]


def test_eight_scenarios_on_a_two_worker_local_cluster_give_the_serial_table():
    serial = sweep("lingang-phase1", GRID8, overrides=SHORT, backend="serial")
    assert len(serial.table) == 8 and (serial.table["status"] == "completed").all()
    dask = sweep("lingang-phase1", GRID8, overrides=SHORT, workers=2)
    assert dask.backend.startswith("dask (LocalCluster, 2 workers")
    pd.testing.assert_frame_equal(serial.table, dask.table)
    # the grid reached the runs: two cabins use about twice the IT energy
    t = serial.table
    assert (t[t["cabins.0.count"] == 2]["it_energy_mwh"].to_numpy()
            > 1.8 * t[t["cabins.0.count"] == 1]["it_energy_mwh"].to_numpy()).all()


def _worker_settings() -> tuple:
    import dask

    return (dask.config.get("distributed.worker.profile.enabled"), dask.config.get("distributed.admin.tick.interval"),
            dask.config.get("distributed.admin.system-monitor.interval"))


def test_local_cluster_workers_run_with_the_quiet_settings_and_leave_this_process_alone():
    import dask
    import distributed  # noqa: F401  (loads Dask's distributed settings)

    before = dask.config.get("distributed.worker.profile.enabled")
    with cluster.open_backend("dask", workers=1) as be:
        seen = list(be.client.run(_worker_settings).values())
    assert seen == [(False, "1s", "5s")]
    assert dask.config.get("distributed.worker.profile.enabled") == before  # the settings were not left behind


def test_a_failed_point_is_a_row_and_the_rest_go_on(tmp_path):
    res = sweep("lingang-phase1", {"wind.resource.measured_csv": [None, str(tmp_path / "missing.csv")],
                                   "run.seed": [1, 2]}, overrides=SHORT, backend="serial")
    t = res.table
    assert list(t["status"]) == ["completed", "completed", "failed", "failed"] and res.failed == 2
    assert t.loc[2, "error"].startswith("ScenarioError") and "missing.csv" in t.loc[2, "error"]
    assert np.isnan(t.loc[3, "pue"]) and t.loc[0, "pue"] > 1.0
    # each job class's KPIs are columns too; the design's one class did all the jobs
    assert t.loc[0, "default.jobs_completed"] == t.loc[0, "jobs_completed"] > 0
    assert np.isnan(t.loc[2, "default.job_wait_p95_s"])
    paths = write_outputs(res, tmp_path / "out", ("pue", "ref", "min", "max"))
    back = pd.read_parquet(paths["parquet"])
    assert list(back["status"]) == list(t["status"]) and back["pareto_front"].sum() >= 1
    assert not back.loc[back["status"] == "failed", "pareto_front"].any()
    csv = pd.read_csv(paths["csv"], index_col="point")
    assert csv["pue"].to_numpy() == pytest.approx(t["pue"].to_numpy(), nan_ok=True)
    assert paths["pareto"].stat().st_size > 10_000


def test_bad_points_and_an_unreachable_scheduler_fail_before_any_run(monkeypatch):
    monkeypatch.setattr(cluster, "run_point", lambda *a: pytest.fail("a point ran"))
    with pytest.raises(SweepInputError) as exc:
        sweep("lingang-phase1", {"site.water_depth_m": [15, -1], "cabins.0.no_such": [1]}, overrides=SHORT,
              backend="serial")
    problems = exc.value.problems
    assert ("site.water_depth_m" in {p for p, _ in problems}) and any("point 1" in r for _, r in problems)
    assert "cabins.0.no_such" in {p for p, _ in problems}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2.0)
    t0 = time.monotonic()
    with pytest.raises(cluster.SchedulerError, match=f"cannot reach the Dask scheduler at 'tcp://127.0.0.1:{port}'"):
        sweep("lingang-phase1", {"run.seed": [1]}, overrides=SHORT, scheduler=f"tcp://127.0.0.1:{port}")
    assert time.monotonic() - t0 < 30


def test_pareto_front():
    x = np.array([1.0, 2.0, 3.0, 2.0, np.nan])
    y = np.array([1.0, 3.0, 2.0, 1.5, 9.0])
    assert list(pareto_mask(x, y, "min", "max")) == [True, True, False, False, False]
    assert list(pareto_mask(x, y, "min", "min")) == [True, False, False, False, False]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_processes(tmp_path):
    """A `dask scheduler` and a `dask worker` started as separate processes; always stopped."""
    dask_cli = str(Path(sys.executable).parent / "dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(Path(twin.__file__).resolve().parents[1])}  # this checkout
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    logs = [open(tmp_path / n, "wb") for n in ("scheduler.log", "worker.log")]
    procs = []
    try:
        procs.append(subprocess.Popen([dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                       "--no-dashboard"], stdout=logs[0], stderr=subprocess.STDOUT, env=env,
                                      start_new_session=True))
        procs.append(subprocess.Popen([dask_cli, "worker", address, "--nworkers", "1", "--nthreads", "1",
                                       "--no-dashboard", "--host", "127.0.0.1"], stdout=logs[1],
                                      stderr=subprocess.STDOUT, env=env, start_new_session=True))
        yield address
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)
        for f in logs:
            f.close()


def test_a_sweep_on_a_scheduler_and_worker_joined_by_address(dask_processes, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 30.0)  # the scheduler process may still be starting
    grid = {"run.seed": [1, 2], "cabins.0.count": [1, 2]}
    remote = sweep("lingang-phase1", grid, overrides=SHORT, scheduler=dask_processes)
    assert remote.backend == f"dask ({dask_processes}, 1 workers)"
    serial = sweep("lingang-phase1", grid, overrides=SHORT, backend="serial")
    pd.testing.assert_frame_equal(serial.table, remote.table)


def test_cli_sweep_writes_the_table_and_the_pareto_plot(tmp_path):
    out = subprocess.run([sys.executable, "-m", "twin", "sweep", "lingang-phase1", "--grid", "run.seed=1,2",
                          "--lhs", "workload.target_utilisation=0.3:0.8", "--samples", "2", "--horizon", "1d",
                          "--step", "300s", "--serial", "--pareto", "pue,job_wait_p95_s", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    t = pd.read_parquet(tmp_path / "sweep.parquet")
    assert len(t) == 4 and set(t.columns) >= {"run.seed", "workload.target_utilisation", "status", "pue",
                                              "pareto_front"}
    assert (tmp_path / "sweep.csv").is_file() and (tmp_path / "pareto.png").stat().st_size > 10_000
    bad = subprocess.run([sys.executable, "-m", "twin", "sweep", "lingang-phase1", "--grid", "run.seed=1",
                          "--pareto", "pue,energy_mwh", "--out", str(tmp_path / "x")], capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and "energy_mwh" in bad.stderr and "pareto" in bad.stderr
