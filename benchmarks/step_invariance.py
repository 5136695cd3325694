"""The same scenario and seed recorded at four output steps: the answer must not depend on the step.

Runs the design (a year by default) at 60 s, 300 s, 900 s and 3600 s and prints each headline figure at each step,
its spread across the steps and the tolerance issue 15 set (wind energy 0.2 %, IT energy 0.5 %, PUE 0.002, REF
0.005, hottest inlet 0.5 K, protective hours 2 h); also the direct wind share (the physical REF before the
renewable accounting of issue 16) and the wall time of each run.

    python benchmarks/step_invariance.py [--design lingang-phase1] [--horizon 365d] [--seed 1]
"""

from __future__ import annotations

import argparse
import time

from twin.scenario import load_scenario
from twin.sim.engine import simulate

STEPS = (60, 300, 900, 3600)
FIGURES = (  # KPI, tolerance, relative (True) or absolute
    ("wind_energy_mwh", 0.002, True), ("it_energy_mwh", 0.005, True), ("pue", 0.002, False), ("ref", 0.005, False),
    ("direct_wind_share", 0.005, False), ("max_inlet_temp_c", 0.5, False), ("hours_protective_action", 2.0, False),
    ("hours_inlet_above_recommended", None, False), ("facility_energy_mwh", None, True), ("jobs_completed", None, True),
    ("energy_balance_error", None, False),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--design", default="lingang-phase1")
    ap.add_argument("--horizon", default="365d")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    kpis, walls = {}, {}
    for step in STEPS:
        sc = load_scenario(args.design, [f"run.horizon_s={args.horizon}", f"run.step_s={step}",
                                         f"run.seed={args.seed}"])
        t0 = time.perf_counter()
        kpis[step] = simulate(sc).kpis
        walls[step] = time.perf_counter() - t0
    print(f"{args.design}, {args.horizon}, seed {args.seed}")
    print(f"{'figure':32s}" + "".join(f"{s:>16d}" for s in STEPS) + f"{'spread':>14s}  tolerance")
    met = True
    for name, tol, relative in FIGURES:
        values = [float(kpis[s][name]) for s in STEPS]
        spread = max(values) - min(values)
        shown = spread / max(abs(v) for v in values) if relative and any(values) else spread
        if tol is None:
            verdict = ""
        else:
            ok = shown <= tol
            met &= ok
            verdict = f"{tol:g}{' (relative)' if relative else ''}  {'met' if ok else 'NOT MET'}"
        print(f"{name:32s}" + "".join(f"{v:16.6g}" for v in values) + f"{shown:14.3g}  {verdict}")
    print(f"{'wall time [s]':32s}" + "".join(f"{walls[s]:16.2f}" for s in STEPS))
    print("all tolerances met" if met else "SOME TOLERANCES NOT MET")


if __name__ == "__main__":
    main()
