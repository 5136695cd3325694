"""``seabed-twin wind-fit``: a measured-wind CSV in, a scenario fragment out that a scenario takes as it is."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from twin.scenario import load_scenario


def test_wind_fit_prints_a_fragment_the_scenario_takes(tmp_path):
    pvlib = pytest.importorskip("pvlib")
    from pvlib.iotools import read_tmy3

    df, _ = read_tmy3(os.path.join(os.path.dirname(pvlib.__file__), "data", "703165TY.csv"), map_variables=True)
    time = pd.date_range("2021-01-01", periods=len(df), freq="h", tz="Etc/GMT+9")  # Sand Point's standard time
    pd.DataFrame({"timestamp": [t.isoformat() for t in time], "wind_speed_m_s": df["wind_speed"].to_numpy(),
                  "wind_direction_deg": df["wind_direction"].to_numpy() % 360.0, "height_m": 10.0}) \
        .to_csv(tmp_path / "sand-point.csv", index=False)
    out = subprocess.run([sys.executable, "-m", "twin", "wind-fit", str(tmp_path / "sand-point.csv"),
                          "--timezone", "Etc/GMT+9"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    resource = yaml.safe_load(out.stdout)["wind"]["resource"]
    assert resource["reference_height_m"] == 10.0 and len(resource["direction_sector_weights"]) == 12
    assert 0.0 < resource["synoptic_weight"] <= 0.95
    assert "autocorrelation at 24 h" in out.stderr
    sets = [f"wind.resource.{k}={v}" for k, v in resource.items()]
    sc = load_scenario("lingang-phase1", sets)
    assert sc.wind.resource.synoptic_weight == resource["synoptic_weight"]
    bad = subprocess.run([sys.executable, "-m", "twin", "wind-fit", str(tmp_path / "missing.csv")],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "missing.csv" in bad.stderr
