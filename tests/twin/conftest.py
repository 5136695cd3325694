"""Shared fixtures: short runs of the reference design, cached per session."""

from __future__ import annotations

import functools

import pytest

from twin.engine import simulate
from twin.scenario import load_scenario


@functools.lru_cache(maxsize=16)
def run_cached(design: str, overrides: tuple[str, ...]):
    return simulate(load_scenario(design, list(overrides)))


@pytest.fixture
def short_run():
    """``short_run(*overrides)``: a cached run of lingang-phase1 with the given overrides."""

    def _run(*overrides: str, design: str = "lingang-phase1"):
        return run_cached(design, tuple(overrides))

    return _run
