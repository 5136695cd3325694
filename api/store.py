"""The run registry: one SQLite database in the data folder, one row per run, one Parquet file per run.

The database is opened in WAL mode so the API process reads while worker processes write. Every write a worker
makes names the attempt it belongs to (``attempts``) and is applied only while the run is still queued or running
under that attempt: a worker orphaned by a crashed server, or one whose run was cancelled, can never overwrite what
a later attempt or a user decided.

Run states::

    queued -> running -> completed | failed | cancelled
    queued -> cancelled
    (server restart) queued | running -> queued again (``interruptions`` + 1), or failed with a reason

Files: ``<data>/registry.sqlite`` and ``<data>/runs/<id>/{series.parquet, kpis.json, ledger.json, scenario.json}``.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterable

__all__ = ["RunStore", "scenario_hash", "ACTIVE", "TERMINAL", "STATUSES"]

STATUSES = ("queued", "running", "completed", "failed", "cancelled")
ACTIVE = ("queued", "running")
TERMINAL = ("completed", "failed", "cancelled")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    scenario_json  TEXT NOT NULL,
    scenario_hash  TEXT NOT NULL,
    request_json   TEXT NOT NULL,
    status         TEXT NOT NULL,
    progress       REAL NOT NULL DEFAULT 0,
    backend        TEXT NOT NULL DEFAULT 'local',
    created_at     REAL NOT NULL,
    started_at     REAL,
    finished_at    REAL,
    error          TEXT,
    note           TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    interruptions  INTEGER NOT NULL DEFAULT 0,
    artifacts_json TEXT,
    kpis_json      TEXT,
    timings_json   TEXT,
    sweep_id       TEXT,
    sweep_index    INTEGER,
    point_json     TEXT
);
CREATE INDEX IF NOT EXISTS runs_hash ON runs (scenario_hash, status);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status);
CREATE INDEX IF NOT EXISTS runs_sweep ON runs (sweep_id, sweep_index);
CREATE TABLE IF NOT EXISTS sweeps (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    created_at   REAL NOT NULL,
    backend      TEXT NOT NULL,
    request_json TEXT NOT NULL,
    points_json  TEXT NOT NULL,
    size         INTEGER NOT NULL
);
"""


def scenario_hash(scenario_dict: dict) -> str:
    """SHA-256 of the resolved scenario as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(scenario_dict, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _finite(obj: Any) -> Any:
    """JSON has no NaN or infinity: replace them by None, recursively."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


