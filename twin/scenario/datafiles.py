"""Data files a scenario names (a measured wind series, a job trace): the type that marks such a field, the rule
that says which values a caller may give, and how a run reads the file.

A field declared ``Annotated[str | None, DataFile("wind")]`` names a file of kind ``wind``. What a value may be
depends on who sent the scenario, and is decided by a :class:`DataAccess` handed to the validation
(``scenario_from_dict(..., data=...)``) and to the run (``simulate(..., data=...)``):

- :class:`LocalFiles` (the command line, notebooks): a path on this machine, the user's own file; also a data set
  reference ``dataset:<sha256>`` when a data-set folder is given.
- :class:`DatasetFiles` and :class:`InlineDatasets` (the API and the Dask workers it feeds): only
  ``dataset:<sha256>``, a data set uploaded before; any other value is refused by name, before anything is opened.

The rule sits in the field's type, not in a list of fields: a data-file field added later is covered without
anyone remembering (``data_fields`` finds them all; a test refuses a string field that looks like a path and is
not a ``DataFile``).

A data set is stored content-addressed, as the file ``<folder>/<sha256>``; reading one opens it without following
a symbolic link, refuses anything but a regular file, and checks its hash, so a data set in use cannot silently
change. Its bytes are CSV text or Parquet (:func:`tabular_text` turns either into CSV text within limits), and the
readers' messages quote the data set by its reference, never a server path.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel
from pydantic_core import PydanticCustomError, core_schema

__all__ = [
    "DATASET_PREFIX", "DataFile", "DataFileError", "DataAccess", "LocalFiles", "DatasetFiles", "InlineDatasets",
    "DataRef", "data_fields", "dataset_ref", "parse_dataset_ref", "tabular_text", "TableLimits", "VALIDATION_KEY",
]

DATASET_PREFIX = "dataset:"
_DATASET_RE = re.compile(r"dataset:([0-9a-f]{64})")
VALIDATION_KEY = "data_access"
"""The key of the validation context that carries the :class:`DataAccess`."""

PARQUET_MAGIC = b"PAR1"


class DataFileError(ValueError):
    """A data file that cannot be used; the message names the file by the caller's own reference."""


def dataset_ref(sha256: str) -> str:
    """``dataset:<sha256>``: how a scenario names an uploaded data set."""
    return f"{DATASET_PREFIX}{sha256}"


def parse_dataset_ref(value: str) -> str | None:
    """The SHA-256 of a ``dataset:<sha256>`` reference (64 lower-case hex digits), or None for anything else."""
    m = _DATASET_RE.fullmatch(value) if isinstance(value, str) else None
    return m.group(1) if m else None


# ----------------------------------------------------------------------------------------------- the field type


class DataFile:
    """Marks a scenario field that names a data file of ``kind`` (``wind``, ``trace``, ...).

    Validation asks the :class:`DataAccess` in the validation context (key :data:`VALIDATION_KEY`) whether the
    value may be used; without one, any string passes (a scenario built in Python is checked when it runs).
    The JSON Schema carries ``x-data-kind``.
    """

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self) -> str:
        return f"DataFile({self.kind!r})"

    def __get_pydantic_core_schema__(self, source: Any, handler) -> core_schema.CoreSchema:
        return core_schema.with_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema, handler) -> dict:
        out = handler(schema)
        out["x-data-kind"] = self.kind
        return out

    def _check(self, value: Any, info) -> Any:
        if value is None:
            return None
        access = (info.context or {}).get(VALIDATION_KEY) if isinstance(info.context, dict) else None
        if access is None:
            return value
        reason = access.check(self.kind, value)
        if reason:
            raise PydanticCustomError("data_file", "{reason}", {"reason": reason})
        return value


@dataclass(frozen=True)
class DataRef:
    """One data-file field of a scenario: its dotted path, the kind of file and the value given."""

    path: str
    kind: str
    value: str


def data_fields(model: BaseModel, prefix: str = "") -> list[DataRef]:
    """Every :class:`DataFile` field of ``model`` (and of the models inside it) that holds a value."""
    out: list[DataRef] = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        marker = next((m for m in info.metadata if isinstance(m, DataFile)), None)
        if marker is not None:
            if value is not None:
                out.append(DataRef(path, marker.kind, value))
            continue
        out.extend(_walk(value, path))
    return out


def _walk(value: Any, path: str) -> list[DataRef]:
    if isinstance(value, BaseModel):
        return data_fields(value, f"{path}.")
    if isinstance(value, (list, tuple)):
        return [r for i, v in enumerate(value) for r in _walk(v, f"{path}.{i}")]
    if isinstance(value, dict):
        return [r for k, v in value.items() for r in _walk(v, f"{path}.{k}")]
    return []


