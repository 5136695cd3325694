"""Serial against a 2-worker Dask LocalCluster: 8 annual runs of lingang-phase1 (issue 8).

Prints the serial time, the LocalCluster time (start-up of the cluster timed apart), the speed-up and the load
average before and after, and checks that both give the same table. Target: speed-up >= 1.7 on 2 cores.

The LocalCluster runs twice: with Dask's default settings, then with the settings ``twin.cluster`` starts it with
(``LOCAL_CLUSTER_CONFIG``: no statistical profiler, quieter event-loop and system monitors), so the benchmark shows
what those settings are worth on this machine today. ``--quick`` skips the run with the defaults.

Before the cluster, runs 2 and 3 go again as two plain processes side by side (a spawned pool, no Dask): the
speed-up this machine gives the work at all. Two vCPUs of a virtual machine may share one physical core's
execution units, and then no scheduler can do better than that figure; the cluster's efficiency is its speed-up
over it.

    .venv/bin/python benchmarks/sweep.py            # 8 years at 60 s steps (several minutes)
    .venv/bin/python benchmarks/sweep.py --step 300  # quicker, coarser
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time

import pandas as pd

from twin.studies import cluster
from twin.studies.cluster import open_backend, run_point
from twin.studies.sweep import prepare_points, sweep_points


def _warm(_: int) -> None:
    """Import the engine and build the design's cached parts in a pool process (a two-day run)."""
    from twin.studies.sweep import prepare_points, sweep_points

    sc = prepare_points("lingang-phase1", sweep_points({"run.seed": [1]}), ["run.horizon_s=2d"])[0]
    run_point(sc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step", default="60", help="step of every run [s]")
    ap.add_argument("--horizon", default="365d", help="horizon of every run")
    ap.add_argument("--quick", action="store_true", help="skip the LocalCluster run with Dask's default settings")
    args = ap.parse_args()
    points = sweep_points({"run.seed": [1, 2, 3, 4, 5, 6, 7, 8]})
    scenarios = prepare_points("lingang-phase1", points, [f"run.step_s={args.step}", f"run.horizon_s={args.horizon}"])
    items = [(sc, None) for sc in scenarios]
    print(f"8 runs of lingang-phase1, {args.horizon} at {args.step} s; cores: {os.cpu_count()}; "
          f"load average before: {os.getloadavg()}", flush=True)

    t0 = time.perf_counter()
    with open_backend("serial") as be:
        serial = dict(be.map(run_point, items))
    t_serial = time.perf_counter() - t0
    print(f"serial:            {t_serial:8.1f} s", flush=True)

    # the machine's own limit: runs 2 and 3 (after the first: warm caches) in two plain processes at once, against
    # the same runs alone
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_warm, [0, 1])  # imports and caches out of the timing, as in the serial runs after the first
        t0 = time.perf_counter()
        pool.starmap(run_point, items[1:3])
        t_pair = time.perf_counter() - t0
    alone = serial[1]["value"]["wall_s"] + serial[2]["value"]["wall_s"]
    plain = alone / t_pair
    print(f"runs 2 and 3 alone {alone:.1f} s, side by side in two plain processes {t_pair:.1f} s: the machine's "
          f"speed-up for this work {plain:.2f}", flush=True)

    def on_cluster(settings: dict | None) -> tuple[dict, float, float, float]:
        kept = cluster.LOCAL_CLUSTER_CONFIG
        if settings is not None:
            cluster.LOCAL_CLUSTER_CONFIG = settings
        try:
            t0 = time.perf_counter()
            with open_backend("dask", workers=2) as be:
                t_start = time.perf_counter() - t0
                t1 = time.perf_counter()
                out = dict(be.map(run_point, items))
                t_run = time.perf_counter() - t1
            return out, t_run, t_start, time.perf_counter() - t0
        finally:
            cluster.LOCAL_CLUSTER_CONFIG = kept

    runs = [("LocalCluster, 2 workers, Dask's defaults", {})] if not args.quick else []
    runs.append(("LocalCluster, 2 workers, twin's settings", None))
    for label, settings in runs:
        dask, t_dask, t_start, t_total = on_cluster(settings)
        print(f"{label}: {t_dask:8.1f} s running (+{t_start:.1f} s start-up, {t_total:.1f} s in all); "
              f"speed-up {t_serial / t_dask:.2f} running, {t_serial / t_total:.2f} with start-up and shutdown "
              f"({t_serial / t_dask / plain:.0%} of the machine's)", flush=True)
        b = pd.DataFrame([dask[i]["value"]["kpis"] for i in range(8)])
        pd.testing.assert_frame_equal(pd.DataFrame([serial[i]["value"]["kpis"] for i in range(8)]), b)
    print("target: speed-up >= 1.7 with twin's settings; every table is identical to the serial one")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
