"""Live twins over HTTP (issue 18, item 6), against a real server: a twin from lingang-phase1 (two days at 600 s),
telemetry synthesized from a run with hidden parameter values, sent in batches (CSV, multipart Parquet, JSON) and
sent again; the state estimate against the run's truth; a calibration that recovers the hidden values; apply;
delete; hostile input, each refused with a 4xx naming the field, the server healthy and the twin's telemetry
unchanged afterwards."""

from __future__ import annotations

import gzip
import io
import sqlite3
import time
from pathlib import Path

import pandas as pd
import pytest
from api_support import ServerProcess

from twin.live.telemetry import SynthOptions, synthesize
from twin.scenario import load_scenario
from twin.sim.engine import simulate

BASE = ["run.horizon_s=2d", "run.step_s=600",
        # the flat distribution efficiency (no power chain), so that it can be one of the hidden values
        "electrical.power_chain=null", "electrical.distribution_efficiency=0.97"]
HIDDEN = {"wind.resource.weibull_c_m_s": 9.0, "electrical.distribution_efficiency": 0.955}
"""The values the telemetry comes from; the twin starts from the design's 6.2 m/s and 0.97."""
POWER_SIGNALS = ["hub_wind_speed_m_s", "facility_power_w"]
THERMAL_SIGNALS = ["cabin0_it_power_w", "cabin0_fan_speed", "cabin0_pump_speed", "sea_temp_c", "cabin0_inlet_temp_c",
                   "cabin0_servers_alive", "battery_energy_wh"]
WIND_GAP = slice(100, 106)
"""Steps of the wind signal left out of the first batch: one gap of six steps."""
MAX_ROWS = 3000
MAX_UPLOAD = 1_048_576
MAX_JSON = 65_536


@pytest.fixture(scope="module")
def truth():
    sc = load_scenario("lingang-phase1", [*BASE, *(f"{k}={v}" for k, v in HIDDEN.items())])
    return simulate(sc).series


@pytest.fixture(scope="module")
def telemetry(truth):
    """Two batches in the long format: the wind (with a gap) and the facility power; the cabin's signals."""
    power = synthesize(truth, POWER_SIGNALS, SynthOptions(seed=1))
    gap = truth.index[WIND_GAP]
    power = power[~((power["signal"] == "hub_wind_speed_m_s") & power["timestamp"].isin(gap))]
    noise = {"cabin0_inlet_temp_c": 0.1, "sea_temp_c": 0.1, "cabin0_fan_speed": 0.0, "cabin0_pump_speed": 0.0,
             "cabin0_servers_alive": 0.0, "battery_energy_wh": 0.0}
    thermal = synthesize(truth, THERMAL_SIGNALS, SynthOptions(noise=noise, seed=2))
    return power.reset_index(drop=True), thermal.reset_index(drop=True)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    out = frame.copy()
    out["timestamp"] = [t.isoformat() for t in out["timestamp"]]
    return out.to_csv(index=False).encode()


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("twins") / "data", workers=1, settings={
        "max_steps_per_run": 50_000, "max_telemetry_rows": MAX_ROWS, "max_dataset_bytes": MAX_UPLOAD,
        "max_request_bytes": MAX_JSON, "max_concurrent_calibrations": 1}).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(srv):
    with srv.client() as c:
        yield c


@pytest.fixture(scope="module")
def fed(client, telemetry):
    """A twin fed its telemetry; every answer on the way, in order."""
    power, thermal = telemetry
    seen = {"create": client.post("/v1/twins", json={"design": "lingang-phase1", "overrides": BASE,
                                                     "name": "phase 1, live"})}
    tid = seen["create"].json()["id"]
    url = f"/v1/twins/{tid}"
    seen["state_before"] = client.get(f"{url}/state")
    seen["power"] = client.post(f"{url}/telemetry", content=csv_bytes(power), headers={"content-type": "text/csv"})
    seen["state_without_inputs"] = client.get(f"{url}/state")
    seen["thermal"] = client.post(f"{url}/telemetry", files={
        "file": ("thermal.parquet", parquet_bytes(thermal), "application/vnd.apache.parquet")})
    seen["power_again"] = client.post(f"{url}/telemetry", content=csv_bytes(power),
                                      headers={"content-type": "text/csv"})
    first = power.iloc[0]
    one = {"timestamp": first["timestamp"].isoformat(), "signal": first["signal"]}
    seen["changed"] = client.post(f"{url}/telemetry", json={"measurements": [{**one, "value": first["value"] + 1}]})
    seen["restored"] = client.post(f"{url}/telemetry", json={"measurements": [{**one, "value": first["value"]}]})
    seen["twin"] = client.get(url)
    seen["id"], seen["url"] = tid, url
    return seen


