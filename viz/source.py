"""What the pictures are drawn from: a saved run, the step nearest a time, and each turbine's share of the farm.

A saved run folder (``seabed-twin run --out DIR``, or ``<data>/runs/<id>/`` of the API) holds ``series.parquet``,
``kpis.json`` and ``scenario.json``; :func:`load_run` reads it with :meth:`twin.sim.results.RunResult.load`.

Per-turbine power is not in the series (it holds the farm's total). :func:`turbine_powers_w` derives it: the
farm's available power at that step (``wind_available_w``) shared over the turbines in proportion to each
turbine's own output in the Jensen wake model for that step's hub wind speed and direction (``physics.wakes``,
the same layout as the run's farm table). Which turbines were down is the run's ``turbine_outages`` (failures by
turbine, maintenance one after another by index, an event's turbines the highest-numbered of those running); a
run saved before those were recorded has only the count, and its down turbines are drawn as the last by index.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from twin.scenario import parse_duration_s
from twin.sim.results import RunFolderError, RunResult

__all__ = ["ViewInputError", "load_run", "time_index", "time_label", "turbine_powers_w", "TurbineState"]


class ViewInputError(ValueError):
    """A bad request of a view: ``field`` names what was wrong (``time``, ``scene``, ``field``, ``run``)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def load_run(folder: str | Path) -> RunResult:
    """The run saved in ``folder`` (``RunResult.load``); a folder that is not a run is a ``ViewInputError``."""
    try:
        return RunResult.load(folder)
    except RunFolderError as exc:
        raise ViewInputError("run", str(exc)) from None


def time_index(series: pd.DataFrame, when: str | pd.Timestamp | None) -> int:
    """Row of the step nearest ``when``: a timestamp (ISO 8601; without an offset, the run's), an offset from the
    start (``"36h"``, ``"2d"``, ``"3600s"``), or None for the last step. Outside the run: :class:`ViewInputError`."""
    idx = series.index
    if when is None or (isinstance(when, str) and when.strip() in ("", "end")):
        return len(idx) - 1
    if isinstance(when, str) and when.strip() == "start":
        return 0
    try:
        if isinstance(when, str) and when.strip()[:1].isdigit() and when.strip()[-1:] in "smhdwy" \
                and "-" not in when and ":" not in when:
            t = idx[0] + pd.Timedelta(seconds=parse_duration_s(when.strip()))
        else:
            t = pd.Timestamp(when)
            if t.tzinfo is None:
                t = t.tz_localize(idx.tz)
    except (ValueError, TypeError) as exc:
        raise ViewInputError("time", f"{when!r} is neither an ISO 8601 time nor an offset such as 36h ({exc})") \
            from None
    step = idx[1] - idx[0] if len(idx) > 1 else pd.Timedelta(0)
    if not idx[0] <= t <= idx[-1] + step:
        raise ViewInputError("time", f"{t.isoformat()} is outside the run ({idx[0].isoformat()} to "
                                     f"{(idx[-1] + step).isoformat()})")
    return int(np.argmin(np.abs((idx - t).asi8)))


def time_label(series: pd.DataFrame, i: int) -> str:
    """``2026-01-01 12:00 +08:00 (day 0.50 of 2.00)``: the step's local time and how far into the run."""
    idx = series.index
    t = idx[i]
    span_d = (idx[-1] - idx[0]).total_seconds() / 86400.0
    day = (t - idx[0]).total_seconds() / 86400.0
    return f"{t.strftime('%Y-%m-%d %H:%M %z')[:-2]}:{t.strftime('%z')[-2:]} (day {day:.2f} of {span_d:.2f})"


class TurbineState:
    """Positions [m] (x east, y north), rotor diameter and hub height [m], power [W], available flags, rated
    power [W] and the wind direction [deg, from] of one step."""

    def __init__(self, x_m, y_m, rotor_diameter_m, hub_height_m, power_w, available, rated_power_w,
                 wind_direction_deg, wind_speed_m_s):
        self.x_m, self.y_m = np.asarray(x_m, float), np.asarray(y_m, float)
        self.rotor_diameter_m, self.hub_height_m = float(rotor_diameter_m), float(hub_height_m)
        self.power_w, self.available = np.asarray(power_w, float), np.asarray(available, bool)
        self.rated_power_w = float(rated_power_w)
        self.wind_direction_deg, self.wind_speed_m_s = float(wind_direction_deg), float(wind_speed_m_s)

    @property
    def count(self) -> int:
        return int(self.x_m.size)


def _jensen_shares(curve, x, y, wake_decay: float, speed: float, direction: float) -> np.ndarray:
    """Each turbine's own Jensen output at one speed and direction, as a share of the farm's (sum 1).

    Jensen is solved upstream first, and a turbine's output depends only on the turbines upstream of it, so the
    output of the turbine of rank r is the farm power of the first r + 1 turbines minus that of the first r.
    """
    from physics import wakes

    n = x.size
    theta = np.deg2rad(direction)
    along = x * -np.sin(theta) + y * -np.cos(theta)
    order = np.argsort(along, kind="stable")
    speeds = np.array([speed, speed + 1e-3])
    direction = float(np.mod(direction, 360.0))
    prev = 0.0
    own = np.zeros(n)
    for r in range(n):
        sel = order[: r + 1]
        table = wakes.jensen_farm_table(curve, x[sel], y[sel], wake_decay=wake_decay, wind_speed_m_s=speeds,
                                        direction_deg=[direction])
        total = float(table.power_w[0, 0])
        own[order[r]] = max(total - prev, 0.0)
        prev = total
    s = own.sum()
    return own / s if s > 0 else np.full(n, 1.0 / n)


def turbine_powers_w(result: RunResult, i: int) -> TurbineState:
    """Every turbine's power at step ``i`` (see the module's docstring for how it is derived)."""
    from twin.sim.exogenous import farm_layout_m, farm_power_curve

    sc = result.scenario
    farm = sc.wind.farm
    curve = farm_power_curve(sc)
    x, y = farm_layout_m(sc, curve)
    row = result.series.iloc[i]
    speed = float(row.get("hub_wind_speed_m_s", 0.0))
    direction = float(row.get("wind_direction_deg", 270.0))
    n = x.size
    available = result.turbines_up(i * float(sc.run.step_s))
    if available is None or available.size != n:  # a run saved before outages were recorded: by count
        n_up = int(np.clip(round(float(row.get("turbines_available", n))), 0, n))
        available = np.arange(n) < n_up
    if farm.wake_model == "none" or n == 1:
        shares = np.full(n, 1.0 / n)
    else:
        shares = _jensen_shares(curve, x, y, farm.wake_decay, speed, direction)
    shares = np.where(available, shares, 0.0)
    total_share = shares.sum()
    power = float(row.get("wind_available_w", 0.0)) * (shares / total_share if total_share > 0 else shares)
    hub = farm.hub_height_m or curve.hub_height_m
    return TurbineState(x, y, curve.rotor_diameter_m, hub, power, available, float(np.max(curve.power_w)),
                        direction, speed)
