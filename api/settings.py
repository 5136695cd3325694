"""Server settings: defaults, then a settings file, then the environment, then the command line.

A settings file is YAML, TOML or JSON with any of the fields of ``Settings``; it is named by ``--settings`` or
``SEABED_TWIN_SETTINGS``. The environment gives ``SEABED_TWIN_TOKEN`` (the bearer token) and
``DASK_SCHEDULER_ADDRESS`` (run sweeps on that Dask cluster).
"""

from __future__ import annotations

import ipaddress
import json
import os
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["Settings", "SettingsError", "load_settings", "is_loopback"]


class SettingsError(ValueError):
    pass


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="Address to bind; non-loopback needs a token")
    port: int = Field(8000, ge=0, le=65535)
    data_dir: Path = Field(Path("seabed-twin-data"), description="Registry (SQLite) and run files")
    workers: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1), ge=1, le=256,
                         description="Worker processes, i.e. runs executing at once [-]")
    token: str | None = Field(None, min_length=8, description="Bearer token required on every request when set")
    dask_scheduler_address: str | None = Field(None, description="Run sweeps on this Dask scheduler")
    requeue_interrupted: bool = Field(True, description="On restart, re-queue interrupted runs (else fail them)")
    max_request_bytes: int = Field(1_048_576, ge=1024, description="Largest request body [bytes]")
    max_dataset_bytes: int = Field(64 * 1_048_576, ge=1024, description="Largest data set upload [bytes]")
    max_dataset_rows: int = Field(5_000_000, ge=1, description="Most rows of one data set [-]")
    max_dataset_columns: int = Field(64, ge=4, le=10_000, description="Most columns of one data set [-]")
    max_concurrent_uploads: int = Field(2, ge=1, le=64,
                                        description="Uploads checked at once; more get 429 with Retry-After [-]")
    max_steps_per_run: int = Field(1_100_000, ge=1, description="Most steps (horizon / step) one run may take [-]")
    max_queued_runs: int = Field(500, ge=1, description="Runs waiting for a worker, beyond those executing [-]")
    max_sweep_points: int = Field(200, ge=1, description="Most grid points of one sweep [-]")
    max_table_cells: int = Field(5_000_000, ge=1,
                                 description="Most rows x columns of a JSON or CSV time series answer [-]")
    sse_poll_s: float = Field(0.1, gt=0.0, le=10.0, description="How often the event stream reads progress [s]")
    max_telemetry_rows: int = Field(1_000_000, ge=1, description="Most measurements in one telemetry batch [-]")
    max_state_steps: int = Field(10_000, ge=2, description="Most twin steps the state estimate filters over; "
                                 "longer telemetry is filtered over its latest steps [-]")
    max_concurrent_states: int = Field(2, ge=1, le=64,
                                       description="State estimates computed at once; more get 429 [-]")
    max_concurrent_calibrations: int = Field(1, ge=1, le=64,
                                             description="Calibrations running at once; more get 429 [-]")
    max_calibration_runs: int = Field(200, ge=2, le=100_000,
                                      description="Most twin runs one calibration's search may make [-]")
    calibration_timeout_s: float = Field(3600.0, gt=0.0, description="A calibration still running after this "
                                         "is stopped and failed [s]")

    @property
    def total_capacity(self) -> int:
        return self.workers + self.max_queued_runs

    def bind_problem(self) -> str | None:
        """Why this server must not start as configured, or None."""
        if not self.token and not is_loopback(self.host):
            return (f"refusing to bind {self.host}: it is not a loopback address and no token is configured; set "
                    f"SEABED_TWIN_TOKEN (or 'token' in the settings file), or bind 127.0.0.1")
        return None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _read(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"cannot read settings file {path}: {exc}") from None
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        elif path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise SettingsError(f"cannot parse settings file {path}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"settings file {path} must hold a mapping")
    return data


def load_settings(settings_file: str | Path | None = None, env: dict | None = None, **cli: Any) -> Settings:
    """Build the settings; ``cli`` values that are None are not given and do not override."""
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    path = settings_file or env.get("SEABED_TWIN_SETTINGS")
    if path:
        data.update(_read(Path(path)))
    if env.get("SEABED_TWIN_TOKEN"):
        data["token"] = env["SEABED_TWIN_TOKEN"]
    if env.get("DASK_SCHEDULER_ADDRESS"):
        data["dask_scheduler_address"] = env["DASK_SCHEDULER_ADDRESS"]
    data.update({k: v for k, v in cli.items() if v is not None})
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        lines = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"bad settings: {lines}") from None
