"""Turn a request (design + overrides, or a whole scenario) into a validated scenario, within the API's limits."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import yaml

from api.errors import ApiError, scenario_problem
from twin.scenario import (
    ScenarioError,
    apply_overrides,
    design_dir,
    design_names,
    scenario_from_dict,
)
from twin.scenario.datafiles import DataAccess

__all__ = ["base_mapping", "resolve", "override_item"]


@functools.lru_cache(maxsize=64)
def _design_mapping(path: str, mtime_ns: int) -> dict:
    """A design file's mapping, read once per version of the file (YAML parsing is slow)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def base_mapping(design: str | None, scenario: Any) -> dict:
    """The mapping a request starts from; 422 unless exactly one of design and scenario is given, 404 for an
    unknown design."""
    if (design is None) == (scenario is None):
        raise ApiError(422, "give either 'design' or 'scenario'", [
            {"field": "design" if design is None else "scenario",
             "reason": "exactly one of design and scenario is required"}])
    if design is not None:
        if design not in design_names():
            raise ApiError(404, f"no design {design!r}; designs: {', '.join(design_names())}")
        path = design_dir() / f"{design}.yaml"
        return copy.deepcopy(_design_mapping(str(path), path.stat().st_mtime_ns))
    if not isinstance(scenario, dict):
        raise ApiError(422, "the scenario has 1 problem", [{"field": "scenario",
                                                             "reason": "expected an object"}])
    return scenario


def resolve(design: str | None, scenario: Any, overrides: list[str], max_steps: int,
            extra: list[str] | None = None, field_prefix: str = "", data_access: DataAccess | None = None
            ) -> dict:
    """Validate and return the resolved scenario as JSON-ready data; 422 with every problem by field path.

    ``data_access`` decides which values the scenario's data-file fields may take (the server passes its
    ``DatasetAccess``: only ``dataset:<id>`` of a registered data set of the field's kind); nothing is opened but
    a saved state the scenario starts from (``run.initial_state``, an uploaded data set), checked against it."""
    mapping = base_mapping(design, scenario)
    try:
        mapping = apply_overrides(mapping, [*overrides, *(extra or [])], source="overrides")
        resolved = scenario_from_dict(mapping, source="scenario", data_access=data_access)
        if resolved.run.initial_state is not None and data_access is not None:
            # a saved state is small: checked against the scenario now (cabins, battery, time), not when it runs
            from twin.sim.saved_state import read_state

            read_state(resolved, data_access)
    except ScenarioError as exc:
        err = scenario_problem(exc)
        if field_prefix:
            for p in err.problems:
                p["field"] = f"{field_prefix}{p['field']}"
        raise err from None
    steps = resolved.run.horizon_s / resolved.run.step_s
    if steps > max_steps:
        raise ApiError(422, "the run is beyond this server's limit", [{
            "field": f"{field_prefix}run.horizon_s",
            "reason": f"{steps:.0f} steps (horizon_s / step_s) is more than this server's limit of {max_steps} "
                      f"per run; shorten the horizon or lengthen the step"}])
    return json.loads(resolved.model_dump_json())


def override_item(path: str, value: Any) -> str:
    """A grid value as a ``path=value`` override (JSON is read back exactly by the YAML parser)."""
    return f"{path}={json.dumps(value)}"
