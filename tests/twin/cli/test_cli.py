"""The command line: exit codes, --json, designs, outputs."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import yaml

from twin.scenario import design_dir
from twin.sim.kpis import KPI_UNITS

REQUIRED_KPIS = ("pue", "ref", "cue_kg_per_kwh", "wue_l_per_kwh", "it_energy_mwh", "facility_energy_mwh",
                 "wind_energy_mwh", "grid_import_mwh", "curtailed_energy_mwh", "cooling_energy_share",
                 "max_inlet_temp_c", "hours_inlet_above_recommended", "capacity_factor", "jobs_completed",
                 "job_wait_p95_s", "energy_balance_error")


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "twin", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_designs_lists_the_shipped_designs():
    out = _cli("designs")
    assert out.returncode == 0
    assert out.stdout.split() == sorted(p.stem for p in design_dir().glob("*.yaml"))


def test_json_prints_one_object_with_every_required_kpi():
    out = _cli("run", "lingang-phase1", "--horizon", "1d", "--step", "300s", "--json")
    assert out.returncode == 0, out.stderr
    kpis = json.loads(out.stdout)  # the whole of stdout is one JSON document
    for name in REQUIRED_KPIS:
        assert name in kpis and name in KPI_UNITS
    assert kpis["energy_balance_error"] < 1e-3


def test_bad_scenario_exits_2_with_every_problem_and_no_traceback(tmp_path):
    data = yaml.safe_load((design_dir() / "lingang-phase1.yaml").read_text())
    data["site"]["water_depth_m"] = -5.0
    data["wind"]["farm"]["turbine"] = "acme-9mw"
    data["wind"]["farm"]["power_curve"]["wind_speed_m_s"][2] = 2.0
    data["run"]["horizon_s"] = 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    out = _cli("run", str(bad))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and out.stdout == ""
    for path in ("site.water_depth_m", "wind.farm.turbine", "wind.farm.power_curve", "run.horizon_s"):
        assert path in out.stderr


def test_bad_override_and_unknown_design_exit_2():
    out = _cli("run", "lingang-phase1", "--set", "cabins.0.racks.rack_count=-3")
    assert out.returncode == 2 and "cabins.0.racks.rack_count" in out.stderr and "Traceback" not in out.stderr
    out = _cli("run", "no-such-design")
    assert out.returncode == 2 and "lingang-phase1" in out.stderr
    out = _cli("run", "lingang-phase1", "--step", "soon")
    assert out.returncode == 2 and "duration" in out.stderr


def test_run_writes_parquet_json_and_picture(tmp_path):
    out = _cli("run", "lingang-phase1", "--horizon", "2d", "--out", str(tmp_path / "r"))
    assert out.returncode == 0, out.stderr
    series = pd.read_parquet(tmp_path / "r" / "series.parquet")
    kpis = json.loads((tmp_path / "r" / "kpis.json").read_text())
    ledger = json.loads((tmp_path / "r" / "ledger.json").read_text())
    assert len(series) == 2 * 1440 and "pue" in out.stdout
    assert kpis["it_energy_mwh"] > 0 and abs(ledger["relative_residual"]) < 1e-3
    png = (tmp_path / "r" / "thermal_state.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_green_prints_the_three_refs_and_refuses_nothing_to_move():
    out = _cli("green", "lingang-phase1", "--horizon", "3d", "--flexible-share", "0.4", "--json")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["direct_share_baseline"] < r["direct_share_policy"] <= r["direct_share_optimum"] + 0.01
    out = _cli("green", "lingang-phase1")
    assert out.returncode == 2 and "workload.flexible_share" in out.stderr and "Traceback" not in out.stderr


def test_a_run_reads_data_sets_from_an_api_data_folder(tmp_path):
    """An API run's scenario names its data as dataset:<sha256>; --datasets reruns it from the data folder."""
    import hashlib

    trace = b"submit_s,servers,duration_s\n" + b"".join(b"%d,1,1800\n" % (600 * k) for k in range(100))
    sha = hashlib.sha256(trace).hexdigest()
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / sha).write_bytes(trace)
    args = ("run", "lingang-phase1", "--horizon", "1d", "--step", "300s", "--json",
            "--set", f"workload.trace_csv=dataset:{sha}")
    out = _cli(*args, "--datasets", str(tmp_path / "datasets"))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["jobs_completed"] > 50
    out = _cli(*args)  # without the folder the reference cannot be read: exit 2 naming the field
    assert out.returncode == 2 and "workload.trace_csv" in out.stderr and "no data-set folder" in out.stderr
