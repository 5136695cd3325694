"""The kernel's compiled workload (twin.sim.kernel_jobs) against the Python schedulers it twins: the same job
streams give the same run."""

from __future__ import annotations

import numpy as np
import pytest

from twin.scenario import load_scenario
from twin.sim.engine import simulate

CASES = {
    "thermal, one class": ["run.horizon_s=4d"],
    "fifo, two server types and classes, failures and repairs": [
        "run.horizon_s=4d", "run.start=2026-07-25T00:00:00+08:00", "workload.scheduler=fifo",
        "cabins.0.racks={rack_count: 56, servers_per_rack: 4, server: dgx-h100, rack_mass_kg: 150.0, "
        "failure_rate_per_year: 1.0, repairable: true, repair_time_h: 6, power_cap_w: 8000, fleet: [{rack_count: 40, "
        "servers_per_rack: 4, server: dgx-h100, power_cap_w: 8000}, {rack_count: 16, servers_per_rack: 8, "
        "server: ibm-x3550-x5670}]}",
        "cabins.0.geometry.atmosphere=air",
        "workload.classes=[{name: train, server: dgx-h100, target_utilisation: 0.75, mean_job_servers: 6, "
        "max_job_servers: 48, mean_job_duration_s: 6h}, {name: web, server: ibm-x3550-x5670, "
        "target_utilisation: 0.5, mean_job_servers: 2, max_job_servers: 8, mean_job_duration_s: 20min}]"],
    "thermal, two cabin groups, a rack-scope throttle": [
        "run.horizon_s=3d", "run.start=2026-08-05T00:00:00+08:00", "cabins.0.limits.throttle_scope=rack",
        "events=[{kind: pump_capacity, start_s: 1d, duration_s: 10h, capacity_fraction: 0.3, cabin: 0}]",
        "cabins=[{name: a, count: 1, geometry: {orientation: vertical, diameter_m: 10.0, length_m: 12.0}, racks: "
        "{rack_count: 56, servers_per_rack: 4, server: dgx-h100, rack_mass_kg: 150.0}, cooling: {design_heat_w: "
        "2.4e6}, limits: {throttle_scope: rack}}, {name: b, count: 3, geometry: {orientation: horizontal, "
        "diameter_m: 4.0, length_m: 18.0}, racks: {rack_count: 12, servers_per_rack: 4, server: dgx-h100}, "
        "cooling: {design_heat_w: 0.5e6}}]"],
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_kernel_runs_the_jobs_as_the_python_schedulers_do(case):
    sc = load_scenario("lingang-phase1", CASES[case])
    fast = simulate(sc)
    slow = simulate(sc, kernel_workload=False)
    assert fast.timings["kernel_calls"] < slow.timings["kernel_calls"] / 5  # the workload did run in the kernel
    for kpi, value in slow.kpis.items():
        assert fast.kpis[kpi] == pytest.approx(value, rel=1e-9, abs=1e-9, nan_ok=True), kpi
    assert fast.classes.keys() == slow.classes.keys()
    for name, figures in slow.classes.items():
        assert fast.classes[name] == pytest.approx(figures, rel=1e-9), name
    for col in slow.series.columns:
        a, b = fast.series[col].to_numpy(dtype=float), slow.series[col].to_numpy(dtype=float)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * max(1.0, float(np.abs(b).max())), err_msg=col)
    np.testing.assert_allclose(fast.racks.to_numpy(), slow.racks.to_numpy(), rtol=1e-9, atol=1e-6)
    assert fast.kpis["jobs_completed"] > 100
    if "failures" in case:
        assert fast.kpis["server_failures"] > 0 and fast.kpis["hours_protective_action"] > 0
