"""Rack by rack inlet temperatures from the 3D cabin field: the heat-distribution matrix.

The steady field of ``physics.field`` is linear in the racks' heat at fixed flows, sea and wall temperatures, so
the inlet temperature of every rack is

    T_in,r = T_ref + sum_j H[r, j] P_j

with ``H[r, j]`` the rise at rack ``r``'s inlet per watt given to rack ``j`` [K W-1] (the abstract heat-flow
model of Tang, Gupta & Varsamopoulos, "Thermal-aware task scheduling for data centers through minimizing heat
recirculation", IEEE Cluster 2007, there fitted to CFD; here computed from the cabin's own field). One LU
factorisation of the field operator and one back-substitution with a right-hand side per rack give all of it.

The engine keeps the lumped network's mean inlet and adds only the *deviations* ``D = H - mean_r H``: the mean of
``D @ P`` over the racks is zero for every load, so the rack inlets average to the lumped inlet the pump
controls, and the field adds what the lumped model cannot see: which rack is hot, given where the work is.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import splu

from physics.field import FieldProblem

__all__ = ["rack_inlet_matrix", "inlet_deviation_matrix"]


def rack_inlet_matrix(problem: FieldProblem) -> np.ndarray:
    """``H[r, j]``: flow-weighted mean temperature over rack ``r``'s inlet face per watt of heat spread over rack
    ``j``'s cells [K W-1], with the sea and the wall reference at zero."""
    n = len(problem.rack_cells)
    if len(problem.rack_inlet_counts) != n:
        raise ValueError("problem: built without per-rack inlet counts; rebuild it with physics.field")
    lu = splu(problem.operator.tocsc())
    rhs = np.zeros((problem.cell_count, n))
    for j, cells in enumerate(problem.rack_cells):
        rhs[cells, j] = 1.0 / cells.size
    x = lu.solve(rhs)
    cells, q = problem.rack_inlet_faces
    h = np.empty((n, n))
    start = 0
    for r, count in enumerate(problem.rack_inlet_counts):
        c, w = cells[start:start + count], q[start:start + count]
        h[r] = w @ x[c] / w.sum()
        start += count
    return h


def inlet_deviation_matrix(h: np.ndarray) -> np.ndarray:
    """``D = H - mean over racks of H`` [K W-1]: each rack's inlet above the racks' mean, per watt per rack."""
    h = np.asarray(h, dtype=float)
    if h.ndim != 2 or h.shape[0] != h.shape[1]:
        raise ValueError(f"h: must be a square matrix, got shape {h.shape}")
    return h - h.mean(axis=0, keepdims=True)
