"""A run's time series: select variables and a window, resample, answer as JSON, CSV or Parquet."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from api.errors import ApiError
from twin.scenario import parse_duration_s

__all__ = ["FORMATS", "MEDIA_TYPES", "column_unit", "choose_format", "select", "to_json", "to_csv", "to_parquet"]

MEDIA_TYPES = {"json": "application/json", "csv": "text/csv", "parquet": "application/vnd.apache.parquet"}
FORMATS = tuple(MEDIA_TYPES)
_ACCEPT_ALIASES = {
    "application/json": "json", "text/csv": "csv", "application/csv": "csv",
    "application/vnd.apache.parquet": "parquet", "application/x-parquet": "parquet", "application/parquet": "parquet",
}

_SUFFIX_UNITS = (
    ("_kg_per_kwh", "kg CO2 per kWh"), ("_kg_m3", "kg m-3"), ("_m_s", "m s-1"), ("_deg", "deg"), ("_wh", "Wh"),
    ("_w", "W"), ("_c", "C"),
)


def column_unit(name: str) -> str:
    """The unit of a series column, read off the unit suffix its name carries ('-' for shares and counts)."""
    for suffix, unit in _SUFFIX_UNITS:
        if name.endswith(suffix):
            return unit
    return "-"


def choose_format(fmt: str | None, accept: str | None) -> str:
    """``format=`` wins; else the first acceptable media type of ``Accept``; else JSON. 406 when none fits."""
    if fmt is not None:
        return fmt
    if not accept:
        return "json"
    best: tuple[float, int, str] | None = None
    for pos, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media in ("*/*", "application/*"):
            found = "json"
        elif media == "text/*":
            found = "csv"
        else:
            found = _ACCEPT_ALIASES.get(media)
        if found and (best is None or (q, -pos) > (best[0], -best[1])):
            best = (q, pos, found)
    if best is None:
        raise ApiError(406, f"cannot answer in any type of Accept: {accept!r}; available: "
                            f"{', '.join(MEDIA_TYPES.values())} (or use format=json|csv|parquet)")
    return best[2]


def _timestamp(text: str, what: str, tz) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        raise ApiError(422, f"bad {what}", [{"field": f"query.{what}",
                                             "reason": f"cannot read {text!r} as an ISO 8601 time"}]) from None
    if ts is pd.NaT:
        raise ApiError(422, f"bad {what}", [{"field": f"query.{what}", "reason": "not a time"}])
    if ts.tzinfo is None:
        ts = ts.tz_localize(tz)
    return ts


def select(frame: pd.DataFrame, step_s: float, vars_: str | None, start: str | None, end: str | None,
           resample: str | None, max_cells: int | None) -> tuple[pd.DataFrame, str | None]:
    """Cut a run's series as asked; every problem with the query is one 422."""
    problems = []
    columns = list(frame.columns)
    if vars_:
        wanted = [v.strip() for v in vars_.split(",") if v.strip()]
        unknown = [v for v in wanted if v not in frame.columns]
        if unknown:
            problems.append({"field": "query.vars", "reason": f"unknown variable(s) {', '.join(unknown)}; known: "
                                                              f"{', '.join(frame.columns)}"})
        columns = list(dict.fromkeys(v for v in wanted if v in frame.columns))
    tz = frame.index.tz
    lo = hi = None
    try:
        lo = _timestamp(start, "start", tz) if start else None
    except ApiError as exc:
        problems += exc.problems
    try:
        hi = _timestamp(end, "end", tz) if end else None
    except ApiError as exc:
        problems += exc.problems
    if lo is not None and hi is not None and lo > hi:
        problems.append({"field": "query.end", "reason": "end is before start"})
    rule = None
    if resample:
        try:
            width_s = parse_duration_s(resample)
        except ValueError as exc:
            problems.append({"field": "query.resample", "reason": str(exc)})
        else:
            if not math.isfinite(width_s) or width_s < step_s or width_s > 400 * 86400:
                problems.append({"field": "query.resample",
                                 "reason": f"bin width must be between the run's step ({step_s:g} s) and 400 d"})
            else:
                rule = f"{int(round(width_s))}s"
    if problems:
        raise ApiError(422, "bad time series query", problems)
    frame = frame[columns]
    if lo is not None or hi is not None:
        frame = frame.loc[lo:hi]
    if rule is not None:
        frame = frame.resample(rule, origin="start").mean()
    if max_cells is not None and frame.shape[0] * max(frame.shape[1], 1) > max_cells:
        raise ApiError(422, "answer too large", [{
            "field": "query", "reason": f"{frame.shape[0]} rows x {frame.shape[1]} columns is more than "
                                        f"{max_cells} values; ask for fewer vars, a shorter window, a resample, or "
                                        f"format=parquet"}])
    return frame, rule


def to_json(run_id: str, frame: pd.DataFrame, rule: str | None) -> dict:
    columns = {}
    for name in frame.columns:
        values = frame[name].to_numpy(dtype=float)
        listed = values.tolist()
        if not np.isfinite(values).all():
            listed = [v if math.isfinite(v) else None for v in listed]
        columns[name] = listed
    return {"run_id": run_id, "index": [t.isoformat() for t in frame.index], "columns": columns,
            "units": {c: column_unit(c) for c in frame.columns}, "resample": rule}


def to_csv(frame: pd.DataFrame) -> bytes:
    out = frame.copy()
    out.index = [t.isoformat() for t in out.index]
    out.index.name = "time"
    return out.to_csv().encode()


def to_parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf)
    return buf.getvalue()
