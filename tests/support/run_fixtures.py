"""Short runs the view tests draw, and a registry with one completed and one failed run for the API tests."""

from __future__ import annotations

import uuid
from pathlib import Path

SHORT = ["run.horizon_s=1d", "run.step_s=600"]
"""One day at 600 s steps: 144 steps, about a second of work."""


def short_result(overrides=()):
    from twin.scenario import load_scenario
    from twin.sim.engine import simulate

    return simulate(load_scenario("lingang-phase1", [*SHORT, *overrides]))


def register_runs(data_dir: Path, result) -> dict:
    """A completed run (``result``, saved as a worker saves it) and a failed run, in a registry at ``data_dir``."""
    from api.store import RunStore

    store = RunStore(data_dir)
    scenario = result.scenario.model_dump(mode="json")
    ids = {}
    for status in ("completed", "failed"):
        run_id = uuid.uuid4().hex
        store.create_run(run_id, f"view-test-{status}", scenario, {"design": "lingang-phase1", "overrides": SHORT})
        attempt = store.new_attempt(run_id)
        store.mark_running(run_id, attempt)
        if status == "completed":
            paths = result.save(store.run_dir(run_id))
            store.mark_completed(run_id, attempt, result.kpis, {k: p.name for k, p in paths.items()}, {})
        else:
            store.mark_failed(run_id, attempt, "ValueError: the test's failed run")
        ids[status] = run_id
    return ids
