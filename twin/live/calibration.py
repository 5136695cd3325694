"""Calibration of a scenario's parameters to telemetry: bounded least squares over scenario fields named by their
dotted paths, standard errors and correlations from the Jacobian, and the goodness of fit on a test window by ASHRAE
Guideline 14.

The twin runs the scenario as given (its start, seed and horizon must cover the training and the test windows, so
the twin's exogenous draws are the same in every trial); the residual of a signal at a step is the twin's step
value minus the measured mean over that step (``twin.live.telemetry.on_steps``), both averaged over
``resolution_s`` (an hour by default), divided by the signal's standard deviation over the training window, so
signals of any unit weigh alike. The hourly means matter: the pump and fan controllers move in levels, so a
slightly different parameter shifts their cycles by minutes and step-by-step residuals jump (measured on a
synthetic fortnight: the inlet's RMSE at 600 s steps went 0.47 / 0.10 / 2.07 K for approaches of 3.9 / 4.0 /
4.1 K, its hourly means' 0.15 / 0.09 / 0.31 K). Steps without a measurement are left out,
never filled. ``scipy.optimize.least_squares`` (trust region reflective) searches within the bounds, each
parameter scaled by its bounds' width.

Uncertainty (the usual nonlinear least-squares estimate; Bates and Watts 1988, ch. 2): with the Jacobian J of the
standardized residuals at the solution and ``s^2 = sum r^2 / (m - p)``, the covariance of the parameters is
``s^2 (J^T J)^-1``; standard errors are the square roots of its diagonal, correlations its normalised entries.

Not done here: driving the twin with measured exogenous series (wind, sea, IT load) instead of its own draws; with
real telemetry the scenario's measured wind (``wind.resource.measured_csv``) can stand for the first.
"""

from __future__ import annotations

import copy
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from twin.live.fit_metrics import guideline14
from twin.live.telemetry import Telemetry, on_steps
from twin.scenario import Scenario, ScenarioError, apply_overrides, scenario_from_dict

__all__ = ["Parameter", "Calibration", "calibrate", "CalibrationError", "parse_window", "default_parameter",
           "field_bounds"]


DIFF_STEP = 0.03
"""Relative step of the Jacobian's finite differences [-]: the plant's pump and fan speeds and fouling move in
levels (``physics.thermal``), so a smaller step can land inside one level and see no change at all."""


class CalibrationError(ValueError):
    """Calibration input that cannot be used; the message names the option and the reason."""


@dataclass(frozen=True)
class Parameter:
    """A scenario field to fit: its dotted ``path`` and bounds [its unit]."""

    path: str
    lower: float
    upper: float


@dataclass
class Calibration:
    """The fitted values with their standard errors and correlations, the fit on the test window, the calibrated
    scenario, and how the search went."""

    parameters: dict[str, dict[str, float]]
    correlation: dict[str, dict[str, float]]
    fit: dict[str, dict[str, Any]]
    scenario: Scenario
    train: tuple[str, str]
    test: tuple[str, str]
    signals: list[str]
    runs: int
    wall_s: float
    status: str
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"parameters": self.parameters, "correlation": self.correlation, "fit": self.fit,
                "train": list(self.train), "test": list(self.test), "signals": self.signals, "runs": self.runs,
                "wall_s": self.wall_s, "status": self.status, **self.extra}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=float) + "\n"

    def to_markdown(self) -> str:
        lines = [f"# Calibration ({self.status})", "",
                 f"Trained on {self.train[0]} .. {self.train[1]}, tested on {self.test[0]} .. {self.test[1]}; "
                 f"{self.runs} runs in {self.wall_s:.1f} s; signals: {', '.join(self.signals)}.", "",
                 "| parameter | value | standard error | initial | bounds |", "| --- | ---: | ---: | ---: | --- |"]
        for path, p in self.parameters.items():
            lines.append(f"| `{path}` | {p['value']:.6g} | {p['std_error']:.3g} | {p['initial']:.6g} | "
                         f"{p['lower']:.6g} .. {p['upper']:.6g} |")
        lines += ["", "Goodness of fit on the test window (ASHRAE Guideline 14, hourly: CV(RMSE) <= 30 %, "
                  "|NMBE| <= 10 %):", "", "| signal | CV(RMSE) | NMBE | pass |", "| --- | ---: | ---: | --- |"]
        for name, f in self.fit.items():
            cv = "n/a" if f["cv_rmse"] is None else f"{100 * f['cv_rmse']:.2f} %"
            nm = "n/a" if f["nmbe"] is None else f"{100 * f['nmbe']:+.2f} %"
            lines.append(f"| `{name}` | {cv} | {nm} | {'yes' if f['pass'] else 'no'} |")
        return "\n".join(lines) + "\n"


