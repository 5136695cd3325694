"""The twin's year as a command-line process against EnergyPlus's annual one-zone data-centre example, side by side.

Runs ``seabed-twin run <design> --json`` (a year at 60 s; the compiled kernel's cache warm) and the EnergyPlus
anchor (``../shared/anchors/energyplus/run_annual.py``: its own one-zone data-centre test file made annual, 10-minute
steps) alternately, three times each, and prints every wall time and the median ratio (target: at most 0.4). The
anchor prints the wall time of its simulation call; the twin's figure is its whole process (start-up, imports,
loading the compiled kernel, the run, the KPIs). Both ratios are printed: twin process / anchor's simulation (as
issue 15 measured it) and twin process / anchor process.

Before the timed runs, one twin process runs with an empty compile cache (``NUMBA_CACHE_DIR`` a fresh folder):
the cold start, compile included, printed separately.

EnergyPlus comes from PyPI (``pyenergyplus-lbnl``), installed into a venv of its own when missing
(``--eplus-venv``, default ``/work/eplus-venv``).

    python benchmarks/energyplus.py [--design lingang-phase1] [--anchor DIR] [--eplus-venv DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_ANCHOR = HERE.parent.parent / "shared" / "anchors" / "energyplus"


def ensure_energyplus(venv: Path) -> Path:
    """The venv's python, with ``pyenergyplus-lbnl`` installed (made when missing)."""
    python = venv / "bin" / "python"
    if not python.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = subprocess.run([str(python), "-c", "import pyenergyplus"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "pyenergyplus-lbnl"], check=True)
    return python


def twin_command(design: str) -> list[str]:
    """``seabed-twin run <design> --json`` in this interpreter's environment (the console script when it is on the
    path next to this interpreter, else its module)."""
    script = Path(sys.executable).with_name("seabed-twin")
    if script.is_file():
        return [str(script), "run", design, "--json"]
    return [sys.executable, "-m", "twin", "run", design, "--json"]


def run_twin(design: str, env: dict | None = None) -> tuple[float, dict]:
    t0 = time.perf_counter()
    done = subprocess.run(twin_command(design), capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"twin run failed: {done.stderr[-2000:]}")
    return wall, json.loads(done.stdout)


def run_anchor(python: Path, anchor: Path) -> tuple[float, float]:
    """(process wall time, the anchor's own printed simulation time) [s]."""
    with tempfile.TemporaryDirectory(prefix="eplus-") as out:
        t0 = time.perf_counter()
        done = subprocess.run([str(python), str(anchor / "run_annual.py"), out], capture_output=True, text=True)
        wall = time.perf_counter() - t0
    match = re.search(r"rc=(-?\d+) wall_s=([0-9.]+)", done.stdout)
    if done.returncode != 0 or not match or match.group(1) != "0":
        raise RuntimeError(f"EnergyPlus anchor failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    return wall, float(match.group(2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--design", default="lingang-phase1")
    ap.add_argument("--anchor", type=Path, default=DEFAULT_ANCHOR)
    ap.add_argument("--eplus-venv", type=Path, default=Path("/work/eplus-venv"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    python = ensure_energyplus(args.eplus_venv)

    cold_dir = tempfile.mkdtemp(prefix="numba-cold-")
    try:
        cold_s, _ = run_twin(args.design, {**os.environ, "NUMBA_CACHE_DIR": cold_dir})
    finally:
        shutil.rmtree(cold_dir, ignore_errors=True)
    run_twin(args.design)  # the default cache warm (a no-op when it already is)
    print(f"twin process, empty compile cache (compiles the kernel): {cold_s:.2f} s")

    twin, eplus, eplus_sim = [], [], []
    for i in range(args.repeat):
        t, kpis = run_twin(args.design)
        twin.append(t)
        w, s = run_anchor(python, args.anchor)
        eplus.append(w)
        eplus_sim.append(s)
        print(f"round {i + 1}: twin process {t:7.2f} s   EnergyPlus process {w:7.2f} s (its simulation {s:.2f} s)")
    mt, me, ms = statistics.median(twin), statistics.median(eplus), statistics.median(eplus_sim)
    print(f"median twin process            {mt:7.2f} s  (energy balance error {kpis['energy_balance_error']:.1e})")
    print(f"median EnergyPlus simulation   {ms:7.2f} s   process {me:.2f} s")
    print(f"ratio twin / EnergyPlus simulation  {mt / ms:.3f}  (target <= 0.4)")
    print(f"ratio twin / EnergyPlus process     {mt / me:.3f}")


if __name__ == "__main__":
    main()
