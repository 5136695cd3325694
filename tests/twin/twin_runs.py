"""Runs of the engine cached for the whole test session, shared by test modules (a module of its own name, since
``conftest`` names several files once tests/viz has one too)."""

from __future__ import annotations

import functools

from twin.engine import simulate
from twin.scenario import load_scenario


@functools.lru_cache(maxsize=16)
def run_cached(design: str, overrides: tuple[str, ...]):
    return simulate(load_scenario(design, list(overrides)))
