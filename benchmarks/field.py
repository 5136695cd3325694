"""3D temperature field: build and steady-solve time at about 100,000 cells, and the solver comparison.

Run: ``.venv/bin/python benchmarks/field.py``. Prints the cell count, the build time (voxelisation, the air loop's
potential flow, assembly), the first steady solve (preconditioner set-up plus BiCGSTAB), a repeated solve (the
preconditioner is kept), and, on a 26k-cell grid, SuperLU (direct) against the two-level ILU-BiCGSTAB.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy.sparse.linalg import splu  # noqa: E402

from physics import field, thermal  # noqa: E402


def lingang() -> tuple[thermal.CabinThermal, field.CylinderGeometry]:
    ua, c_gas, c_sea = thermal.design_exchanger_ua_w_k(2.4e6, 12.0, 4.0, 3.0, 0.05, "counterflow")
    p = thermal.CabinThermal(c_it_j_k=2.257e7, c_gas_j_k=1.106e6, c_wall_j_k=6.163e7, g_it_design_w_k=2.4e5,
                             ua_gas_wall_w_k=2670.35, ua_wall_sea_w_k=252976.0, exchanger_ua_design_w_k=ua,
                             gas_capacity_design_w_k=c_gas, sea_capacity_design_w_k=c_sea,
                             recirculation_fraction=0.05, exchanger_area_m2=2000.0)
    return p, field.CylinderGeometry(10.0, 12.0, "vertical")


def main() -> None:
    p, geo = lingang()
    c_a = p.gas_capacity_design_w_k
    g_hx = thermal.inlet_row(p, 1.0, 1.0)[1] * c_a
    ua = 1.0 / (1.0 / p.ua_gas_wall_w_k + 1.0 / p.ua_wall_sea_w_k)
    layout = field.rack_layout(geo, 56)
    for res in (0.215,):
        t0 = time.perf_counter()
        prob = field.build_field_problem(geo, layout, c_a, g_hx, ua, res)
        t1 = time.perf_counter()
        _, d = field.solve_steady(prob, 2.4e6 / 56, 20.0)
        t2 = time.perf_counter()
        _, d2 = field.solve_steady(prob, 2.0e6 / 56, 24.0)
        t3 = time.perf_counter()
        print(f"lingang-phase1 cabin, grid {prob.grid.shape}, {prob.cell_count} gas cells (cell {res} m)")
        print(f"  build (voxels, air-loop potential flow, assembly): {t1 - t0:6.2f} s")
        print(f"  first steady solve (preconditioner + BiCGSTAB):    {t2 - t1:6.2f} s")
        print(f"  repeated steady solve (preconditioner kept):       {t3 - t2:6.2f} s")
        print(f"  build + first solve:                               {t2 - t0:6.2f} s")
        print(f"  energy residual {d['energy_residual']:.1e}, peak {d['peak_c']:.2f} C, "
              f"exchanger inlet {d['exchanger_inlet_c']:.2f} C, rack inlet {d['rack_inlet_c']:.2f} C")
    prob = field.build_field_problem(geo, layout, c_a, g_hx, ua, 1.0 / 3.0)
    b = field._rhs(prob, 2.4e6 / 56, 20.0, None)
    t0 = time.perf_counter()
    x_direct = splu(prob.operator.tocsc(), permc_spec="COLAMD").solve(b)
    t1 = time.perf_counter()
    x_iter = field._iterative_solve(prob.operator, b, field.two_level_preconditioner(prob.operator, prob.aggregates),
                                    x0=np.full(b.size, 20.0))
    t2 = time.perf_counter()
    print(f"solver comparison at {prob.cell_count} cells: SuperLU (COLAMD) {t1 - t0:.2f} s, "
          f"two-level ILU + BiCGSTAB {t2 - t1:.2f} s, max difference {np.abs(x_direct - x_iter).max():.1e} K")


if __name__ == "__main__":
    main()
