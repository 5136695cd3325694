"""Design-space sweeps: many scenarios of one design, run on Dask (or serially), tabled together.

Points
------
- ``grid``: ``{path: [v1, v2, ...]}``, the Cartesian product of the values (in the order given; the last path
  varies fastest).
- ``lhs``: ``{path: (lo, hi)}`` with ``samples`` N: a Latin hypercube of N points over the ranges
  (``scipy.stats.qmc.LatinHypercube``, seeded by ``sample_seed``). When ``lo`` and ``hi`` are both integers the
  path takes integers ``lo..hi`` (each stratum floored), else floats.
- Both: every grid point is combined with every one of the same N samples, so there are ``grid size x N`` points
  and each LHS sample is compared at every grid value.

Each point is the design with ``overrides`` and then the point's own ``path=value`` items. Every point is checked
before any run starts; a bad point raises ``SweepInputError`` naming the point and the field. A point whose run
fails is a row with ``status`` failed and its ``error``; the others go on.

The table: one row per point (index ``point``), the swept paths, ``status``, ``error``, then every KPI (NaN for a
failed point). ``write_outputs`` saves ``sweep.parquet``, ``sweep.csv`` and ``pareto.png``.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from twin.scenario import ScenarioError
from twin.studies.cluster import open_backend, run_point

__all__ = ["sweep", "sweep_points", "parse_grid_item", "parse_lhs_item", "prepare_points", "write_outputs",
           "SweepInputError", "SweepResult"]


class SweepInputError(ScenarioError):
    """A bad grid, range or point: ``problems`` lists ``(field, reason)``, every one of them."""


@dataclass
class SweepResult:
    table: pd.DataFrame
    backend: str
    wall_s: float
    paths: list[str]

    @property
    def failed(self) -> int:
        return int((self.table["status"] != "completed").sum())


def _yaml_value(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def parse_grid_item(item: str) -> tuple[str, list]:
    """``"cabins.0.count=1,2,3"`` -> ``("cabins.0.count", [1, 2, 3])``; each value read as YAML."""
    path, eq, raw = item.partition("=")
    if not eq or not path.strip() or not raw.strip():
        raise SweepInputError([("grid", f"{item!r}: a grid item is path=v1,v2,...")], "command line")
    return path.strip(), [_yaml_value(v.strip()) for v in raw.split(",")]


def parse_lhs_item(item: str) -> tuple[str, tuple[float, float]]:
    """``"electrical.battery.energy_capacity_wh=0:2e7"`` -> ``(path, (0, 2e7))``."""
    path, eq, raw = item.partition("=")
    lo, colon, hi = raw.partition(":")
    try:
        if not eq or not colon or not path.strip():
            raise ValueError
        lo_v, hi_v = _yaml_value(lo.strip()), _yaml_value(hi.strip())
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo_v, hi_v)):
            raise ValueError
    except ValueError:
        raise SweepInputError([("lhs", f"{item!r}: a range is path=lo:hi with numbers lo < hi")],
                              "command line") from None
    return path.strip(), (lo_v, hi_v)


def sweep_points(grid: dict[str, list] | None = None, lhs: dict[str, tuple] | None = None,
                 samples: int | None = None, sample_seed: int = 0) -> list[dict]:
    """The points of a sweep, each ``{path: value}`` (module doc for the grid x LHS semantics)."""
    grid, lhs = dict(grid or {}), dict(lhs or {})
    problems = []
    for path, values in grid.items():
        if not isinstance(values, (list, tuple)) or not values:
            problems.append((f"grid.{path}", "needs a non-empty list of values"))
    for path, rng in lhs.items():
        if (not isinstance(rng, (list, tuple)) or len(rng) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng)):
            problems.append((f"lhs.{path}", "needs a range (lo, hi) of two numbers"))
        elif not (math.isfinite(rng[0]) and math.isfinite(rng[1]) and rng[0] < rng[1]):
            problems.append((f"lhs.{path}", f"lo ({rng[0]}) must be below hi ({rng[1]}), both finite"))
        if path in grid:
            problems.append((f"lhs.{path}", "is also in the grid; sweep a path one way"))
    if lhs and (samples is None or samples < 1):
        problems.append(("samples", "a Latin hypercube needs samples >= 1"))
    if not lhs and samples is not None:
        problems.append(("samples", "samples is for lhs ranges; none given"))
    if not grid and not lhs:
        problems.append(("grid", "give a grid, lhs ranges, or both"))
    if problems:
        raise SweepInputError(problems, "sweep")
    grid_pts = [dict(zip(grid, combo)) for combo in itertools.product(*grid.values())] if grid else [{}]
    lhs_pts = [{}]
    if lhs:
        from scipy.stats import qmc

        u = qmc.LatinHypercube(d=len(lhs), rng=np.random.default_rng(sample_seed)).random(samples)
        lhs_pts = []
        for row in u:
            pt = {}
            for (path, (lo, hi)), x in zip(lhs.items(), row):
                if isinstance(lo, int) and isinstance(hi, int):
                    pt[path] = int(min(hi, lo + math.floor(x * (hi - lo + 1))))
                else:
                    pt[path] = float(lo + x * (hi - lo))
            lhs_pts.append(pt)
    return [{**g, **s} for g in grid_pts for s in lhs_pts]


def _item(path: str, value: Any) -> str:
    return f"{path}={json.dumps(value)}"  # JSON is read back exactly by the YAML parser


def _label(point: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in point.items())


def prepare_points(design: str | Path | dict, points: list[dict], overrides: list[str] | None = None) -> list[dict]:
    """Every point's scenario as a dict; every problem of every point before any run (SweepInputError)."""
    from twin.studies.stress_cases import load_base

    overrides = list(overrides or [])
    load_base(design, overrides)  # the base alone first: its problems are reported as they are
    out, problems = [], []
    for i, pt in enumerate(points):
        try:
            sc = load_base(design, [*overrides, *(_item(k, v) for k, v in pt.items())])
            out.append(json.loads(sc.model_dump_json()))
        except ScenarioError as exc:
            problems += [(p, f"point {i} ({_label(pt)}): {why}") for p, why in exc.problems]
    if problems:
        raise SweepInputError(problems, "sweep")
    return out


