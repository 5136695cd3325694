"""Property-based tests of the live OpenAPI document with schemathesis: no 5xx, no answer outside the schema.

Every operation of the document is a test case with schema-valid (positive) generated requests and, where a
request can break the schema at all (a body or query parameters), one with schema-invalid (negative) requests; each
is bounded to MAX_EXAMPLES examples for CI, and schemathesis's coverage phase is not run. The checks are those the
issue asks for: not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance
and response_schema_conformance. Checks that expect every schema-valid request to be accepted are left out on
purpose: a scenario can be schema-valid and still be refused (422) by cross-field rules or by this server's limits.
The server runs with tight limits (2,000 steps per run, 4 sweep points) so the runs the generator manages to make
valid stay tiny.

(schemathesis's pytest plugin, ``schemathesis.pytest.from_fixture``, does not work with pytest 9 yet, so the
operations are driven through ``APIOperation.as_strategy`` and Hypothesis's ``@given``.)
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from api_support import ServerProcess  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.generation.modes import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
MAX_EXAMPLES = 25
HEAVY_MAX_EXAMPLES = 10
"""A validation or a sweep the server accepts prepares every case (the lowest-wind week searches 520 weeks of wind)
and keeps the workers busy after the request: 25 of each took about a minute of the suite."""
HEAVY_POSTS = {("POST", "/v1/validations"), ("POST", "/v1/sweeps")}

def _operations() -> list:
    """(method, path, mode) for every operation: positive always; negative where a request can break the schema
    (a body or query parameters; a free-text path parameter cannot)."""
    out = []
    for path, item in create_app(Settings()).openapi()["paths"].items():
        for method, op in item.items():
            out.append(pytest.param(method.upper(), path, GenerationMode.POSITIVE, id=f"{method.upper()} {path} +"))
            if "requestBody" in op or any(p["in"] == "query" for p in op.get("parameters", [])):
                out.append(pytest.param(method.upper(), path, GenerationMode.NEGATIVE,
                                        id=f"{method.upper()} {path} -"))
    return out


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("fuzz") / "data", workers=2,
                        settings={"max_steps_per_run": 2000, "max_sweep_points": 4, "max_queued_runs": 100}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def api_schema(fuzz_server):
    config = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
    return schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json", config=config)


@pytest.mark.parametrize("method,path,mode", _operations())
def test_operation_conforms_to_the_openapi_document(api_schema, fuzz_server, method, path, mode):
    operation = api_schema[path][method]

    examples = HEAVY_MAX_EXAMPLES if (method, path) in HEAVY_POSTS else MAX_EXAMPLES

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=True, database=None)
    def check(case):
        case.call_and_validate(base_url=fuzz_server.url, checks=CHECKS, timeout=30)

    check()
