"""Serial against a 2-worker Dask LocalCluster: 8 annual runs of lingang-phase1 (issue 8).

Prints the serial time, the LocalCluster time (start-up of the cluster timed apart), the speed-up and the load
average before and after, and checks that both give the same table. Target: speed-up >= 1.7 on 2 cores.

    .venv/bin/python benchmarks/sweep.py            # 8 years at 60 s steps (several minutes)
    .venv/bin/python benchmarks/sweep.py --step 300  # quicker, coarser
"""

from __future__ import annotations

import argparse
import os
import time

import pandas as pd

from twin.cluster import open_backend, run_point
from twin.sweep import prepare_points, sweep_points


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step", default="60", help="step of every run [s]")
    ap.add_argument("--horizon", default="365d", help="horizon of every run")
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

    t0 = time.perf_counter()
    with open_backend("dask", workers=2) as be:
        t_start = time.perf_counter() - t0
        t1 = time.perf_counter()
        dask = dict(be.map(run_point, items))
        t_dask = time.perf_counter() - t1
    t_total = time.perf_counter() - t0
    print(f"LocalCluster, 2 workers: {t_dask:8.1f} s running (+{t_start:.1f} s start-up, {t_total:.1f} s in all)")
    print(f"speed-up:          {t_serial / t_dask:8.2f} (running), {t_serial / t_total:.2f} (with start-up and "
          f"shutdown); target >= 1.7")
    print(f"load average after: {os.getloadavg()}")
    a = pd.DataFrame([serial[i]["value"]["kpis"] for i in range(8)])
    b = pd.DataFrame([dask[i]["value"]["kpis"] for i in range(8)])
    pd.testing.assert_frame_equal(a, b)
    print("the two tables are identical")


if __name__ == "__main__":
    main()
