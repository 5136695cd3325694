"""Replay of a job trace from CSV (``workload.trace_csv``).

Columns (a header row names them; order free, other columns ignored):

=============  ========  ====================================================================================
column         required  meaning
=============  ========  ====================================================================================
``submit_s``   yes       submit time, seconds after the run's start; rows in submit order
``servers``    yes       whole servers the job holds, an integer >= 1
``duration_s`` yes       run time at full speed [s], > 0
``class``      no        name of a job class of the scenario (empty or missing: the first class)
``deadline_s`` no        latest finish, seconds after the run's start; a job with a deadline is flexible
``cabin``      no        cabin group index (empty or missing: 0)
=============  ========  ====================================================================================

The file is CSV text or Parquet (``twin.scenario.datafiles.tabular_text``), read through the run's data access:
the user's own path on the command line, an uploaded data set (``dataset:<id>``) through the API; messages quote
the file by that name.

Policy: a malformed row (a value that is not a number, a negative or zero duration, fewer than one server, an
unknown class or cabin, a deadline before the submit time, a submit time earlier than the row before) is an error
that names the row, its line in the file and the column; every such problem is reported at once (up to 20). A job
that asks for more servers than its cabin has of its class's type is valid input: the scheduler refuses it and it
is counted in the ``jobs_rejected`` KPI. Rows submitted after the run's end are not replayed.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from twin.scenario.datafiles import DataAccess, DataFileError, LocalFiles, tabular_text
from twin.workload.jobs import JobStream

__all__ = ["read_trace", "parse_trace", "TraceTable", "TraceError", "REQUIRED_COLUMNS"]

REQUIRED_COLUMNS = ("submit_s", "servers", "duration_s")
MAX_PROBLEMS = 20


class TraceError(ValueError):
    """A trace that cannot be replayed; ``problems`` lists every (row, line, column, reason)."""

    def __init__(self, path: str, problems: list[str]):
        self.problems = problems
        more = "" if len(problems) < MAX_PROBLEMS else f" (first {MAX_PROBLEMS} shown)"
        super().__init__(f"trace {path}: {len(problems)} problem(s){more}: " + "; ".join(problems))


def _number(text: str) -> float:
    v = float(text)
    if not math.isfinite(v):
        raise ValueError
    return v


@dataclass
class TraceTable:
    """A trace's jobs in submit order: submit time [s], servers [-], run time at full speed [s], deadline [s]
    (inf when none), class name ('' for the first class) and cabin group [-]."""

    submit_s: np.ndarray
    servers: np.ndarray
    duration_s: np.ndarray
    deadline_s: np.ndarray
    class_names: list[str]
    cabin: np.ndarray


def parse_trace(text: str, label: str, class_names: list[str] | None = None,
                cabin_groups: int | None = None) -> TraceTable:
    """Check and read a trace's CSV text. ``class_names`` and ``cabin_groups`` are the scenario's (None: any
    class name and any cabin group index >= 0, as when a data set is uploaded before any scenario names it).
    ``TraceError`` lists every problem (up to 20) by row, line and column."""
    problems: list[str] = []
    rows: list[tuple] = []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise TraceError(label, [f"header: missing column(s) {', '.join(missing)}; found "
                                 f"{', '.join(h[:40] for h in header[:20]) or 'none'}"])
    reader.fieldnames = header
    known = set(class_names) if class_names is not None else None
    last = -math.inf
    for row_no, row in enumerate(reader, start=1):
        line = reader.line_num
        before = len(problems)

        def bad(column: str, reason: str, row_no=row_no, line=line) -> None:
            problems.append(f"row {row_no} (line {line}), column {column}: {reason}")

        values = {}
        for col in REQUIRED_COLUMNS:
            cell = (row.get(col) or "").strip()
            try:
                values[col] = _number(cell)
            except ValueError:
                bad(col, f"{cell[:40]!r} is not a finite number")
        if len(problems) == before:
            if values["submit_s"] < 0:
                bad("submit_s", f"{values['submit_s']:g} is before the run's start")
            elif values["submit_s"] < last:
                bad("submit_s", f"{values['submit_s']:g} is earlier than the row before ({last:g}); the "
                    "trace must be in submit order")
            last = max(last, values["submit_s"])
            if values["servers"] < 1 or values["servers"] != int(values["servers"]):
                bad("servers", f"{values['servers']:g} is not a whole number of servers >= 1")
            if values["duration_s"] <= 0:
                bad("duration_s", f"{values['duration_s']:g} is not a positive run time")
        name = (row.get("class") or "").strip()
        if name and known is not None and name not in known:
            bad("class", f"{name[:40]!r} is not a class of the scenario ({', '.join(class_names)})")
        cab_text = (row.get("cabin") or "").strip()
        cabin = 0
        if cab_text:
            try:
                cabin = int(cab_text)
                if cabin < 0 or (cabin_groups is not None and cabin >= cabin_groups):
                    raise ValueError
            except ValueError:
                groups = f"0..{cabin_groups - 1}" if cabin_groups is not None else "an index >= 0"
                bad("cabin", f"{cab_text[:40]!r} is not a cabin group ({groups})")
        dl_text = (row.get("deadline_s") or "").strip()
        deadline = math.inf
        if dl_text:
            try:
                deadline = _number(dl_text)
                if "submit_s" in values and deadline < values["submit_s"]:
                    bad("deadline_s", f"{deadline:g} is before the submit time {values['submit_s']:g}")
            except ValueError:
                bad("deadline_s", f"{dl_text[:40]!r} is not a finite number")
        if len(problems) == before:
            rows.append((values["submit_s"], int(values["servers"]), values["duration_s"], deadline, name, cabin))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise TraceError(label, problems)
    cols = list(zip(*rows)) if rows else [()] * 6
    return TraceTable(np.array(cols[0], float), np.array(cols[1], int), np.array(cols[2], float),
                      np.array(cols[3], float), list(cols[4]), np.array(cols[5], int))


def read_trace(source: str, class_names: list[str], cabin_groups: int,
               data_access: DataAccess | None = None) -> list[JobStream]:
    """Read the trace a scenario names (a path, or ``dataset:<id>`` through ``data_access``) into one job stream per
    cabin group (groups are class indices)."""
    access = data_access if data_access is not None else LocalFiles()
    try:
        raw, label = access.read("trace", source)
        text = tabular_text(raw, label)
    except DataFileError as exc:
        raise TraceError(source, [str(exc)]) from None
    table = parse_trace(text, label, class_names, cabin_groups)
    index = {name: k for k, name in enumerate(class_names)}
    k = np.array([index.get(n, 0) if n else 0 for n in table.class_names], int)
    streams = []
    for g in range(cabin_groups):
        m = table.cabin == g
        streams.append(JobStream(table.submit_s[m].copy(), table.servers[m].copy(), table.duration_s[m].copy(),
                                 np.isfinite(table.deadline_s[m]), table.deadline_s[m].copy(), k[m]))
    return streams
