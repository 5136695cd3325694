"""Fixtures of the API tests: the shared server process and a client of it."""

from __future__ import annotations

import pytest
from api_support import ServerProcess


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The shared server: no token, two workers, runs up to 50,000 steps."""
    srv = ServerProcess(tmp_path_factory.mktemp("api") / "data", workers=2,
                        settings={"max_steps_per_run": 50_000, "sse_poll_s": 0.05}).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server):
    with server.client() as c:
        yield c
