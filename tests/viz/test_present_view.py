"""The 3D view of the twin's present (issue 18): the cabin drawn from the synchronised state, its colours the field
solved on the filter's node temperatures."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from physics import field
from physics.field import KIND_RACK
from twin.live.state import present_result, present_state, saved_state
from twin.scenario import load_scenario
from twin.sim.cabin import build_cabin
from twin.sim.engine import simulate
from viz.views import make_scene

SIGNALS = ["cabin0_it_power_w", "cabin0_fan_speed", "cabin0_pump_speed", "sea_temp_c", "cabin0_inlet_temp_c",
           "cabin0_servers_alive", "hub_wind_speed_m_s", "turbines_available"]


def test_the_present_is_drawn_from_the_filters_temperatures():
    sc = load_scenario("lingang-phase1", ["run.horizon_s=1d", "run.step_s=600"])
    values = simulate(sc).series[SIGNALS].astype(float)
    state = saved_state(sc, values, present_state(sc, values, 600.0))
    result = present_result(sc, values, state)
    scene = make_scene(result, None, "cabin", "temperature")
    cab = state.cabins[0]
    # the field solved here, independently, on the state's nodes, the last IT power and the speeds
    group = sc.cabins[0]
    plant = build_cabin(sc, group)
    heat = values["cabin0_it_power_w"].iat[-1] + plant.fan_power_w(cab.fan_speed)
    geo = field.CylinderGeometry(group.geometry.diameter_m, group.geometry.length_m, group.geometry.orientation)
    temps, diag, problem = field.cabin_field(
        replace(plant.thermal), geo, group.racks.rack_count, heat, state.sea_temp_c, resolution_m=0.5,
        fan_speed=cab.fan_speed, pump_speed=cab.pump_speed,
        lumped_state_c=(cab.it_temp_c, cab.gas_temp_c, cab.wall_temp_c))
    rack_temps = np.sort(temps[problem.grid.active][problem.cell_kind == KIND_RACK])
    racks = next(layer for layer in scene.layers if layer.name == "racks")
    drawn = np.asarray(racks.mesh.cell_data["value"], float)  # the racks' outer faces, each its voxel's value
    assert drawn.size > 0 and rack_temps.size > 0
    nearest = np.clip(np.searchsorted(rack_temps, drawn), 1, rack_temps.size - 1)
    gap = np.minimum(np.abs(rack_temps[nearest] - drawn), np.abs(rack_temps[nearest - 1] - drawn))
    assert gap.max() < 1e-9  # every colour drawn on a rack is a temperature of this field
    assert drawn.max() == pytest.approx(rack_temps.max(), abs=1e-9)  # the hottest rack cell is on a face
    # and the colours span that field's range at this instant
    assert racks.clim[0] <= rack_temps.min() and racks.clim[1] >= rack_temps.max()
    # the nodes drawn are the filter's, whose inlet follows the run's within the sensor's noise
    assert result.series["cabin0_gas_temp_c"].iat[0] == cab.gas_temp_c
    assert abs(result.series["cabin0_inlet_temp_c"].iat[0] - values["cabin0_inlet_temp_c"].iat[-1]) < 0.2
