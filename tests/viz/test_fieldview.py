"""The 3D field at a time of a run, and the plume KPI."""

from __future__ import annotations

import numpy as np
import pytest

from twin.scenario import load_scenario
from twin.sim.engine import simulate
from viz.fieldview import field_at

SUMMER = ["run.horizon_s=3d", "run.start=2026-08-01T00:00:00+08:00"]


@pytest.fixture(scope="module")
def summer_run():
    return simulate(load_scenario("lingang-phase1", SUMMER))


def test_field_at_a_time_agrees_with_the_lumped_state(summer_run):
    temps, diag, _ = field_at(summer_run, "2d")
    assert diag["energy_residual"] < 1e-3
    # the rack inlet of the field and of the lumped network, on the same state (docs/thermal-field.md: 0.25 K)
    assert diag["rack_inlet_c"] == pytest.approx(diag["lumped_inlet_c"], abs=0.25)
    assert diag["source_w"] == pytest.approx(diag["exchanger_sink_w"] + diag["wall_sink_w"], rel=1e-3)
    inside = np.isfinite(temps)
    assert 0.5 < inside.mean() < 0.9  # a cylinder in its bounding box: pi/4 of it, less the voxel edges
    assert np.nanmin(temps) >= summer_run.series.sea_temp_c.min() - 1e-6


def test_field_at_refuses_a_time_outside_the_run(summer_run):
    with pytest.raises(ValueError, match="when"):
        field_at(summer_run, "2027-01-01T00:00:00+08:00")
    with pytest.raises(ValueError, match="cabin"):
        field_at(summer_run, "1d", cabin=3)


def test_plume_kpi_follows_the_limit(summer_run):
    assert 0.0 < summer_run.kpis["max_plume_rise_k"] < 1.0
    assert summer_run.kpis["hours_plume_above_limit"] == 0.0
    tight = simulate(load_scenario("lingang-phase1", [*SUMMER, "cabins.0.cooling.plume_limit_rise_k=0.05"]))
    assert tight.kpis["hours_plume_above_limit"] > 0.0
    near = simulate(load_scenario("lingang-phase1", [*SUMMER, "cabins.0.cooling.plume_limit_distance_m=20"]))
    assert near.kpis["max_plume_rise_k"] > summer_run.kpis["max_plume_rise_k"]
