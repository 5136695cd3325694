"""Bearer-token authentication and the request-size limit, as plain ASGI middleware (they cover every path)."""

from __future__ import annotations

import hmac
import json
import re

from starlette.exceptions import HTTPException

__all__ = ["TokenAuth", "BodyLimit"]


async def _send_problem(send, status: int, detail: str, extra_headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail, "problems": []}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               *extra_headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class TokenAuth:
    """Every request must carry ``Authorization: Bearer <token>`` when a token is configured; else 401."""

    def __init__(self, app, token: str):
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = b""
        for k, v in scope.get("headers", ()):
            if k == b"authorization":
                given = v
                break
        if not hmac.compare_digest(given, self.expected):
            detail = "missing bearer token" if not given else "wrong bearer token"
            return await _send_problem(send, 401, f"{detail}: send 'Authorization: Bearer <token>'",
                                       [(b"www-authenticate", b'Bearer realm="seabed-twin"')])
        return await self.app(scope, receive, send)


class _TooLarge(HTTPException):
    """Raised while reading an over-long body; an HTTPException so FastAPI's body parsing passes it on as 413."""

    def __init__(self, detail: str):
        super().__init__(413, detail)


class BodyLimit:
    """Refuse request bodies above ``max_bytes`` with 413, by Content-Length or while reading a chunked body;
    ``upload_paths`` (regular expressions a whole path must match, POST only) take up to ``upload_bytes``
    instead."""

    def __init__(self, app, max_bytes: int, upload_paths: tuple[str, ...] = (), upload_bytes: int | None = None):
        self.app = app
        self.default_bytes = max_bytes
        self.upload_paths = [re.compile(p) for p in upload_paths]
        self.upload_bytes = upload_bytes or max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "").rstrip("/")
        upload = scope.get("method") == "POST" and any(p.fullmatch(path) for p in self.upload_paths)
        max_bytes = self.upload_bytes if upload else self.default_bytes
        detail = f"request body larger than the limit of {max_bytes} bytes"
        for k, v in scope.get("headers", ()):
            if k == b"content-length":
                try:
                    too_big = int(v) > max_bytes
                except ValueError:
                    return await _send_problem(send, 400, "bad Content-Length")
                if too_big:
                    return await _send_problem(send, 413, detail)
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise _TooLarge(detail)
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _send_problem(send, 413, detail)
