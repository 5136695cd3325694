"""Stepping many cabins at once equals stepping each alone."""

import numpy as np

from physics import thermal
from twin.scenario import load_scenario
from twin.sim.cabin import build_cabin


def test_step_many_equals_one_by_one():
    sc = load_scenario("lingang-phase1")
    p = build_cabin(sc, sc.cabins[0]).thermal
    rng = np.random.default_rng(0)
    pairs = [(int(f), int(q)) for f, q in zip(rng.integers(10, 100, 7), rng.integers(1, 500, 7))]
    ads, bds = [], []
    for f, q in pairs:
        ad, bd = thermal.discretise_network(p, f / thermal.SPEED_LEVELS, q / thermal.PUMP_LEVELS, 60.0)
        ads.append(ad)
        bds.append(bd)
    x = rng.uniform(5, 40, (7, 3))
    u = np.column_stack([rng.uniform(0, 2.4e6, 7), rng.uniform(5, 30, 7)])
    out = thermal.step_many(np.array(ads), np.array(bds), x, u)
    for i in range(7):
        np.testing.assert_allclose(out[i], ads[i] @ x[i] + bds[i] @ u[i], rtol=1e-14)
