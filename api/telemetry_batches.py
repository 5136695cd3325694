"""A twin's telemetry batches: read one (CSV, Parquet or JSON) with ``twin.live.telemetry.read_telemetry`` against
the twin's series names, summarise its gaps on the twin's steps, and read stored telemetry back as ``Telemetry``.

Times are kept as integer nanoseconds since 1970-01-01 UTC (the registry's key); the twin's step grid is
``run.start + k * run.step_s`` for every integer k (before the start too).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import TypeAdapter, ValidationError

from api.errors import ApiError
from api.twin_schemas import TelemetryJson
from twin.live.telemetry import Telemetry, TelemetryError, read_telemetry
from twin.scenario.datafiles import DataFileError, TableLimits, tabular_text

__all__ = ["Batch", "read_file_batch", "read_json_batch", "gap_summary", "stored_telemetry", "to_ns", "from_ns",
           "step_grid", "steps_of"]

_ROW_PROBLEM = re.compile(r"^row (\d+) \(line \d+\), column (\w+): (.*)$", re.S)
_JSON = TypeAdapter(TelemetryJson)


@dataclass
class Batch:
    """A batch read and checked: one row per (signal, time) key (a repeated key keeps its last row), sorted by
    signal then time; ``rows`` counts the rows as sent."""

    signal: np.ndarray
    time_ns: np.ndarray
    value: np.ndarray
    rows: int
    format: str

    @property
    def duplicates(self) -> int:
        return self.rows - int(self.signal.size)


def to_ns(times: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Time-zone-aware times as integer nanoseconds since 1970 UTC."""
    t = pd.DatetimeIndex(times).tz_convert("UTC").tz_localize(None)
    return t.to_numpy("datetime64[ns]").astype(np.int64)


def from_ns(ns: int, tz) -> pd.Timestamp:
    return pd.Timestamp(int(ns), unit="ns", tz="UTC").tz_convert(tz)


EARLIEST, LATEST = pd.Timestamp("1678-01-01", tz="UTC"), pd.Timestamp("2262-01-01", tz="UTC")
"""Times a measurement may carry: the registry keys them in 64-bit nanoseconds since 1970 (with room for a step
at either end)."""


def _batch(tele: Telemetry, rows: int, fmt: str, field: str) -> Batch:
    outside = tele.frame["time"][(tele.frame["time"] < EARLIEST) | (tele.frame["time"] >= LATEST)]
    if len(outside):
        raise ApiError(422, "not valid telemetry", [{"field": field, "reason": (
            f"{len(outside)} timestamp(s) outside {EARLIEST.year} .. {LATEST.year - 1}, e.g. "
            f"{outside.iloc[0].isoformat()}: times are kept as 64-bit nanoseconds since 1970")}])
    frame = tele.frame.assign(time_ns=to_ns(tele.frame["time"]))
    frame = frame.drop_duplicates(["signal", "time_ns"], keep="last")  # the frame keeps the batch's order per key
    return Batch(frame["signal"].to_numpy(dtype=object), frame["time_ns"].to_numpy(np.int64),
                 frame["value"].to_numpy(float), rows, fmt)


def _telemetry_problem(exc: TelemetryError, field: str, json_rows: bool) -> ApiError:
    problems = []
    for text in exc.problems:
        m = _ROW_PROBLEM.match(text)
        if json_rows and m:
            problems.append({"field": f"measurements.{int(m.group(1)) - 1}.{m.group(2)}", "reason": m.group(3)})
        else:
            problems.append({"field": field, "reason": text})
    n = len(problems)
    return ApiError(422, f"not valid telemetry: {n} problem{'s' if n != 1 else ''}", problems)


def read_file_batch(data: bytes, field: str, known: set[str], limits: TableLimits) -> Batch:
    """A CSV or Parquet batch (the long format: timestamp, signal, value); 422 naming the field and each bad row,
    line and column (up to 20), or the limit passed."""
    if not data:
        raise ApiError(422, "bad upload: empty file", [{"field": field, "reason": "empty file"}])
    try:
        text = tabular_text(data, "upload", limits)
    except DataFileError as exc:
        raise ApiError(422, "not valid telemetry", [{"field": field, "reason": str(exc)}]) from None
    try:
        tele = read_telemetry(text.encode("utf-8"), "upload", known_signals=known)
    except TelemetryError as exc:  # also an unreadable CSV: unbalanced quotes, no header, rows of other widths
        raise _telemetry_problem(exc, field, json_rows=False) from None
    return _batch(tele, len(tele), "parquet" if data[:4] == b"PAR1" else "csv", field)


