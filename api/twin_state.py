"""A twin's synchronised present from its stored telemetry: the measurements put on the twin's steps from the first
to the last (at most ``max_state_steps`` of them, the latest), then ``twin.live.state.present_state`` (the extended
Kalman filter on each cabin's thermal network; the battery and the servers from their last measurements).

Runs in a worker thread of the server (0.8 ms a step and cabin group measured on two loaded cores, so the default
bound of 10,000 steps is about 8 s a cabin group).
"""

from __future__ import annotations

import json
import math

import pandas as pd

from api.errors import ApiError
from api.telemetry_batches import step_grid, stored_telemetry, to_ns
from api.twin_store import TwinStore
from twin.live.state import present_result, present_state, saved_state
from twin.live.telemetry import on_steps
from twin.scenario import Scenario

__all__ = ["filter_inputs", "estimate_state", "twin_saved_state", "twin_present_result"]


def filter_inputs(cabins: int) -> tuple[list[str], list[str]]:
    """The signals the filter needs (each cabin group's IT power, fan and pump speeds, the sea temperature) and
    those it uses when present (each cabin's rack inlet and servers alive, the battery's energy)."""
    needed = [f"cabin{i}_{s}" for i in range(cabins) for s in ("it_power_w", "fan_speed", "pump_speed")]
    optional = [f"cabin{i}_{s}" for i in range(cabins) for s in ("inlet_temp_c", "servers_alive")]
    return [*needed, "sea_temp_c"], [*optional, "battery_energy_wh"]


def _finite(v):
    return v if not (isinstance(v, float) and not math.isfinite(v)) else None


def _conflict(detail: str, reasons: list[str]) -> ApiError:
    return ApiError(409, detail, [{"field": "telemetry", "reason": r} for r in reasons])


def _on_steps(twins: TwinStore, row: dict, max_steps: int):
    """The twin's scenario and its stored telemetry on its steps (the latest ``max_steps``): ``(scenario, grid,
    index, end, left_out, used, measurements)``; 409 naming the signals when the filter's inputs are missing."""
    scenario = Scenario.model_validate(json.loads(row["scenario_json"]))
    start = pd.Timestamp(scenario.run.start)
    step_s = float(scenario.run.step_s)
    needed, optional = filter_inputs(len(scenario.cabins))
    stats = {s["signal"]: s for s in twins.signal_stats(row["id"])}
    if not stats:
        raise _conflict(f"twin {row['id']} has no telemetry yet; POST /v1/twins/{row['id']}/telemetry first",
                        [f"the filter needs {', '.join(needed)}"])
    absent = [s for s in needed if s not in stats]
    if absent:
        raise _conflict(f"the state estimate needs telemetry of {len(absent)} more signal(s)",
                        [f"no measurements of {s}" for s in absent])
    extra = [s for s in ("hub_wind_speed_m_s", "turbines_available") if s in stats]
    used = [s for s in (*needed, *optional) if s in stats]
    first = min(stats[s]["first_ns"] for s in used)
    last = max(stats[s]["last_ns"] for s in used)
    index, left_out = step_grid(start, step_s, first, last, max_steps)
    end = index[-1] + pd.Timedelta(seconds=step_s)
    signal, time_ns, value = twins.telemetry(row["id"], used + extra, int(to_ns(index[:1])[0]), int(to_ns([end])[0]))
    grid = on_steps(stored_telemetry(signal, time_ns, value), index, step_s)
    empty = [s for s in needed if s not in grid.values.columns or not grid.values[s].notna().any()]
    if empty:
        raise _conflict(f"no measurements of {len(empty)} input(s) of the filter in the latest {len(index)} steps",
                        [f"no measurements of {s} from {index[0].isoformat()} to {end.isoformat()}" for s in empty])
    return scenario, grid, index, end, left_out, used, int(len(value))


def _present(scenario, grid, step_s: float) -> dict:
    try:
        return present_state(scenario, grid.values, step_s)
    except (ValueError, ArithmeticError) as exc:  # no step has every input at once; inputs that break the model
        raise _conflict("the filter cannot run on this telemetry", [str(exc)]) from None


def estimate_state(twins: TwinStore, row: dict, max_steps: int) -> dict:
    """The present state of the twin ``row``; 409 naming the signals when there is no telemetry for the filter
    or its inputs are missing."""
    scenario, grid, index, end, left_out, used, measurements = _on_steps(twins, row, max_steps)
    step_s = float(scenario.run.step_s)
    state = _present(scenario, grid, step_s)
    cabins = [{k: _finite(v) for k, v in c.items()} for c in state.pop("cabins")]
    return {"twin_id": row["id"], **{k: _finite(v) for k, v in state.items()}, "step_s": step_s, "cabins": cabins,
            "window": {"start": index[0], "end": end, "steps": len(index), "steps_left_out": left_out,
                       "measurements": measurements},
            "coverage": {s: float(grid.coverage.get(s, 0.0)) for s in used}}


def twin_saved_state(twins: TwinStore, row: dict, max_steps: int):
    """The twin's present as a saved state a run starts from (``twin.live.state.saved_state``)."""
    scenario, grid, *_ = _on_steps(twins, row, max_steps)
    present = _present(scenario, grid, float(scenario.run.step_s))
    try:
        return saved_state(scenario, grid.values, present)
    except ValueError as exc:  # an estimate outside what a state may hold (a sea of 60 C from a broken sensor)
        raise _conflict("the present estimated from this telemetry is not a state a run can start from",
                        [str(exc)[:2000]]) from None


def twin_present_result(twins: TwinStore, row: dict, max_steps: int):
    """The twin's present as a one-step run result the viewer draws (``twin.live.state.present_result``), and the
    saved state it shows."""
    scenario, grid, *_ = _on_steps(twins, row, max_steps)
    present = _present(scenario, grid, float(scenario.run.step_s))
    state = saved_state(scenario, grid.values, present)
    return present_result(scenario, grid.values, state), state
