"""cabin_capacity: the bounds it reports put each path exactly on its limit (physics.thermal,
physics.liquid_cooling)."""

from __future__ import annotations

import pytest

from physics import liquid_cooling, thermal
from twin.scenario import load_scenario
from twin.sim.cabin import build_cabin
from twin.studies.liquid import cabin_capacity


@pytest.mark.parametrize("sea_c", [20.0, 28.0, 30.0])
def test_each_bound_puts_its_path_on_its_limit(sea_c):
    sc = load_scenario("lingang-ai-liquid")
    plant = build_cabin(sc, sc.cabins[0])
    cap = cabin_capacity(sc, sea_c)
    # the gas path at its bound (with the fans' heat) holds the mean inlet on the A1 allowable 32 C
    heat = cap["gas_heat_max_w"] + plant.fan_design_power_w
    x = thermal.steady_state(plant.thermal, 1.0, 1.0, heat, sea_c)
    kg, ks = thermal.inlet_row(plant.thermal, 1.0, 1.0)
    assert kg * x[1] + ks * sea_c == pytest.approx(32.0, abs=1e-6)
    # the liquid path at its bound (with the coolant pump's work) holds the supply on its 45 C limit
    q = cap["liquid_heat_max_w"] + plant.liquid_tcs_pump_w
    assert liquid_cooling.steady_state(plant.liquid, q, sea_c, 1.0).supply_c == pytest.approx(45.0, abs=1e-9)
    assert cap["it_by_liquid_w"] == pytest.approx(cap["liquid_heat_max_w"] / 0.81)
    assert cap["it_by_gas_w"] == pytest.approx(cap["gas_heat_max_w"] / 0.19)
    assert cap["it_capacity_w"] == min(cap["installed_it_w"], cap["it_by_gas_w"], cap["it_by_liquid_w"])


def test_the_air_cabin_and_the_liquid_cabin_in_a_warm_sea():
    air = cabin_capacity(load_scenario("lingang-phase1"), 30.0)
    liquid = cabin_capacity(load_scenario("lingang-ai-liquid"), 30.0)
    # in a 30 C sea the air cabin's gas path holds less than its 2.28 MW of racks; the liquid cabin's gas path,
    # carrying a fifth of the heat, holds all 6.72 MW of its racks
    assert air["limited_by"] == "gas" and air["it_capacity_w"] < air["installed_it_w"]
    assert liquid["limited_by"] == "racks" and liquid["it_capacity_w"] == pytest.approx(6.72e6)
    assert liquid["it_capacity_w"] > 2.5 * air["it_capacity_w"]