def _cell(v: Any) -> Any:
    return v if isinstance(v, (int, float, str, bool)) or v is None else json.dumps(v)


def sweep(design: str | Path | dict, grid: dict[str, list] | None = None, lhs: dict[str, tuple] | None = None,
          samples: int | None = None, overrides: list[str] | None = None, sample_seed: int = 0,
          backend: str = "dask", scheduler: str | None = None, workers: int | None = None,
          progress: Callable[[int, int], None] | None = None) -> SweepResult:
    """Run every point of a sweep and table the KPIs (module doc). ``backend``, ``scheduler`` and ``workers`` as
    ``twin.cluster.open_backend``: a LocalCluster by default, the cluster at ``scheduler`` (or
    ``DASK_SCHEDULER_ADDRESS``) when given, or ``backend="serial"``."""
    from twin.sim.kpis import KPI_UNITS

    points = sweep_points(grid, lhs, samples, sample_seed)
    scenarios = prepare_points(design, points, overrides)
    paths = list(dict.fromkeys(k for p in points for k in p))
    t0 = time.perf_counter()
    outcomes: dict[int, dict] = {}
    with open_backend(backend, scheduler, workers) as be:
        for i, out in be.map(run_point, [(sc, None) for sc in scenarios], progress=progress):
            outcomes[i] = out
        name = be.name if be.name == "serial" else f"dask ({be.address or 'LocalCluster'}, {be.workers} workers)"
    wall = time.perf_counter() - t0
    rows, extra = [], []
    for i, pt in enumerate(points):
        out = outcomes[i]
        row = {p: _cell(pt.get(p)) for p in paths}
        if out["ok"]:
            row.update(status="completed", error=None)
            kpis = dict(out["value"]["kpis"])
            for cls, vals in (out["value"].get("classes") or {}).items():  # each job class's KPIs
                kpis.update({f"{cls}.{k}": v for k, v in vals.items()})
            row.update(kpis)
            extra += [k for k in kpis if k not in KPI_UNITS and k not in extra]
        else:
            row.update(status="failed", error=out["error"])
        rows.append(row)
    kpi_cols = [k for k in KPI_UNITS if any(k in r for r in rows)] + extra
    table = pd.DataFrame(rows, columns=[*paths, "status", "error", *kpi_cols])
    table.index.name = "point"
    for k in kpi_cols:
        table[k] = pd.to_numeric(table[k], errors="coerce").astype(float)
    return SweepResult(table=table, backend=name, wall_s=wall, paths=paths)


def write_outputs(result: SweepResult, out_dir: str | Path, pareto: tuple[str, str, str, str] | None = None,
                  title: str = "") -> dict[str, Path]:
    """``sweep.parquet``, ``sweep.csv`` and (with ``pareto=(x, y, sense_x, sense_y)``) ``pareto.png``, plus a
    ``pareto_front`` column in both tables."""
    from twin.studies.pareto import pareto_mask, pareto_png

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    table = result.table.copy()
    paths = {}
    if pareto is not None:
        x, y, sx, sy = pareto
        done = (table["status"] == "completed").to_numpy()
        front = np.zeros(len(table), bool)
        front[done] = pareto_mask(table[x].to_numpy(float)[done], table[y].to_numpy(float)[done], sx, sy)
        table["pareto_front"] = front
        paths["pareto"] = pareto_png(table, x, y, out / "pareto.png", sx, sy, title=title)
    for c in result.paths:  # mixed types in a swept column are written as text
        if table[c].dtype == object:
            table[c] = table[c].map(lambda v: None if v is None else str(v))
    paths["parquet"] = out / "sweep.parquet"
    paths["csv"] = out / "sweep.csv"
    table.to_parquet(paths["parquet"])
    table.to_csv(paths["csv"])
    return paths