def test_a_twin_is_created_from_a_design_with_its_series_names(client, fed):
    r = fed["create"]
    assert r.status_code == 201, r.text
    body = r.json()
    assert r.headers["location"] == f"/v1/twins/{body['id']}"
    assert body["name"] == "phase 1, live" and body["design"] == "lingang-phase1"
    assert body["step_s"] == 600.0 and body["horizon_s"] == 2 * 86400.0 and body["measurements"] == 0
    assert {*POWER_SIGNALS, *THERMAL_SIGNALS} <= set(body["signals"])
    assert body["scenario"]["wind"]["resource"]["weibull_c_m_s"] == 6.2
    assert fed["id"] in {t["id"] for t in client.get("/v1/twins").json()["twins"]}


def test_batches_are_stored_once_by_signal_and_time(fed, telemetry, truth):
    power, thermal = telemetry
    first = fed["power"]
    assert first.status_code == 200, first.text
    b = first.json()
    assert (b["format"], b["accepted"], b["new"], b["replaced"], b["duplicates"]) == ("csv", len(power), len(power),
                                                                                      0, 0)
    assert b["signals"] == sorted(POWER_SIGNALS) and b["steps"] == len(truth)
    wind = b["gaps"]["hub_wind_speed_m_s"]
    assert (wind["gaps"], wind["missing_steps"], wind["steps_with_data"]) == (1, 6, len(truth) - 6)
    assert pd.Timestamp(wind["longest_gap"]["start"]) == truth.index[WIND_GAP.start]
    assert pd.Timestamp(wind["longest_gap"]["end"]) == truth.index[WIND_GAP.stop]
    assert b["gaps"]["facility_power_w"]["gaps"] == 0
    assert pd.Timestamp(b["first"]) == truth.index[0] and pd.Timestamp(b["last"]) == truth.index[-1]
    second = fed["thermal"].json()
    assert fed["thermal"].status_code == 200 and second["format"] == "parquet" and second["new"] == len(thermal)
    total = len(power) + len(thermal)
    assert second["totals"]["measurements"] == total
    again = fed["power_again"].json()  # the same batch again: nothing new, every row replaced by itself
    assert (again["new"], again["replaced"], again["changed"]) == (0, len(power), 0)
    assert again["totals"]["measurements"] == total and again["totals"]["batches"] == 3
    changed, restored = fed["changed"].json(), fed["restored"].json()
    assert fed["changed"].status_code == 200 and changed["format"] == "json"
    assert (changed["new"], changed["replaced"], changed["changed"]) == (0, 1, 1)
    assert (restored["replaced"], restored["changed"]) == (1, 1)
    twin = fed["twin"].json()
    assert twin["measurements"] == total and twin["telemetry"]["signals"]["hub_wind_speed_m_s"]["measurements"] == \
        len(truth) - 6


