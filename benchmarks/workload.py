"""Jobs simulated per second of wall time: a 2,000-server cabin over a week, against a bare simpy loop with the
same number of events, in one process (issue 5).

The cabin: the reference design's cabin with 40 racks of 50 CPU servers (IBM x3550, SPECpower table), a web
class (one server, 10 min, 30 % of the fleet, daily and weekly rhythm) and a batch class (4 servers, 2 h, 30 %).
The twin's events are the plant steps and one arrival per job. Printed: jobs, events, both wall times, the cost of
a job in bare simpy events (wall time of the run per job over the bare loop's time per event; target <= 20), and
the same for the marginal cost of a job (the run minus the same run with no jobs).

    python benchmarks/workload.py [--horizon 7d] [--step 60s] [--scheduler fifo]
"""

from __future__ import annotations

import argparse
import json
import time

import simpy

from twin.scenario import load_scenario
from twin.sim.engine import simulate

CLASSES = [
    {"name": "web", "target_utilisation": 0.3, "mean_job_duration_s": 600, "diurnal_amplitude": 0.5,
     "weekend_factor": 0.6, "job_utilisation": 0.5},
    {"name": "batch", "target_utilisation": 0.3, "mean_job_servers": 4, "max_job_servers": 16,
     "mean_job_duration_s": 7200, "job_utilisation": 0.9},
]


def bare_simpy_loop(events: int) -> float:
    """Wall time of a simpy process that only yields ``events`` timeouts [s]."""
    env = simpy.Environment()

    def proc(env):
        timeout = env.timeout
        for _ in range(events):
            yield timeout(1.0)

    env.process(proc(env))
    t0 = time.perf_counter()
    env.run()
    return time.perf_counter() - t0


def scenario(horizon: str, step: str, scheduler: str, classes: list[dict]):
    return load_scenario("lingang-phase1", [
        f"run.horizon_s={horizon}", f"run.step_s={step}", "wind.farm.mttr_h=0",
        "cabins.0.racks.rack_count=40", "cabins.0.racks.servers_per_rack=50", "cabins.0.racks.server=ibm-x3550-x5670",
        f"workload.scheduler={scheduler}", f"workload.classes={json.dumps(classes)}"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--horizon", default="7d")
    ap.add_argument("--step", default="60s")
    ap.add_argument("--scheduler", default="fifo")
    args = ap.parse_args()
    sc = scenario(args.horizon, args.step, args.scheduler, CLASSES)
    idle = scenario(args.horizon, args.step, args.scheduler,
                    [{"name": "none", "arrival_rate_per_h": 0.0}])
    simulate(scenario("1d", args.step, args.scheduler, CLASSES))  # warm the caches (rack inlet matrix, imports)

    t0 = time.perf_counter()
    result = simulate(sc)
    run_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    simulate(idle)
    idle_s = time.perf_counter() - t0

    steps = int(round(sc.run.horizon_s / sc.run.step_s))
    jobs = sum(c["jobs_completed"] for c in result.classes.values())
    arrived = jobs + result.kpis["jobs_waiting_at_end"] + result.kpis["jobs_rejected"]
    events = steps + arrived
    bare = min(bare_simpy_loop(events) for _ in range(3))
    per_event = bare / events
    print(f"cabin                  {sc.cabins[0].racks.server_count} servers, scheduler {args.scheduler}, "
          f"{args.horizon} at {args.step}")
    print(f"jobs completed         {jobs}  ({arrived} arrived)")
    for name, c in result.classes.items():
        print(f"  {name:8s}             {c['jobs_completed']:7d} jobs, wait p95 {c['job_wait_p95_s']:.0f} s, "
              f"{c['energy_per_job_kwh']:.3f} kWh per job")
    print(f"simpy events           {events}  ({steps} steps + {arrived} arrivals)")
    print(f"bare simpy loop        {bare:8.3f} s  ({per_event * 1e6:.2f} us/event, best of 3)")
    print(f"twin run               {run_s:8.3f} s  ({jobs / run_s:,.0f} jobs per second of wall time)")
    print(f"twin run, no jobs      {idle_s:8.3f} s")
    print(f"a job in bare events   {run_s / jobs / per_event:8.1f}  (whole run per job; target <= 20)")
    print(f"  marginal             {(run_s - idle_s) / jobs / per_event:8.1f}  (run minus the run without jobs)")
    print(f"energy balance error   {result.kpis['energy_balance_error']:.2e}")


if __name__ == "__main__":
    main()
