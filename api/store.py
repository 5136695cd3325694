"""The run registry: one SQLite database in the data folder, one row per run, one Parquet file per run.

The database is opened in WAL mode so the API process reads while worker processes write. Every write a worker
makes names the attempt it belongs to (``attempts``) and is applied only while the run is still queued or running
under that attempt: a worker orphaned by a crashed server, or one whose run was cancelled, can never overwrite what
a later attempt or a user decided.

Run states::

    queued -> running -> completed | failed | cancelled
    queued -> cancelled
    (server restart) queued | running -> queued again (``interruptions`` + 1), or failed with a reason

The live twins (their telemetry and calibrations) are in the same database: ``RunStore.twins``
(``api.twin_store``).

Files: ``<data>/registry.sqlite``, ``<data>/runs/<id>/`` (what ``RunResult.save`` writes) and
``<data>/datasets/<sha256>`` (uploaded data sets, content-addressed; their rows are in the ``datasets`` table).

A run is registered only while every data set its scenario names (``dataset:<sha256>``) is registered, and a data
set is removed only while no queued or running run names it: both checks run inside one write transaction.
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

from api.twin_store import TWIN_SCHEMA, TwinStore

__all__ = ["RunStore", "DatasetGone", "scenario_hash", "ACTIVE", "TERMINAL", "STATUSES"]

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
    point_json     TEXT,
    twin_id        TEXT
);
CREATE INDEX IF NOT EXISTS runs_hash ON runs (scenario_hash, status);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status);
CREATE INDEX IF NOT EXISTS runs_sweep ON runs (sweep_id, sweep_index);
CREATE TABLE IF NOT EXISTS datasets (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    format        TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    rows          INTEGER NOT NULL,
    start_json    TEXT NOT NULL,
    end_json      TEXT NOT NULL,
    details_json  TEXT,
    created_at    REAL NOT NULL
);
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


class DatasetGone(Exception):
    """Data sets a run names were removed before it could be registered."""

    def __init__(self, ids: list[str]):
        super().__init__(", ".join(ids))
        self.ids = ids


class RunStore:
    """The SQLite registry of runs and sweeps; safe to use from several threads and processes.

    Each call opens its own short-lived connection (WAL mode, 30 s busy timeout), so instances may be shared between
    threads and re-created in worker processes from the database path alone.
    """

    def __init__(self, data_dir: str | Path, create: bool = True):
        self.data_dir = Path(data_dir)
        self.db_path = self.data_dir / "registry.sqlite"
        self.runs_dir = self.data_dir / "runs"
        self.datasets_dir = self.data_dir / "datasets"
        if create:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            self.datasets_dir.mkdir(parents=True, exist_ok=True)
            with self._connect() as con:
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(_SCHEMA)
                columns = {r["name"] for r in con.execute("PRAGMA table_info(runs)").fetchall()}
                if "twin_id" not in columns:  # a registry from before forecasts: the twin a run forecasts for
                    con.execute("ALTER TABLE runs ADD COLUMN twin_id TEXT")
                con.execute("CREATE INDEX IF NOT EXISTS runs_twin ON runs (twin_id)")
                con.executescript(TWIN_SCHEMA)
        self.twins = TwinStore(self._connect)
        """The live twins, their telemetry and calibrations (``api.twin_store``), in the same database."""

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

    def run_dir(self, run_id: str) -> Path:
        return self.runs_dir / run_id

    # ------------------------------------------------------------------------------------------ runs

    def create_run(self, run_id: str, name: str, scenario: dict, request: dict, backend: str = "local",
                   sweep_id: str | None = None, sweep_index: int | None = None, point: dict | None = None,
                   datasets: Iterable[str] = (), twin_id: str | None = None) -> dict:
        """Register a queued run; ``datasets`` (SHA-256s its scenario names) must all be registered, else
        ``DatasetGone`` and nothing is written; ``twin_id``: the twin it forecasts for."""
        wanted = sorted(set(datasets))
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            if wanted:
                marks = ",".join("?" * len(wanted))
                have = {r["id"] for r in con.execute(f"SELECT id FROM datasets WHERE id IN ({marks})", wanted)}
                gone = [d for d in wanted if d not in have]
                if gone:
                    con.execute("ROLLBACK")
                    raise DatasetGone(gone)
            con.execute(
                "INSERT INTO runs (id, name, scenario_json, scenario_hash, request_json, status, backend, created_at,"
                " sweep_id, sweep_index, point_json, twin_id) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)",
                (run_id, name, json.dumps(scenario), scenario_hash(scenario), json.dumps(request), backend,
                 time.time(), sweep_id, sweep_index, json.dumps(point) if point is not None else None, twin_id))
            con.execute("COMMIT")
        finally:
            con.close()
        return self.get_run(run_id)

    def get_run(self, run_id: str) -> dict | None:
        rows = self._query("SELECT * FROM runs WHERE id = ?", (run_id,))
        return rows[0] if rows else None

    def list_runs(self, status: str | None = None, sweep_id: str | None = None, limit: int = 100,
                  offset: int = 0, twin_id: str | None = None) -> tuple[list[dict], int]:
        where, params = [], []
        if twin_id is not None:
            where.append("twin_id = ?")
            params.append(twin_id)
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if sweep_id is not None:
            where.append("sweep_id = ?")
            params.append(sweep_id)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        cols = ("id, name, scenario_hash, status, progress, backend, created_at, started_at, finished_at, error, note,"
                " attempts, interruptions, sweep_id, sweep_index, timings_json, twin_id")
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

    # ------------------------------------------------------------------------------------------ data sets

    def add_dataset(self, sha: str, kind: str, name: str, size_bytes: int, summary: dict) -> tuple[dict, bool]:
        """Register a stored data set; ``(row, True)`` when new, ``(the existing row, False)`` when these bytes
        were registered before (whatever their kind then)."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            row = con.execute("SELECT * FROM datasets WHERE id = ?", (sha,)).fetchone()
            if row is None:
                con.execute(
                    "INSERT INTO datasets (id, kind, name, format, size_bytes, rows, start_json, end_json,"
                    " details_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (sha, kind, name, summary["format"], size_bytes, summary["rows"], json.dumps(summary["start"]),
                     json.dumps(summary["end"]), json.dumps(_finite(summary.get("details") or {})), time.time()))
            con.execute("COMMIT")
        finally:
            con.close()
        return self.get_dataset(sha), row is None

    def get_dataset(self, sha: str) -> dict | None:
        rows = self._query("SELECT * FROM datasets WHERE id = ?", (sha,))
        return rows[0] if rows else None

    def list_datasets(self, kind: str | None = None, limit: int = 100, offset: int = 0) -> tuple[list[dict], int]:
        clause, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
        rows = self._query(f"SELECT * FROM datasets {clause} ORDER BY seq DESC LIMIT ? OFFSET ?",
                           (*params, limit, offset))
        return rows, self._query(f"SELECT COUNT(*) AS n FROM datasets {clause}", params)[0]["n"]

    def delete_dataset(self, sha: str) -> list[str] | None:
        """Remove a data set's row and file unless a queued or running run or a twin names it: ``[]`` when removed,
        the ids of the runs (and ``twin <id>`` of the twins) that use it when not, None when there is no such data
        set."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            if con.execute("SELECT 1 FROM datasets WHERE id = ?", (sha,)).fetchone() is None:
                con.execute("ROLLBACK")
                return None
            users = [r["id"] for r in con.execute(
                "SELECT id FROM runs WHERE status IN ('queued', 'running') AND instr(scenario_json, ?) > 0"
                " ORDER BY seq", (f"dataset:{sha}",))]
            users += [f"twin {r['id']}" for r in con.execute(
                "SELECT id FROM twins WHERE instr(scenario_json, ?) > 0 ORDER BY seq", (f"dataset:{sha}",))]
            if users:
                con.execute("ROLLBACK")
                return users
            con.execute("DELETE FROM datasets WHERE id = ?", (sha,))
            con.execute("COMMIT")
        finally:
            con.close()
        (self.datasets_dir / sha).unlink(missing_ok=True)
        return []
