"""Runs over HTTP against a real server: life cycle, events, cancel, delete, formats, compare, errors."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
import yaml
from api_support import SHORT, submit, wait_status

from twin.scenario import design_dir, load_scenario
from twin.sim.engine import simulate

LONG = ["run.horizon_s=30d", "run.step_s=60"]  # 43,200 steps: a few seconds, long enough to catch running


def test_life_cycle_submit_status_kpis_and_cache(client):
    r = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": [*SHORT, "run.seed=7"]})
    assert r.status_code == 202
    body = r.json()
    run_id = body["id"]
    assert r.headers["location"] == f"/v1/runs/{run_id}"
    assert body["status"] in ("queued", "running")
    # the resolved inputs are echoed: every default filled, the overrides applied
    assert body["scenario"]["run"]["horizon_s"] == 86400.0 and body["scenario"]["run"]["seed"] == 7
    assert body["scenario"]["workload"]["scheduler"] == "thermal"
    assert body["request"]["overrides"] == [*SHORT, "run.seed=7"]

    done = wait_status(client, run_id)
    assert done["status"] == "completed", done
    assert done["progress"] == 1.0 and done["attempts"] == 1
    t = done["timings"]
    assert t["started_at"] and t["finished_at"] and t["run_s"] >= 0 and t["queue_wait_s"] >= 0
    assert set(done["artifacts"]) == {"series", "kpis", "ledger", "scenario", "classes", "racks", "turbine_outages",
                                      "end_state"}

    kpis = client.get(f"/v1/runs/{run_id}/kpis").json()
    local = simulate(load_scenario("lingang-phase1", [*SHORT, "run.seed=7"]))
    expected = local.kpis
    assert kpis["kpis"] == pytest.approx(expected, rel=1e-12, nan_ok=True)
    assert kpis["classes"]["default"] == pytest.approx(local.classes["default"], rel=1e-12)
    assert kpis["units"]["pue"] == "-" and kpis["units"]["it_energy_mwh"] == "MWh"

    # the same scenario again: with cache, the earlier run; without, a new one
    again = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": [*SHORT, "run.seed=7"],
                                          "cache": True})
    assert again.status_code == 200 and again.json()["id"] == run_id and again.json()["cached"] is True
    fresh = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": [*SHORT, "run.seed=7"]})
    assert fresh.status_code == 202 and fresh.json()["id"] != run_id
    assert fresh.json()["scenario_hash"] == done["scenario_hash"]
    wait_status(client, fresh.json()["id"])

    listed = client.get("/v1/runs", params={"status": "completed", "limit": 1000}).json()
    assert run_id in {x["id"] for x in listed["runs"]} and listed["total"] >= 2


def test_whole_scenario_body_runs_like_the_design(client):
    data = design_data()
    data["run"] = {**data.get("run", {}), "horizon_s": 86400, "step_s": 300, "seed": 3}
    r = client.post("/v1/runs", json={"scenario": data, "overrides": ["cabins.0.count=2"]})
    assert r.status_code == 202, r.text
    assert r.json()["scenario"]["cabins"][0]["count"] == 2
    done = wait_status(client, r.json()["id"])
    assert done["status"] == "completed"
    expected = simulate(load_scenario("lingang-phase1", [*SHORT, "run.seed=3", "cabins.0.count=2"])).kpis
    got = client.get(f"/v1/runs/{done['id']}/kpis").json()["kpis"]
    assert got["it_energy_mwh"] == pytest.approx(expected["it_energy_mwh"], rel=1e-12)


def design_data(name: str = "lingang-phase1") -> dict:
    """A design file as the JSON a client would send (YAML timestamps as strings)."""
    return json.loads(json.dumps(yaml.safe_load((design_dir() / f"{name}.yaml").read_text()), default=str))


def _events(client, run_id) -> list[tuple[str, dict]]:
    out = []
    with client.stream("GET", f"/v1/runs/{run_id}/events") as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: "):
                out.append((event, json.loads(line[len("data: "):])))
    return out


def test_progress_events_until_completed(client):
    run = submit(client, ["run.horizon_s=7d", "run.step_s=60", "run.seed=11"])
    events = _events(client, run["id"])
    kinds = [e for e, _ in events]
    assert kinds[-1] == "completed" and set(kinds[:-1]) == {"progress"}
    progress = [d["progress"] for e, d in events if e == "progress"]
    assert progress == sorted(progress)  # never goes back
    assert any(0.0 < p < 1.0 for p in progress), progress  # saw the run part-way
    assert progress[-1] == 1.0
    # a finished run's stream closes at once with its final state
    again = _events(client, run["id"])
    assert [e for e, _ in again] == ["progress", "completed"]


def test_cancel_a_running_run_then_remove_it(client):
    run = submit(client, LONG)
    rid = run["id"]
    wait_status(client, rid, statuses=("running",))
    r = client.delete(f"/v1/runs/{rid}")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    body = wait_status(client, rid)
    assert body["status"] == "cancelled" and body["error"]
    assert client.get(f"/v1/runs/{rid}/kpis").status_code == 409
    # the worker is free again: a new run completes
    assert wait_status(client, submit(client, ["run.seed=21"])["id"])["status"] == "completed"
    # the cancelled run stays cancelled (its worker stopped, it did not complete behind our back)
    assert client.get(f"/v1/runs/{rid}").json()["status"] == "cancelled"
    assert client.delete(f"/v1/runs/{rid}").status_code == 204
    assert client.get(f"/v1/runs/{rid}").status_code == 404
    assert client.delete(f"/v1/runs/{rid}").status_code == 404


def test_delete_a_finished_run_removes_its_files(client, server):
    rid = submit(client, ["run.seed=31"])["id"]
    wait_status(client, rid)
    assert (server.data_dir / "runs" / rid / "series.parquet").is_file()
    assert client.delete(f"/v1/runs/{rid}").status_code == 204
    assert not (server.data_dir / "runs" / rid).exists()


@pytest.fixture(scope="module")
def finished(server):
    with server.client() as c:
        rid = submit(c, ["run.seed=41"])["id"]
        wait_status(c, rid)
    return rid


def test_timeseries_json_csv_parquet_agree(client, finished):
    q = {"vars": "it_power_w,inlet_temp_c", "start": "2026-01-01T06:00:00+08:00", "end": "2026-01-01T12:00:00",
         "resample": "1h"}
    as_json = client.get(f"/v1/runs/{finished}/timeseries", params=q)
    assert as_json.status_code == 200 and as_json.headers["content-type"].startswith("application/json")
    j = as_json.json()
    assert j["units"] == {"it_power_w": "W", "inlet_temp_c": "C"}
    assert len(j["index"]) == 7 and j["index"][0] == "2026-01-01T06:00:00+08:00"

    as_csv = client.get(f"/v1/runs/{finished}/timeseries", params=q, headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    c = pd.read_csv(io.StringIO(as_csv.text), index_col="time")
    as_pq = client.get(f"/v1/runs/{finished}/timeseries", params={**q, "format": "parquet"})
    assert as_pq.headers["content-type"] == "application/vnd.apache.parquet"
    p = pd.read_parquet(io.BytesIO(as_pq.content))
    assert list(p.columns) == list(c.columns) == ["it_power_w", "inlet_temp_c"]
    assert c["it_power_w"].to_numpy() == pytest.approx(j["columns"]["it_power_w"], rel=1e-12)
    assert p["inlet_temp_c"].to_numpy() == pytest.approx(j["columns"]["inlet_temp_c"], rel=1e-12)

    # the whole series, unresampled, equals the run's own file
    full = pd.read_parquet(io.BytesIO(client.get(f"/v1/runs/{finished}/timeseries?format=parquet").content))
    assert len(full) == 288 and "cabin0_inlet_temp_c" in full.columns
    # format= wins over Accept; an Accept we cannot meet is 406
    assert client.get(f"/v1/runs/{finished}/timeseries?format=csv&vars=utilisation",
                      headers={"Accept": "application/json"}).headers["content-type"].startswith("text/csv")
    assert client.get(f"/v1/runs/{finished}/timeseries", headers={"Accept": "image/png"}).status_code == 406


def test_timeseries_bad_queries_are_422_by_field(client, finished):
    r = client.get(f"/v1/runs/{finished}/timeseries",
                   params={"vars": "it_power_w,no_such", "start": "yesterday", "resample": "1x"})
    assert r.status_code == 422
    fields = {p["field"] for p in r.json()["problems"]}
    assert fields == {"query.vars", "query.start", "query.resample"}
    assert client.get(f"/v1/runs/{finished}/timeseries?format=xml").status_code == 422
    assert client.get("/v1/runs/nope/timeseries").status_code == 404


def test_compare_two_runs(client, finished):
    other = submit(client, ["run.seed=41", "cabins.0.count=2"])["id"]
    wait_status(client, other)
    r = client.get("/v1/compare", params={"ids": f"{finished},{other}"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["baseline"] == finished and body["ids"] == [finished, other]
    it = body["kpis"]["it_energy_mwh"]
    assert it["unit"] == "MWh"
    assert it["differences"][finished] == 0.0
    assert it["differences"][other] == pytest.approx(it["values"][other] - it["values"][finished])
    assert it["values"][other] > 1.5 * it["values"][finished]  # two cabins draw about twice the IT energy
    assert it["relative_differences"][other] == pytest.approx(
        (it["values"][other] - it["values"][finished]) / it["values"][finished])
    assert client.get("/v1/compare", params={"ids": f"{finished},nope"}).status_code == 404
    assert client.get("/v1/compare", params={"ids": finished}).status_code == 422


def test_invalid_scenarios_list_every_problem_by_field_path(client):
    r = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": [
        "site.water_depth_m=-3", "cabins.0.racks.rack_count=0", "run.step_s=7200", "wind.farm.turbine_count=0"]})
    assert r.status_code == 422
    fields = {p["field"] for p in r.json()["problems"]}
    assert {"site.water_depth_m", "cabins.0.racks.rack_count", "run.step_s", "wind.farm.turbine_count"} <= fields
    assert all(p["reason"] for p in r.json()["problems"])

    # a whole scenario with problems in two places
    data = design_data()
    data["site"]["sea"]["monthly_mean_temp_c"] = [10.0] * 11
    data["workload"] = {"target_utilisation": 2}
    r = client.post("/v1/runs", json={"scenario": data})
    assert r.status_code == 422
    assert {"site.sea.monthly_mean_temp_c", "workload.target_utilisation"} <= \
        {p["field"] for p in r.json()["problems"]}

    # request-level problems, also by field
    r = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": "not-a-list", "colour": 1})
    assert r.status_code == 422
    assert {"overrides", "colour"} <= {p["field"] for p in r.json()["problems"]}
    assert client.post("/v1/runs", json={}).status_code == 422  # neither design nor scenario
    assert client.post("/v1/runs", json={"design": "lingang-phase1", "scenario": data}).status_code == 422
    assert client.post("/v1/runs", content=b"{not json", headers={"content-type": "application/json"}) \
        .status_code == 422
    assert client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": ["nope"]}).status_code == 422
    # beyond this server's steps per run (50,000)
    r = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": ["run.horizon_s=365d"]})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "run.horizon_s"


def test_unknown_things_are_404(client):
    assert client.get("/v1/runs/0123456789abcdef").status_code == 404
    assert client.get("/v1/runs/nope/kpis").status_code == 404
    assert client.get("/v1/runs/nope/events").status_code == 404
    assert client.delete("/v1/runs/nope").status_code == 404
    assert client.get("/v1/designs/nope").status_code == 404
    assert client.get("/v1/sweeps/nope").status_code == 404
    r = client.post("/v1/runs", json={"design": "no-such-design"})
    assert r.status_code == 404 and "lingang-phase1" in r.json()["detail"]


def test_designs(client):
    names = [d["name"] for d in client.get("/v1/designs").json()["designs"]]
    assert "lingang-phase1" in names
    resolved = client.get("/v1/designs/lingang-phase1").json()
    assert resolved == json.loads(load_scenario("lingang-phase1").model_dump_json())


def test_openapi_documents_units(client):
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert "[W]" in schemas["Cooling"]["properties"]["design_heat_w"]["description"]
    assert "[s]" in schemas["Timings"]["properties"]["run_s"]["description"]
    assert "/v1/runs/{run_id}/events" in doc["paths"]
    assert "text/event-stream" in doc["paths"]["/v1/runs/{run_id}/events"]["get"]["responses"]["200"]["content"]
