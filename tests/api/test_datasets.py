"""Data sets over HTTP (issue 13): upload, list, read, remove; runs that read them give the CLI's KPIs with the
same files; a data set in use cannot be removed; a scenario names data only as ``dataset:<id>``."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from api_support import SHORT, wait_status

RUN = ["run.horizon_s=3d", "run.step_s=300"]


def wind_year_csv() -> bytes:
    """A measured-wind year: hourly, at 100 m, with direction, a gap-free Weibull-like series (seeded)."""
    rng = np.random.default_rng(7)
    t = pd.date_range("2025-12-31T12:00:00Z", periods=8760, freq="h")  # the design starts 1 January, +08:00
    speed = np.clip(8.0 + 3.0 * np.sin(np.arange(8760) / 24.0) + rng.normal(0, 1.5, 8760), 0.0, 30.0)
    direction = (200.0 + 60.0 * np.sin(np.arange(8760) / 200.0)) % 360.0
    frame = pd.DataFrame({"timestamp": [x.isoformat() for x in t], "wind_speed_m_s": speed.round(3),
                          "wind_direction_deg": direction.round(1), "height_m": 100.0})
    return frame.to_csv(index=False).encode()


def trace_csv() -> bytes:
    rows = ["submit_s,servers,duration_s"]
    for k in range(200):
        rows.append(f"{k * 1200},{1 + k % 3},{3600 + 60 * (k % 7)}")
    return ("\n".join(rows) + "\n").encode()


def upload(client, data: bytes, kind: str, media: str = "text/csv", **params):
    return client.post("/v1/datasets", params={"kind": kind, **params}, content=data,
                       headers={"Content-Type": media})


def test_upload_is_content_addressed_and_listed(client):
    data = trace_csv()
    r = upload(client, data, "trace", name="jobs.csv")
    assert r.status_code in (200, 201), r.text
    body = r.json()
    sha = hashlib.sha256(data).hexdigest()
    assert body["id"] == sha == body["sha256"] and body["reference"] == f"dataset:{sha}"
    assert body["kind"] == "trace" and body["rows"] == 200 and body["format"] == "csv"
    assert body["start"] == 0.0 and body["end"] == 199 * 1200.0
    assert r.headers["location"] == f"/v1/datasets/{sha}"
    again = upload(client, data, "trace")
    assert again.status_code == 200 and again.json()["id"] == sha  # the same bytes: the same id
    # multipart gives the same id too
    m = client.post("/v1/datasets", files={"file": ("jobs.csv", data, "text/csv")}, data={"kind": "trace"})
    assert m.status_code == 200 and m.json()["id"] == sha
    # a trace is not a wind series: its reader says what is missing
    r = upload(client, data, "wind")
    assert r.status_code == 422 and "missing column(s) timestamp, wind_speed_m_s" in r.json()["problems"][0]["reason"]
    assert sha in {d["id"] for d in client.get("/v1/datasets", params={"kind": "trace"}).json()["datasets"]}
    assert client.get(f"/v1/datasets/{sha}").json()["rows"] == 200
    assert client.get("/v1/datasets/" + "0" * 64).status_code == 404


def test_parquet_upload_reads_like_its_csv(client):
    frame = pd.read_csv(io.BytesIO(wind_year_csv()))
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    r = upload(client, buf.getvalue(), "wind", media="application/vnd.apache.parquet")
    assert r.status_code in (200, 201), r.text
    body = r.json()
    assert body["format"] == "parquet" and body["rows"] == 8760
    assert body["start"].startswith("2025-12-31T12:00:00") and body["details"]["height_m"] == 100.0


def test_bad_uploads_name_row_line_and_column(client):
    bad = b"submit_s,servers,duration_s\n0,1,60\n10,zero,60\n"
    r = upload(client, bad, "trace")
    assert r.status_code == 422
    (p,) = r.json()["problems"]
    assert p["field"] == "body" and "row 2 (line 3), column servers" in p["reason"]
    r = upload(client, trace_csv(), "weather")
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "kind"


def _cli_kpis(overrides: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "twin", "run", "lingang-phase1", "--json",
                          *[a for o in overrides for a in ("--set", o)]], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_runs_on_uploaded_data_give_the_cli_kpis(client, tmp_path):
    wind, jobs = wind_year_csv(), trace_csv()
    (tmp_path / "wind.csv").write_bytes(wind)
    (tmp_path / "jobs.csv").write_bytes(jobs)
    w = upload(client, wind, "wind").json()["reference"]
    j = upload(client, jobs, "trace").json()["reference"]
    over = [*RUN, f"wind.resource.measured_csv={w}", f"workload.trace_csv={j}"]
    r = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": over})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["scenario"]["wind"]["resource"]["measured_csv"] == w  # the stored run keeps the hash
    assert {(u["field"], u["kind"]) for u in body["datasets"]} == {("wind.resource.measured_csv", "wind"),
                                                                    ("workload.trace_csv", "trace")}
    done = wait_status(client, body["id"])
    assert done["status"] == "completed", done["error"]
    api_kpis = client.get(f"/v1/runs/{body['id']}/kpis").json()["kpis"]
    cli = _cli_kpis([*RUN, f"wind.resource.measured_csv={tmp_path / 'wind.csv'}",
                     f"workload.trace_csv={tmp_path / 'jobs.csv'}"])
    assert api_kpis["jobs_completed"] > 0
    for name in ("pue", "ref", "wind_energy_mwh", "it_energy_mwh", "jobs_completed", "max_inlet_temp_c"):
        assert api_kpis[name] == pytest.approx(cli[name], rel=1e-12, abs=1e-12), name


def test_a_data_set_in_use_cannot_be_removed(client):
    data = trace_csv().replace(b"0,1,3600", b"0,2,3600", 1)
    sha = upload(client, data, "trace").json()["id"]
    long = ["run.horizon_s=20d", "run.step_s=60", f"workload.trace_csv=dataset:{sha}"]
    run = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": long}).json()
    r = client.delete(f"/v1/datasets/{sha}")
    assert r.status_code == 409 and run["id"] in r.json()["detail"]
    assert client.get(f"/v1/datasets/{sha}").status_code == 200
    client.delete(f"/v1/runs/{run['id']}")  # cancel
    wait_status(client, run["id"], ("cancelled", "completed", "failed"))
    assert client.delete(f"/v1/datasets/{sha}").status_code == 204
    assert client.get(f"/v1/datasets/{sha}").status_code == 404
    # a run naming it now is refused before it is queued
    r = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": [*SHORT, long[-1]]})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "workload.trace_csv"


def test_a_data_set_of_the_wrong_kind_is_refused_by_field(client):
    sha = upload(client, trace_csv(), "trace").json()["id"]
    r = client.post("/v1/runs", json={"design": "lingang-phase1",
                                      "overrides": [*SHORT, f"wind.resource.measured_csv=dataset:{sha}"]})
    assert r.status_code == 422
    (p,) = r.json()["problems"]
    assert p["field"] == "wind.resource.measured_csv" and "trace data set" in p["reason"]