class RunStore:
    """The SQLite registry of runs and sweeps; safe to use from several threads and processes.

    Each call opens its own short-lived connection (WAL mode, 30 s busy timeout), so instances may be shared between
    threads and re-created in worker processes from the database path alone.
    """

    def __init__(self, data_dir: str | Path, create: bool = True):
        self.data_dir = Path(data_dir)
        self.db_path = self.data_dir / "registry.sqlite"
        self.runs_dir = self.data_dir / "runs"
        if create:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            with self._connect() as con:
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(_SCHEMA)

    # ------------------------------------------------------------------------------------------ plumbing

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.db_path, timeout=30.0, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA synchronous=NORMAL")
        return con

    def _execute(self, sql: str, params: Iterable = ()) -> int:
        con = self._connect()
        try:
            return con.execute(sql, tuple(params)).rowcount
        finally:
            con.close()

    def _query(self, sql: str, params: Iterable = ()) -> list[dict]:
        con = self._connect()
        try:
            return [dict(r) for r in con.execute(sql, tuple(params)).fetchall()]
        finally:
            con.close()

    def artifact_json(self, row: dict, name: str):
        """The JSON artifact ``name`` of a run (its registry row), or None when the run has none."""
        file_name = json.loads(row.get("artifacts_json") or "{}").get(name)
        path = self.run_dir(row["id"]) / file_name if file_name else None
        return json.loads(path.read_text()) if path is not None and path.is_file() else None

    def run_dir(self, run_id: str) -> Path:
        return self.runs_dir / run_id

    # ------------------------------------------------------------------------------------------ runs

    def create_run(self, run_id: str, name: str, scenario: dict, request: dict, backend: str = "local",
                   sweep_id: str | None = None, sweep_index: int | None = None, point: dict | None = None) -> dict:
        self._execute(
            "INSERT INTO runs (id, name, scenario_json, scenario_hash, request_json, status, backend, created_at,"
            " sweep_id, sweep_index, point_json) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)",
            (run_id, name, json.dumps(scenario), scenario_hash(scenario), json.dumps(request), backend, time.time(),
             sweep_id, sweep_index, json.dumps(point) if point is not None else None))
        return self.get_run(run_id)

    def get_run(self, run_id: str) -> dict | None:
        rows = self._query("SELECT * FROM runs WHERE id = ?", (run_id,))
        return rows[0] if rows else None

    def list_runs(self, status: str | None = None, sweep_id: str | None = None, limit: int = 100,
                  offset: int = 0) -> tuple[list[dict], int]:
        where, params = [], []
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if sweep_id is not None:
            where.append("sweep_id = ?")
            params.append(sweep_id)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        cols = ("id, name, scenario_hash, status, progress, backend, created_at, started_at, finished_at, error, note,"
                " attempts, interruptions, sweep_id, sweep_index, timings_json")
        rows = self._query(f"SELECT {cols} FROM runs {clause} ORDER BY seq DESC LIMIT ? OFFSET ?",
                           (*params, limit, offset))
        total = self._query(f"SELECT COUNT(*) AS n FROM runs {clause}", params)[0]["n"]
        return rows, total

    def find_completed(self, digest: str) -> dict | None:
        rows = self._query("SELECT * FROM runs WHERE scenario_hash = ? AND status = 'completed' "
                           "ORDER BY seq DESC LIMIT 1", (digest,))
        return rows[0] if rows else None

    def count_active(self) -> int:
        return self._query("SELECT COUNT(*) AS n FROM runs WHERE status IN ('queued', 'running')")[0]["n"]

    def new_attempt(self, run_id: str) -> int | None:
        """Start a new attempt of a queued run; returns its number, or None when the run is not queued."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            row = con.execute("SELECT attempts, status FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None or row["status"] != "queued":
                con.execute("ROLLBACK")
                return None
            attempt = row["attempts"] + 1
            con.execute("UPDATE runs SET attempts = ?, progress = 0 WHERE id = ?", (attempt, run_id))
            con.execute("COMMIT")
            return attempt
        finally:
            con.close()

    # --- written by the worker of an attempt: applied only while that attempt is the live one

    def mark_running(self, run_id: str, attempt: int) -> bool:
        return self._execute(
            "UPDATE runs SET status = 'running', started_at = ?, progress = 0 "
            "WHERE id = ? AND attempts = ? AND status = 'queued'", (time.time(), run_id, attempt)) == 1

    def set_progress(self, run_id: str, attempt: int, fraction: float) -> bool:
        """Record progress [-]; False when the attempt is no longer live (cancelled, superseded)."""
        return self._execute(
            "UPDATE runs SET progress = ? WHERE id = ? AND attempts = ? AND status = 'running'",
            (min(max(float(fraction), 0.0), 1.0), run_id, attempt)) == 1

    def mark_completed(self, run_id: str, attempt: int, kpis: dict, artifacts: dict, timings: dict) -> bool:
        return self._execute(
            "UPDATE runs SET status = 'completed', progress = 1, finished_at = ?, kpis_json = ?, artifacts_json = ?,"
            " timings_json = ?, error = NULL WHERE id = ? AND attempts = ? AND status IN ('queued', 'running')",
            (time.time(), json.dumps(_finite(kpis)), json.dumps(artifacts), json.dumps(_finite(timings)), run_id,
             attempt)) == 1

    def mark_failed(self, run_id: str, attempt: int | None, error: str) -> bool:
        if attempt is None:
            return self._execute(
                "UPDATE runs SET status = 'failed', finished_at = ?, error = ? "
                "WHERE id = ? AND status IN ('queued', 'running')", (time.time(), error, run_id)) == 1
        return self._execute(
            "UPDATE runs SET status = 'failed', finished_at = ?, error = ? "
            "WHERE id = ? AND attempts = ? AND status IN ('queued', 'running')",
            (time.time(), error, run_id, attempt)) == 1

    # --- decided by the server

    def cancel(self, run_id: str) -> bool:
        """Cancel a queued or running run; its worker stops at its next progress report."""
        return self._execute(
            "UPDATE runs SET status = 'cancelled', finished_at = ?, error = 'cancelled by request' "
            "WHERE id = ? AND status IN ('queued', 'running')", (time.time(), run_id)) == 1

    def delete_run(self, run_id: str) -> bool:
        """Remove a finished run's row and files; active runs must be cancelled first."""
        n = self._execute("DELETE FROM runs WHERE id = ? AND status IN ('completed', 'failed', 'cancelled')",
                          (run_id,))
        if n:
            shutil.rmtree(self.run_dir(run_id), ignore_errors=True)
        return n == 1

    def recover(self, requeue: bool) -> list[str]:
        """After a restart: runs left queued or running were interrupted.

        With ``requeue`` they go back to the queue (``interruptions`` + 1) and their ids are returned in submission
        order; otherwise they fail with the reason. Completed, failed and cancelled runs are not touched.
        """
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            rows = con.execute("SELECT id, status FROM runs WHERE status IN ('queued', 'running') ORDER BY seq")\
                .fetchall()
            now = time.time()
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
            for r in rows:
                if requeue:
                    con.execute(
                        "UPDATE runs SET status = 'queued', progress = 0, started_at = NULL,"
                        " interruptions = interruptions + 1, note = ? WHERE id = ?",
                        (f"interrupted by a server restart ({r['status']} at {stamp}); re-queued", r["id"]))
                else:
                    con.execute(
                        "UPDATE runs SET status = 'failed', finished_at = ?, interruptions = interruptions + 1,"
                        " error = ? WHERE id = ?",
                        (now, f"interrupted by a server restart ({r['status']} at {stamp})", r["id"]))
            con.execute("COMMIT")
            return [r["id"] for r in rows] if requeue else []
        finally:
            con.close()

    # ------------------------------------------------------------------------------------------ sweeps

    def create_sweep(self, sweep_id: str, backend: str, request: dict, points: list[dict]) -> None:
        """Register a sweep; ``points`` lists ``{"index", "run_id", "point"}``, one per grid point."""
        self._execute("INSERT INTO sweeps (id, created_at, backend, request_json, points_json, size)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
                      (sweep_id, time.time(), backend, json.dumps(request), json.dumps(points), len(points)))

    def get_sweep(self, sweep_id: str) -> dict | None:
        rows = self._query("SELECT * FROM sweeps WHERE id = ?", (sweep_id,))
        return rows[0] if rows else None

    def list_sweeps(self, limit: int = 100, offset: int = 0) -> tuple[list[dict], int]:
        rows = self._query("SELECT id, created_at, backend, request_json, size FROM sweeps ORDER BY seq DESC"
                           " LIMIT ? OFFSET ?", (limit, offset))
        return rows, self._query("SELECT COUNT(*) AS n FROM sweeps")[0]["n"]

    def runs_by_ids(self, ids: list[str]) -> dict[str, dict]:
        """Status, progress, error and KPIs of the given runs, by id (missing ids are left out)."""
        out: dict[str, dict] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for r in self._query(f"SELECT id, status, progress, error, kpis_json FROM runs WHERE id IN ({marks})",
                                 chunk):
                out[r["id"]] = r
        return out
