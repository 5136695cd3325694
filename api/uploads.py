"""Reading an uploaded file from a request: what ``POST /v1/datasets`` and ``POST /v1/twins/{id}/telemetry`` share.

A file comes as multipart/form-data (a part named ``file``) or as the body itself (CSV or Parquet media types).
A ``Content-Encoding`` other than identity is 415, another media type is 415, a file above the limit is 413; the
bytes are checked afterwards by the reader of what the file holds (``twin.scenario.datafiles.tabular_text`` refuses
compressed files and holds rows and columns to their limits). At most ``max_concurrent_uploads`` uploads are read
and checked at once (:func:`upload_slot`: 429 with ``Retry-After`` beyond).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import Request

from api.errors import ApiError

__all__ = ["RAW_TYPES", "Upload", "read_upload", "upload_problem", "upload_slot", "file_body", "media_type"]

RAW_TYPES = ("text/csv", "application/vnd.apache.parquet", "application/x-parquet", "application/octet-stream")
"""Media types of a file sent as the body itself."""

_slots: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


@contextmanager
def upload_slot(limit: int, what: str = "upload", retry_after_s: int = 2):
    """Hold one of ``limit`` slots of the kind ``what`` while the block runs; 429 with ``Retry-After`` when all
    are taken (nothing waits)."""
    with _slots_lock:
        slot = _slots.setdefault((what, limit), threading.BoundedSemaphore(limit))
    if not slot.acquire(blocking=False):
        raise ApiError(429, f"{limit} {what}(s) are being checked; retry later",
                       headers={"Retry-After": str(retry_after_s)})
    try:
        yield
    finally:
        slot.release()


def upload_problem(field_name: str, reason: str, status: int = 422, detail: str | None = None) -> ApiError:
    return ApiError(status, detail or f"bad upload: {reason}", [{"field": field_name, "reason": reason}])


@dataclass
class Upload:
    """An upload's bytes; ``field`` is where they came from (``file``: a multipart part, ``body``: the body);
    ``form`` holds the text fields of a multipart form and ``filename`` its file part's name."""

    data: bytes
    field: str
    form: dict[str, str] = field(default_factory=dict)
    filename: str | None = None


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def refuse_encoding(request: Request) -> None:
    """415 for a compressed request (any ``Content-Encoding`` other than identity)."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise upload_problem("content-encoding", f"compressed uploads ({encoding}) are not accepted; send the CSV "
                             "or Parquet file itself", 415, "unsupported content encoding")


async def read_upload(request: Request, max_bytes: int, form_fields: tuple[str, ...] = (),
                      also_accepted: tuple[str, ...] = ()) -> Upload:
    """The file of a multipart or raw upload, at most ``max_bytes`` (413 above); 415 for other media types and
    for compression. ``form_fields`` are the multipart text fields to keep; ``also_accepted`` names media types
    the caller handles itself (listed in the 415's reason)."""
    refuse_encoding(request)
    ctype = media_type(request)
    if ctype == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=max(len(form_fields), 1) + 2,
                                      max_part_size=max_bytes)
        except Exception as exc:  # python-multipart's and starlette's parse errors
            raise upload_problem("body", f"not a readable multipart form ({type(exc).__name__}: {exc})") from None
        try:
            part = form.get("file")
            if part is None or isinstance(part, str):
                raise upload_problem("file", "the form needs a file part named 'file'")
            data = await part.read(max_bytes + 1)
            texts = {k: v for k in form_fields if isinstance(v := form.get(k), str)}
            upload = Upload(data, "file", texts, part.filename)
        finally:
            await form.close()
    elif ctype in RAW_TYPES:
        upload = Upload(await request.body(), "body")
    else:
        accepted = ", ".join((*RAW_TYPES, *also_accepted))
        raise upload_problem("content-type", f"{ctype or 'no media type'} is not an upload; send multipart/form-data "
                             f"with a file part, or the file itself as {accepted}", 415, "unsupported media type")
    if len(upload.data) > max_bytes:
        raise ApiError(413, f"the file is larger than the limit of {max_bytes} bytes")
    return upload


def file_body(form_properties: dict | None = None, extra_content: dict | None = None) -> dict:
    """The OpenAPI ``requestBody`` of an upload route: multipart (``file`` and ``form_properties``), the file as
    the body, and ``extra_content`` (more media types the route takes)."""
    return {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"], "properties": {
                    "file": {"type": "string", "format": "binary", "description": "The CSV or Parquet file"},
                    **(form_properties or {})}}},
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            **(extra_content or {}),
        },
    }
