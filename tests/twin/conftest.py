"""Shared fixtures: short runs of the reference design, cached per session."""

from __future__ import annotations

import pytest
from twin_runs import run_cached


@pytest.fixture
def short_run():
    """``short_run(*overrides)``: a cached run of lingang-phase1 with the given overrides."""

    def _run(*overrides: str, design: str = "lingang-phase1"):
        return run_cached(design, tuple(overrides))

    return _run
