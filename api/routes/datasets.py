"""Data sets: upload (checked by the kind's reader, stored by SHA-256), list, read, remove.

A scenario sent to this server names a data set as ``dataset:<id>``; no other file is ever opened for a request.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request, Response

from api.datasets import KINDS, DatasetProblem, summarize, write_blob
from api.deps import SettingsDep, StoreDep
from api.errors import ApiError, error_responses
from api.schemas import DatasetInfo, DatasetList
from api.uploads import file_body, read_upload, upload_problem, upload_slot
from twin.scenario.datafiles import TableLimits

router = APIRouter(prefix="/v1", tags=["datasets"])

_UPLOAD_BODY = file_body({
    "kind": {"type": "string", "enum": list(KINDS), "description": "Kind (or the query's kind)"},
    "name": {"type": "string", "maxLength": 200}})


def _time(t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc)


def info(row: dict) -> dict:
    return {"id": row["id"], "kind": row["kind"], "name": row["name"], "format": row["format"],
            "size_bytes": row["size_bytes"], "rows": row["rows"], "start": json.loads(row["start_json"]),
            "end": json.loads(row["end_json"]), "sha256": row["id"], "reference": f"dataset:{row['id']}",
            "created_at": _time(row["created_at"]), "details": json.loads(row["details_json"] or "{}"),
            "links": {"self": f"/v1/datasets/{row['id']}"}}


@router.post("/datasets", status_code=201, response_model=DatasetInfo, openapi_extra={"requestBody": _UPLOAD_BODY},
             responses={200: {"model": DatasetInfo, "description": "These bytes are stored already: the same id"},
                        201: {"description": "Stored; Location names it"},
                        **error_responses(409, 413, 415, 429)})
async def upload_dataset(
        request: Request, response: Response, store: StoreDep, settings: SettingsDep,
        kind: Annotated[str | None, Query(max_length=20, description=f"One of {', '.join(KINDS)}")] = None,
        name: Annotated[str | None, Query(max_length=200, description="A label; default the file's name")] = None):
    """Upload a data set (multipart `file`, or the CSV/Parquet file as the body) of a `kind`: checked with the
    reader a run uses (422 names row, line and column), stored by its SHA-256. The same bytes give the same id."""
    with upload_slot(settings.max_concurrent_uploads):
        upload = await read_upload(request, settings.max_dataset_bytes, form_fields=("kind", "name"))
        data, field = upload.data, upload.field
        kind = kind or upload.form.get("kind")
        name = (name or upload.form.get("name") or upload.filename or "")[:200]
        if kind not in KINDS:
            raise upload_problem("kind", f"{kind!r} is not a kind of data set; kinds: {', '.join(KINDS)}" if kind
                                 else f"give the kind of data set: {', '.join(KINDS)}")
        if not data:
            raise upload_problem(field, "empty file")
        limits = TableLimits(max_columns=settings.max_dataset_columns, max_rows=settings.max_dataset_rows,
                             max_uncompressed_bytes=4 * settings.max_dataset_bytes)
        try:
            summary = await anyio.to_thread.run_sync(summarize, kind, data, limits)
        except DatasetProblem as exc:
            raise upload_problem(field, str(exc), detail=f"not a valid {kind} data set") from None
        sha = await anyio.to_thread.run_sync(write_blob, store.datasets_dir, data)
        row, created = await anyio.to_thread.run_sync(
            lambda: store.add_dataset(sha, kind, name, len(data), summary))
    if row["kind"] != kind:
        raise ApiError(409, f"these bytes are stored already as a {row['kind']} data set ({sha})",
                       [{"field": "kind", "reason": f"the same file is data set {sha} of kind {row['kind']}"}])
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/v1/datasets/{sha}"
    return info(row)


@router.get("/datasets", response_model=DatasetList, responses=error_responses())
def list_datasets(store: StoreDep, kind: Annotated[str | None, Query(max_length=20)] = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                  offset: Annotated[int, Query(ge=0, le=10**9)] = 0):
    """Data sets, newest first."""
    rows, total = store.list_datasets(kind, limit, offset)
    return {"datasets": [info(r) for r in rows], "total": total}


def _row(store, dataset_id: str) -> dict:
    row = store.get_dataset(dataset_id) if len(dataset_id) == 64 else None
    if row is None:
        raise ApiError(404, f"no data set {dataset_id[:80]!r}")
    return row


@router.get("/datasets/{dataset_id}", response_model=DatasetInfo, responses=error_responses(404))
def get_dataset(dataset_id: str, store: StoreDep):
    """One data set: kind, rows, time span, hash and what its reader found."""
    return info(_row(store, dataset_id))


@router.delete("/datasets/{dataset_id}", status_code=204, responses={
    204: {"description": "Removed with its file"}, **error_responses(404, 409)})
def delete_dataset(dataset_id: str, store: StoreDep):
    """Remove a data set; 409 while a queued or running run or a twin uses it (finished runs keep its hash)."""
    _row(store, dataset_id)
    users = store.delete_dataset(dataset_id)
    if users is None:
        raise ApiError(404, f"no data set {dataset_id[:80]!r}")
    if users:
        raise ApiError(409, f"data set {dataset_id} is used by {len(users)} queued or running run(s) or twin(s): "
                       f"{', '.join(users[:10])}; cancel the runs or wait, delete the twins")
    return Response(status_code=204)
