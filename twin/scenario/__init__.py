"""The scenario: everything a run needs, validated by pydantic, with the unit in every field name.

A scenario is loaded from YAML, TOML or JSON (``load_scenario``), from a shipped design by name (``load_design``),
or built in Python. ``apply_overrides`` sets any field by its dotted path (``cabins.0.racks.rack_count=30``). Every
problem in a scenario is reported at once, each with its field path and reason, as one ``ScenarioError``.

Modules: ``units`` (durations, the limits of a run, the models' base), ``environment`` (site, sea, air, wind, farm,
electrical), ``cabins`` (geometry, racks, cooling, limits), ``models`` (workload, controls, run, events, the
``Scenario``), ``loading`` (files, designs, overrides, errors).
"""

from twin.scenario.cabins import CabinGroup, Cooling, Geometry, Limits, LiquidCooling, RackBlock, Racks
from twin.scenario.environment import (
                                   Battery,
                                   Electrical,
                                   PowerChain,
                                   Site,
                                   Wind,
                                   WindFarm,
                                   WindResource,
)
from twin.scenario.loading import (
                                   ScenarioError,
                                   apply_overrides,
                                   design_dir,
                                   design_names,
                                   load_design,
                                   load_scenario,
                                   scenario_from_dict,
                                   scenario_json_schema,
)
from twin.scenario.models import Accounting, Controls, Event, JobClass, Run, Scenario, Workload
from twin.scenario.units import MAX_HORIZON_S, MAX_STEPS, parse_duration_s

__all__ = [
    "Scenario", "ScenarioError", "load_scenario", "load_design", "design_names", "design_dir", "apply_overrides",
    "parse_duration_s", "scenario_from_dict", "scenario_json_schema", "CabinGroup", "Cooling", "Geometry", "Limits",
    "LiquidCooling",
    "RackBlock", "Racks", "Battery", "Electrical", "PowerChain", "Site", "Wind", "WindFarm", "WindResource",
    "Accounting", "Controls", "Event", "JobClass", "Run", "Workload", "MAX_HORIZON_S", "MAX_STEPS",
]
