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

Policy: a malformed row (a value that is not a number, a negative or zero duration, fewer than one server, an
unknown class or cabin, a deadline before the submit time, a submit time earlier than the row before) is an error
that names the row, its line in the file and the column; every such problem is reported at once (up to 20). A job
that asks for more servers than its cabin has of its class's type is valid input: the scheduler refuses it and it
is counted in the ``jobs_rejected`` KPI. Rows submitted after the run's end are not replayed.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from twin.workload.jobs import JobStream

__all__ = ["read_trace", "TraceError", "REQUIRED_COLUMNS"]

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


def read_trace(path: str | Path, class_names: list[str], cabin_groups: int) -> list[JobStream]:
    """Read a trace into one job stream per cabin group (groups are class indices)."""
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise TraceError(str(path), [f"cannot open: {exc.strerror or exc}"]) from None
    problems: list[str] = []
    rows: list[tuple] = []
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise TraceError(str(path), [f"header: missing column(s) {', '.join(missing)}; found "
                                         f"{', '.join(header) or 'none'}"])
        reader.fieldnames = header
        index = {name: k for k, name in enumerate(class_names)}
        last = -math.inf
        for row_no, row in enumerate(reader, start=1):
            line = reader.line_num

            def bad(column: str, reason: str) -> None:
                problems.append(f"row {row_no} (line {line}), column {column}: {reason}")

            before = len(problems)
            values = {}
            for col in REQUIRED_COLUMNS:
                text = (row.get(col) or "").strip()
                try:
                    values[col] = _number(text)
                except ValueError:
                    bad(col, f"{text!r} is not a finite number")
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
            k = 0
            if name:
                if name not in index:
                    bad("class", f"{name!r} is not a class of the scenario ({', '.join(class_names)})")
                else:
                    k = index[name]
            cab_text = (row.get("cabin") or "").strip()
            cabin = 0
            if cab_text:
                try:
                    cabin = int(cab_text)
                    if not 0 <= cabin < cabin_groups:
                        raise ValueError
                except ValueError:
                    bad("cabin", f"{cab_text!r} is not a cabin group (0..{cabin_groups - 1})")
            dl_text = (row.get("deadline_s") or "").strip()
            deadline = math.inf
            if dl_text:
                try:
                    deadline = _number(dl_text)
                    if "submit_s" in values and deadline < values["submit_s"]:
                        bad("deadline_s", f"{deadline:g} is before the submit time {values['submit_s']:g}")
                except ValueError:
                    bad("deadline_s", f"{dl_text!r} is not a finite number")
            if len(problems) == before:
                rows.append((values["submit_s"], int(values["servers"]), values["duration_s"], deadline, k, cabin))
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise TraceError(str(path), problems)
    streams = []
    arr = np.array(rows, dtype=float).reshape(-1, 6)
    for g in range(cabin_groups):
        m = arr[:, 5] == g
        a = arr[m]
        streams.append(JobStream(a[:, 0].copy(), a[:, 1].astype(int), a[:, 2].copy(), np.isfinite(a[:, 3]),
                                 a[:, 3].copy(), a[:, 4].astype(int)))
    return streams
