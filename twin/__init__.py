"""seabed-twin for notebooks and scripts: load a scenario, run it, save and load its results, validate, sweep.

>>> import twin
>>> scenario = twin.load("lingang-phase1", overrides=["run.horizon_s=2d", "run.step_s=300"])
>>> result = twin.run(scenario)
>>> round(result.kpis["pue"], 3)  # doctest: +SKIP
1.05

``twin.validate`` (``twin.studies.validate.validate``) and ``twin.sweep`` (``twin.studies.sweep.sweep``) are the
studies' functions. Everything is imported on first use, so ``import twin`` stays cheap. ``docs/python.md`` walks
through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from twin.scenario import Scenario
    from twin.sim.results import RunResult

__all__ = ["load", "run", "load_result", "validate", "sweep", "RunResult", "Scenario", "ScenarioError"]


def load(design_or_path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """A scenario: a shipped design by name or a YAML/TOML/JSON file, with ``dotted.path=value`` overrides.

    Raises ``twin.ScenarioError`` listing every problem with its field path."""
    from twin.scenario import load_scenario

    return load_scenario(design_or_path, overrides)


def run(scenario: Scenario | str | Path, progress: Callable[[float], None] | None = None,
        overrides: list[str] | None = None) -> RunResult:
    """Run a scenario (or load the design or file first, with ``overrides``) and return its ``RunResult``:
    series, KPIs, the energy ledger and per-class KPIs. ``progress(fraction)`` is told as the run goes."""
    from twin.scenario import Scenario as _Scenario
    from twin.sim.engine import simulate

    if not isinstance(scenario, _Scenario):
        scenario = load(scenario, overrides)
    elif overrides:
        raise TypeError("overrides apply to a design name or file; a Scenario is already resolved")
    return simulate(scenario, progress=progress)


def load_result(folder: str | Path) -> RunResult:
    """The run that ``RunResult.save`` (or ``seabed-twin run --out``) wrote into ``folder``."""
    from twin.sim.results import RunResult as _RunResult

    return _RunResult.load(folder)


def __getattr__(name: str):
    if name == "validate":  # the functions themselves, imported on first use
        from twin.studies.validate import validate as value
    elif name == "sweep":
        from twin.studies.sweep import sweep as value
    elif name == "RunResult":
        from twin.sim.results import RunResult as value
    elif name == "Scenario":
        from twin.scenario import Scenario as value
    elif name == "ScenarioError":
        from twin.scenario import ScenarioError as value
    else:
        raise AttributeError(f"module 'twin' has no attribute {name!r}")
    return value
