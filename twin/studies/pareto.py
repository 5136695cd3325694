"""Pareto fronts of two KPIs over a sweep's table, and their plot.

Whether a KPI is better small or large is its **sense**: ``KPI_SENSES`` holds it for the KPIs where it is plain
(PUE: min, REF: max, ...); for others (energies that are neither good nor bad, new KPIs) the caller gives it
(``pue:min``). A point is on the front when no other completed point is at least as good in both KPIs and better in
one.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["KPI_SENSES", "parse_objective", "pareto_mask", "pareto_png"]

KPI_SENSES = {
    "pue": "min", "ref": "max", "cue_kg_per_kwh": "min", "wue_l_per_kwh": "min", "grid_import_mwh": "min",
    "curtailed_energy_mwh": "min", "unserved_energy_mwh": "min", "cooling_energy_share": "min",
    "max_inlet_temp_c": "min", "hours_inlet_above_recommended": "min", "hours_inlet_above_allowable": "min",
    "hours_inlet_below_recommended": "min", "min_cooling_margin_k": "max", "hours_protective_action": "min",
    "max_exchanger_fouling_m2k_w": "min", "capacity_factor": "max", "jobs_completed": "max", "job_wait_p95_s": "min",
    "job_wait_p50_s": "min", "job_wait_p99_s": "min", "mean_utilisation": "max", "turbine_availability": "max",
    "flexible_jobs_completed": "max", "deadline_misses": "min", "jobs_waiting_at_end": "min",
    "servers_alive_end": "max", "server_failures": "min", "jobs_rejected": "min", "max_plume_rise_k": "min",
    "hours_plume_above_limit": "min", "energy_balance_error": "min", "carbon_t": "min", "cable_losses_mwh": "min",
}
"""Better small (min) or large (max), for the KPIs where that is plain."""


def parse_objective(text: str, known: set[str] | None = None) -> tuple[str, str]:
    """``"pue"`` or ``"pue:min"`` -> ``("pue", "min")``; ValueError naming what is wrong."""
    name, _, sense = text.strip().partition(":")
    name, sense = name.strip(), sense.strip().lower()
    if known is not None and name not in known:
        raise ValueError(f"unknown KPI {name!r}; KPIs: {', '.join(sorted(known))}")
    if not sense:
        if name not in KPI_SENSES:
            raise ValueError(f"KPI {name!r} has no known sense; give it as {name}:min or {name}:max")
        sense = KPI_SENSES[name]
    if sense not in ("min", "max"):
        raise ValueError(f"sense {sense!r} of {name!r} must be min or max")
    return name, sense


def pareto_mask(x: np.ndarray, y: np.ndarray, sense_x: str = "min", sense_y: str = "min") -> np.ndarray:
    """True for the non-dominated points; NaN points are never on the front."""
    a = np.asarray(x, float) * (1.0 if sense_x == "min" else -1.0)
    b = np.asarray(y, float) * (1.0 if sense_y == "min" else -1.0)
    ok = np.isfinite(a) & np.isfinite(b)
    out = np.zeros(a.size, bool)
    for i in np.flatnonzero(ok):
        dominated = ok & (a <= a[i]) & (b <= b[i]) & ((a < a[i]) | (b < b[i]))
        out[i] = not dominated.any()
    return out


def pareto_png(table: pd.DataFrame, x: str, y: str, path: str | Path, sense_x: str, sense_y: str,
               title: str = "") -> Path:
    """Scatter of two KPIs over the completed points, the front marked and joined, each front point labelled by
    its index in the table."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from twin.sim.kpis import KPI_UNITS

    done = table[table["status"] == "completed"] if "status" in table else table
    xs, ys = done[x].to_numpy(float), done[y].to_numpy(float)
    front = pareto_mask(xs, ys, sense_x, sense_y)
    fig, ax = plt.subplots(figsize=(7, 5), dpi=110)
    ax.scatter(xs[~front], ys[~front], s=28, c="0.6", label="dominated")
    order = np.argsort(xs[front])
    ax.plot(xs[front][order], ys[front][order], "-o", c="tab:red", ms=6, label="Pareto front")
    for idx, xv, yv in zip(done.index[front], xs[front], ys[front]):
        ax.annotate(str(idx), (xv, yv), textcoords="offset points", xytext=(4, 4), fontsize=8)

    def label(k, s):
        unit = KPI_UNITS.get(k, "")
        return f"{k} [{unit}] ({'lower' if s == 'min' else 'higher'} is better)"

    ax.set_xlabel(label(x, sense_x))
    ax.set_ylabel(label(y, sense_y))
    n_failed = int((table["status"] != "completed").sum()) if "status" in table else 0
    ax.set_title(title or f"{len(done)} scenarios" + (f" ({n_failed} failed, not shown)" if n_failed else ""))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def finite(v):
    return None if isinstance(v, float) and not math.isfinite(v) else v
