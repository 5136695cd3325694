"""Forecasts forked from a live twin, and the 3D view of its present (issue 18, item 6), against a real server: a
twin fed a day of telemetry; `POST /v1/twins/{id}/forecasts` stores the synchronised state as a data set and queues
a run from it (persistence, climatology, an uploaded forecast), linked to the twin; errors by field; 429 when the
queue is full; the picture of the present draws the filter's temperatures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from api_support import ServerProcess, wait_status

from twin.live.telemetry import SynthOptions, synthesize
from twin.scenario import load_scenario
from twin.sim.engine import simulate

BASE = ["run.horizon_s=1d", "run.step_s=600", "run.start=2026-06-01T00:00:00+08:00"]
SIGNALS = ["hub_wind_speed_m_s", "cabin0_it_power_w", "cabin0_fan_speed", "cabin0_pump_speed", "sea_temp_c",
           "cabin0_inlet_temp_c", "cabin0_servers_alive", "turbines_available"]


@pytest.fixture(scope="module")
def truth():
    return simulate(load_scenario("lingang-phase1", BASE)).series


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("forecasts") / "data", workers=1, settings={
        "max_steps_per_run": 50_000, "max_queued_runs": 1}).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(srv):
    with srv.client(timeout=120.0) as c:
        yield c


@pytest.fixture(scope="module")
def twin(client, truth):
    tid = client.post("/v1/twins", json={"design": "lingang-phase1", "overrides": BASE}).json()["id"]
    long = synthesize(truth, SIGNALS, SynthOptions(noise={"cabin0_inlet_temp_c": 0.05}, seed=4))
    long["timestamp"] = [t.isoformat() for t in long["timestamp"]]
    r = client.post(f"/v1/twins/{tid}/telemetry", content=long.to_csv(index=False).encode(),
                    headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
    return tid


def _forecast(client, tid, **body):
    return client.post(f"/v1/twins/{tid}/forecasts", json={"horizon_s": "2d", "step_s": 600, **body})


def test_a_persistence_forecast_is_a_run_from_the_twins_present(client, twin, truth):
    state = client.get(f"/v1/twins/{twin}/state").json()
    r = _forecast(client, twin, weather="persistence")
    assert r.status_code == 202, r.text
    run = r.json()
    assert r.headers["location"] == f"/v1/runs/{run['id']}"
    assert run["twin_id"] == twin and run["links"]["twin"] == f"/v1/twins/{twin}"
    sc = run["scenario"]
    assert pd.Timestamp(sc["run"]["start"]) == pd.Timestamp(state["time"]) == truth.index[-1]
    assert sc["run"]["weather"]["mode"] == "persistence" and sc["run"]["horizon_s"] == 2 * 86400.0
    ref = sc["run"]["initial_state"]
    assert ref.startswith("dataset:") and {"field": "run.initial_state", "id": ref[8:], "kind": "state"} in \
        run["datasets"]
    stored = client.get(f"/v1/datasets/{ref[8:]}").json()
    assert stored["kind"] == "state" and stored["format"] == "json"
    done = wait_status(client, run["id"], timeout=300)
    assert done["status"] == "completed", done["error"]
    assert done["twin_id"] == twin
    kpis = client.get(f"/v1/runs/{run['id']}/kpis").json()
    assert kpis["kpis"]["energy_balance_error"] < 1e-9
    series = client.get(f"/v1/runs/{run['id']}/timeseries",
                        params={"vars": "hub_wind_speed_m_s,sea_temp_c,cabin0_it_temp_c"}).json()
    cols = series["columns"] if "columns" in series else series
    hub = np.asarray(cols["hub_wind_speed_m_s"], float)
    # persistence: the first ten minutes hold the twin's last measured wind (within its first decay)
    assert abs(hub[0] - truth["hub_wind_speed_m_s"].iat[-1]) < 0.2 * max(1.0, truth["hub_wind_speed_m_s"].iat[-1])
    sea = np.asarray(cols["sea_temp_c"], float)
    assert abs(sea[0] - state["cabins"][0]["sea_temp_c"]) < 0.01
    # the hardware starts where the filter has it (the first step's mean, within its first ten minutes' drift)
    assert abs(np.asarray(cols["cabin0_it_temp_c"], float)[0] - state["cabins"][0]["it_temp_c"]) < 0.5
    listed = client.get(f"/v1/twins/{twin}/forecasts").json()
    assert run["id"] in [f["id"] for f in listed["forecasts"]] and listed["total"] >= 1
    assert run["id"] not in [f["id"] for f in client.get("/v1/twins/" + "0" * 32 + "/forecasts").json().get(
        "forecasts", [])]


def test_an_uploaded_forecast_drives_the_run(client, twin, truth):
    t0 = truth.index[-1]
    t = pd.date_range(t0 - pd.Timedelta(hours=1), t0 + pd.Timedelta(days=2, hours=1), freq="1h")
    csv = pd.DataFrame({"timestamp": [x.isoformat() for x in t], "hub_wind_speed_m_s": 4.0,
                        "sea_temp_c": 20.0}).to_csv(index=False).encode()
    up = client.post("/v1/datasets", files={"file": ("calm.csv", csv, "text/csv")}, data={"kind": "forecast"})
    assert up.status_code in (200, 201), up.text
    info = up.json()
    assert info["kind"] == "forecast" and info["rows"] == len(t)
    r = _forecast(client, twin, weather="forecast", forecast_dataset=info["reference"])
    assert r.status_code == 202, r.text
    done = wait_status(client, r.json()["id"], timeout=300)
    assert done["status"] == "completed", done["error"]
    cols = client.get(f"/v1/runs/{done['id']}/timeseries", params={"vars": "hub_wind_speed_m_s,sea_temp_c"}).json()
    cols = cols["columns"] if "columns" in cols else cols
    assert np.allclose(cols["hub_wind_speed_m_s"], 4.0, atol=1e-4)
    assert np.allclose(cols["sea_temp_c"], 20.0, atol=1e-3)


def test_bad_forecast_requests_name_the_field(client, twin, srv):
    def fields(r):
        return {p["field"] for p in r.json().get("problems", [])}

    r = _forecast(client, twin, weather="forecast")
    assert r.status_code == 422 and "forecast_dataset" in fields(r)
    r = _forecast(client, twin, weather="climatology", persistence_time_h=5)
    assert r.status_code == 422 and "persistence_time_h" in fields(r)
    r = _forecast(client, twin, weather="forecast", forecast_dataset="../../etc/passwd")
    assert r.status_code == 422 and "forecast_dataset" in fields(r)
    r = _forecast(client, twin, weather="forecast", forecast_dataset="dataset:" + "a" * 64)
    assert r.status_code == 422 and "run.weather.forecast" in fields(r)
    r = client.post(f"/v1/twins/{twin}/forecasts", json={"horizon_s": -5})
    assert r.status_code == 422 and any("horizon_s" in f for f in fields(r))
    r = client.post(f"/v1/twins/{twin}/forecasts", json={"horizon_s": "2d", "colour": "red"})
    assert r.status_code == 422
    r = client.post(f"/v1/twins/{twin}/forecasts", json={"horizon_s": "300d", "step_s": 60})
    assert r.status_code == 422 and "run.horizon_s" in fields(r)  # beyond the server's steps a run
    assert client.post("/v1/twins/" + "0" * 32 + "/forecasts", json={"horizon_s": "1d"}).status_code == 404
    empty = client.post("/v1/twins", json={"design": "lingang-phase1", "overrides": BASE}).json()["id"]
    r = client.post(f"/v1/twins/{empty}/forecasts", json={"horizon_s": "1d"})
    assert r.status_code == 409 and "telemetry" in r.json()["detail"]
    assert client.get("/healthz").status_code == 200


def test_the_queue_limit_answers_429(client, twin):
    """One worker and one queued run: a third forecast at once finds no room."""
    answers = [_forecast(client, twin, weather="climatology", horizon_s="60d", step_s=3600) for _ in range(3)]
    codes = [a.status_code for a in answers]
    assert 429 in codes, codes
    refused = answers[codes.index(429)]
    assert refused.headers.get("retry-after") and "detail" in refused.json()
    for a in answers:
        if a.status_code == 202:
            client.delete(f"/v1/runs/{a.json()['id']}")


def test_the_view_of_the_present_draws_the_filters_state(client, twin):
    state = client.get(f"/v1/twins/{twin}/state").json()
    cab = state["cabins"][0]
    meta = client.get(f"/v1/twins/{twin}/view/meta")
    assert meta.status_code == 200, meta.text
    m = meta.json()
    assert m["times"] == [pd.Timestamp(state["time"]).isoformat()] and m["scenes"] == ["cabin"]
    drawn = m["state"]["cabins"][0]
    for k in ("it_temp_c", "gas_temp_c", "wall_temp_c"):
        assert drawn[k] == pytest.approx(cab[k], abs=1e-9)
    png = client.get(f"/v1/twins/{twin}/snapshot.png", params={"width": 400, "height": 300})
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    info = json.loads(png.headers["x-scene-info"])
    assert info["lumped_state_c"] == pytest.approx([cab["it_temp_c"], cab["gas_temp_c"], cab["wall_temp_c"]],
                                                   abs=1e-9)
    frame = client.get(f"/v1/twins/{twin}/view/frame.vtksz")
    assert frame.status_code == 200 and frame.content[:2] == b"PK"
    page = client.get(f"/v1/twins/{twin}/view")
    assert page.status_code == 200 and "frame.vtksz" in page.text
    assert client.get(f"/v1/twins/{twin}/view/frame.vtksz", params={"scene": "site"}).status_code == 422
    assert client.get(f"/v1/twins/{twin}/snapshot.png", params={"cabin": 5}).status_code == 422
    assert client.get(f"/v1/twins/{twin}/snapshot.png", params={"field": "colour"}).status_code == 422


def test_an_uploaded_state_starts_a_run_and_is_checked_by_field(client, twin):
    doc = client.get(f"/v1/twins/{twin}/view/meta").json()["state"]
    up = client.post("/v1/datasets", files={"file": ("now.json", json.dumps(doc).encode(), "application/json")},
                     data={"kind": "state"})
    assert up.status_code in (200, 201), up.text
    ref = up.json()["reference"]
    base = ["run.horizon_s=6h", "run.step_s=600", f"run.initial_state={ref}"]
    r = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": [*base, f"run.start={doc['time']}"]})
    assert r.status_code == 202, r.text
    assert r.json()["twin_id"] is None
    done = wait_status(client, r.json()["id"], timeout=300)
    assert done["status"] == "completed", done["error"]
    # checked when submitted, not when it runs: another start, a battery the design does not have
    r = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": base})
    assert r.status_code == 422 and {p["field"] for p in r.json()["problems"]} == {"run.start"}
    bad = {**doc, "battery_energy_wh": 5.0}
    up2 = client.post("/v1/datasets", files={"file": ("b.json", json.dumps(bad).encode(), "application/json")},
                      data={"kind": "state"})
    r = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": [
        "run.horizon_s=6h", "run.step_s=600", f"run.start={doc['time']}",
        f"run.initial_state={up2.json()['reference']}"]})
    assert r.status_code == 422 and "run.initial_state.battery_energy_wh" in {p["field"] for p in r.json()["problems"]}
    hot = json.loads(json.dumps(doc))
    hot["cabins"][0]["it_temp_c"] = 400.0
    up3 = client.post("/v1/datasets", files={"file": ("h.json", json.dumps(hot).encode(), "application/json")},
                      data={"kind": "state"})
    assert up3.status_code == 422 and "it_temp_c" in up3.text