def test_the_state_needs_the_filters_inputs_and_then_tracks_the_truth(client, fed, truth):
    before = fed["state_before"]
    assert before.status_code == 409 and "no telemetry yet" in before.json()["detail"]
    missing = fed["state_without_inputs"]
    assert missing.status_code == 409
    reasons = " ".join(p["reason"] for p in missing.json()["problems"])
    for name in ("cabin0_it_power_w", "cabin0_fan_speed", "cabin0_pump_speed", "sea_temp_c"):
        assert name in reasons
    r = client.get(f"{fed['url']}/state")
    assert r.status_code == 200, r.text
    state = r.json()
    assert pd.Timestamp(state["time"]) == truth.index[-1]
    assert state["window"]["steps"] == len(truth) and state["window"]["steps_left_out"] == 0
    (cabin,) = state["cabins"]
    assert abs(cabin["inlet_temp_c"] - truth["cabin0_inlet_temp_c"].iat[-1]) < 0.3  # the sensor's noise: 0.1 K
    assert abs(cabin["it_temp_c"] - truth["cabin0_it_temp_c"].iat[-1]) < 1.0
    assert abs(cabin["sea_temp_c"] - truth["sea_temp_c"].iat[-1]) < 0.3
    assert cabin["servers_alive"] == truth["cabin0_servers_alive"].iat[-1]
    assert state["battery_energy_wh"] == pytest.approx(truth["battery_energy_wh"].iat[-1], abs=1e-6)
    assert state["coverage"]["cabin0_inlet_temp_c"] == 1.0


def _window(index: pd.DatetimeIndex, a: float, b: float) -> str:
    start, span = index[0], index[-1] - index[0] + (index[1] - index[0])
    return f"{(start + a * span).isoformat()}..{(start + b * span).isoformat()}"


def test_a_calibration_recovers_the_hidden_values_and_is_applied(client, fed, truth):
    url = fed["url"]
    request = {"params": list(HIDDEN), "signals": POWER_SIGNALS, "train": _window(truth.index, 0.0, 0.7),
               "test": _window(truth.index, 0.7, 1.0)}
    r = client.post(f"{url}/calibrations", json=request)
    assert r.status_code == 202, r.text
    cid = r.json()["id"]
    assert r.headers["location"] == f"{url}/calibrations/{cid}" and r.json()["status"] == "running"
    busy = client.post(f"{url}/calibrations", json=request)  # the limit is one at a time
    assert busy.status_code == 429 and int(busy.headers["retry-after"]) > 0
    assert client.delete(url).status_code == 409  # not while its calibration runs
    assert client.post(f"{url}/calibrations/{cid}/apply").status_code == 409  # not before it has finished
    deadline = time.monotonic() + 120
    while (body := client.get(f"{url}/calibrations/{cid}").json())["status"] == "running":
        assert time.monotonic() < deadline, "the calibration did not finish in 120 s"
        time.sleep(0.5)
    assert body["status"] == "completed", body["error"]
    params = body["report"]["parameters"]
    for path, hidden in HIDDEN.items():
        assert params[path]["value"] == pytest.approx(hidden, rel=0.10)
        assert 0 < params[path]["std_error"] < 0.1 * hidden
    assert set(body["report"]["correlation"]) == set(HIDDEN)
    for name in POWER_SIGNALS:
        fit = body["report"]["fit"][name]
        assert fit["pass"] and fit["cv_rmse"] < 0.3 and abs(fit["nmbe"]) < 0.1
    calibrated = body["scenario"]["wind"]["resource"]["weibull_c_m_s"]
    assert calibrated == params["wind.resource.weibull_c_m_s"]["value"]
    applied = client.post(f"{url}/calibrations/{cid}/apply")
    assert applied.status_code == 200, applied.text
    twin = applied.json()
    assert twin["calibration"]["id"] == cid and twin["scenario"]["wind"]["resource"]["weibull_c_m_s"] == calibrated
    assert twin["calibration"]["parameters"]["electrical.distribution_efficiency"] == pytest.approx(
        HIDDEN["electrical.distribution_efficiency"], rel=0.10)
    assert twin["scenario_hash"] != fed["twin"].json()["scenario_hash"]
    listed = client.get(f"{url}/calibrations").json()["calibrations"]
    assert listed[0]["id"] == cid and listed[0]["applied_at"] is not None


