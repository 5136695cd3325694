"""Calibrations of a twin: a request checked against the twin (422 by field, 409 without the telemetry to fit), then
``twin.live.calibration.calibrate`` on the twin's scenario and its stored telemetry in a freshly spawned process,
never in the server's.

The process writes its outcome into the registry itself (``TwinStore.finish_calibration`` or
``fail_calibration``, each applied only while the calibration is still running). The server's watcher thread of
each process fails a calibration whose process died without a word, and stops one still running after
``calibration_timeout_s``; a process whose server has gone stops by itself. At start-up, calibrations the registry
still shows running belonged to a previous server and are failed with that reason.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import multiprocessing
import os
import threading
import time

import pandas as pd

from api.errors import ApiError
from api.store import RunStore
from api.telemetry_batches import stored_telemetry, to_ns
from api.twin_schemas import CalibrationRequest
from twin.live.calibration import CalibrationError, default_parameter, parse_window
from twin.scenario import Scenario

__all__ = ["calibration_spec", "CalibrationRunner", "calibrate_in_process"]

log = logging.getLogger("seabed_twin.api")

WORKER_NICENESS = 10


def _value_at(data, path: str):
    node = data
    for key in path.split("."):
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                raise KeyError(key)
            node = node[int(key)]
        elif isinstance(node, dict):
            node = node[key]
        else:
            raise KeyError(key)
    return node


def _window_problem(text: str, name: str, span: tuple[pd.Timestamp, pd.Timestamp]):
    """``(window, None)`` or ``(None, reason)`` for a window A..B that must lie inside the twin's run."""
    try:
        lo, hi = parse_window(text, name)
    except CalibrationError as exc:
        return None, str(exc).removeprefix(f"{name}: ")
    if lo < span[0] or hi > span[1]:
        return None, (f"{lo.isoformat()} .. {hi.isoformat()} is outside the twin's run ({span[0].isoformat()} .. "
                      f"{span[1].isoformat()}): calibrations simulate the twin's scenario, so its run.start and "
                      f"run.horizon_s must cover both windows")
    return (lo, hi), None


def calibration_spec(twins, row: dict, body: CalibrationRequest) -> dict:
    """What the calibration process needs, from a request checked against the twin: 422 with every problem by
    field (``params.0``, ``bounds.<path>``, ``train``, ``test``, ``signals.2``), 409 when the stored telemetry has
    no measurement of a chosen signal or too few in the training window."""
    data = json.loads(row["scenario_json"])
    scenario = Scenario.model_validate(data)
    known = set(json.loads(row["signals_json"]))
    problems: list[dict] = []
    parameters = []
    for i, path in enumerate(body.params):
        field = f"params.{i}"
        if path in body.params[:i]:
            problems.append({"field": field, "reason": f"{path} is given twice"})
            continue
        if path.split(".")[0] == "run":
            problems.append({"field": field, "reason": f"{path}: the run's settings (start, horizon, step, seed) "
                             "are not parameters of the plant"})
            continue
        try:
            value = _value_at(data, path)
        except KeyError:
            problems.append({"field": field, "reason": f"{path} is not a field of the twin's scenario"})
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            problems.append({"field": field, "reason": f"{path} is not a number field (it holds "
                                                      f"{type(value).__name__})"})
            continue
        lo, hi = body.bounds.get(path, (None, None))
        try:
            p = default_parameter(scenario, path, lo, hi)
        except (CalibrationError, KeyError, IndexError, TypeError, ValueError) as exc:
            problems.append({"field": field, "reason": str(exc).removeprefix("--params: ")})
            continue
        if not p.lower < p.upper:
            where = f"bounds.{path}" if path in body.bounds else field
            problems.append({"field": where, "reason": f"the bounds {p.lower:g} .. {p.upper:g} (within the field's "
                                                       "own constraints) leave nothing to search"})
            continue
        parameters.append(p)
    for key in body.bounds:
        if key not in body.params:
            problems.append({"field": f"bounds.{key}", "reason": f"{key} is not one of params"})
    start = pd.Timestamp(scenario.run.start)
    span = (start, start + pd.Timedelta(seconds=float(scenario.run.horizon_s)))
    windows = {}
    for name in ("train", "test"):
        windows[name], reason = _window_problem(getattr(body, name), name, span)
        if reason:
            problems.append({"field": name, "reason": reason})
    for i, s in enumerate(body.signals or []):
        if s not in known:
            problems.append({"field": f"signals.{i}", "reason": f"{s!r} is not a series of this twin"})
    if problems:
        n = len(problems)
        raise ApiError(422, f"the calibration has {n} problem{'s' if n != 1 else ''}", problems)
    stats = {s["signal"] for s in twins.signal_stats(row["id"])}
    chosen = list(dict.fromkeys(body.signals)) if body.signals else sorted(stats & known)
    if not chosen:
        raise ApiError(409, f"twin {row['id']} has no telemetry yet", [
            {"field": "telemetry", "reason": "POST /v1/twins/{id}/telemetry first"}])
    absent = [s for s in chosen if s not in stats]
    if absent:
        raise ApiError(409, "no telemetry of a chosen signal", [
            {"field": "signals", "reason": f"no measurements of {s}"} for s in absent])
    train = windows["train"]
    n = twins.count_telemetry(row["id"], chosen, int(to_ns([train[0]])[0]), int(to_ns([train[1]])[0]))
    if n <= len(parameters):
        raise ApiError(409, "too little telemetry in the training window", [
            {"field": "train", "reason": f"{n} measurement(s) of {', '.join(chosen)} in {body.train}; more than "
                                         f"{len(parameters)} (the parameters) are needed"}])
    return {"scenario_json": row["scenario_json"], "parameters": [dataclasses.asdict(p) for p in parameters],
            "train": [w.isoformat() for w in train], "test": [w.isoformat() for w in windows["test"]],
            "signals": chosen, "span_ns": [int(v) for v in to_ns(list(span))]}


