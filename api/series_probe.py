"""The series names of a scenario (the signals a twin's telemetry may carry), from a one-step run in a freshly
spawned process: the engine never runs in the server's process, and the names are the engine's own, whatever it
records."""

from __future__ import annotations

import concurrent.futures as cf
import copy
import multiprocessing

__all__ = ["series_names", "ProbeFailed"]

PROBE_TIMEOUT_S = 300.0


class ProbeFailed(Exception):
    """The one-step run failed; the message says why."""


def probe_in_worker(scenario: dict, data) -> list[str]:
    """Runs in the spawned process: the scenario over one step, its series' column names."""
    from twin.scenario import scenario_from_dict
    from twin.sim.engine import simulate

    one_step = copy.deepcopy(scenario)
    one_step["run"]["horizon_s"] = one_step["run"]["step_s"]
    try:
        result = simulate(scenario_from_dict(one_step, data_access=data), data_access=data)
    except Exception as exc:  # reported to the caller by message; the server lives on
        raise ProbeFailed(f"{type(exc).__name__}: {exc}") from None
    return [str(c) for c in result.series.columns]


def series_names(scenario: dict, data) -> list[str]:
    """The series names a run of ``scenario`` (resolved JSON) has; ``ProbeFailed`` when its one-step run fails.
    Blocks for the spawn and the run (about 3 s on two loaded cores): call it from a worker thread."""
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            return pool.submit(probe_in_worker, scenario, data).result(timeout=PROBE_TIMEOUT_S)
        except cf.TimeoutError:
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                proc.terminate()
            raise ProbeFailed(f"the one-step run took more than {PROBE_TIMEOUT_S:g} s") from None
        except cf.process.BrokenProcessPool as exc:
            raise ProbeFailed(f"the probe process died ({exc})") from None