def read_json_batch(body: bytes, known: set[str], max_rows: int) -> Batch:
    """A JSON batch ``{"measurements": [{"timestamp", "signal", "value"}, ...]}``; 422 naming each bad
    ``measurements.<i>.<field>`` (or ``measurements`` for more than ``max_rows``)."""
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ApiError(422, "the request has 1 problem", [
            {"field": "", "reason": f"the body is not JSON ({type(exc).__name__})"}]) from None
    if isinstance(raw, dict) and isinstance(raw.get("measurements"), list) and len(raw["measurements"]) > max_rows:
        raise ApiError(422, "the batch is beyond this server's limit", [{
            "field": "measurements", "reason": f"{len(raw['measurements'])} measurements, more than the limit of "
                                               f"{max_rows} per batch; send it in parts"}])
    try:
        batch = _JSON.validate_python(raw)
    except ValidationError as exc:
        problems = [{"field": ".".join(str(p) for p in e["loc"]),
                     "reason": str(e["msg"]).removeprefix("Value error, ")} for e in exc.errors()[:50]]
        n = len(problems)
        raise ApiError(422, f"the request has {n} problem{'s' if n != 1 else ''}", problems) from None
    frame = pd.DataFrame([m.model_dump() for m in batch.measurements], columns=["timestamp", "signal", "value"])
    text = frame.to_csv(index=False, float_format="%.17g")
    try:
        tele = read_telemetry(text.encode("utf-8"), "measurements", known_signals=known)
    except TelemetryError as exc:
        raise _telemetry_problem(exc, "measurements", json_rows=True) from None
    return _batch(tele, len(batch.measurements), "json", "measurements")


def steps_of(time_ns: np.ndarray | int, origin_ns: int, step_ns: int) -> np.ndarray:
    """``floor((t - origin) / step)`` without forming ``t - origin`` (which overflows 64 bits for times centuries
    apart, within pandas' range)."""
    qt, rt = np.divmod(np.asarray(time_ns, np.int64), np.int64(step_ns))
    qo, ro = divmod(int(origin_ns), int(step_ns))
    return qt - np.int64(qo) + np.where(rt < ro, -1, 0)


def step_grid(start: pd.Timestamp, step_s: float, first_ns: int, last_ns: int, max_steps: int | None = None
              ) -> tuple[pd.DatetimeIndex, int]:
    """The twin's steps holding ``first_ns`` .. ``last_ns`` (``start + k * step_s``, in the start's time zone);
    with ``max_steps``, only the latest that many; and how many earlier steps were left out."""
    step_ns = int(round(step_s * 1e9))
    origin = to_ns(pd.DatetimeIndex([start]))[0]
    k0, k1 = (int(k) for k in steps_of(np.array([first_ns, last_ns]), origin, step_ns))
    left_out = 0
    if max_steps is not None and k1 - k0 + 1 > max_steps:
        left_out = k1 - k0 + 1 - max_steps
        k0 = k1 - max_steps + 1
    qo, ro = divmod(int(origin), step_ns)
    ns = (np.arange(k0, k1 + 1, dtype=np.int64) + np.int64(qo)) * np.int64(step_ns) + np.int64(ro)
    index = pd.DatetimeIndex(ns.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(start.tz)
    return index.rename("time"), left_out


def gap_summary(batch: Batch, start: pd.Timestamp, step_s: float) -> tuple[int, dict[str, dict]]:
    """The batch's span in twin steps, and per signal: its rows, first and last time, steps with and without a
    measurement in the span, the runs of steps without one and the longest (start, end, steps)."""
    step_ns = int(round(step_s * 1e9))
    origin = int(to_ns(pd.DatetimeIndex([start]))[0])
    k = steps_of(batch.time_ns, origin, step_ns)
    k_first, k_last = int(k.min()), int(k.max())
    steps = k_last - k_first + 1
    tz = start.tz
    out: dict[str, dict] = {}
    names, inverse = np.unique(batch.signal, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    ends = np.cumsum(np.bincount(inverse, minlength=names.size))
    for i, name in enumerate(names):
        rows = order[(ends[i - 1] if i else 0):ends[i]]
        ks = np.unique(k[rows])
        # runs of missing steps: before the first step with data, between two, after the last
        edges_lo = np.concatenate(([k_first - 1], ks))
        edges_hi = np.concatenate((ks, [k_last + 1]))
        lengths = edges_hi - edges_lo - 1
        gaps = np.flatnonzero(lengths > 0)
        longest = None
        if gaps.size:
            j = gaps[np.argmax(lengths[gaps])]
            g0, n = int(edges_lo[j]) + 1, int(lengths[j])
            longest = {"start": from_ns(origin + g0 * step_ns, tz), "end": from_ns(origin + (g0 + n) * step_ns, tz),
                       "steps": n}
        out[str(name)] = {"measurements": int(rows.size), "first": from_ns(batch.time_ns[rows].min(), tz),
                          "last": from_ns(batch.time_ns[rows].max(), tz), "steps_with_data": int(ks.size),
                          "missing_steps": int(steps - ks.size), "gaps": int(gaps.size), "longest_gap": longest}
    return steps, dict(sorted(out.items()))


def stored_telemetry(signal: list[str], time_ns: np.ndarray, value: np.ndarray) -> Telemetry:
    """Stored measurements (``TwinStore.telemetry``) as ``twin.live.telemetry.Telemetry``."""
    time = pd.DatetimeIndex(time_ns.astype("datetime64[ns]")).tz_localize("UTC")
    frame = pd.DataFrame({"time": time, "signal": pd.Series(signal, dtype=object), "value": value})
    return Telemetry(frame)
