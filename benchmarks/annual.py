"""A year of the reference design at 60 s steps against a bare simpy loop of as many steps, in one process.

Prints both wall times, their ratio (target <= 30) and the process's peak resident set before and after the run
(tracemalloc is not used: tracing every allocation slows the run by two orders of magnitude).

    python benchmarks/annual.py [--design lingang-phase1] [--horizon 365d] [--step 60s]
"""

from __future__ import annotations

import argparse
import resource
import time

import simpy

from twin.scenario import load_scenario
from twin.sim.engine import simulate


def bare_simpy_loop(steps: int, step_s: float) -> float:
    """Wall time of a simpy process that only yields ``steps`` timeouts [s]."""
    env = simpy.Environment()

    def proc(env):
        timeout = env.timeout
        for _ in range(steps):
            yield timeout(step_s)

    env.process(proc(env))
    t0 = time.perf_counter()
    env.run()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--design", default="lingang-phase1")
    ap.add_argument("--horizon", default="365d")
    ap.add_argument("--step", default="60s")
    args = ap.parse_args()
    scenario = load_scenario(args.design, [f"run.horizon_s={args.horizon}", f"run.step_s={args.step}"])
    steps = int(round(scenario.run.horizon_s / scenario.run.step_s))

    base = min(bare_simpy_loop(steps, scenario.run.step_s) for _ in range(3))
    rss0_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    t0 = time.perf_counter()
    result = simulate(scenario)
    twin_s = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    print(f"design                 {scenario.name}")
    print(f"steps                  {steps}")
    print(f"bare simpy loop        {base:8.3f} s  ({base / steps * 1e6:.2f} us/step, best of 3)")
    print(f"twin run               {twin_s:8.3f} s  ({twin_s / steps * 1e6:.2f} us/step)")
    print(f"  of which exogenous   {result.timings['exogenous_s']:8.3f} s")
    print(f"ratio twin / bare      {twin_s / base:8.1f}  (target <= 30)")
    print(f"peak resident set      {rss_mb:8.1f} MiB  ({rss0_mb:.1f} MiB before the run)")
    print(f"energy balance error   {result.kpis['energy_balance_error']:.2e}")


if __name__ == "__main__":
    main()
