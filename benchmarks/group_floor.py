"""What a cabin group's control period costs in the kernel, against the floor of its bare work and against what the
fixed-load target of ``annual.py --groups`` leaves it.

The engine: the fixed-load year of ``annual.py --groups`` (``groups_overrides``) for 1 and N groups, each the best of
two, its time split into the kernel (the calls of ``advance``) and the rest (set-up, the simpy side, results); the
kernel's marginal cost of a group and control period is the difference of the two kernels over (N - 1) groups.

The floor: a compiled loop over the same N groups' networks (their eigenvalues, vectors and inputs as the kernel
holds them after an hour) and as many control periods, doing only what a group's period cannot go without at a
60 s control period and output step: the projection of its state onto its modes and their exact step
(``kernel_physics.modal_factors`` and ``modal_apply``, the kernel's own functions), the recorder's 28 accumulators,
and at each step their copy into a chunk's buffers (``recorder.allocate``'s) and reset. No controllers, no cache
lookups, no maxima or crossings located inside the period, no bus.

The budget: the N-group run may take 3 times the one-group run. Less what the N-group run spends outside the kernel
and the kernel's part that does not grow with the groups (the one group's kernel less its marginal cost), that
leaves the N groups' periods a time each; the floor shows how much of it their bare work takes.

    python benchmarks/group_floor.py [--groups 20] [--horizon 365d]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit

sys.path.insert(0, str(Path(__file__).parent))

from annual import groups_overrides  # noqa: E402

import twin.sim.processes as processes  # noqa: E402
from twin.scenario import load_scenario  # noqa: E402
from twin.sim.engine import build_run, simulate  # noqa: E402
from twin.sim.kernel import advance  # noqa: E402
from twin.sim.kernel_physics import modal_apply, modal_factors  # noqa: E402
from twin.sim.recorder import AC_COUNT, allocate  # noqa: E402
from twin.sim.spool import chunk_rows  # noqa: E402
from twin.sim.state import C_G_HX, C_LAM, C_P, C_V, M_SLOT, P_SQRT_C0, P_UA_WS, S_HEAT_W, S_X0, X_SEA_C  # noqa: E402,E501


@njit(_nrt=False)
def floor_periods(n_periods, period_s, lam, vec, p_mat, sq, b, held, x, acc, out, epp, xs, xi):
    """``n_periods`` control periods of every group (rows of the arrays): the state projected onto the modes
    (``z = V^T sqrt(C) x``, ``w = V^T b``), stepped exactly over the period, the 28 accumulators, and each period's
    accumulators copied into the chunk's buffers (an output step a period) and reset."""
    n = lam.shape[0]
    o = 0
    for c in range(n):
        modal_factors((lam[c, 0], lam[c, 1], lam[c, 2]), period_s, epp[c])
    for _ in range(n_periods):
        for c in range(n):
            y0, y1, y2 = sq[c, 0] * x[c, 0], sq[c, 1] * x[c, 1], sq[c, 2] * x[c, 2]
            z0 = vec[c, 0] * y0 + vec[c, 3] * y1 + vec[c, 6] * y2
            z1 = vec[c, 1] * y0 + vec[c, 4] * y1 + vec[c, 7] * y2
            z2 = vec[c, 2] * y0 + vec[c, 5] * y1 + vec[c, 8] * y2
            w0 = vec[c, 0] * b[c, 0] + vec[c, 3] * b[c, 1] + vec[c, 6] * b[c, 2]
            w1 = vec[c, 1] * b[c, 0] + vec[c, 4] * b[c, 1] + vec[c, 7] * b[c, 2]
            w2 = vec[c, 2] * b[c, 0] + vec[c, 5] * b[c, 1] + vec[c, 8] * b[c, 2]
            e = epp[c]
            modal_apply((e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7], e[8]),
                        (p_mat[c, 0], p_mat[c, 1], p_mat[c, 2], p_mat[c, 3], p_mat[c, 4], p_mat[c, 5], p_mat[c, 6],
                         p_mat[c, 7], p_mat[c, 8]), (z0, z1, z2), (w0, w1, w2), xs, xi)
            x[c, 0], x[c, 1], x[c, 2] = xs[0], xs[1], xs[2]
            for k in range(3):
                acc[c, k] += xi[k]
            acc[c, 3] = max(acc[c, 3], xs[1])
            for j in range(4, acc.shape[1]):  # the other means: powers, speeds, counts held over the period
                acc[c, j] += held[c, j] * period_s
        for c in range(n):
            for j in range(acc.shape[1]):
                out[o, c, j] = acc[c, j]
                acc[c, j] = 0.0
            acc[c, 3] = -math.inf
        o += 1
        if o == out.shape[0]:
            o = 0
    return o