def data_file_kinds(model_type: type[BaseModel], prefix: str = "") -> dict[str, str]:
    """``{dotted path: kind}`` of every :class:`DataFile` field a model type declares (a list item's index is
    ``*``): where a scenario can name a data file."""
    out: dict[str, str] = {}
    for name, info in model_type.model_fields.items():
        marker = next((m for m in info.metadata if isinstance(m, DataFile)), None)
        if marker is not None:
            out[f"{prefix}{name}"] = marker.kind
            continue
        stack = [(info.annotation, f"{prefix}{name}")]
        while stack:
            t, path = stack.pop()
            if isinstance(t, type) and issubclass(t, BaseModel):
                out.update(data_file_kinds(t, f"{path}."))
                continue
            origin = typing.get_origin(t)
            item = f"{path}.*" if origin in (list, tuple, dict) else path
            args = typing.get_args(t)
            stack.extend((a, item) for a in (args[1:] if origin is dict else args))
    return out


# ----------------------------------------------------------------------------------------------- access


class DataAccess(Protocol):
    """Who may name which data files, and how a run reads them."""

    def check(self, kind: str, value: str) -> str | None:
        """Why ``value`` may not name a data file of ``kind`` here, or None when it may."""

    def read(self, kind: str, value: str) -> tuple[bytes, str]:
        """The file's bytes and the label messages quote it by; ``DataFileError`` when it cannot be read."""


