"""Telemetry: measured turbine records (SCADA) and a reference wind (reanalysis), read into arrays.

Two Parquet layouts (``tests/data/LA_HAUTE_BORNE.md`` describes the La Haute Borne files in them):

SCADA, one row per turbine and record
    ``time`` (timezone-aware; the start of the record's averaging period), ``turbine`` (a name),
    ``power_kw`` or ``power_w`` (active power), ``wind_speed_m_s`` (nacelle anemometer), ``pitch_angle_deg``,
    ``outdoor_temp_c`` (at the nacelle); record means over ``step_s`` (10 minutes). Empty cells are missing
    measurements (NaN). :func:`read_scada` puts them on the regular grid of ``step_s`` from the first to the last
    time; slots without a row are NaN too.
Reference wind, one row per instant
    ``time`` (timezone-aware), ``surface_pressure_pa``, ``air_temp_2m_k`` and the wind either as
    ``wind_speed_m_s`` with ``wind_direction_deg`` (where it comes from, clockwise from north) or as one pair of
    components ``eastward_wind_<h>m_m_s``, ``northward_wind_<h>m_m_s`` (ERA5's u and v at h metres).

Bad files raise ``ValueError`` naming the file, the column and the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["ReferenceWind", "Scada", "read_reference_wind", "read_scada"]

_SCADA_VALUES = ("wind_speed_m_s", "pitch_angle_deg", "outdoor_temp_c")


@dataclass(frozen=True, eq=False)
class Scada:
    """Turbine records on a regular UTC grid; arrays are (turbine, step), NaN where missing.

    ``time`` holds the start of each record's averaging period of ``step_s`` [s]; ``power_w`` [W],
    ``wind_speed_m_s`` [m s-1] (nacelle), ``pitch_angle_deg`` [deg], ``outdoor_temp_c`` [degC] (nacelle).
    """

    time: pd.DatetimeIndex
    step_s: float
    turbines: tuple[str, ...]
    power_w: np.ndarray
    wind_speed_m_s: np.ndarray
    pitch_angle_deg: np.ndarray
    outdoor_temp_c: np.ndarray


@dataclass(frozen=True, eq=False)
class ReferenceWind:
    """A reference wind series at ``height_m`` [m] (None when the file does not say): instantaneous values.

    ``time`` UTC; ``eastward_m_s``, ``northward_m_s`` the wind components [m s-1] (u, v: the air moves towards
    east and north); ``surface_pressure_pa`` [Pa]; ``air_temp_2m_k`` [K].
    """

    time: pd.DatetimeIndex
    height_m: float | None
    eastward_m_s: np.ndarray
    northward_m_s: np.ndarray
    surface_pressure_pa: np.ndarray
    air_temp_2m_k: np.ndarray

    def at(self, times) -> dict[str, np.ndarray]:
        """The series at ``times`` (timezone-aware) by linear interpolation in time.

        Returns ``wind_speed_m_s`` (the speed interpolated, not the vector, so that a turning wind keeps its
        speed), ``wind_direction_deg`` (FROM, clockwise from north, of the interpolated vector),
        ``surface_pressure_pa`` and ``air_temp_2m_k``. Times outside the series raise ``ValueError``.
        """
        t = _utc_index(times, "times")
        if len(t) and (t.min() < self.time[0] or t.max() > self.time[-1]):
            raise ValueError(f"times: {t.min()} .. {t.max()} reaches outside the reference wind "
                             f"({self.time[0]} .. {self.time[-1]})")
        x = t.asi8.astype(float)
        xp = self.time.asi8.astype(float)
        speed = np.interp(x, xp, np.hypot(self.eastward_m_s, self.northward_m_s))
        u = np.interp(x, xp, self.eastward_m_s)
        v = np.interp(x, xp, self.northward_m_s)
        return {"wind_speed_m_s": speed, "wind_direction_deg": np.degrees(np.arctan2(-u, -v)) % 360.0,
                "surface_pressure_pa": np.interp(x, xp, self.surface_pressure_pa),
                "air_temp_2m_k": np.interp(x, xp, self.air_temp_2m_k)}


def _utc_index(values, name: str) -> pd.DatetimeIndex:
    t = pd.DatetimeIndex(values)
    if t.tz is None:
        raise ValueError(f"{name}: must be timezone-aware (UTC), got naive times")
    return t.tz_convert("UTC").as_unit("ns")


def _read(path, name: str) -> pd.DataFrame:
    path = Path(path)
    try:
        return pd.read_parquet(path)
    except FileNotFoundError:
        raise ValueError(f"{name}: no such file {path}") from None
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a file that is not Parquet
        raise ValueError(f"{name}: {path} is not a readable Parquet file ({exc.__class__.__name__})") from None


def _require(frame: pd.DataFrame, columns, path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")


def _numeric(frame: pd.DataFrame, column: str, path) -> np.ndarray:
    try:
        values = frame[column].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{path}: column {column}: must be numeric") from None
    if np.any(np.isinf(values)):
        raise ValueError(f"{path}: column {column}: must not be infinite")
    return values


def read_scada(path, step_s=600.0) -> Scada:
    """Read a SCADA Parquet file (module docstring) onto its regular grid of ``step_s`` [s]."""
    frame = _read(path, "path")
    power_column = "power_w" if "power_w" in frame.columns else "power_kw"
    _require(frame, ("time", "turbine", power_column, *_SCADA_VALUES), path)
    if not step_s > 0:
        raise ValueError(f"step_s: must be > 0, got {step_s!r}")
    time = _utc_index(frame["time"], f"{path}: column time")
    names = frame["turbine"].astype(str).to_numpy()
    step_ns = int(round(step_s * 1e9))
    start = time.min()
    offset = (time.asi8 - start.value)
    if np.any(offset % step_ns):
        raise ValueError(f"{path}: column time: not on a regular {step_s:g} s grid from {start}")
    n_steps = int(offset.max() // step_ns) + 1
    turbines = tuple(sorted(set(names)))
    row = np.searchsorted(turbines, names)
    col = offset // step_ns
    if np.bincount(row * n_steps + col).max() > 1:
        raise ValueError(f"{path}: duplicated (turbine, time) rows")
    arrays = {}
    for column in (power_column, *_SCADA_VALUES):
        grid = np.full((len(turbines), n_steps), np.nan)
        grid[row, col] = _numeric(frame, column, path)
        arrays[column] = grid
    power_w = arrays.pop(power_column) * (1e3 if power_column == "power_kw" else 1.0)
    return Scada(time=pd.date_range(start, periods=n_steps, freq=pd.Timedelta(step_ns, "ns")), step_s=float(step_s),
                 turbines=turbines, power_w=power_w, **arrays)


def read_reference_wind(path) -> ReferenceWind:
    """Read a reference-wind Parquet file (module docstring); rows must be strictly increasing in time."""
    frame = _read(path, "path")
    _require(frame, ("time", "surface_pressure_pa", "air_temp_2m_k"), path)
    time = _utc_index(frame["time"], f"{path}: column time")
    if len(time) < 2 or np.any(np.diff(time.asi8) <= 0):
        raise ValueError(f"{path}: column time: need at least 2 rows, strictly increasing")
    east = [c for c in frame.columns if re.fullmatch(r"eastward_wind_(\d+(?:\.\d+)?)m_m_s", c)]
    north = [c for c in frame.columns if re.fullmatch(r"northward_wind_(\d+(?:\.\d+)?)m_m_s", c)]
    if len(east) == 1 and len(north) == 1:
        height = float(re.findall(r"[\d.]+", east[0])[0])
        if height != float(re.findall(r"[\d.]+", north[0])[0]):
            raise ValueError(f"{path}: {east[0]} and {north[0]} are at different heights")
        u, v = _numeric(frame, east[0], path), _numeric(frame, north[0], path)
    elif "wind_speed_m_s" in frame.columns and "wind_direction_deg" in frame.columns:
        speed = _numeric(frame, "wind_speed_m_s", path)
        rad = np.radians(_numeric(frame, "wind_direction_deg", path))
        u, v, height = -speed * np.sin(rad), -speed * np.cos(rad), None
    else:
        raise ValueError(f"{path}: need one pair eastward_wind_<h>m_m_s, northward_wind_<h>m_m_s, "
                         "or wind_speed_m_s with wind_direction_deg")
    pressure = _numeric(frame, "surface_pressure_pa", path)
    temp = _numeric(frame, "air_temp_2m_k", path)
    for name, values in (("wind", np.hypot(u, v)), ("surface_pressure_pa", pressure), ("air_temp_2m_k", temp)):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{path}: column {name}: has missing values (a reference must be complete)")
    if np.any(pressure < 50_000) or np.any(pressure > 110_000):
        raise ValueError(f"{path}: column surface_pressure_pa: outside 50,000-110,000 Pa (hPa given?)")
    if np.any(temp < 180) or np.any(temp > 340):
        raise ValueError(f"{path}: column air_temp_2m_k: outside 180-340 K (degC given?)")
    return ReferenceWind(time=time, height_m=height, eastward_m_s=u, northward_m_s=v, surface_pressure_pa=pressure,
                         air_temp_2m_k=temp)