def floor_run(scenario, n_periods: int) -> float:
    """Wall time of :func:`floor_periods` on the scenario's groups as the kernel holds them after an hour [s]."""
    setup = build_run(scenario)
    a = setup.arrays
    advance(0.0, 3600.0, *a.kernel_args())
    n = a.prm.shape[0]
    slots = a.scratch[0][:, M_SLOT].astype(int)
    rows = np.arange(n)
    lam = a.cache[rows, slots, C_LAM:C_LAM + 3].copy()
    vec = a.cache[rows, slots, C_V:C_V + 9].copy()
    p_mat = a.cache[rows, slots, C_P:C_P + 9].copy()
    sq = a.prm[:, P_SQRT_C0:P_SQRT_C0 + 3].copy()
    sea = float(a.exo[X_SEA_C, 0])
    b = np.column_stack([a.st[:, S_HEAT_W] / sq[:, 0], a.cache[rows, slots, C_G_HX] * sea / sq[:, 1],
                         a.prm[:, P_UA_WS] * sea / sq[:, 2]])  # the network's inputs, as the kernel's _prepare
    x = a.st[:, S_X0:S_X0 + 3].copy()
    _, acc, _, _, out = allocate(n, chunk_rows(60.0, 3600.0, n_periods))
    assert acc.shape[1] == AC_COUNT
    epp, xs, xi = np.zeros((n, 9)), np.zeros(3), np.zeros(3)
    held = np.tile(a.st[:, :1], (1, AC_COUNT))  # a value each accumulator integrates
    args = (60.0, lam, vec, p_mat, sq, b, held, x, acc, out, epp, xs, xi)
    floor_periods(10, *args)  # compiled
    t0 = time.perf_counter()
    floor_periods(n_periods, *args)
    dt = time.perf_counter() - t0
    if not np.isfinite(x).all():
        raise RuntimeError("the floor's networks diverged")
    return dt


def engine_run(scenario) -> tuple[float, float]:
    """``(total, kernel)``: wall time of the run and of its kernel's calls [s]."""
    spent = [0.0]
    real = processes.advance

    def timed_advance(*args):
        t0 = time.perf_counter()
        out = real(*args)
        spent[0] += time.perf_counter() - t0
        return out

    processes.advance = timed_advance
    try:
        t0 = time.perf_counter()
        simulate(scenario)
        return time.perf_counter() - t0, spent[0]
    finally:
        processes.advance = real


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", type=int, default=20)
    ap.add_argument("--horizon", default="365d")
    args = ap.parse_args()
    run = [f"run.horizon_s={args.horizon}", "run.step_s=60s"]
    scenarios = {k: load_scenario("lingang-phase1", [*run, *groups_overrides(k, jobs=False)])
                 for k in (1, args.groups)}
    for k in (1, args.groups):  # the kernel loaded (or compiled) outside the timed runs
        simulate(load_scenario("lingang-phase1", [*run, *groups_overrides(k, jobs=False), "run.horizon_s=1h"]))
    periods = int(round(scenarios[1].run.horizon_s / 60.0))
    best = {}
    for _ in range(2):  # alternating, each the best of two: this machine's speed wanders
        for k in (1, args.groups):
            total, kernel = engine_run(scenarios[k])
            if k not in best or total < best[k][0]:
                best[k] = (total, kernel)
    floors = [floor_run(scenarios[args.groups], periods) for _ in range(2)]
    n = args.groups
    (t1, k1), (tn, kn) = best[1], best[n]
    marginal = (kn - k1) / ((n - 1) * periods)
    fixed = k1 - marginal * periods
    budget = (3.0 * t1 - (tn - kn) - fixed) / (n * periods)
    floor = min(floors) / (n * periods)
    print(f"control periods        {periods}")
    print(f"1 group                {t1:8.3f} s  (kernel {k1:.3f} s, the rest {t1 - k1:.3f} s)")
    print(f"{n} groups              {tn:8.3f} s  (kernel {kn:.3f} s, the rest {tn - kn:.3f} s)  ratio {tn / t1:.2f}")
    print(f"kernel, a group and period  {marginal * 1e9:7.1f} ns  (marginal, {n} groups against 1; the rest of one "
          f"group's kernel {fixed:.3f} s)")
    print(f"floor, a group and period   {floor * 1e9:7.1f} ns  (modal step, accumulators, recording; best of 2)")
    print(f"the target leaves           {budget * 1e9:7.1f} ns  a group and period for the kernel ({n} groups in "
          f"3 x {t1:.3f} s, less their run's {tn - kn:.3f} s outside the kernel and the kernel's {fixed:.3f} s "
          f"that does not grow with them)")
    print(f"floor / what the target leaves  {floor / budget:.2f}" if budget > 0 else
          "the target leaves nothing: the rest of the run alone is over it")


if __name__ == "__main__":
    main()