def parse_window(text: str, option: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``A..B`` (ISO 8601 times with an offset) as two timestamps; CalibrationError naming ``option``."""
    a, sep, b = text.partition("..")
    try:
        if not sep:
            raise ValueError("expected A..B")
        lo, hi = pd.Timestamp(a.strip()), pd.Timestamp(b.strip())
        if lo.tzinfo is None or hi.tzinfo is None:
            raise ValueError("both ends need a UTC offset")
    except ValueError as exc:
        raise CalibrationError(f"{option}: {text!r} is not a window A..B of ISO 8601 times ({exc})") from None
    if not lo < hi:
        raise CalibrationError(f"{option}: {text!r} ends before it starts")
    return lo, hi


def field_bounds(path: str) -> tuple[float, float]:
    """The bounds a scenario field's own constraints give (``ge``/``gt``/``le``/``lt``; infinite where none),
    found by walking the models along a dotted path (list indices skipped)."""
    import typing

    import annotated_types as at
    from pydantic import BaseModel

    model: Any = Scenario
    info = None
    for key in path.split("."):
        if key.isdigit():
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or key not in model.model_fields:
            raise CalibrationError(f"--params: {path} is not a field of the scenario ({key!r})")
        info = model.model_fields[key]
        stack, model = [info.annotation], None
        while stack:
            a = stack.pop()
            if isinstance(a, type) and issubclass(a, BaseModel):
                model = a
                break
            stack.extend(typing.get_args(a))
    lo, hi = -math.inf, math.inf
    for m in (info.metadata if info is not None else []):
        if isinstance(m, (at.Ge, at.Gt)):
            lo = float(getattr(m, "ge", getattr(m, "gt", lo)))
        if isinstance(m, (at.Le, at.Lt)):
            hi = float(getattr(m, "le", getattr(m, "lt", hi)))
    return lo, hi


def default_parameter(scenario: Scenario, path: str, lower: float | None = None,
                      upper: float | None = None) -> Parameter:
    """A parameter with bounds: as given, else half and twice its value in the scenario, within the field's own
    constraints (an open bound is kept 0.1 % inside)."""
    f_lo, f_hi = field_bounds(path)
    try:
        value = float(_get(json.loads(scenario.model_dump_json()), path))
    except (KeyError, IndexError, ValueError, TypeError):
        raise CalibrationError(f"--params: {path} is not a number field of the scenario") from None
    lo = lower if lower is not None else (0.5 * value if value > 0 else 2.0 * value if value < 0 else -1.0)
    hi = upper if upper is not None else (2.0 * value if value > 0 else 0.5 * value if value < 0 else 1.0)
    pad = 1e-3 * (hi - lo)
    return Parameter(path, max(lo, f_lo + pad if math.isfinite(f_lo) else lo),
                     min(hi, f_hi - pad if math.isfinite(f_hi) else hi))


def _get(data: dict, path: str):
    node: Any = data
    for key in path.split("."):
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def calibrate(scenario: Scenario, telemetry: Telemetry, parameters: list[Parameter], train, test,
              signals: list[str] | None = None, simulate: Callable | None = None, data_access=None,
              max_runs: int = 200, resolution_s: float = 3600.0) -> Calibration:
    """Fit ``parameters`` of ``scenario`` to ``telemetry`` on the ``train`` window and judge the fit on ``test``
    (windows as ``(start, end)`` timestamps). ``signals``: the telemetry signals to fit (default: every one the
    twin's series has). ``simulate``: the engine (``twin.sim.engine.simulate`` by default)."""
    if simulate is None:
        from twin.sim.engine import simulate
    t0 = time.perf_counter()
    if not parameters:
        raise CalibrationError("--params: give at least one scenario field")
    base = json.loads(scenario.model_dump_json())
    initial = []
    for p in parameters:
        try:
            value = float(_get(base, p.path))
        except (KeyError, IndexError, ValueError, TypeError):
            raise CalibrationError(f"--params: {p.path} is not a number field of the scenario") from None
        if not p.lower < p.upper:
            raise CalibrationError(f"--params: {p.path}: the lower bound {p.lower:g} is not below {p.upper:g}")
        initial.append(min(max(value, p.lower), p.upper))
    run = scenario.run
    span = (pd.Timestamp(run.start), pd.Timestamp(run.start) + pd.Timedelta(seconds=run.horizon_s))
    for name, (lo, hi) in (("--train", train), ("--test", test)):
        if lo < span[0] or hi > span[1]:
            raise CalibrationError(f"{name}: {lo.isoformat()} .. {hi.isoformat()} is outside the run "
                                   f"({span[0].isoformat()} .. {span[1].isoformat()}); set run.start and horizon")
    runs = [0]

    def run_with(values) -> pd.DataFrame:
        runs[0] += 1
        sets = [f"{p.path}={json.dumps(float(v))}" for p, v in zip(parameters, values)]
        try:
            sc = scenario_from_dict(apply_overrides(copy.deepcopy(base), sets, source="calibration"),
                                    source="calibration")
        except ScenarioError as exc:
            raise CalibrationError(f"--params: the values {sets} make no valid scenario: {exc}") from None
        kwargs = {"data_access": data_access} if data_access is not None else {}
        return simulate(sc, **kwargs).series

    first = run_with(initial)
    index = first.index
    step_s = float(run.step_s)
    grid = on_steps(telemetry, index, step_s)
    available = [s for s in grid.values.columns if s in first.columns]
    chosen = signals or available
    missing = [s for s in chosen if s not in available]
    if missing:
        raise CalibrationError(f"--signals: {', '.join(missing)} not in both the telemetry and the twin's series")
    if resolution_s < step_s:
        raise CalibrationError(f"resolution: {resolution_s:g} s is finer than the run's step ({step_s:g} s)")
    rule = f"{int(round(resolution_s))}s"
    # a bin's mean over the steps that have a measurement: the twin is averaged over the same steps
    seen = grid.values[chosen].notna()
    measured = grid.values[chosen].resample(rule).mean()
    bins = measured.index
    in_train = (bins >= train[0]) & (bins < train[1])
    in_test = (bins >= test[0]) & (bins < test[1])
    scale = {s: float(np.nanstd(measured[s].to_numpy()[in_train])) or 1.0 for s in chosen}
    mask = {s: in_train & np.isfinite(measured[s].to_numpy()) for s in chosen}
    if sum(int(m.sum()) for m in mask.values()) <= len(parameters):
        raise CalibrationError("--train: fewer measurements in the window than parameters")

    def binned(series: pd.DataFrame) -> pd.DataFrame:
        return series[chosen].where(seen).resample(rule).mean()

    def residuals_of(series: pd.DataFrame) -> np.ndarray:
        sim = binned(series)
        return np.concatenate([(sim[s].to_numpy()[mask[s]] - measured[s].to_numpy()[mask[s]]) / scale[s]
                               for s in chosen])

    cache = {tuple(initial): first}

    def fun(x):
        key = tuple(float(v) for v in x)
        if key not in cache:
            if runs[0] >= max_runs:
                raise CalibrationError(f"the search needed more than {max_runs} runs")
            cache[key] = run_with(x)
        return residuals_of(cache[key])

    lower = np.array([p.lower for p in parameters])
    upper = np.array([p.upper for p in parameters])
    result = least_squares(fun, np.array(initial), bounds=(lower, upper), x_scale=upper - lower,
                           diff_step=DIFF_STEP, method="trf", xtol=1e-8, ftol=1e-10, gtol=1e-10)
    m, n_p = result.fun.size, len(parameters)
    s2 = float(result.fun @ result.fun) / max(m - n_p, 1)
    jtj = result.jac.T @ result.jac
    try:
        cov = s2 * np.linalg.inv(jtj)
    except np.linalg.LinAlgError:
        cov = np.full((n_p, n_p), np.nan)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    corr = cov / np.outer(se, se) if np.all(se > 0) else np.full((n_p, n_p), np.nan)
    best = cache.get(tuple(float(v) for v in result.x))
    if best is None:
        best = run_with(result.x)
    fit = {}
    best_binned = binned(best)
    for s in chosen:
        sim = best_binned[s][in_test].resample("1h").mean()
        meas = measured[s][in_test].resample("1h").mean()
        ok = np.isfinite(sim.to_numpy()) & np.isfinite(meas.to_numpy())
        if ok.sum() < 2 or abs(float(meas.to_numpy()[ok].mean())) < 1e-9:
            fit[s] = {"cv_rmse": None, "nmbe": None, "pass": False, "hours": int(ok.sum()),
                      "why": "no hourly measurements, or a mean of zero, in the test window"}
            continue
        rep = guideline14(meas.to_numpy()[ok], sim.to_numpy()[ok], "hourly", parameter_count=n_p)
        fit[s] = {"cv_rmse": rep.cv_rmse, "nmbe": rep.nmbe, "pass": rep.passes, "hours": rep.n}
    sets = [f"{p.path}={json.dumps(float(v))}" for p, v in zip(parameters, result.x)]
    calibrated = scenario_from_dict(apply_overrides(copy.deepcopy(base), sets, source="calibration"))
    names = [p.path for p in parameters]
    return Calibration(
        parameters={p.path: {"value": float(v), "std_error": float(e), "initial": float(i), "lower": p.lower,
                             "upper": p.upper} for p, v, e, i in zip(parameters, result.x, se, initial)},
        correlation={a: {b: (None if math.isnan(corr[i, j]) else float(corr[i, j])) for j, b in enumerate(names)}
                     for i, a in enumerate(names)},
        fit=fit, scenario=calibrated, train=(train[0].isoformat(), train[1].isoformat()),
        test=(test[0].isoformat(), test[1].isoformat()), signals=chosen, runs=runs[0],
        wall_s=time.perf_counter() - t0, status=result.message,
        extra={"coverage": {s: grid.coverage[s] for s in chosen}, "residual_rms": math.sqrt(s2)})