def test_bad_calibration_requests_name_the_field(client, fed, truth):
    url = f"{fed['url']}/calibrations"
    good = {"params": ["wind.resource.weibull_c_m_s"], "train": _window(truth.index, 0.0, 0.7),
            "test": _window(truth.index, 0.7, 1.0)}
    cases = [
        ({"params": ["wind.resource.no_such_field"]}, 422, "params.0"),
        ({"params": ["run.seed"]}, 422, "params.0"),
        ({"params": ["wind.resource.measured_csv"]}, 422, "params.0"),
        ({"params": ["wind/../../etc"]}, 422, "params.0"),
        ({"bounds": {"cabins.0.count": [1, 2]}}, 422, "bounds.cabins.0.count"),
        ({"bounds": {"wind.resource.weibull_c_m_s": [5, 4]}}, 422, "bounds.wind.resource.weibull_c_m_s"),
        ({"train": "yesterday..today"}, 422, "train"),
        ({"test": "2030-01-01T00:00:00+00:00..2030-01-02T00:00:00+00:00"}, 422, "test"),
        ({"signals": ["cabin9_inlet_temp_c"]}, 422, "signals.0"),
        ({"signals": ["utilisation"]}, 409, "signals"),  # a series of the twin, but no telemetry of it
        ({"extra": 1}, 422, "extra"),
    ]
    for change, status, field in cases:
        r = client.post(url, json={**good, **change})
        assert r.status_code == status, (change, r.text)
        assert field in {p["field"] for p in r.json()["problems"]}, (change, r.text)
    assert client.post("/v1/twins/" + "0" * 32 + "/calibrations", json=good).status_code == 404
    assert client.get(f"{url}/{'0' * 32}").status_code == 404


def test_hostile_input_is_refused_and_loses_nothing(client, fed, srv):
    url = f"{fed['url']}/telemetry"
    before = client.get(fed["url"]).json()["telemetry"]

    def refused(status: int, field: str | None = None, **kw):
        r = client.post(url, **kw)
        assert r.status_code == status, r.text
        if field is not None:
            assert field in {p["field"] for p in r.json()["problems"]}, r.text
        return r

    csv = {"content-type": "text/csv"}
    head = "timestamp,signal,value\n"
    r = refused(422, "body", content=(head + "2026-01-01T00:00:00+08:00,sea_temp_c,9\n"
                                      "2026-01-01T00:10:00,sea_temp_c,9\n2026-01-01T00:20:00+08:00,/etc/passwd,1\n"
                                      "2026-01-01T00:30:00+08:00,sea_temp_c,warm\n").encode(), headers=csv)
    reasons = [p["reason"] for p in r.json()["problems"]]
    assert reasons[0].startswith("row 2 (line 3), column timestamp") and "no UTC offset" in reasons[0]
    assert any(x.startswith("row 3 (line 4), column signal") and "not a series of this twin" in x for x in reasons)
    assert any(x.startswith("row 4 (line 5), column value") for x in reasons)
    assert "missing column(s) value" in refused(422, "body", content=b"timestamp,signal\n1,2\n",
                                                headers=csv).json()["problems"][0]["reason"]
    rows = head + "".join(f"2026-01-01T00:00:{i % 60:02d}+08:00,sea_temp_c,9\n" for i in range(MAX_ROWS + 1))
    assert "limit of 3000 rows" in refused(422, "body", content=rows.encode(),
                                           headers=csv).json()["problems"][0]["reason"]
    assert "not a readable CSV" in refused(422, "body", content=(head + '"2026,sea_temp_c,1\n').encode(),
                                            headers=csv).json()["problems"][0]["reason"]
    far = (head + "9999-01-01T00:00:00Z,sea_temp_c,1\n").encode()
    assert "outside 1678 .. 2261" in refused(422, "body", content=far, headers=csv).json()["problems"][0]["reason"]
    refused(413, content=b"x" * (MAX_UPLOAD + 1), headers=csv)
    refused(422, "body", content=b"", headers=csv)
    refused(415, "content-type", content=b"a,b\n", headers={"content-type": "image/png"})
    refused(415, "content-encoding", content=gzip.compress(b"a,b\n"), headers={**csv, "content-encoding": "gzip"})
    assert "gzip" in refused(422, "body", content=gzip.compress((head + "x,y,1\n").encode()),
                             headers={"content-type": "application/octet-stream"}).json()["problems"][0]["reason"]
    one = {"timestamp": "2026-01-01T00:00:00+08:00", "signal": "sea_temp_c", "value": 9.0}
    refused(413, json={"measurements": [one] * 1000})  # a JSON batch is held to max_request_bytes
    refused(422, "measurements", json={"measurements": []})
    refused(422, "measurements.0.value", content=b'{"measurements": [{"timestamp": "2026-01-01T00:00:00+08:00", '
                                                 b'"signal": "sea_temp_c", "value": NaN}]}',
            headers={"content-type": "application/json"})
    refused(422, "measurements.1.signal", json={"measurements": [one, {**one, "signal": "../../secret"}]})
    refused(422, "", content=b"{not json", headers={"content-type": "application/json"})
    refused(422, "measurements.0.value", json={"measurements": [{**one, "value": "9 degrees"}]})
    # a twin names data only as an uploaded data set
    for override in ("wind.resource.measured_csv=/etc/passwd", "workload.trace_csv=../../jobs.csv"):
        r = client.post("/v1/twins", json={"design": "lingang-phase1", "overrides": [*BASE, override]})
        assert r.status_code == 422 and override.split("=")[0] in {p["field"] for p in r.json()["problems"]}
    r = client.post("/v1/twins", json={"design": "lingang-phase1", "overrides": ["site.water_depth_m=-5"]})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "site.water_depth_m"
    assert client.post("/v1/twins", json={"design": "no-such-design"}).status_code == 404
    assert client.post("/v1/twins", json={"overrides": BASE}).status_code == 422
    assert client.post("/v1/twins/" + "0" * 32 + "/telemetry", content=b"x", headers=csv).status_code == 404
    assert client.get("/v1/twins/" + "0" * 32 + "/state").status_code == 404
    # alive, and the twin's telemetry as it was
    assert client.get("/healthz").status_code == 200
    assert client.get(fed["url"]).json()["telemetry"] == before


