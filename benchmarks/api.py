"""End-to-end latency of a 7-day what-if over the HTTP API against the same run called in-process.

Starts ``python -m twin serve`` on a free loopback port with a temporary data folder, then for each repeat:

- in-process: ``simulate(load_scenario("lingang-phase1", overrides))`` [s];
- over HTTP: POST /v1/runs, follow GET /v1/runs/{id}/events until ``completed``, GET /v1/runs/{id}/kpis [s].

Each repeat uses a new seed so that no answer is a cached run. Prints every figure, the medians and the ratio.

    .venv/bin/python benchmarks/api.py [--repeats 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OVERRIDES = ["run.horizon_s=7d", "run.step_s=60"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 120.0) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit("the server did not come up")


def over_http(client: httpx.Client, seed: int) -> tuple[float, dict]:
    t0 = time.perf_counter()
    r = client.post("/v1/runs", json={"design": "lingang-phase1", "overrides": [*OVERRIDES, f"run.seed={seed}"]})
    r.raise_for_status()
    run_id = r.json()["id"]
    final = None
    with client.stream("GET", f"/v1/runs/{run_id}/events") as events:
        for line in events.iter_lines():
            if line.startswith("event: ") and line[7:] in ("completed", "failed", "cancelled"):
                final = line[7:]
                break
    if final != "completed":
        raise SystemExit(f"run {run_id} ended {final}")
    kpis = client.get(f"/v1/runs/{run_id}/kpis").json()["kpis"]
    return time.perf_counter() - t0, kpis


def in_process(seed: int) -> tuple[float, dict]:
    from twin.scenario import load_scenario
    from twin.sim.engine import simulate

    t0 = time.perf_counter()
    result = simulate(load_scenario("lingang-phase1", [*OVERRIDES, f"run.seed={seed}"]))
    return time.perf_counter() - t0, result.kpis


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    in_process(100)  # imports and first-call caches, outside the timing
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("SEABED_TWIN_TOKEN", "SEABED_TWIN_SETTINGS")}
        proc = subprocess.Popen([sys.executable, "-m", "twin", "serve", "--port", str(port), "--data", tmp,
                                 "--workers", str(args.workers), "--log-level", "warning"], cwd=ROOT, env=env,
                                start_new_session=True)
        try:
            startup = _wait_healthy(url, proc)
            with httpx.Client(base_url=url, timeout=300) as client:
                over_http(client, 100)  # let the workers finish importing the engine
                local, remote = [], []
                for i in range(args.repeats):
                    seed = 200 + i
                    t_local, k_local = in_process(seed)
                    t_http, k_http = over_http(client, seed)
                    same = all(k_http[k] == v or (v != v and k_http[k] is None) for k, v in k_local.items())
                    local.append(t_local)
                    remote.append(t_http)
                    print(f"repeat {i + 1}: in-process {t_local:.3f} s, over HTTP {t_http:.3f} s, "
                          f"ratio {t_http / t_local:.2f}, KPIs identical: {same}")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    m_local, m_remote = statistics.median(local), statistics.median(remote)
    print(json.dumps({
        "what": "lingang-phase1, 7 d at 60 s steps (10,080 steps): submit -> events -> KPIs vs simulate()",
        "server_startup_s": round(startup, 3), "workers": args.workers, "repeats": args.repeats,
        "in_process_median_s": round(m_local, 3), "over_http_median_s": round(m_remote, 3),
        "overhead_median_s": round(m_remote - m_local, 3), "ratio": round(m_remote / m_local, 3),
    }, indent=2))


if __name__ == "__main__":
    main()