# ----------------------------------------------------------------------------------------------- the process


def _watch_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(3)  # the server is gone: nobody will read the outcome
        time.sleep(1.0)


def calibrate_in_process(data_dir: str, calibration_id: str, twin_id: str, spec: dict, max_runs: int,
                         max_dataset_bytes: int, parent_pid: int) -> None:
    """The spawned process: calibrate the twin's scenario (as it was when the calibration was asked for) on its
    stored telemetry and write the outcome into the registry."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        pass
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    from api.datasets import DatasetAccess
    from twin.live.calibration import Parameter, calibrate
    from twin.scenario import ScenarioError, scenario_from_dict

    store = RunStore(data_dir, create=False)
    twins = store.twins
    try:
        access = DatasetAccess(store.datasets_dir, store.db_path, max_dataset_bytes)
        scenario = scenario_from_dict(json.loads(spec["scenario_json"]), data_access=access)
        parameters = [Parameter(**p) for p in spec["parameters"]]
        signal, time_ns, value = twins.telemetry(twin_id, spec["signals"], *spec["span_ns"])
        train = tuple(pd.Timestamp(t) for t in spec["train"])
        test = tuple(pd.Timestamp(t) for t in spec["test"])
        result = calibrate(scenario, stored_telemetry(signal, time_ns, value), parameters, train, test,
                           spec["signals"], data_access=access, max_runs=max_runs)
        report = {**result.to_dict(), "measurements": int(len(value))}
        twins.finish_calibration(calibration_id, report, json.loads(result.scenario.model_dump_json()))
    except (CalibrationError, ScenarioError, ValueError) as exc:
        twins.fail_calibration(calibration_id, str(exc))
    except Exception as exc:  # reported in the registry; the server is another process
        twins.fail_calibration(calibration_id, f"{type(exc).__name__}: {exc}")


class CalibrationRunner:
    """Starts each calibration in its own spawned process and watches it (``timeout_s``)."""

    def __init__(self, store: RunStore, timeout_s: float, max_runs: int, max_dataset_bytes: int):
        self.store = store
        self.timeout_s = timeout_s
        self.max_runs = max_runs
        self.max_dataset_bytes = max_dataset_bytes
        self._procs: dict[str, multiprocessing.process.BaseProcess] = {}
        self._lock = threading.Lock()
        self._closing = False

    def recover(self) -> list[str]:
        """Fail the calibrations a previous server left running."""
        return self.store.twins.fail_running_calibrations("interrupted by a server restart")

    def start(self, calibration_id: str, twin_id: str, spec: dict) -> None:
        ctx = multiprocessing.get_context("spawn")
        proc = ctx.Process(target=calibrate_in_process, name=f"calibration-{calibration_id[:8]}", daemon=True,
                           args=(str(self.store.data_dir), calibration_id, twin_id, spec, self.max_runs,
                                 self.max_dataset_bytes, os.getpid()))
        with self._lock:
            if self._closing:
                raise RuntimeError("the server is shutting down")
            proc.start()
            self._procs[calibration_id] = proc
        threading.Thread(target=self._watch, args=(calibration_id, proc), name=f"watch-{calibration_id[:8]}",
                         daemon=True).start()

    def _watch(self, calibration_id: str, proc) -> None:
        proc.join(self.timeout_s)
        if proc.is_alive():
            proc.terminate()
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(5)
            if not self._closing:
                self.store.twins.fail_calibration(
                    calibration_id, f"stopped after {self.timeout_s:g} s (calibration_timeout_s)")
        elif not self._closing:  # applied only when the process wrote no outcome (it died, or its write failed)
            self.store.twins.fail_calibration(
                calibration_id, f"the calibration process ended (exit code {proc.exitcode}) without an outcome")
        with self._lock:
            self._procs.pop(calibration_id, None)

    @property
    def running(self) -> int:
        with self._lock:
            return len(self._procs)

    def shutdown(self) -> None:
        with self._lock:
            self._closing = True
            procs = dict(self._procs)
        for proc in procs.values():
            if proc.is_alive():
                proc.terminate()
        for calibration_id, proc in procs.items():
            proc.join(5)
            self.store.twins.fail_calibration(calibration_id, "interrupted: the server shut down")
