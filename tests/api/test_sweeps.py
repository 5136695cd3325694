"""Sweeps: a grid over a base scenario, its status and result table, locally and on a Dask cluster."""

from __future__ import annotations

import io
import time

import pandas as pd
import pytest
from api_support import SHORT, ServerProcess


def wait_sweep(client, sweep_id: str, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/v1/sweeps/{sweep_id}").json()
        if body["status"] not in ("queued", "running"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"sweep {sweep_id} still {body['status']}")


def test_sweep_runs_every_grid_point_and_tables_the_results(client):
    grid = {"cabins.0.count": [1, 2], "run.seed": [1, 2]}
    r = client.post("/v1/sweeps", json={"design": "lingang-phase1", "overrides": SHORT, "grid": grid,
                                        "name": "cabins x seed"})
    assert r.status_code == 202, r.text
    sweep = r.json()
    assert r.headers["location"] == f"/v1/sweeps/{sweep['id']}"
    assert sweep["size"] == 4 and sweep["backend"] == "local"
    assert [p["point"] for p in sweep["results"]] == [
        {"cabins.0.count": 1, "run.seed": 1}, {"cabins.0.count": 1, "run.seed": 2},
        {"cabins.0.count": 2, "run.seed": 1}, {"cabins.0.count": 2, "run.seed": 2}]
    done = wait_sweep(client, sweep["id"])
    assert done["status"] == "completed" and done["counts"] == {"completed": 4} and done["progress"] == 1.0
    it = [row["kpis"]["it_energy_mwh"] for row in done["results"]]
    assert it[2] > 1.5 * it[0] and it[3] > 1.5 * it[1]
    # each point is an ordinary run, with the grid's values applied
    run = client.get(f"/v1/runs/{done['results'][3]['run_id']}").json()
    assert run["sweep_id"] == sweep["id"] and run["scenario"]["cabins"][0]["count"] == 2
    assert run["scenario"]["run"]["seed"] == 2
    # the table as CSV and Parquet
    csv = pd.read_csv(io.StringIO(client.get(f"/v1/sweeps/{sweep['id']}?format=csv").text), index_col="index")
    pq = pd.read_parquet(io.BytesIO(client.get(f"/v1/sweeps/{sweep['id']}",
                                               headers={"Accept": "application/vnd.apache.parquet"}).content))
    assert list(csv["cabins.0.count"]) == [1, 1, 2, 2]
    assert csv["it_energy_mwh"].to_numpy() == pytest.approx(it) and pq["pue"].to_numpy() == pytest.approx(
        [row["kpis"]["pue"] for row in done["results"]])
    listed = client.get("/v1/sweeps").json()
    assert sweep["id"] in {s["id"] for s in listed["sweeps"]}
    # with cache, a second identical sweep reuses every run
    again = client.post("/v1/sweeps", json={"design": "lingang-phase1", "overrides": SHORT, "grid": grid,
                                            "cache": True}).json()
    assert [p["run_id"] for p in again["results"]] == [p["run_id"] for p in done["results"]]
    assert again["status"] == "completed"


def test_sweep_problems_name_the_grid_point_and_field(client):
    r = client.post("/v1/sweeps", json={"design": "lingang-phase1", "overrides": SHORT,
                                        "grid": {"site.water_depth_m": [15, -1], "run.seed": [1]}})
    assert r.status_code == 422
    (p,) = r.json()["problems"]
    assert p["field"] == "site.water_depth_m" and "grid point 1" in p["reason"]
    assert client.post("/v1/sweeps", json={"design": "lingang-phase1", "grid": {}}).status_code == 422
    assert client.post("/v1/sweeps", json={"design": "lingang-phase1", "grid": {"run.seed": list(range(300))}}) \
        .status_code == 422


def test_cancel_a_sweep(client):
    r = client.post("/v1/sweeps", json={"design": "lingang-phase1",
                                        "overrides": ["run.horizon_s=20d", "run.step_s=60"],
                                        "grid": {"run.seed": [1, 2, 3]}})
    sweep = r.json()
    out = client.delete(f"/v1/sweeps/{sweep['id']}").json()
    assert out["counts"].get("cancelled", 0) + out["counts"].get("completed", 0) == 3
    assert wait_sweep(client, sweep["id"])["status"] in ("cancelled", "partial")


def test_sweep_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None,
                                  protocol="tcp", host="127.0.0.1", scheduler_port=0) as cluster:
        srv = ServerProcess(tmp_path / "data", workers=1,
                            env={"DASK_SCHEDULER_ADDRESS": cluster.scheduler_address}).start()
        try:
            with srv.client() as c:
                assert c.get("/healthz").json()["sweep_backend"] == "dask"
                r = c.post("/v1/sweeps", json={"design": "lingang-phase1", "overrides": SHORT,
                                               "grid": {"run.seed": [1, 2]}})
                assert r.status_code == 202 and r.json()["backend"] == "dask"
                done = wait_sweep(c, r.json()["id"])
                assert done["status"] == "completed", done
                first = done["results"][0]["run_id"]
                run = c.get(f"/v1/runs/{first}").json()
                assert run["backend"] == "dask"
                # the files the server wrote from the Dask result serve like any other run's
                ts = c.get(f"/v1/runs/{first}/timeseries?vars=it_power_w&format=parquet")
                assert len(pd.read_parquet(io.BytesIO(ts.content))) == 288
                # the same files as a run of the local pool: what RunResult.save writes, classes included
                assert set(run["artifacts"]) == {"series", "kpis", "ledger", "scenario", "classes", "racks",
                                                 "turbine_outages", "end_state"}
                assert c.get(f"/v1/runs/{first}/kpis").json()["classes"]["default"]["jobs_completed"] > 0
                from twin.scenario import load_scenario
                from twin.sim.engine import simulate

                expected = simulate(load_scenario("lingang-phase1", [*SHORT, "run.seed=1"])).kpis
                assert done["results"][0]["kpis"] == pytest.approx(expected, rel=1e-12, nan_ok=True)
        finally:
            srv.stop()
