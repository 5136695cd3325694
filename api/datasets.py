"""Data sets: files a caller uploads (measured wind, job traces), checked by the readers a run uses, stored
content-addressed, and the only files a scenario sent over HTTP may name (``dataset:<sha256>``).

Kinds and what each is checked with:

- ``wind``: a measured wind series (docs/wind.md), read by ``physics.wind_resource.read_measured_wind_csv``;
- ``trace``: a job trace (docs/workload.md), read by ``twin.workload.trace.parse_trace``; the class names and cabin
  groups it uses are checked against the scenario when a run reads it.

A file is CSV text (UTF-8, a header row) or Parquet, never compressed (``twin.scenario.datafiles.tabular_text``
holds the limits). ``DatasetAccess`` is what the API hands to scenario validation and to its workers: only
references to data sets registered with the right kind pass, and a run reads the stored file (no symbolic link,
a regular file, the same hash).
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from twin.scenario.datafiles import (
    DataFileError,
    DatasetFiles,
    InlineDatasets,
    TableLimits,
    data_fields,
    parse_dataset_ref,
    tabular_text,
)

__all__ = ["KINDS", "DatasetAccess", "DatasetProblem", "summarize", "write_blob", "inline_datasets"]

KINDS = ("wind", "trace", "state", "forecast")
"""The kinds of data set this server takes."""


class DatasetProblem(ValueError):
    """An upload that is not a valid data set of its kind; the message quotes the upload only."""


def _summarize_wind(text: str, label: str) -> dict:
    from physics.wind_resource import read_measured_wind_csv

    series = read_measured_wind_csv(io.StringIO(text), label=label)
    return {"rows": int(series.wind_speed_m_s.size), "start": series.time[0].isoformat(),
            "end": series.time[-1].isoformat(), "details": {
                "height_m": series.height_m,
                "columns": [c for c, v in (("wind_direction_deg", series.wind_direction_deg),
                                           ("air_temp_c", series.air_temp_c), ("pressure_pa", series.pressure_pa))
                            if v is not None]}}


def _summarize_trace(text: str, label: str) -> dict:
    from twin.workload.trace import TraceError, parse_trace

    try:
        table = parse_trace(text, label)
    except TraceError as exc:
        raise DatasetProblem(str(exc)) from None
    n = int(table.submit_s.size)
    return {"rows": n, "start": float(table.submit_s[0]) if n else None,
            "end": float(table.submit_s[-1]) if n else None, "details": {
                "span_unit": "s after the run's start", "classes": sorted(set(table.class_names)),
                "cabins": sorted({int(c) for c in table.cabin}),
                "server_hours": float((table.servers * table.duration_s).sum() / 3600.0)}}


def _summarize_forecast(text: str, label: str) -> dict:
    from twin.sim.weather import read_forecast

    table = read_forecast(text, label)
    return {"rows": int(table.time.size), "start": table.time[0].isoformat(), "end": table.time[-1].isoformat(),
            "details": {"columns": [c for c, v in (("sea_temp_c", table.sea_temp_c),
                                                   ("wind_direction_deg", table.wind_direction_deg)) if v is not None],
                        "mean_hub_wind_speed_m_s": float(table.hub_wind_speed_m_s.mean())}}


def _summarize_state(data: bytes, label: str) -> dict:
    from twin.scenario import ScenarioError
    from twin.sim.saved_state import parse_state

    try:
        state = parse_state(data, label, field="upload")
    except ScenarioError as exc:
        raise DatasetProblem("; ".join(f"{p}: {r}" for p, r in exc.problems)) from None
    return {"rows": len(state.cabins), "start": state.time.isoformat(), "end": state.time.isoformat(),
            "details": {"cabin_groups": len(state.cabins), "version": state.version,
                        "battery": state.battery_energy_wh is not None, "turbines_down": state.turbines_down}}


_SUMMARIZERS = {"wind": _summarize_wind, "trace": _summarize_trace, "forecast": _summarize_forecast}


def summarize(kind: str, data: bytes, limits: TableLimits) -> dict:
    """Check an upload with its kind's reader; its format, rows, time span and details. ``DatasetProblem`` names
    the row, line and column of what is wrong (quoting the upload, never anything else)."""
    label = "upload"
    if kind == "state":  # a JSON or YAML document, not a table
        return {"format": "json", **_summarize_state(data, label)}
    try:
        text = tabular_text(data, label, limits)
        out = _SUMMARIZERS[kind](text, label)
    except (DataFileError, ValueError) as exc:
        raise DatasetProblem(str(exc)) from None
    if out["rows"] == 0:
        raise DatasetProblem(f"{label}: no data rows")
    return {"format": "parquet" if data[:4] == b"PAR1" else "csv", **out}


def write_blob(folder: Path, data: bytes) -> str:
    """Store ``data`` as ``<folder>/<sha256>`` (written to a temporary file, synced, renamed into place); its
    SHA-256. A file already there with that name is replaced only when it is not a regular file with that hash."""
    sha = hashlib.sha256(data).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / sha
    try:
        DatasetFiles(folder).read("", f"dataset:{sha}")
        return sha  # already stored, intact
    except DataFileError:
        pass
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, final)  # replaces a symbolic link itself, never its target
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha


@dataclass
class DatasetAccess:
    """The API's rule for data files: only ``dataset:<sha256>`` of a data set registered with the field's kind
    (read from the registry at ``db_path``), read from ``folder``. Picklable: a worker process rebuilds it from
    the two paths."""

    folder: Path
    db_path: Path
    max_bytes: int = 1 << 31

    def _known(self, kind: str, sha: str) -> str | None:
        con = sqlite3.connect(self.db_path, timeout=30.0)
        try:
            row = con.execute("SELECT kind FROM datasets WHERE id = ?", (sha,)).fetchone()
        finally:
            con.close()
        if row is None:
            return f"dataset:{sha} is not a data set of this server (GET /v1/datasets lists them)"
        if row[0] != kind:
            return f"dataset:{sha} is a {row[0]} data set; this field takes a {kind} data set"
        return None

    def _files(self) -> DatasetFiles:
        return DatasetFiles(self.folder, self.max_bytes, known=self._known)

    def check(self, kind: str, value: str) -> str | None:
        return self._files().check(kind, value)

    def read(self, kind: str, value: str) -> tuple[bytes, str]:
        return self._files().read(kind, value)


def inline_datasets(scenario, access: DatasetAccess) -> InlineDatasets:
    """The data sets a scenario names, as bytes, for a worker that cannot see the data folder."""
    blobs = {}
    for ref in data_fields(scenario):
        data, _ = access.read(ref.kind, ref.value)
        blobs[parse_dataset_ref(ref.value)] = data
    return InlineDatasets(blobs)
