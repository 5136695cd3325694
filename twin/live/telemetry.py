"""The twin's telemetry: measurements of the running centre in a long format, put on the twin's steps, and synthetic
telemetry made from a twin run (the only way to test the data-centre side: no public seabed telemetry exists).

Format (CSV with a header row, or Parquet), one row per measurement:

==============  ===========================================================================================
column          meaning
==============  ===========================================================================================
``timestamp``   ISO 8601 with a UTC offset (``2026-08-01T12:00:00+08:00``); in Parquet a time-zone-aware time
``signal``      the name of the twin's own series (``RunResult.series`` columns): ``hub_wind_speed_m_s``,
                ``sea_temp_c``, ``cabin0_inlet_temp_c``, ``cabin0_it_power_w``, ``grid_import_w``,
                ``cabin0_pump_speed``, ``cabin0_fan_speed``, ``battery_energy_wh``, ...
``value``       the measured value in the unit the name carries (SI, ``_w`` watts, ``_c`` degrees Celsius)
==============  ===========================================================================================

Rows may come in any order. A bad row (a time without an offset, a signal the twin does not have, a value that
is not a finite number) is an error naming its row, line and column; every such problem is reported at once (up
to 20). :func:`on_steps` puts the measurements on the twin's steps (the mean of the samples inside each step) and
reports each signal's gaps; a gap is never filled.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from twin.scenario.datafiles import DataFileError, tabular_text

__all__ = ["Telemetry", "TelemetryError", "read_telemetry", "on_steps", "Gridded", "SynthOptions", "synthesize",
           "to_long", "MAX_PROBLEMS"]

MAX_PROBLEMS = 20
COLUMNS = ("timestamp", "signal", "value")


class TelemetryError(ValueError):
    """Telemetry that cannot be read; ``problems`` lists each (row, line, column, reason)."""

    def __init__(self, label: str, problems: list[str]):
        self.problems = problems
        more = "" if len(problems) < MAX_PROBLEMS else f" (first {MAX_PROBLEMS} shown)"
        super().__init__(f"telemetry {label}: {len(problems)} problem(s){more}: " + "; ".join(problems))


@dataclass
class Telemetry:
    """Measurements in the long format: ``time`` (UTC), ``signal``, ``value``, sorted by signal then time."""

    frame: pd.DataFrame

    @property
    def signals(self) -> list[str]:
        return sorted(self.frame["signal"].unique().tolist())

    def __len__(self) -> int:
        return len(self.frame)


def read_telemetry(data: bytes, label: str, known_signals: set[str] | None = None) -> Telemetry:
    """Read telemetry (CSV or Parquet bytes; ``twin.scenario.datafiles.tabular_text`` holds the limits).
    ``known_signals``: the series names the twin has (a signal outside them is an error); None takes any."""
    try:
        text = tabular_text(data, label)
    except DataFileError as exc:
        raise TelemetryError(label, [str(exc)]) from None
    problems: list[str] = []
    try:
        rows = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
        width = len(next(rows, []))
        for i, row in enumerate(rows, start=1):
            if row and len(row) != width and len(problems) < MAX_PROBLEMS:
                problems.append(f"row {i} (line {i + 1}): {len(row)} fields, the header has {width}")
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True,
                          index_col=False)
    except (csv.Error, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise TelemetryError(label, [f"not a readable CSV ({str(exc)[:200]})"]) from None
    if problems:
        raise TelemetryError(label, problems)
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise TelemetryError(label, [f"header: missing column(s) {', '.join(missing)}; found "
                                     f"{', '.join(c[:40] for c in raw.columns[:20])}"])
    if raw.empty:
        raise TelemetryError(label, ["no data rows"])

    def bad(mask: np.ndarray, column: str, why) -> None:
        for i in np.flatnonzero(mask)[: MAX_PROBLEMS - len(problems)]:
            problems.append(f"row {i + 1} (line {i + 2}), column {column}: {why(i)}")

    stamps = raw["timestamp"].str.strip()
    has_offset = stamps.str.contains(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$", case=False, regex=True)
    time = pd.to_datetime(stamps.where(has_offset), format="ISO8601", utc=True, errors="coerce")
    bad((~has_offset).to_numpy(), "timestamp", lambda i: f"{stamps.iat[i][:40]!r} has no UTC offset")
    bad((has_offset & time.isna()).to_numpy(), "timestamp",
        lambda i: f"cannot read {stamps.iat[i][:40]!r} as ISO 8601")
    signal = raw["signal"].str.strip()
    if known_signals is not None:
        unknown = ~signal.isin(known_signals)
        bad(unknown.to_numpy(), "signal", lambda i: f"{signal.iat[i][:60]!r} is not a series of this twin")
    value = pd.to_numeric(raw["value"].str.strip(), errors="coerce").to_numpy(dtype=float)
    bad(~np.isfinite(value), "value", lambda i: f"{raw['value'].iat[i][:40]!r} is not a finite number")
    if problems:
        raise TelemetryError(label, problems[:MAX_PROBLEMS])
    frame = pd.DataFrame({"time": time, "signal": signal, "value": value}).sort_values(["signal", "time"],
                                                                                        kind="stable")
    return Telemetry(frame.reset_index(drop=True))


@dataclass
class Gridded:
    """Telemetry on the twin's steps: ``values`` (a column per signal, NaN where no sample fell in the step),
    ``samples`` (how many fell in each step), and per signal its ``coverage`` [-] and ``gaps``: the runs of steps
    without a sample, as ``(first step's time, last step's end, steps)``."""

    values: pd.DataFrame
    samples: pd.DataFrame
    coverage: dict[str, float] = field(default_factory=dict)
    gaps: dict[str, list[tuple[pd.Timestamp, pd.Timestamp, int]]] = field(default_factory=dict)
    outside: int = 0
    """Measurements outside the steps' span, left out."""


