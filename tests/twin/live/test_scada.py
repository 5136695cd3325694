"""Reading SCADA and reference-wind files (twin.live.scada), and the wind chain's argument checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.live.scada import read_reference_wind, read_scada
from twin.live.wind_chain import calibrate_wind_chain, predict_power_w, score_prediction

T0 = pd.Timestamp("2024-01-01 00:00", tz="UTC")


def _scada_frame(n=12, repeat=1):
    time = pd.date_range(T0, periods=n, freq="10min")
    rows = []
    for name, scale in (("B", 1.0), ("A", 0.5)):
        for i, t in enumerate(time):
            rows.append({"time": t, "turbine": name, "power_kw": scale * 100.0 * (i // repeat),
                         "wind_speed_m_s": 3.0 + 0.5 * (i // repeat), "pitch_angle_deg": 0.0, "outdoor_temp_c": 10.0})
    return pd.DataFrame(rows)


def _reference_frame(hours=4):
    time = pd.date_range(T0 - pd.Timedelta(hours=1), periods=hours, freq="1h")
    return pd.DataFrame({"time": time, "eastward_wind_100m_m_s": np.full(hours, -3.0),
                         "northward_wind_100m_m_s": np.full(hours, -4.0), "air_temp_2m_k": np.full(hours, 283.15),
                         "surface_pressure_pa": np.full(hours, 100_000.0)})


def test_read_scada_puts_records_on_the_grid(tmp_path):
    frame = _scada_frame().drop(index=[3])  # a missing record of turbine B
    frame.to_parquet(tmp_path / "s.parquet")
    s = read_scada(tmp_path / "s.parquet")
    assert s.turbines == ("A", "B")
    assert s.time[0] == T0 and len(s.time) == 12 and s.step_s == 600.0
    assert s.power_w[1, 2] == 200e3 and np.isnan(s.power_w[1, 3])  # kW -> W; the gap is NaN
    assert s.power_w[0, 3] == 150e3
    np.testing.assert_allclose(s.wind_speed_m_s[0, :3], [3.0, 3.5, 4.0])


def test_read_reference_wind_from_components(tmp_path):
    _reference_frame().to_parquet(tmp_path / "r.parquet")
    r = read_reference_wind(tmp_path / "r.parquet")
    assert r.height_m == 100.0
    at = r.at(pd.DatetimeIndex([T0 + pd.Timedelta(minutes=5)]))
    # u = -3, v = -4: 5 m/s towards south-west, i.e. FROM the north-east: atan2(3, 4) = 36.87 deg
    assert at["wind_speed_m_s"][0] == pytest.approx(5.0)
    assert at["wind_direction_deg"][0] == pytest.approx(36.869898, abs=1e-6)
    with pytest.raises(ValueError, match="reaches outside the reference wind"):
        r.at(pd.DatetimeIndex([T0 + pd.Timedelta(hours=5)]))
    with pytest.raises(ValueError, match="times: must be timezone-aware"):
        r.at(pd.DatetimeIndex([pd.Timestamp("2024-01-01")]))


def test_read_reference_wind_from_speed_and_direction(tmp_path):
    frame = _reference_frame().drop(columns=["eastward_wind_100m_m_s", "northward_wind_100m_m_s"])
    frame["wind_speed_m_s"], frame["wind_direction_deg"] = 5.0, 270.0  # from the west: u = +5
    frame.to_parquet(tmp_path / "r.parquet")
    r = read_reference_wind(tmp_path / "r.parquet")
    assert r.height_m is None
    np.testing.assert_allclose(r.eastward_m_s, 5.0)
    np.testing.assert_allclose(r.northward_m_s, 0.0, atol=1e-12)


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.drop(columns=["pitch_angle_deg"]), "missing column.*pitch_angle_deg"),
    (lambda f: f.assign(time=f["time"].dt.tz_localize(None)), "column time: must be timezone-aware"),
    (lambda f: pd.concat([f, f.iloc[[0]]]), r"duplicated \(turbine, time\) rows"),
    (lambda f: f.assign(time=f["time"] + pd.to_timedelta(np.arange(len(f)) % 2, "s")), "not on a regular 600 s grid"),
    (lambda f: f.assign(power_kw=np.inf), "column power_kw: must not be infinite"),
    (lambda f: f.assign(wind_speed_m_s="fast"), "column wind_speed_m_s: must be numeric"),
])
def test_read_scada_rejects_bad_files(tmp_path, change, message):
    change(_scada_frame()).to_parquet(tmp_path / "s.parquet")
    with pytest.raises(ValueError, match=message):
        read_scada(tmp_path / "s.parquet")


def test_read_scada_missing_or_unreadable_file(tmp_path):
    with pytest.raises(ValueError, match="path: no such file"):
        read_scada(tmp_path / "none.parquet")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(ValueError, match="is not a readable Parquet file"):
        read_scada(tmp_path / "bad.parquet")


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.drop(columns=["northward_wind_100m_m_s"]), "need one pair eastward_wind_<h>m_m_s"),
    (lambda f: f.rename(columns={"northward_wind_100m_m_s": "northward_wind_10m_m_s"}), "at different heights"),
    (lambda f: f.assign(surface_pressure_pa=1000.0), r"outside 50,000-110,000 Pa \(hPa given\?\)"),
    (lambda f: f.assign(air_temp_2m_k=10.0), r"air_temp_2m_k: outside 180-340 K \(degC given\?\)"),
    (lambda f: f.assign(eastward_wind_100m_m_s=[np.nan, 1.0, 1.0, 1.0]), "column wind: has missing values"),
    (lambda f: f.iloc[::-1], "strictly increasing"),
])
def test_read_reference_wind_rejects_bad_files(tmp_path, change, message):
    change(_reference_frame()).to_parquet(tmp_path / "r.parquet")
    with pytest.raises(ValueError, match=message):
        read_reference_wind(tmp_path / "r.parquet")


def test_wind_chain_argument_checks(tmp_path):
    _scada_frame(n=36, repeat=3).to_parquet(tmp_path / "s.parquet")  # 12 bins of 3 records, 3 to 8.5 m/s
    _reference_frame(hours=9).to_parquet(tmp_path / "r.parquet")
    s, r = read_scada(tmp_path / "s.parquet"), read_reference_wind(tmp_path / "r.parquet")
    end = T0 + pd.Timedelta(hours=6)
    kw = {"rated_power_w": 2e6, "rotor_diameter_m": 82.0, "hub_height_m": 80.0}
    with pytest.raises(ValueError, match="end: must be after start"):
        calibrate_wind_chain(s, r, end, T0, **kw)
    with pytest.raises(ValueError, match="start: must be timezone-aware"):
        calibrate_wind_chain(s, r, pd.Timestamp("2024-01-01"), end, **kw)
    with pytest.raises(ValueError, match="start, end: no SCADA record"):
        calibrate_wind_chain(s, r, end, end + pd.Timedelta(hours=1), **kw)
    with pytest.raises(ValueError, match="sectors: must be an integer >= 1"):
        calibrate_wind_chain(s, r, T0, end, sectors=0, **kw)
    cal = calibrate_wind_chain(s, r, T0, end, min_sector_records=1, **kw)
    assert set(cal.turbines) == {"A", "B"}
    # one sector holds every record (the reference blows from 37 deg): its scale is the ratio of the means
    b = cal.turbines["B"]
    assert b.speed_scale[1] == pytest.approx(np.mean(3.0 + 0.5 * np.arange(12)) / 5.0)
    assert b.availability == 1.0 and b.records_binned == 36
    assert np.all(b.speed_scale[[0, *range(2, 12)]] == b.speed_scale[1])  # the others fall back to it
    # the measured power scored against itself: hourly energies over the six complete hours; B makes
    # (1/6 h) x 100 kW x 3 x (0 + 1 + ... + 11) = 3.3 MWh, A half of it
    exact = score_prediction(s, s.power_w, T0, end, 2e6)
    assert exact["B"].measured_energy_wh == pytest.approx(3.3e6)
    assert exact["farm"].measured_energy_wh == pytest.approx(4.95e6)
    assert exact["farm"].hours == 6 and exact["farm"].energy_error == 0.0 and exact["farm"].hourly.cv_rmse == 0.0
    assert exact["farm"].monthly is None  # one month: no monthly statistic
    with pytest.raises(ValueError, match="wind: must be one of"):
        predict_power_w(cal, s, r, T0, end, wind="mast")
    with pytest.raises(ValueError, match="predicted_w: shape"):
        score_prediction(s, np.zeros(3), T0, end, 2e6)
