"""Helpers of the API tests: a real ``python -m twin serve`` process on a free loopback port, and run polling."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SHORT = ["run.horizon_s=1d", "run.step_s=300"]
"""A one-day run at 300 s steps: about 0.3 s of work."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """One ``seabed-twin serve`` process; ``start`` waits for /healthz, ``kill`` is SIGKILL to the server alone."""

    def __init__(self, data_dir: Path, workers: int = 2, settings: dict | None = None, env: dict | None = None,
                 token: str | None = None):
        self.data_dir = Path(data_dir)
        self.workers = workers
        self.settings = settings or {}
        self.env = env or {}
        self.token = token
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = self.data_dir.parent / f"server-{self.data_dir.name}-{self.port}.log"

    def start(self, timeout: float = 90.0) -> "ServerProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [sys.executable, "-m", "twin", "serve", "--port", str(self.port), "--data", str(self.data_dir),
                "--workers", str(self.workers), "--log-level", "warning"]
        if self.settings:
            path = self.data_dir.parent / f"settings-{self.data_dir.name}.json"
            path.write_text(json.dumps(self.settings))
            args += ["--settings", str(path)]
        env = {k: v for k, v in os.environ.items() if k not in ("SEABED_TWIN_TOKEN", "DASK_SCHEDULER_ADDRESS",
                                                                  "SEABED_TWIN_SETTINGS")}
        env.update(self.env)
        if self.token:
            env["SEABED_TWIN_TOKEN"] = self.token
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", headers=self.headers, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server did not answer /healthz in {timeout} s:\n{self.log_path.read_text()}")

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers, **{"timeout": 60, **kw})

    def kill(self) -> None:
        """SIGKILL the server process only (its workers notice and stop on their own)."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            pgid = os.getpgid(self.proc.pid)
        except ProcessLookupError:
            pgid = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if pgid is not None:  # any worker left in the server's session
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.log.close()


def wait_status(client: httpx.Client, run_id: str, statuses=("completed", "failed", "cancelled"),
                timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/v1/runs/{run_id}").json()
        if body["status"] in statuses:
            return body
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} still {body['status']} after {timeout} s")


def submit(client: httpx.Client, overrides=(), design: str = "lingang-phase1", **extra) -> dict:
    r = client.post("/v1/runs", json={"design": design, "overrides": [*SHORT, *overrides], **extra})
    assert r.status_code in (200, 202), r.text
    return r.json()