def _read_dataset_file(folder: Path, sha: str, max_bytes: int) -> bytes:
    """The bytes of ``<folder>/<sha>``: a regular file, not followed through a symbolic link, with that hash."""
    ref = dataset_ref(sha)
    path = Path(folder) / sha
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise DataFileError(f"{ref}: no such data set in this server's data folder (upload it again: POST "
                            "/v1/datasets)") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DataFileError(f"{ref}: the stored file is a symbolic link, which is not followed") from None
        raise DataFileError(f"{ref}: cannot open the stored file ({exc.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DataFileError(f"{ref}: the stored file is not a regular file")
        if st.st_size > max_bytes:
            raise DataFileError(f"{ref}: the stored file has {st.st_size} bytes, more than the limit of {max_bytes}")
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(max_bytes + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    if hashlib.sha256(data).hexdigest() != sha:
        raise DataFileError(f"{ref}: the stored file no longer has this hash (it changed on disk); upload the data "
                            "set again")
    return data


def _not_a_dataset(kind: str, value: str) -> str:
    return (f"{value[:80]!r} is not a data set reference: this server reads data only from data sets uploaded to it "
            f"(POST /v1/datasets with kind={kind}); name one as dataset:<id> (64 hex digits)")


@dataclass
class LocalFiles:
    """The command line's access: the user's own paths; ``dataset:<sha256>`` from ``dataset_folder`` when given."""

    dataset_folder: Path | None = None
    max_bytes: int = 1 << 31

    def check(self, kind: str, value: str) -> str | None:
        value = os.fspath(value)
        if value.startswith(DATASET_PREFIX) and self.dataset_folder is None:
            return f"{value[:80]!r} names an uploaded data set, and no data-set folder is given here"
        if value.startswith(DATASET_PREFIX) and parse_dataset_ref(value) is None:
            return f"{value[:80]!r} is not a data set reference (dataset: and 64 hex digits)"
        return None

    def read(self, kind: str, value: str) -> tuple[bytes, str]:
        value = os.fspath(value)
        sha = parse_dataset_ref(value)
        if sha is not None and self.dataset_folder is not None:
            return _read_dataset_file(self.dataset_folder, sha, self.max_bytes), value
        reason = self.check(kind, value)
        if reason:
            raise DataFileError(reason)
        try:
            return Path(value).read_bytes(), value
        except OSError as exc:
            raise DataFileError(f"{value}: cannot read ({exc.strerror or exc})") from None


@dataclass
class DatasetFiles:
    """Only uploaded data sets, read from ``folder`` (the API's workers). ``known`` answers whether a data set of
    that kind is registered (``None``: any stored file will do; the registry is the API's)."""

    folder: Path
    max_bytes: int = 1 << 31
    known: Any = None

    def check(self, kind: str, value: str) -> str | None:
        sha = parse_dataset_ref(value)
        if sha is None:
            return _not_a_dataset(kind, value)
        if self.known is not None:
            return self.known(kind, sha)
        return None

    def read(self, kind: str, value: str) -> tuple[bytes, str]:
        reason = self.check(kind, value)
        if reason:
            raise DataFileError(reason)
        return _read_dataset_file(self.folder, parse_dataset_ref(value), self.max_bytes), value


@dataclass
class InlineDatasets:
    """Only the data sets given here as bytes, by SHA-256 (a run shipped to a worker that has no data folder)."""

    blobs: dict[str, bytes] = field(default_factory=dict)

    def check(self, kind: str, value: str) -> str | None:
        sha = parse_dataset_ref(value)
        if sha is None:
            return _not_a_dataset(kind, value)
        if sha not in self.blobs:
            return f"{value}: this data set was not shipped with the run"
        return None

    def read(self, kind: str, value: str) -> tuple[bytes, str]:
        reason = self.check(kind, value)
        if reason:
            raise DataFileError(reason)
        data = self.blobs[parse_dataset_ref(value)]
        if hashlib.sha256(data).hexdigest() != parse_dataset_ref(value):
            raise DataFileError(f"{value}: the shipped bytes do not have this hash")
        return data, value


# ----------------------------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class TableLimits:
    """Bounds on a data file, checked before it is parsed."""

    max_columns: int = 64
    max_rows: int = 5_000_000
    max_uncompressed_bytes: int = 1 << 30


def tabular_text(data: bytes, label: str, limits: TableLimits = TableLimits()) -> str:
    """The CSV text of a data file: CSV (UTF-8, a header row) as it is, or Parquet converted to CSV (timestamps as
    ISO 8601 with their offset; a timestamp without a time zone is written without one, which the readers refuse).

    Checked before anything is parsed: not empty, not compressed (gzip, zip, bzip2, xz, zstd), at most
    ``max_columns`` columns in the header or the Parquet schema, at most ``max_rows`` rows, and for Parquet at
    most ``max_uncompressed_bytes`` once decompressed (from its footer). ``DataFileError`` names what is wrong.
    """
    if not data:
        raise DataFileError(f"{label}: empty file")
    for magic, name in ((b"\x1f\x8b", "gzip"), (b"PK\x03\x04", "zip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"),
                        (b"\x28\xb5\x2f\xfd", "zstd")):
        if data.startswith(magic):
            raise DataFileError(f"{label}: a {name}-compressed file; send the CSV or Parquet file itself")
    if data[:4] == PARQUET_MAGIC:
        return _parquet_text(data, label, limits)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{label}: not UTF-8 text (byte {exc.start}) and not Parquet") from None
    end = text.find("\n")
    header = text if end < 0 else text[:end]
    columns = header.count(",") + 1
    if columns > limits.max_columns:
        raise DataFileError(f"{label}: the header has {columns} columns, more than the limit of "
                            f"{limits.max_columns}")
    rows = text.count("\n")
    if rows > limits.max_rows + 1:
        raise DataFileError(f"{label}: {rows} lines, more than the limit of {limits.max_rows} rows")
    return text


def _parquet_text(data: bytes, label: str, limits: TableLimits) -> str:
    """Parquet as CSV text, read batch by batch: text columns are read as dictionaries, so a value repeated a
    million times is counted at its full length before it is expanded; flat columns only."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    errors = (pa.ArrowException, OSError, ValueError)
    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
        schema = pq.ParquetFile(io.BytesIO(data)).schema_arrow
    except errors as exc:
        raise DataFileError(f"{label}: not a readable Parquet file ({exc})") from None
    if meta.num_columns > limits.max_columns:
        raise DataFileError(f"{label}: {meta.num_columns} columns, more than the limit of {limits.max_columns}")
    if meta.num_rows > limits.max_rows:
        raise DataFileError(f"{label}: {meta.num_rows} rows, more than the limit of {limits.max_rows}")
    encoded = sum(meta.row_group(g).column(c).total_uncompressed_size
                  for g in range(meta.num_row_groups) for c in range(meta.num_columns))
    if encoded > limits.max_uncompressed_bytes:
        raise DataFileError(f"{label}: {encoded} bytes once decompressed, more than the limit of "
                            f"{limits.max_uncompressed_bytes}")
    text_columns = []
    for f in schema:
        if pa.types.is_nested(f.type):
            raise DataFileError(f"{label}: column {f.name[:40]!r} has the nested type {f.type}; data sets hold flat "
                                "columns")
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type) or pa.types.is_binary(f.type):
            text_columns.append(f.name)
    out = io.BytesIO()
    rows, size, writer = 0, 0, None
    try:
        for batch in pq.ParquetFile(io.BytesIO(data), read_dictionary=text_columns).iter_batches(batch_size=65536):
            rows += batch.num_rows
            columns = []
            for column in batch.columns:
                if pa.types.is_dictionary(column.type):
                    lengths = pc.binary_length(column.dictionary)
                    size += (pc.sum(pc.take(lengths, column.indices)).as_py() or 0) + column.indices.nbytes
                    column = column.dictionary_decode() if size <= limits.max_uncompressed_bytes else column
                else:
                    size += column.nbytes
                columns.append(column)
            if size > limits.max_uncompressed_bytes or rows > meta.num_rows:
                why = (f"about {size} bytes once read, more than the limit of {limits.max_uncompressed_bytes}"
                       if rows <= meta.num_rows else "more rows than its footer says")
                raise DataFileError(f"{label}: {why}")
            table = pa.Table.from_arrays(columns, names=batch.schema.names)
            if writer is None:
                writer = pcsv.CSVWriter(out, table.schema)
            writer.write_table(table)
    except errors as exc:
        raise DataFileError(f"{label}: the Parquet file cannot be read as its footer describes it ({exc})") from None
    finally:
        if writer is not None:
            writer.close()
    if rows != meta.num_rows:
        raise DataFileError(f"{label}: {rows} rows, and its footer says {meta.num_rows}")
    if writer is None:  # no rows: the header alone
        return ",".join(schema.names) + "\n"
    return out.getvalue().decode("utf-8")
