"""The token, the refusal to bind a public address without one, and the limits' 4xx answers."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest
from api_support import SHORT, ServerProcess, free_port, wait_status

TOKEN = "s3cret-token-for-tests"


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("limited") / "data", workers=1, token=TOKEN,
                        settings={"max_queued_runs": 1, "max_request_bytes": 4096, "max_steps_per_run": 20_000,
                                  "max_sweep_points": 3}).start()
    yield srv
    srv.stop()


def test_requests_without_the_token_get_401(limited):
    for path in ("/healthz", "/v1/runs", "/v1/designs", "/openapi.json"):
        r = httpx.get(limited.url + path)
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
        assert httpx.get(limited.url + path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.post(limited.url + "/v1/runs", json={"design": "lingang-phase1"}).status_code == 401
    with limited.client() as c:
        assert c.get("/healthz").status_code == 200
        doc = c.get("/openapi.json").json()
        assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_limits_answer_4xx(limited):
    with limited.client() as c:
        # request size
        big = {"design": "lingang-phase1", "overrides": ["name=" + "x" * 5000]}
        r = c.post("/v1/runs", json=big)
        assert r.status_code == 413 and "4096" in r.json()["detail"]
        # steps per run
        r = c.post("/v1/runs", json={"design": "lingang-phase1", "overrides": ["run.horizon_s=30d"]})
        assert r.status_code == 422 and r.json()["problems"][0]["field"] == "run.horizon_s"
        # sweep size
        r = c.post("/v1/sweeps", json={"design": "lingang-phase1", "overrides": SHORT,
                                       "grid": {"run.seed": [1, 2], "cabins.0.count": [1, 2]}})
        assert r.status_code == 422 and r.json()["problems"][0]["field"] == "grid"
        # queue length: one worker plus one queued; the next is 429 with Retry-After
        long = ["run.horizon_s=13d", "run.step_s=60"]
        ids = []
        codes = []
        for seed in range(4):
            r = c.post("/v1/runs", json={"design": "lingang-phase1", "overrides": [*long, f"run.seed={seed}"]})
            codes.append(r.status_code)
            if r.status_code == 202:
                ids.append(r.json()["id"])
            else:
                assert r.status_code == 429 and r.headers["retry-after"]
        assert codes[:2] == [202, 202] and 429 in codes
        for rid in ids:
            c.delete(f"/v1/runs/{rid}")
        for rid in ids:
            wait_status(c, rid)
        # room again once the cancelled runs' workers have let go
        deadline = time.monotonic() + 60
        while (r := c.post("/v1/runs", json={"design": "lingang-phase1", "overrides": SHORT})).status_code == 429:
            assert time.monotonic() < deadline, "the queue never drained"
            time.sleep(0.2)
        assert r.status_code == 202
        assert wait_status(c, r.json()["id"])["status"] == "completed"


def _serve(*args, env=None):
    import os

    full_env = {k: v for k, v in os.environ.items() if k != "SEABED_TWIN_TOKEN"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "twin", "serve", *args], capture_output=True, text=True,
                          timeout=120, env=full_env)


def test_refuses_a_public_address_without_a_token(tmp_path):
    out = _serve("--host", "0.0.0.0", "--port", str(free_port()), "--data", str(tmp_path))
    assert out.returncode == 2
    assert "refusing to bind 0.0.0.0" in out.stderr and "SEABED_TWIN_TOKEN" in out.stderr
    assert not (tmp_path / "registry.sqlite").exists()


def test_bad_settings_are_exit_2(tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text("workers: 0\nno_such: 1\n")
    out = _serve("--settings", str(bad), "--data", str(tmp_path))
    assert out.returncode == 2 and "workers" in out.stderr and "no_such" in out.stderr
