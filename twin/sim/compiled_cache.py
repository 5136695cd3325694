"""Keep numba's on-disk cache of the compiled kernel in step with the state arrays' layout.

numba caches each compiled function keyed to its own source file and bytecode, not to the module constants it
reads, and the kernel reads the array layout (``twin.sim.state``, ``twin.sim.recorder``) as constants from other
modules. A changed layout with an unchanged ``kernel_cabin.py`` would load that function's stale machine code and
index the wrong columns, silently. So the kernel's cache carries a stamp of every module it is compiled from; when
any of them changed since the stamp was written, the kernel's cached files are removed before the first call and
everything compiles afresh (about a minute on the 2-core machine, once per machine and version).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["KERNEL_MODULES", "refresh"]

KERNEL_MODULES = ("state", "recorder", "kernel_physics", "kernel_cabin", "kernel_jobs", "kernel")
"""Modules of ``twin.sim`` whose code or constants the compiled kernel is built from."""


def _stamp(here: Path) -> str:
    h = hashlib.sha256()
    for name in KERNEL_MODULES:
        h.update((here / f"{name}.py").read_bytes())
    return h.hexdigest()


def refresh(dispatcher) -> None:
    """Before the first call: clear the kernel's cached files where they no longer match the source.

    ``dispatcher``: a compiled kernel function (its cache knows where numba keeps the files)."""
    cache = getattr(dispatcher, "_cache", None)
    path = getattr(cache, "cache_path", None)
    if not path:  # caching off (NUMBA_DISABLE_JIT, or no writable place)
        return
    folder = Path(path)
    here = Path(__file__).resolve().parent
    stamp = _stamp(here)
    mark = folder / "twin_sim_kernel.stamp"
    try:
        if mark.is_file() and mark.read_text() == stamp:
            return
        for name in KERNEL_MODULES:
            for f in list(folder.glob(f"{name}.*.nbi")) + list(folder.glob(f"{name}.*.nbc")):
                f.unlink(missing_ok=True)
        folder.mkdir(parents=True, exist_ok=True)
        mark.write_text(stamp)
    except OSError:  # a read-only install: numba then compiles in memory each time, which is always fresh
        return
