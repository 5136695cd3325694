"""Every error answer has one shape, ``Problem``: a message and, for bad input, every problem by field path."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import Problem
from twin.scenario import ScenarioError

log = logging.getLogger("seabed_twin.api")

RESPONSES = {code: {"model": Problem, "description": why} for code, why in {
    401: "Missing or wrong bearer token (when the server has one)",
    404: "No such run (or design)",
    406: "None of the media types in Accept can be produced",
    409: "The run has not completed",
    413: "Request body too large",
    415: "Not an accepted media type or content encoding",
    422: "Bad input: every problem with its field path",
    429: "The queue is full; retry later",
    503: "The server is shutting down",
}.items()}


def error_responses(*codes: int) -> dict:
    """The OpenAPI ``responses`` of a route: 401 and 422 always, and ``codes``."""
    return {c: RESPONSES[c] for c in sorted({401, 422, *codes})}


class ApiError(Exception):
    def __init__(self, status: int, detail: str, problems: list[dict] | None = None,
                 headers: dict[str, str] | None = None):
        self.status = status
        self.detail = detail
        self.problems = problems or []
        self.headers = headers


def problem_response(status: int, detail: str, problems: list[dict] | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "problems": problems or []}, status_code=status, headers=headers)


def scenario_problem(exc: ScenarioError) -> ApiError:
    n = len(exc.problems)
    return ApiError(422, f"the scenario has {n} problem{'s' if n != 1 else ''}", exc.as_dicts())


def _loc(loc) -> str:
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(str(p) for p in parts)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return problem_response(exc.status, exc.detail, exc.problems, exc.headers)

    @app.exception_handler(ScenarioError)
    async def _scenario_error(request: Request, exc: ScenarioError):
        err = scenario_problem(exc)
        return problem_response(err.status, err.detail, err.problems)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        problems = []
        for e in exc.errors():
            msg = str(e.get("msg", "invalid"))
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            problems.append({"field": _loc(e.get("loc", ())), "reason": msg})
        n = len(problems)
        return problem_response(422, f"the request has {n} problem{'s' if n != 1 else ''}",
                                jsonable_encoder(problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):  # e.g. bytes that are not UTF-8
            return problem_response(422, "the request has 1 problem",
                                    [{"field": "", "reason": "the body is not JSON (UTF-8)"}])
        return problem_response(exc.status_code, str(exc.detail), None, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(500, f"internal error: {type(exc).__name__}")
