"""The live twins' part of the registry (the same SQLite file as the runs, WAL mode): twins, their telemetry and
their calibrations.

Tables:

- ``twins``: one row per twin: its resolved scenario (JSON), the names of its series (the signals its telemetry
  may carry, from a one-step probe run at creation), counts of its telemetry, and the calibration last applied;
- ``telemetry``: one row per measurement, keyed by (twin, signal, time in ns since 1970 UTC); a batch is written
  with INSERT OR REPLACE, so the same batch sent again changes nothing and a later value for a key replaces it;
- ``twin_signals``: per twin and signal, the count and the first and last time (kept with every batch, so a
  twin's summary never scans its telemetry);
- ``calibrations``: ``running -> completed | failed``, the request, the report and the calibrated scenario.

A twin is registered only while the data sets its scenario names are registered; a twin is removed (with its
telemetry and calibrations) only while none of its calibrations runs; a calibration is registered only while
fewer than the limit run: each check and its write are one transaction.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from typing import Any, Callable, Iterable

import numpy as np

__all__ = ["TwinStore", "TWIN_SCHEMA", "CalibrationBusy"]

TWIN_SCHEMA = """
CREATE TABLE IF NOT EXISTS twins (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    scenario_json  TEXT NOT NULL,
    scenario_hash  TEXT NOT NULL,
    request_json   TEXT NOT NULL,
    signals_json   TEXT NOT NULL,
    created_at     REAL NOT NULL,
    updated_at     REAL NOT NULL,
    measurements   INTEGER NOT NULL DEFAULT 0,
    batches        INTEGER NOT NULL DEFAULT 0,
    first_ns       INTEGER,
    last_ns        INTEGER,
    calibration_id TEXT,
    calibrated_at  REAL
);
CREATE TABLE IF NOT EXISTS telemetry (
    twin_id  TEXT NOT NULL,
    signal   TEXT NOT NULL,
    time_ns  INTEGER NOT NULL,
    value    REAL NOT NULL,
    PRIMARY KEY (twin_id, signal, time_ns)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS twin_signals (
    twin_id      TEXT NOT NULL,
    signal       TEXT NOT NULL,
    measurements INTEGER NOT NULL,
    first_ns     INTEGER NOT NULL,
    last_ns      INTEGER NOT NULL,
    PRIMARY KEY (twin_id, signal)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS calibrations (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT NOT NULL UNIQUE,
    twin_id        TEXT NOT NULL,
    status         TEXT NOT NULL,
    request_json   TEXT NOT NULL,
    created_at     REAL NOT NULL,
    finished_at    REAL,
    error          TEXT,
    report_json    TEXT,
    scenario_json  TEXT,
    applied_at     REAL
);
CREATE INDEX IF NOT EXISTS calibrations_twin ON calibrations (twin_id, seq);
CREATE INDEX IF NOT EXISTS calibrations_status ON calibrations (status);
"""


class CalibrationBusy(Exception):
    """As many calibrations as the limit allows are running."""


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


class TwinStore:
    """Twins, telemetry and calibrations in the registry; ``connect`` opens a connection (``RunStore._connect``:
    WAL, autocommit, a busy timeout), one per call, so an instance may be shared between threads and processes."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]):
        self._connect = connect

    def _query(self, sql: str, params: Iterable = ()) -> list[dict]:
        con = self._connect()
        try:
            return [dict(r) for r in con.execute(sql, tuple(params)).fetchall()]
        finally:
            con.close()

    def _execute(self, sql: str, params: Iterable = ()) -> int:
        con = self._connect()
        try:
            return con.execute(sql, tuple(params)).rowcount
        finally:
            con.close()

    # ------------------------------------------------------------------------------------------ twins

    def create_twin(self, twin_id: str, name: str, scenario: dict, scenario_digest: str, request: dict,
                    signals: list[str], datasets: Iterable[str] = ()) -> list[str]:
        """Register a twin; the data sets its scenario names (``datasets``) must be registered: the ids of those
        that are not (nothing written), or ``[]``."""
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
                    return gone
            now = time.time()
            con.execute(
                "INSERT INTO twins (id, name, scenario_json, scenario_hash, request_json, signals_json, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (twin_id, name, json.dumps(scenario), scenario_digest, json.dumps(request), json.dumps(signals),
                 now, now))
            con.execute("COMMIT")
            return []
        finally:
            con.close()

    def get_twin(self, twin_id: str) -> dict | None:
        rows = self._query("SELECT * FROM twins WHERE id = ?", (twin_id,))
        return rows[0] if rows else None

    def list_twins(self, limit: int = 100, offset: int = 0) -> tuple[list[dict], int]:
        rows = self._query("SELECT * FROM twins ORDER BY seq DESC LIMIT ? OFFSET ?", (limit, offset))
        return rows, self._query("SELECT COUNT(*) AS n FROM twins")[0]["n"]

    def signal_stats(self, twin_id: str) -> list[dict]:
        """Per signal with telemetry: ``signal``, ``measurements``, ``first_ns``, ``last_ns``."""
        return self._query("SELECT signal, measurements, first_ns, last_ns FROM twin_signals WHERE twin_id = ?"
                           " ORDER BY signal", (twin_id,))

    def delete_twin(self, twin_id: str) -> list[str] | None:
        """Remove a twin with its telemetry and calibrations unless one of its calibrations runs: ``[]`` when
        removed, the running calibrations' ids when not, None when there is no such twin."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            if con.execute("SELECT 1 FROM twins WHERE id = ?", (twin_id,)).fetchone() is None:
                con.execute("ROLLBACK")
                return None
            running = [r["id"] for r in con.execute(
                "SELECT id FROM calibrations WHERE twin_id = ? AND status = 'running' ORDER BY seq", (twin_id,))]
            if running:
                con.execute("ROLLBACK")
                return running
            for table in ("telemetry", "twin_signals", "calibrations"):
                con.execute(f"DELETE FROM {table} WHERE twin_id = ?", (twin_id,))
            con.execute("DELETE FROM twins WHERE id = ?", (twin_id,))
            con.execute("COMMIT")
            return []
        finally:
            con.close()

    # ------------------------------------------------------------------------------------------ telemetry

    def add_telemetry(self, twin_id: str, signal: np.ndarray, time_ns: np.ndarray, value: np.ndarray
                      ) -> dict[str, dict[str, int]] | None:
        """Write a batch (keys unique within it) with INSERT OR REPLACE; per signal how many keys were ``new``,
        how many were stored already (``replaced``) and, of those, how many with another value (``changed``).
        None when the twin is gone (nothing written)."""
        rows = list(zip(signal.tolist(), time_ns.tolist(), value.tolist()))
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            if con.execute("SELECT 1 FROM twins WHERE id = ?", (twin_id,)).fetchone() is None:
                con.execute("ROLLBACK")
                return None
            con.execute("CREATE TEMP TABLE IF NOT EXISTS batch (signal TEXT NOT NULL, time_ns INTEGER NOT NULL,"
                        " value REAL NOT NULL, PRIMARY KEY (signal, time_ns)) WITHOUT ROWID")
            con.execute("DELETE FROM temp.batch")
            con.executemany("INSERT OR REPLACE INTO temp.batch (signal, time_ns, value) VALUES (?, ?, ?)", rows)
            stats = {r["signal"]: {"keys": r["n"], "first_ns": r["first_ns"], "last_ns": r["last_ns"],
                                   "replaced": 0, "changed": 0}
                     for r in con.execute("SELECT signal, COUNT(*) AS n, MIN(time_ns) AS first_ns,"
                                          " MAX(time_ns) AS last_ns FROM temp.batch GROUP BY signal")}
            for r in con.execute(
                    "SELECT b.signal AS signal, COUNT(*) AS n, SUM(t.value <> b.value) AS changed FROM temp.batch b"
                    " JOIN telemetry t ON t.twin_id = ? AND t.signal = b.signal AND t.time_ns = b.time_ns"
                    " GROUP BY b.signal", (twin_id,)):
                stats[r["signal"]]["replaced"] = r["n"]
                stats[r["signal"]]["changed"] = int(r["changed"] or 0)
            con.execute("INSERT OR REPLACE INTO telemetry (twin_id, signal, time_ns, value)"
                        " SELECT ?, signal, time_ns, value FROM temp.batch", (twin_id,))
            for name, s in stats.items():
                s["new"] = s["keys"] - s["replaced"]
                con.execute(
                    "INSERT INTO twin_signals (twin_id, signal, measurements, first_ns, last_ns)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (twin_id, signal) DO UPDATE SET"
                    " measurements = measurements + excluded.measurements,"
                    " first_ns = MIN(first_ns, excluded.first_ns), last_ns = MAX(last_ns, excluded.last_ns)",
                    (twin_id, name, s["new"], s["first_ns"], s["last_ns"]))
            first = min(s["first_ns"] for s in stats.values())
            last = max(s["last_ns"] for s in stats.values())
            con.execute(
                "UPDATE twins SET measurements = measurements + ?, batches = batches + 1, updated_at = ?,"
                " first_ns = MIN(COALESCE(first_ns, ?), ?), last_ns = MAX(COALESCE(last_ns, ?), ?) WHERE id = ?",
                (sum(s["new"] for s in stats.values()), time.time(), first, first, last, last, twin_id))
            con.execute("DELETE FROM temp.batch")
            con.execute("COMMIT")
            return stats
        finally:
            con.close()

    def telemetry(self, twin_id: str, signals: list[str] | None = None, start_ns: int | None = None,
                  end_ns: int | None = None) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Stored measurements ``(signal, time_ns, value)`` sorted by signal then time; ``signals`` (None: all),
        times in ``[start_ns, end_ns)``."""
        where, params = ["twin_id = ?"], [twin_id]
        if signals is not None:
            if not signals:
                return [], np.zeros(0, np.int64), np.zeros(0)
            where.append(f"signal IN ({','.join('?' * len(signals))})")
            params += list(signals)
        if start_ns is not None:
            where.append("time_ns >= ?")
            params.append(int(start_ns))
        if end_ns is not None:
            where.append("time_ns < ?")
            params.append(int(end_ns))
        con = self._connect()
        try:
            rows = con.execute(f"SELECT signal, time_ns, value FROM telemetry WHERE {' AND '.join(where)}"
                               " ORDER BY signal, time_ns", params).fetchall()
        finally:
            con.close()
        return ([r[0] for r in rows], np.fromiter((r[1] for r in rows), np.int64, len(rows)),
                np.fromiter((r[2] for r in rows), float, len(rows)))

    def count_telemetry(self, twin_id: str, signals: list[str], start_ns: int, end_ns: int) -> int:
        if not signals:
            return 0
        marks = ",".join("?" * len(signals))
        return self._query(f"SELECT COUNT(*) AS n FROM telemetry WHERE twin_id = ? AND signal IN ({marks})"
                           " AND time_ns >= ? AND time_ns < ?", (twin_id, *signals, int(start_ns), int(end_ns))
                           )[0]["n"]

    # ------------------------------------------------------------------------------------------ calibrations

    def create_calibration(self, calibration_id: str, twin_id: str, request: dict, limit: int) -> bool:
        """Register a running calibration of a twin; False when there is no such twin; ``CalibrationBusy`` when
        ``limit`` calibrations run already."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            if con.execute("SELECT 1 FROM twins WHERE id = ?", (twin_id,)).fetchone() is None:
                con.execute("ROLLBACK")
                return False
            if con.execute("SELECT COUNT(*) FROM calibrations WHERE status = 'running'").fetchone()[0] >= limit:
                con.execute("ROLLBACK")
                raise CalibrationBusy(f"{limit} calibration(s) are running; retry later")
            con.execute("INSERT INTO calibrations (id, twin_id, status, request_json, created_at)"
                        " VALUES (?, ?, 'running', ?, ?)", (calibration_id, twin_id, json.dumps(request),
                                                             time.time()))
            con.execute("COMMIT")
            return True
        finally:
            con.close()

    def get_calibration(self, twin_id: str, calibration_id: str) -> dict | None:
        rows = self._query("SELECT * FROM calibrations WHERE id = ? AND twin_id = ?", (calibration_id, twin_id))
        return rows[0] if rows else None

    def list_calibrations(self, twin_id: str) -> list[dict]:
        return self._query("SELECT id, twin_id, status, created_at, finished_at, error, applied_at FROM calibrations"
                           " WHERE twin_id = ? ORDER BY seq DESC", (twin_id,))

    def finish_calibration(self, calibration_id: str, report: dict, scenario: dict) -> bool:
        """Record a calibration's report and calibrated scenario; only while it is still running."""
        return self._execute(
            "UPDATE calibrations SET status = 'completed', finished_at = ?, report_json = ?, scenario_json = ?"
            " WHERE id = ? AND status = 'running'",
            (time.time(), json.dumps(_finite(report)), json.dumps(scenario), calibration_id)) == 1

    def fail_calibration(self, calibration_id: str, error: str) -> bool:
        return self._execute("UPDATE calibrations SET status = 'failed', finished_at = ?, error = ?"
                             " WHERE id = ? AND status = 'running'", (time.time(), error, calibration_id)) == 1

    def fail_running_calibrations(self, reason: str) -> list[str]:
        """Fail every calibration still marked running (a server that starts owns none of them)."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            ids = [r[0] for r in con.execute("SELECT id FROM calibrations WHERE status = 'running'")]
            con.execute("UPDATE calibrations SET status = 'failed', finished_at = ?, error = ?"
                        " WHERE status = 'running'", (time.time(), reason))
            con.execute("COMMIT")
            return ids
        finally:
            con.close()

    def apply_calibration(self, twin_id: str, calibration_id: str, scenario_digest: str) -> str | None:
        """Make a completed calibration's scenario (whose hash is ``scenario_digest``) the twin's: None when done,
        else why not (``missing`` or the calibration's status)."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            row = con.execute("SELECT status, scenario_json FROM calibrations WHERE id = ? AND twin_id = ?",
                              (calibration_id, twin_id)).fetchone()
            if row is None:
                con.execute("ROLLBACK")
                return "missing"
            if row["status"] != "completed":
                con.execute("ROLLBACK")
                return row["status"]
            now = time.time()
            con.execute("UPDATE twins SET scenario_json = ?, scenario_hash = ?, calibration_id = ?, calibrated_at = ?,"
                        " updated_at = ? WHERE id = ?",
                        (row["scenario_json"], scenario_digest, calibration_id, now, now, twin_id))
            con.execute("UPDATE calibrations SET applied_at = ? WHERE id = ?", (now, calibration_id))
            con.execute("COMMIT")
            return None
        finally:
            con.close()
