"""Serial against a 2-worker Dask LocalCluster: 8 annual runs of lingang-phase1 (issue 8).

Prints the serial time, the LocalCluster time (start-up of the cluster timed apart), the speed-up and the load
average before and after, and checks that both give the same table. Target: speed-up >= 1.7 on 2 cores.

The LocalCluster runs twice: with Dask's default settings, then with the settings ``twin.cluster`` starts it with
(``LOCAL_CLUSTER_CONFIG``: no statistical profiler, quieter event-loop and system monitors), so the benchmark shows
what those settings are worth on this machine today. ``--quick`` skips the run with the defaults.

    .venv/bin/python benchmarks/sweep.py            # 8 years at 60 s steps (several minutes)
    .venv/bin/python benchmarks/sweep.py --step 300  # quicker, coarser
"""

from __future__ import annotations

import argparse
import os
import time

import pandas as pd

from twin import cluster
from twin.cluster import open_backend, run_point
from twin.sweep import prepare_points, sweep_points


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
              f"speed-up {t_serial / t_dask:.2f} running, {t_serial / t_total:.2f} with start-up and shutdown",
              flush=True)
        b = pd.DataFrame([dask[i]["value"]["kpis"] for i in range(8)])
        pd.testing.assert_frame_equal(pd.DataFrame([serial[i]["value"]["kpis"] for i in range(8)]), b)
    print("target: speed-up >= 1.7 with twin's settings; every table is identical to the serial one")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
