"""SIGKILL the server in the middle of a run, start it again: nothing finished is lost, the run completes."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from api_support import SHORT, ServerProcess, wait_status


def test_sigkill_during_a_run_then_restart(tmp_path):
    data = tmp_path / "data"
    first = ServerProcess(data, workers=1).start()
    try:
        with first.client() as c:
            done = c.post("/v1/runs", json={"design": "lingang-phase1", "overrides": [*SHORT, "run.seed=5"]}).json()
            done = wait_status(c, done["id"])
            assert done["status"] == "completed"
            kpis_before = c.get(f"/v1/runs/{done['id']}/kpis").json()
            series_before = (data / "runs" / done["id"] / "series.parquet").read_bytes()
            long = c.post("/v1/runs", json={"design": "lingang-phase1",
                                             "overrides": ["run.horizon_s=20d", "run.step_s=60"]}).json()
            queued = c.post("/v1/runs", json={"design": "lingang-phase1",
                                               "overrides": [*SHORT, "run.seed=6"]}).json()
            # kill once the long run is part-way
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                b = c.get(f"/v1/runs/{long['id']}").json()
                if b["status"] == "running" and b["progress"] > 0.0:
                    break
                time.sleep(0.05)
            assert b["status"] == "running", b
        first.kill()
    finally:
        first.stop()

    # the registry is readable by anyone while no server runs
    con = sqlite3.connect(data / "registry.sqlite")
    states = dict(con.execute("SELECT id, status FROM runs").fetchall())
    con.close()
    assert states[done["id"]] == "completed" and states[long["id"]] == "running"
    assert states[queued["id"]] in ("queued", "running")

    second = ServerProcess(data, workers=1).start()
    try:
        with second.client() as c:
            for rid in (long["id"], queued["id"]):
                body = wait_status(c, rid, timeout=120)
                assert body["status"] == "completed", body
                assert body["interruptions"] == 1 and "re-queued" in body["note"]
                assert body["attempts"] == 2
            # the finished run is untouched: same row, same KPIs, same file
            again = c.get(f"/v1/runs/{done['id']}").json()
            assert again["interruptions"] == 0 and again["attempts"] == 1
            assert again["timings"]["finished_at"] == done["timings"]["finished_at"]
            assert c.get(f"/v1/runs/{done['id']}/kpis").json() == kpis_before
            assert (data / "runs" / done["id"] / "series.parquet").read_bytes() == series_before
            assert c.get(f"/v1/runs/{long['id']}/kpis").json()["kpis"]["energy_balance_error"] < 1e-3
            # no half-written attempt left behind
            assert not [p for p in (data / "runs").iterdir() if p.name.startswith(".")]
    finally:
        second.stop()


def test_restart_can_fail_interrupted_runs_instead(tmp_path):
    data = tmp_path / "data"
    first = ServerProcess(data, workers=1).start()
    try:
        with first.client() as c:
            rid = c.post("/v1/runs", json={"design": "lingang-phase1",
                                           "overrides": ["run.horizon_s=20d", "run.step_s=60"]}).json()["id"]
            wait_status(c, rid, statuses=("running",))
        first.kill()
    finally:
        first.stop()
    second = ServerProcess(data, workers=1, settings={"requeue_interrupted": False}).start()
    try:
        with second.client() as c:
            body = c.get(f"/v1/runs/{rid}").json()
            assert body["status"] == "failed" and "interrupted by a server restart" in body["error"]
    finally:
        second.stop()


def _pool_workers(pid: int) -> list[int]:
    """The server's worker processes (spawned children running multiprocessing's spawn_main)."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():  # each thread lists the children it started
        try:
            children += (task / "children").read_text().split()
        except OSError:
            continue
    out = []
    for c in children:
        try:
            cmd = open(f"/proc/{c}/cmdline", "rb").read().replace(b"\0", b" ")
        except OSError:
            continue
        if b"spawn_main" in cmd:
            out.append(int(c))
    return out


def test_a_worker_dying_mid_run_fails_that_run_only(tmp_path):
    import os
    import signal

    srv = ServerProcess(tmp_path / "data", workers=1).start()
    try:
        with srv.client() as c:
            victim = c.post("/v1/runs", json={"design": "lingang-phase1",
                                              "overrides": ["run.horizon_s=20d", "run.step_s=60"]}).json()["id"]
            waiting = c.post("/v1/runs", json={"design": "lingang-phase1",
                                               "overrides": [*SHORT, "run.seed=8"]}).json()["id"]
            wait_status(c, victim, statuses=("running",))
            workers = _pool_workers(srv.proc.pid)
            assert len(workers) == 1
            os.kill(workers[0], signal.SIGKILL)
            body = wait_status(c, victim)
            assert body["status"] == "failed" and "worker process died" in body["error"]
            # the run that was waiting behind it is queued again in a new pool and completes
            assert wait_status(c, waiting)["status"] == "completed"
            assert c.get("/healthz").status_code == 200
    finally:
        srv.stop()