def test_a_deleted_twin_takes_its_telemetry_and_calibrations_along(client, fed):
    url = fed["url"]
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/state").status_code == 404
    assert client.get(f"{url}/calibrations").status_code == 404
    assert client.delete(url).status_code == 404
    assert fed["id"] not in {t["id"] for t in client.get("/v1/twins").json()["twins"]}


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry.name))
        except (OSError, IndexError, ValueError):
            pass
    return out


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_calibration_cut_by_a_server_kill_is_failed_at_the_restart(tmp_path, telemetry, truth):
    """The twin runs 60 days, so each trial of its calibration takes over a second and the whole search well over
    the 6 s its process may outlive a killed server (it checks every second)."""
    data = tmp_path / "data"
    first = ServerProcess(data, workers=1).start()
    try:
        with first.client() as c:
            tid = c.post("/v1/twins", json={"design": "lingang-phase1",
                                            "overrides": ["run.horizon_s=60d", "run.step_s=600"]}).json()["id"]
            r = c.post(f"/v1/twins/{tid}/telemetry", content=csv_bytes(telemetry[0]),
                       headers={"content-type": "text/csv"})
            assert r.status_code == 200, r.text
            before = _children(first.proc.pid)
            r = c.post(f"/v1/twins/{tid}/calibrations", json={
                "params": ["wind.resource.weibull_c_m_s"], "train": _window(truth.index, 0.0, 0.7),
                "test": _window(truth.index, 0.7, 1.0)})
            assert r.status_code == 202, r.text
            cid = r.json()["id"]
            (calibrating,) = _children(first.proc.pid) - before
        first.kill()
        deadline = time.monotonic() + 6
        while not _gone(calibrating):  # an orphaned calibration stops by itself
            assert time.monotonic() < deadline, "the calibration process outlived its server by 6 s"
            time.sleep(0.2)
    finally:
        first.stop()
    con = sqlite3.connect(data / "registry.sqlite")
    assert con.execute("SELECT status FROM calibrations WHERE id = ?", (cid,)).fetchone() == ("running",)
    con.close()
    second = ServerProcess(data, workers=1).start()
    try:
        with second.client() as c:
            body = c.get(f"/v1/twins/{tid}/calibrations/{cid}").json()
            assert body["status"] == "failed" and "interrupted by a server restart" in body["error"]
            assert c.get(f"/v1/twins/{tid}").json()["measurements"] == len(telemetry[0])
            assert c.delete(f"/v1/twins/{tid}").status_code == 204
    finally:
        second.stop()
