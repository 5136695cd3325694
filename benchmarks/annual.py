"""A year of the reference design against a bare simpy loop of as many steps, in one process; and many cabin groups.

Default: the year at 60 s (``simulate``), its wall time against the best of three bare simpy loops of as many
one-step timeouts (target: at most 5 times), the process's peak resident set (target: at most 400 MiB; read from
``ru_maxrss``, not tracemalloc, which slows a run a hundredfold; again after saving), the size of its series' spool
(``twin.sim.spool``) and of its ``series.parquet`` (target: at most 25 MB). The compiled kernel is loaded by a
one-hour run first (its load, and a cold compile, are printed separately: ``benchmarks/energyplus.py`` times whole
processes).

``--groups N``: N distinct cabin groups with a fixed load (no jobs) against one such group (target: at most 3
times), and the same N groups with jobs, whose extra time per job is compared with one bare simpy event (target: at
most 10 events a job); each run the best of two, the bare event the median of loops measured among them.

    python benchmarks/annual.py [--design lingang-phase1] [--horizon 365d] [--step 60s] [--groups N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

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


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(scenario):
    t0 = time.perf_counter()
    result = simulate(scenario)
    return time.perf_counter() - t0, result


def groups_overrides(n: int, jobs: bool) -> list[str]:
    """``n`` distinct cabin groups (diameter, length, racks and heat differ), each one cabin, with the reference
    design's cooling and uniform rack inlets (the 3D field each distinct group would solve at set-up, about half a
    second each, is not the engine's scaling); without jobs every server idles (a fixed load)."""
    groups = []
    for i in range(n):
        racks = 40 + 2 * i
        heat = racks * 4 * 10_200.0 * 1.05
        groups.append(
            f"{{name: g{i}, count: 1, geometry: {{orientation: {'vertical' if i % 2 == 0 else 'horizontal'}, "
            f"diameter_m: {8.0 + 0.2 * i:.1f}, length_m: {11.0 + 0.3 * i:.1f}}}, racks: {{rack_count: {racks}, "
            f"servers_per_rack: 4, server: dgx-h100}}, cooling: {{design_heat_w: {heat:.0f}, "
            f"rack_inlet_model: uniform}}}}")
    out = [f"cabins=[{', '.join(groups)}]", "workload.max_job_servers=32"]
    if not jobs:
        out.append("workload.target_utilisation=0")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--design", default="lingang-phase1")
    ap.add_argument("--horizon", default="365d")
    ap.add_argument("--step", default="60s")
    ap.add_argument("--groups", type=int, default=0, help="compare N distinct cabin groups with one")
    args = ap.parse_args()
    run = [f"run.horizon_s={args.horizon}", f"run.step_s={args.step}"]
    scenario = load_scenario(args.design, run)
    steps = int(round(scenario.run.horizon_s / scenario.run.step_s))
    base = min(bare_simpy_loop(steps, scenario.run.step_s) for _ in range(3))
    rss_imports = peak_rss_mib()
    t_load, _ = timed(load_scenario(args.design, ["run.horizon_s=1h"]))  # loads the compiled kernel
    print(f"design                 {scenario.name}")
    print(f"steps                  {steps}")
    print(f"bare simpy loop        {base:8.3f} s  ({base / steps * 1e6:.2f} us/step, best of 3)")
    print(f"kernel load (1 h run)  {t_load:8.3f} s  (peak resident set {rss_imports:.1f} MiB before it)")
    if args.groups:
        return compare_groups(args, run, base, steps, scenario.run.step_s)

    twin_s, result = timed(scenario)
    rss_mib = peak_rss_mib()
    print(f"twin run               {twin_s:8.3f} s  ({twin_s / steps * 1e6:.2f} us/step, "
          f"{result.timings['kernel_calls']} kernel calls)")
    print(f"  of which set-up      {result.timings['build_s']:8.3f} s  (environment, plants, fleets, arrays)")
    print(f"ratio twin / bare      {twin_s / base:8.2f}  (target <= 5)")
    print(f"peak resident set      {rss_mib:8.1f} MiB  (target <= 400)")
    spool_mb = os.fstat(result.spool._file.fileno()).st_size / 1e6 if result.spool is not None else 0.0
    print(f"series spool on disk   {spool_mb:8.1f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paths = result.save(Path(tmp))
        size_mb = os.path.getsize(paths["series"]) / 1e6
        print(f"series.parquet         {size_mb:8.1f} MB   (target <= 25; written in {time.perf_counter() - t0:.2f} s)")
    print(f"  peak after saving    {peak_rss_mib():8.1f} MiB")
    print(f"energy balance error   {result.kpis['energy_balance_error']:.2e}")


def compare_groups(args, run: list[str], base: float, steps: int, step_s: float) -> None:
    # an hour of each first: a layout of groups may need a kernel signature of its own, whose compile (or load from
    # the cache) must not be timed as the run (it once made one group look 14 s long)
    for n, jobs_on in ((1, False), (args.groups, False), (args.groups, True)):
        timed(load_scenario(args.design, [*run, *groups_overrides(n, jobs=jobs_on), "run.horizon_s=1h"]))
    # each run the best of two, alternating, with bare loops between them: this machine's speed wanders (a bare
    # loop of a year's steps took 0.56 to 1.10 s within one process), a year's run averages over it, and the cost of
    # a job is a difference of two runs. The bare event is the median of the loops measured among the runs, the
    # machine's speed while they ran; its fastest is printed too (a job in those events is the most it may be)
    best = {}
    loops = [base]
    for _ in range(2):
        for key, n, jobs_on in (("one", 1, False), ("many", args.groups, False), ("jobs", args.groups, True)):
            s, result = timed(load_scenario(args.design, [*run, *groups_overrides(n, jobs=jobs_on)]))
            if key not in best or s < best[key][0]:
                best[key] = (s, result.kpis, result.timings)  # not the result: its spool and arrays would stay
            del result
            loops.append(bare_simpy_loop(steps, step_s))
    (one_s, one, _), (many_s, many, _), (jobs_s, jobs, jobs_timings) = best["one"], best["many"], best["jobs"]
    event_s = statistics.median(loops) / steps
    fastest_s = min(loops) / steps
    n_jobs = jobs["jobs_completed"]
    per_job = (jobs_s - many_s) / n_jobs if n_jobs else float("nan")
    print(f"1 group, fixed load    {one_s:8.3f} s")
    print(f"{args.groups} groups, fixed load  {many_s:8.3f} s  ratio {many_s / one_s:.2f}  (target <= 3)")
    print(f"{args.groups} groups, with jobs   {jobs_s:8.3f} s  {n_jobs} jobs completed, "
          f"{jobs_timings['kernel_calls']} kernel calls")
    print(f"a job costs            {per_job * 1e6:8.2f} us = {per_job / event_s:.1f} bare simpy events "
          f"({event_s * 1e6:.2f} us each, the median of {len(loops)} loops; target <= 10)")
    print(f"  in the fastest loop's events {per_job / fastest_s:.1f} ({fastest_s * 1e6:.2f} us each)")
    worst = max(k["energy_balance_error"] for k in (one, many, jobs))
    print(f"energy balance error   {worst:.2e}")
    print(f"peak resident set      {peak_rss_mib():8.1f} MiB")


if __name__ == "__main__":
    main()
