"""Stress cases made into scenarios: a design, the validation's own overrides, then each case's changes.

Order of changes, later wins: the design; the overrides given to the whole validation (``--set``, ``--step``); the
case's ``overrides``; the case's ``horizon``, ``step``, ``start`` or ``start_offset`` and ``seed``; the case's
``events``, added after the design's own events.

The lowest-wind week (``lowest_wind_week``): each seeded year is cut into weeks from the design's start; a week of a
seed is the 7-day run that starts there with that seed, so the case runs exactly the week that was found. The
weeks are ranked by the farm's energy with every turbine available (``twin.exogenous.build_exogenous``, the wind
chain alone; the engine is not run), like ``twin.exogenous.lowest_wind_seed`` but over every week of each year
instead of the first week only. Ten years of 52 weeks are 520 wind series of a week each, computed by seed on the
validation's backend.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from twin.scenario import (
    Scenario,
    ScenarioError,
    apply_overrides,
    load_scenario,
    parse_duration_s,
    scenario_from_dict,
)
from twin.scenario.datafiles import DataAccess
from twin.studies.rules import Case, CaseSet, ValidationInputError

__all__ = ["load_base", "resolve_cases", "week_energies_mwh", "choose_lowest_wind_week", "LowestWind",
           "WEEK_S"]

WEEK_S = 7 * 86400.0


@dataclass(frozen=True)
class LowestWind:
    seed: int
    week: int
    start: dt.datetime
    energy_mwh: float
    """Farm energy of the week with every turbine available [MWh]."""
    median_energy_mwh: float
    """Median over every week searched [MWh]."""
    weeks_searched: int


def load_base(base: str | Path | dict, overrides: list[str], data_access: DataAccess | None = None) -> Scenario:
    """The design (name, file or mapping) with the validation's overrides; ``data_access`` checks a mapping's
    data-file fields (``twin.scenario.datafiles``)."""
    if isinstance(base, dict):
        return scenario_from_dict(apply_overrides(base, overrides, source="overrides"), source="scenario",
                                  data_access=data_access)
    return load_scenario(base, overrides)


def _case_overrides(case: Case, base: Scenario, overrides: list[str]) -> list[str]:
    out = [*overrides, *case.overrides]
    if case.horizon is not None:
        out.append(f"run.horizon_s={parse_duration_s(case.horizon)}")
    if case.lowest_wind_week is not None:
        out.append(f"run.horizon_s={WEEK_S}")
    if case.step is not None:
        out.append(f"run.step_s={parse_duration_s(case.step)}")
    if case.start is not None:
        out.append(f"run.start={case.start.isoformat()}")
    if case.start_offset is not None:
        start = base.run.start + dt.timedelta(seconds=parse_duration_s(case.start_offset))
        out.append(f"run.start={start.isoformat()}")
    if case.seed is not None:
        out.append(f"run.seed={case.seed}")
    if case.events:
        events = [json.loads(e.model_dump_json()) for e in base.events] + list(case.events)
        out.append(f"events={json.dumps(events)}")
    return out


_EVENT_PATH = re.compile(r"^events\.(\d+)(.*)$")


def _case_path(path: str, n_base_events: int) -> str:
    """A problem in the combined event list named by the case's own event index."""
    m = _EVENT_PATH.match(path)
    if m and int(m.group(1)) >= n_base_events:
        return f"events.{int(m.group(1)) - n_base_events}{m.group(2)}"
    return path


def resolve_cases(base: str | Path | dict, cases: CaseSet, overrides: list[str] | None = None,
                  data_access: DataAccess | None = None) -> tuple[Scenario, dict[str, Scenario]]:
    """The base scenario and each case's scenario; every problem of every case at once, as
    ``cases.<case>.<scenario field>``. A lowest-wind case comes back at the design's start and seed: the search
    (``choose_lowest_wind_week``) sets them."""
    overrides = list(overrides or [])
    base_sc = load_base(base, overrides, data_access)  # a bad design or override is reported as it is
    out, problems = {}, []
    for case in cases.cases:
        try:
            out[case.name] = load_base(base, _case_overrides(case, base_sc, overrides), data_access)
        except ScenarioError as exc:
            problems += [(f"cases.{case.name}.{_case_path(p, len(base_sc.events))}".rstrip("."), why)
                         for p, why in exc.problems]
    if problems:
        raise ValidationInputError(problems, "cases")
    return base_sc, out


def week_energies_mwh(scenario: dict, seed: int, weeks: int, data_access: DataAccess | None = None) -> list[float]:
    """Farm energy of each of ``weeks`` 7-day runs from the scenario's start, with ``seed`` [MWh]. Runs anywhere:
    it takes and returns plain data (and reads a measured wind series through ``data_access``)."""
    from twin.sim.exogenous import build_exogenous

    sc = scenario_from_dict(scenario)
    start = sc.run.start
    out = []
    for w in range(weeks):
        data = copy.deepcopy(scenario)
        data["run"].update(seed=seed, horizon_s=WEEK_S, start=(start + dt.timedelta(seconds=w * WEEK_S)).isoformat())
        exo = build_exogenous(scenario_from_dict(data), data_access)
        out.append(float(exo.farm_power_w.sum()) * sc.run.step_s / 3.6e9)
    return out


def choose_lowest_wind_week(scenario: Scenario, seeds: list[int], energies: dict[int, list[float]]) -> LowestWind:
    """The (seed, week) of least energy (ties: the first seed given, then the earliest week)."""
    best = None
    every = []
    for seed in seeds:
        for w, e in enumerate(energies[seed]):
            every.append(e)
            if best is None or e < best[0]:
                best = (e, seed, w)
    e, seed, w = best
    every.sort()
    median = every[len(every) // 2] if len(every) % 2 else 0.5 * (every[len(every) // 2 - 1] + every[len(every) // 2])
    return LowestWind(seed=seed, week=w, start=scenario.run.start + dt.timedelta(seconds=w * WEEK_S),
                      energy_mwh=e, median_energy_mwh=median, weeks_searched=len(every))


def apply_lowest_wind(scenario: Scenario, found: LowestWind) -> Scenario:
    data = json.loads(scenario.model_dump_json())
    data["run"].update(seed=found.seed, start=found.start.isoformat(), horizon_s=WEEK_S)
    return scenario_from_dict(data)
