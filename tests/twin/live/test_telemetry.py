"""The twin's telemetry (issue 18): the long format read with row-level errors, put on the twin's steps with gaps
reported and never filled, and synthetic telemetry from a run with noise, bias, drift and gaps."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from twin.live.telemetry import SynthOptions, TelemetryError, on_steps, read_telemetry, synthesize

GOOD = (b"timestamp,signal,value\n"
        b"2026-08-01T00:00:00+08:00,sea_temp_c,27.0\n"
        b"2026-08-01T00:02:00+08:00,sea_temp_c,27.2\n"
        b"2026-08-01T00:05:00+08:00,sea_temp_c,27.4\n"
        b"2026-07-31T16:01:00Z,cabin0_inlet_temp_c,24.1\n"
        b"2026-08-01T00:20:00+08:00,sea_temp_c,27.6\n")


def test_the_long_format_reads_in_any_order():
    tele = read_telemetry(GOOD, "t.csv", {"sea_temp_c", "cabin0_inlet_temp_c"})
    assert tele.signals == ["cabin0_inlet_temp_c", "sea_temp_c"] and len(tele) == 5
    assert tele.frame["time"].iloc[0] == pd.Timestamp("2026-07-31T16:01:00Z")


def test_bad_rows_are_named_by_row_line_and_column():
    bad = (b"timestamp,signal,value\n"
           b"2026-08-01T00:00:00,sea_temp_c,27.0\n"           # no offset
           b"2026-08-01T00:02:00+08:00,sea_temperature,27.2\n"  # not a series of the twin
           b"2026-08-01T00:05:00+08:00,sea_temp_c,warm\n"      # not a number
           b"2026-08-01T00:05:00+08:00,sea_temp_c,nan\n")      # not finite
    with pytest.raises(TelemetryError) as err:
        read_telemetry(bad, "t.csv", {"sea_temp_c"})
    assert err.value.problems == [
        "row 1 (line 2), column timestamp: '2026-08-01T00:00:00' has no UTC offset",
        "row 2 (line 3), column signal: 'sea_temperature' is not a series of this twin",
        "row 3 (line 4), column value: 'warm' is not a finite number",
        "row 4 (line 5), column value: 'nan' is not a finite number"]
    with pytest.raises(TelemetryError, match="missing column"):
        read_telemetry(b"time,signal,value\n", "t.csv")
    # a row with a field more than the header, an unbalanced quote, no header at all: each a clear error
    for text in (b"timestamp,signal,value\n2026-08-01T00:00:00Z,sea_temp_c,27.0,extra\n",
                 b'timestamp,signal,value\n"2026-08-01T00:00:00Z,sea_temp_c,27.0\n', b"\n\n"):
        with pytest.raises(TelemetryError):
            read_telemetry(text, "t.csv")


def test_on_steps_averages_inside_a_step_and_reports_gaps():
    tele = read_telemetry(GOOD, "t.csv")
    index = pd.date_range("2026-08-01T00:00:00+08:00", periods=4, freq="10min")
    g = on_steps(tele, index, 600.0)
    np.testing.assert_allclose(g.values["sea_temp_c"].to_numpy(), [27.2, np.nan, 27.6, np.nan])
    assert g.samples["sea_temp_c"].tolist() == [3, 0, 1, 0]
    assert g.coverage["sea_temp_c"] == 0.5
    assert [(a.strftime("%H:%M"), b.strftime("%H:%M"), n) for a, b, n in g.gaps["sea_temp_c"]] == [
        ("00:10", "00:20", 1), ("00:30", "00:40", 1)]
    assert g.values["cabin0_inlet_temp_c"].iloc[0] == pytest.approx(24.1)


def test_synthetic_noise_bias_drift_and_gaps():
    index = pd.date_range("2026-08-01", periods=2 * 1440, freq="min", tz="UTC")
    truth = pd.DataFrame({"sea_temp_c": np.full(index.size, 27.0), "it_power_w": np.full(index.size, 2e6)},
                         index=index)
    long = synthesize(truth, ["sea_temp_c", "it_power_w"],
                      SynthOptions(noise={"sea_temp_c": 0.1}, bias={"sea_temp_c": 0.5},
                                   drift_per_day={"sea_temp_c": 0.2}, gap_rate_per_day=3.0, gap_mean_h=1.0, seed=4))
    sea = long[long.signal == "sea_temp_c"]
    days = (sea.timestamp - index[0]).dt.total_seconds() / 86400.0
    resid = sea.value - (27.0 + 0.5 + 0.2 * days)
    assert abs(resid.mean()) < 0.01 and resid.std() == pytest.approx(0.1, rel=0.05)
    power = long[long.signal == "it_power_w"]
    assert (power.value - 2e6).std() == pytest.approx(2e4, rel=0.05)  # 1 % of a power by default
    assert len(sea) < index.size  # the gaps are left out, not filled
    with pytest.raises(ValueError, match="signals"):
        synthesize(truth, ["no_such_series"], SynthOptions())


def test_telemetry_synth_writes_what_the_reader_takes(tmp_path):
    out = tmp_path / "tele.csv"
    r = subprocess.run([sys.executable, "-m", "twin", "telemetry", "synth", "lingang-phase1", "--horizon", "2d",
                        "--step", "600s", "--set", "cabins.0.cooling.design_approach_k=4.0", "--out", str(out),
                        "--gaps-per-day", "1", "--noise", "cabin0_inlet_temp_c=0.05"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    tele = read_telemetry(out.read_bytes(), "tele.csv")
    assert "cabin0_inlet_temp_c" in tele.signals and "hub_wind_speed_m_s" in tele.signals
    index = pd.date_range("2026-01-01T00:00:00+08:00", periods=288, freq="10min")
    g = on_steps(tele, index, 600.0)
    assert 0.5 < g.coverage["sea_temp_c"] < 1.0 and g.gaps["sea_temp_c"]
    bad = subprocess.run([sys.executable, "-m", "twin", "telemetry", "synth", "lingang-phase1", "--horizon", "1d",
                          "--out", str(tmp_path / "x.txt")], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--out" in bad.stderr
