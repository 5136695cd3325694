"""Server failures in a sealed cabin: rate by temperature and atmosphere, no repair, capacity decay (issue 5)."""

from __future__ import annotations

import numpy as np
import pytest

from physics.servers import (
    SECONDS_PER_YEAR,
    failure_x_factor,
    server_failure_rate_per_s,
)
from twin.scenario import load_scenario
from twin.sim.engine import simulate

FIVE_YEARS = ["run.horizon_s=5y", "run.step_s=1800"]


def _expected_failures(r, afr, factor):
    s = r.series
    x = np.array([failure_x_factor(t) for t in s.cabin0_inlet_temp_c.to_numpy()])
    return float((s.cabin0_servers_alive.to_numpy() * afr / SECONDS_PER_YEAR * factor * x).sum()
                 * r.scenario.run.step_s)


def test_ashrae_x_factor_table():
    # ASHRAE TC 9.9 (2011) average volume-server curve: 1.00 at 20 C, 1.24 at 25 C, 1.42 at 30 C
    assert failure_x_factor(20.0) == 1.0
    assert failure_x_factor(25.0) == pytest.approx(1.24)
    assert failure_x_factor(26.25) == pytest.approx((1.24 + 1.34) / 2)
    assert failure_x_factor(5.0) == 0.72 and failure_x_factor(60.0) == 1.76
    # nitrogen: one eighth of the land rate (VALIDATION.md, sealed-vessel reliability)
    assert server_failure_rate_per_s(0.05, 20.0, "nitrogen") == pytest.approx(
        server_failure_rate_per_s(0.05, 20.0, "air") / 8)
    with pytest.raises(ValueError, match="atmosphere"):
        server_failure_rate_per_s(0.05, 20.0, "argon")


AFR = 0.3  # a high rate so one five-year run gives a sharp test; the law is the same at 0.05


@pytest.fixture(scope="module")
def sealed_runs():
    return {atm: simulate(load_scenario("lingang-phase1", [*FIVE_YEARS, f"cabins.0.geometry.atmosphere={atm}",
                                                           f"cabins.0.racks.failure_rate_per_year={AFR}"]))
            for atm in ("air", "nitrogen")}


@pytest.mark.parametrize("atmosphere,factor", [("air", 1.0), ("nitrogen", 1 / 8)])
def test_five_years_lose_servers_at_the_rate_the_scenario_implies(sealed_runs, atmosphere, factor):
    r = sealed_runs[atmosphere]
    observed = r.kpis["server_failures"]
    expected = _expected_failures(r, AFR, factor)
    alive = r.series.cabin0_servers_alive.to_numpy()
    assert np.all(np.diff(alive) <= 0)  # sealed: nothing comes back
    assert r.kpis["servers_alive_end"] == 224 - observed
    # Poisson: within four standard deviations of what the rates imply, integrated over the run's own inlet
    # temperatures and the fleet still alive
    assert abs(observed - expected) < 4 * np.sqrt(expected) + 1
    assert expected > (150 if atmosphere == "air" else 25)


def test_nitrogen_loses_about_an_eighth(sealed_runs):
    air, n2 = (sealed_runs[a].kpis["server_failures"] for a in ("air", "nitrogen"))
    assert n2 < air / 3


def test_capacity_decay_shows_in_the_kpis_and_repairs_restore_it(sealed_runs):
    sealed = sealed_runs["air"]
    repaired = simulate(load_scenario("lingang-phase1", [*FIVE_YEARS, "cabins.0.geometry.atmosphere=air",
                                                         f"cabins.0.racks.failure_rate_per_year={AFR}",
                                                         "cabins.0.racks.repairable=true"]))
    assert sealed.kpis["servers_alive_end"] < 224 // 2
    assert repaired.kpis["servers_alive_end"] >= 224 - 10
    # with fewer servers alive, the sealed cabin's IT power in the last year falls
    last = sealed.series.iloc[-17520:]
    first = sealed.series.iloc[:17520]
    assert last.it_power_w.mean() < 0.8 * first.it_power_w.mean()
