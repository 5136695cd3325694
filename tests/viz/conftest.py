"""Fixtures of the view tests: one short run shared by the module (saved to a folder for the CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_fixtures import short_result


@pytest.fixture(scope="session")
def short_run():
    return short_result()


@pytest.fixture(scope="session")
def saved_run(short_run, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("view-run")
    short_run.save(out)
    return out
