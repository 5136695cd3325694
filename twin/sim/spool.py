"""A run's series on disk while it runs: the kernel's output buffers hold a chunk of output steps (about a week),
and each full chunk is appended here, so a year does not hold its whole series in memory.

The spool keeps every column exactly as the kernel recorded it (flows and the battery's energy float64, the rest
float32, the environment's step means float64): the ledger and the KPIs are computed from it column by column and
give the numbers the whole series in memory gave. The result's series (``RunResult.series``, float32 as
``series.parquet`` stores it) and ``series.parquet`` itself are read from it when asked for.

One anonymous temporary file per run (``tempfile.TemporaryFile``: it has no name on disk, so nothing is left behind
when the process ends, however it ends), chunk after chunk, each column's part of a chunk contiguous; the file goes
when the spool is collected with the result that owns it. A year at 60 s is about 190 MB of it (in the page cache
mostly, not in the process's resident set).
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pandas as pd

__all__ = ["SeriesSpool", "SpooledFrame", "chunk_rows", "CHUNK_SPAN_S"]

CHUNK_SPAN_S = 7 * 86400.0
"""About how much of a run the kernel's output buffers hold between two drains into the spool [s]."""


def chunk_rows(step_s: float, block_s: float, n_out: int, span_s: float | None = None) -> int:
    """Output steps of a chunk: about ``span_s`` (:data:`CHUNK_SPAN_S` when None), whole blocks of the racks'
    power record (``block_s``) when the steps divide a block (a kernel call that ends on a block's end books the
    racks' energy as it would have anyway), at most the run's ``n_out``."""
    span_s = CHUNK_SPAN_S if span_s is None else span_s
    per_block = block_s / step_s
    unit = int(round(per_block)) if per_block >= 1.0 and abs(per_block - round(per_block)) < 1e-9 else 1
    return max(1, min(n_out, unit * max(1, int(round(span_s / (unit * step_s))))))


class SeriesSpool:
    """Named columns of ``n`` rows appended chunk by chunk (module docstring)."""

    def __init__(self, n: int):
        self.n = n
        self.rows = 0
        """Rows appended so far (of every column appended chunk by chunk)."""
        self.dtypes: dict[str, np.dtype] = {}
        self._parts: dict[str, list[tuple[int, int, int]]] = {}  # name -> [(first row, rows, byte offset)]
        self._file = tempfile.TemporaryFile(prefix="seabed-twin-series-")
        self._size = 0

    @property
    def columns(self) -> list[str]:
        return list(self.dtypes)

    def _write(self, name: str, row0: int, values: np.ndarray) -> None:
        values = np.ascontiguousarray(values)
        dtype = self.dtypes.setdefault(name, values.dtype)
        if values.dtype != dtype:
            raise TypeError(f"column {name}: {values.dtype} after {dtype}")
        data = memoryview(values).cast("B")
        fd = self._file.fileno()
        done = 0
        while done < len(data):
            done += os.pwrite(fd, data[done:], self._size + done)
        self._parts.setdefault(name, []).append((row0, values.size, self._size))
        self._size += len(data)

    def append(self, columns: dict[str, np.ndarray]) -> None:
        """The next rows of every recorded column (a chunk: the same number of rows in each)."""
        sizes = {v.shape[0] for v in columns.values()}
        if len(sizes) != 1:
            raise ValueError(f"a chunk's columns differ in length: {sorted(sizes)}")
        k = sizes.pop()
        if self.rows + k > self.n:
            raise ValueError(f"{self.rows + k} rows spooled of {self.n}")
        for name, values in columns.items():
            self._write(name, self.rows, values)
        self.rows += k

    def add(self, name: str, values: np.ndarray) -> None:
        """A whole column at once (the environment's step means, once the run is done)."""
        if values.shape != (self.n,):
            raise ValueError(f"column {name}: shape {values.shape}, not ({self.n},)")
        self._write(name, 0, values)

    def read(self, name: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Rows ``start:stop`` of a column (a new array of its recorded type)."""
        stop = self.n if stop is None else min(stop, self.n)
        dtype = self.dtypes[name]
        out = np.empty(max(stop - start, 0), dtype)
        fd = self._file.fileno()
        for row0, k, offset in self._parts[name]:
            a, b = max(start, row0), min(stop, row0 + k)
            if a >= b:
                continue
            view = memoryview(out[a - start:b - start]).cast("B")
            pos = offset + (a - row0) * dtype.itemsize
            done = 0
            while done < len(view):
                got = os.preadv(fd, [view[done:]], pos + done)
                if got <= 0:
                    raise OSError(f"column {name}: the spool file ended early")
                done += got
        return out

    def close(self) -> None:
        """Drop the file now (it goes anyway when the spool is collected)."""
        self._file.close()


class SpooledFrame:
    """A spool read as the part of a DataFrame the ledger and the KPIs use (``twin.sim.kpis``): ``frame[name]``
    a Series on the time index read from the spool, ``frame[[names]]`` a DataFrame of those, ``columns``,
    ``index`` and ``len``. One column at a time is in memory, not the series."""

    def __init__(self, spool: SeriesSpool, index: pd.DatetimeIndex):
        self.spool = spool
        self.index = index

    @property
    def columns(self) -> pd.Index:
        return pd.Index(self.spool.columns)

    def __len__(self) -> int:
        return self.spool.n

    def __getitem__(self, key):
        if isinstance(key, str):
            return pd.Series(self.spool.read(key), index=self.index, name=key, copy=False)
        return pd.DataFrame({name: self.spool.read(name) for name in key}, index=self.index, copy=False)
