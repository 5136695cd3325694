"""Rack inlet temperatures from the 3D field's heat-distribution matrix (physics.rack_inlets)."""

from __future__ import annotations

import numpy as np
import pytest

from physics import field, rack_inlets
from twin.scenario import load_scenario
from twin.sim.cabin import build_cabin


@pytest.fixture(scope="module")
def problem():
    sc = load_scenario("lingang-phase1")
    g = sc.cabins[0]
    plant = build_cabin(sc, g)
    geo = field.CylinderGeometry(g.geometry.diameter_m, g.geometry.length_m, g.geometry.orientation)
    _, _, prob = field.cabin_field(plant.thermal, geo, g.racks.rack_count, 1.0, 0.0, resolution_m=0.5)
    return prob


def _rack_inlets_from_field(prob, temps_active):
    cells, q = prob.rack_inlet_faces
    out, start = [], 0
    for count in prob.rack_inlet_counts:
        out.append(q[start:start + count] @ temps_active[cells[start:start + count]] / q[start:start + count].sum())
        start += count
    return np.array(out)


def test_the_cabin_operator_is_diagonally_dominant_and_the_check_sees_one_that_is_not(problem):
    """The LU of ``rack_inlet_matrix`` skips pivoting only for a diagonally dominant operator; the cabin's is one
    (upwind advection and conduction), a matrix with a weak row is not."""
    import scipy.sparse as sp

    assert rack_inlets.diagonally_dominant(problem.operator.tocsc())
    weak = sp.csc_matrix(np.array([[4.0, -1.0, -1.0], [-1.0, 1.5, -1.0], [0.0, -1.0, 2.0]]))
    assert not rack_inlets.diagonally_dominant(weak)
    assert rack_inlets.diagonally_dominant(sp.csc_matrix(np.array([[2.0, -1.0], [-1.0, 1.0]])))


def test_matrix_reproduces_a_direct_field_solve_for_any_load(problem):
    """The field is linear in rack heat: H @ P must equal a direct steady solve with the sea at 0 C."""
    h = rack_inlets.rack_inlet_matrix(problem)
    p = np.random.default_rng(3).uniform(2e3, 40e3, len(problem.rack_cells))
    temps, diag = field.solve_steady(problem, p, 0.0)
    direct = _rack_inlets_from_field(problem, temps[problem.grid.active])
    assert np.allclose(h @ p, direct, rtol=1e-6, atol=1e-9)
    # the flow-weighted mean of the rack inlets is the field's rack inlet diagnostic
    _, q = problem.rack_inlet_faces
    counts = problem.rack_inlet_counts
    weights = [q[s:s + c].sum() for s, c in zip(np.cumsum((0,) + counts[:-1]), counts)]
    assert np.average(h @ p, weights=weights) == pytest.approx(diag["rack_inlet_c"], rel=1e-6)


def test_deviations_average_to_zero_and_a_rack_warms_itself_most(problem):
    h = rack_inlets.rack_inlet_matrix(problem)
    d = rack_inlets.inlet_deviation_matrix(h)
    p = np.random.default_rng(5).uniform(0.0, 40e3, h.shape[0])
    assert abs((d @ p).mean()) < 1e-12
    # heat put into one rack raises its own inlet more than the mean of the others' (recirculation from its own
    # exhaust through the nearest exchanger)
    own = np.diag(h)
    others = (h.sum(axis=0) - own) / (h.shape[0] - 1)
    assert np.all(own > others)
    with pytest.raises(ValueError, match="square"):
        rack_inlets.inlet_deviation_matrix(np.zeros((2, 3)))
