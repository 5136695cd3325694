"""Runs of the engine cached for the whole test session, shared by test modules of every folder."""

from __future__ import annotations

import functools

from twin.scenario import load_scenario
from twin.sim.engine import simulate


@functools.lru_cache(maxsize=16)
def run_cached(design: str, overrides: tuple[str, ...]):
    return simulate(load_scenario(design, list(overrides)))