def on_steps(tele: Telemetry, index: pd.DatetimeIndex, step_s: float) -> Gridded:
    """Each signal's measurements averaged over the twin's steps ``[t_i, t_i + step_s)``; gaps reported, not filled."""
    t0 = index[0]
    n = len(index)
    f = tele.frame
    k = np.floor(((f["time"] - t0.tz_convert("UTC")).dt.total_seconds().to_numpy()) / step_s).astype(np.int64)
    inside = (k >= 0) & (k < n)
    values, counts, coverage, gaps = {}, {}, {}, {}
    step = pd.Timedelta(seconds=step_s)
    for name, part in f[inside].groupby("signal", sort=True):
        kk = k[inside][(f["signal"][inside] == name).to_numpy()]
        total = np.bincount(kk, weights=part["value"].to_numpy(), minlength=n)
        cnt = np.bincount(kk, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            values[name] = np.where(cnt > 0, total / np.maximum(cnt, 1), np.nan)
        counts[name] = cnt
        coverage[name] = float((cnt > 0).mean())
        empty = np.concatenate(([0], (cnt == 0).astype(np.int8), [0]))
        starts, ends = np.flatnonzero(np.diff(empty) == 1), np.flatnonzero(np.diff(empty) == -1)
        gaps[name] = [(index[s], index[e - 1] + step, int(e - s)) for s, e in zip(starts, ends)]
    return Gridded(pd.DataFrame(values, index=index), pd.DataFrame(counts, index=index), coverage, gaps,
                   outside=int((~inside).sum()))


def to_long(series: pd.DataFrame) -> pd.DataFrame:
    """A wide frame (a column per signal, a time index) as telemetry's long format; NaN rows are left out."""
    long = series.rename_axis("timestamp").reset_index().melt(id_vars="timestamp", var_name="signal",
                                                               value_name="value")
    return long[np.isfinite(long["value"].to_numpy(dtype=float))].reset_index(drop=True)


@dataclass
class SynthOptions:
    """How synthetic telemetry differs from the twin's truth, per signal (``{signal: value}``; ``*`` for the
    rest): Gaussian ``noise`` (its standard deviation, in the signal's unit), a constant ``bias``, a ``drift`` per
    day, and ``gaps``: outages arriving at ``gap_rate_per_day`` with exponential lengths of mean
    ``gap_mean_h`` [h], drawn per signal. ``seed`` draws the noise and the gaps."""

    noise: dict[str, float] = field(default_factory=dict)
    bias: dict[str, float] = field(default_factory=dict)
    drift_per_day: dict[str, float] = field(default_factory=dict)
    gap_rate_per_day: float = 0.0
    gap_mean_h: float = 2.0
    seed: int = 0


def default_noise(signal: str) -> float:
    """A sensor's typical noise by the unit its name carries (assumptions, stated in docs/live.md): 0.1 K for a
    temperature, 1 % of a typical value for a power is left to the caller; speeds and shares 0.01."""
    if signal.endswith("_c"):
        return 0.1
    if signal.endswith("_m_s"):
        return 0.2
    if signal.endswith("_w") or signal.endswith("_wh"):
        return 0.0
    return 0.005


def _pick(table: dict[str, float], name: str, default: float) -> float:
    return float(table.get(name, table.get("*", default)))


def synthesize(series: pd.DataFrame, signals: list[str], options: SynthOptions) -> pd.DataFrame:
    """Telemetry in the long format from a twin run's series: the chosen signals with noise, bias, drift and gaps
    (:class:`SynthOptions`); a power's default noise is 1 % of its mean absolute value."""
    missing = [s for s in signals if s not in series.columns]
    if missing:
        raise ValueError(f"signals: {', '.join(missing)} not in the run's series")
    rng = np.random.default_rng(options.seed)
    t = series.index
    days = ((t - t[0]).total_seconds().to_numpy()) / 86400.0
    step_s = (t[1] - t[0]).total_seconds() if len(t) > 1 else 60.0
    out = {}
    for name in signals:
        truth = series[name].to_numpy(dtype=float)
        base = default_noise(name) or 0.01 * float(np.mean(np.abs(truth)))
        sd = _pick(options.noise, name, base)
        v = truth + _pick(options.bias, name, 0.0) + _pick(options.drift_per_day, name, 0.0) * days
        if sd > 0:
            v = v + rng.normal(0.0, sd, v.size)
        if options.gap_rate_per_day > 0:
            span_d = days[-1] + step_s / 86400.0
            for _ in range(rng.poisson(options.gap_rate_per_day * span_d)):
                start = rng.uniform(0.0, span_d)
                length = rng.exponential(options.gap_mean_h / 24.0)
                v[(days >= start) & (days < start + length)] = math.nan
        out[name] = v
    return to_long(pd.DataFrame(out, index=t))
