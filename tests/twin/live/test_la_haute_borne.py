"""Real measurements: ENGIE's La Haute Borne SCADA (tests/data/la_haute_borne, LA_HAUTE_BORNE.md). The wind chain
calibrated on 2014 predicts 2015; ASHRAE Guideline 14 judges it (twin.live.wind_chain, docs/live.md)."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.live.scada import read_reference_wind, read_scada
from twin.live.wind_chain import calibrate_wind_chain, predict_power_w, score_prediction

DATA = Path(__file__).resolve().parents[2] / "data"
FOLDER = DATA / "la_haute_borne"
Y2014, Y2015, Y2016 = (pd.Timestamp(f"{y}-01-01", tz="UTC") for y in (2014, 2015, 2016))


@pytest.fixture(scope="module")
def assets():
    return pd.read_csv(FOLDER / "assets.csv")


@pytest.fixture(scope="module")
def turbine(assets):
    # Source: the asset table of the data set: four Senvion MM82, 2050 kW, rotor 82 m, hub 80 m
    row = assets.iloc[0]
    return {"rated_power_w": float(row["Rated_power"]) * 1e3, "rotor_diameter_m": float(row["Rotor_diameter_m"]),
            "hub_height_m": float(row["Hub_height_m"])}


@pytest.fixture(scope="module")
def scada():
    return read_scada(FOLDER / "scada.parquet")


@pytest.fixture(scope="module")
def era5():
    return read_reference_wind(FOLDER / "era5.parquet")


@pytest.fixture(scope="module")
def calibration(scada, era5, turbine):
    return calibrate_wind_chain(scada, era5, Y2014, Y2015, **turbine)


@pytest.fixture(scope="module")
def scores(calibration, scada, era5, turbine):
    out = {}
    for wind in ("nacelle", "reference"):
        predicted = predict_power_w(calibration, scada, era5, Y2015, Y2016, wind=wind)
        out[wind] = score_prediction(scada, predicted, Y2015, Y2016, turbine["rated_power_w"])
    return out


# --------------------------------------------------------------------------- the subset
def test_files_match_their_documented_checksums():
    doc = (DATA / "LA_HAUTE_BORNE.md").read_text()
    for name in ("scada.parquet", "era5.parquet", "assets.csv"):
        documented = re.search(rf"\| `{re.escape(name)}` \|[^\n]*?`([0-9a-f]{{64}})`", doc)
        assert documented, name
        assert hashlib.sha256((FOLDER / name).read_bytes()).hexdigest() == documented.group(1), name


def test_subset_turbines_rows_and_span(scada, assets):
    assert scada.turbines == ("R80711", "R80721", "R80736", "R80790") == tuple(sorted(assets["Wind_turbine_name"]))
    assert assets["Model"].unique().tolist() == ["MM82"]
    assert scada.step_s == 600.0
    assert scada.time[0] == pd.Timestamp("2014-01-01 01:00", tz="UTC")
    assert scada.time[-1] == pd.Timestamp("2016-01-01 00:50", tz="UTC")
    assert len(scada.time) == 105_120 and scada.power_w.shape == (4, 105_120)
    rows = pd.read_parquet(FOLDER / "scada.parquet", columns=["turbine"]).value_counts()
    assert set(rows) == {105_096}  # 24 slots a turbine dropped: the spring-change duplicates (LA_HAUTE_BORNE.md)
    # the source's maximum power: 2051.87 kW, the rated power 2050 kW
    assert np.nanmax(scada.power_w) == pytest.approx(2051.87e3, abs=0.01e3)


def test_times_agree_with_era5(scada, era5):
    # the subset's times are the source's wall clock read as UTC (LA_HAUTE_BORNE.md): the farm's hourly nacelle
    # speed correlates best with ERA5's 100 m speed within 20 minutes of no shift, in winter and in summer
    # alike (with the source's own offsets the best shifts were +50 min in winter and +120 min in summer)
    speed = pd.DataFrame(scada.wind_speed_m_s.T, index=scada.time).mean(axis=1)
    ref = pd.Series(np.hypot(era5.eastward_m_s, era5.northward_m_s), index=era5.time)
    for months in ((11, 12, 1, 2), (5, 6, 7, 8)):
        corr = {}
        for shift in range(-180, 190, 10):
            moved = speed.copy()
            moved.index = moved.index + pd.Timedelta(minutes=shift)
            centred = moved.rolling(6, min_periods=6).mean().shift(-3).reindex(ref.index)
            ok = centred.notna() & ref.index.month.isin(months)
            corr[shift] = np.corrcoef(centred[ok], ref[ok])[0, 1]
        best = max(corr, key=corr.get)
        assert abs(best) <= 20, (months, best)


# --------------------------------------------------------------------------- calibration on 2014
def test_calibrated_curve_reaches_the_rated_power(calibration, turbine):
    # outside number: the MM82's rated power, 2050 kW (asset table); the binned curve's top bins sit within 3 %
    # of it, and the curve rises monotonically through the partial-load range
    for cal in calibration.turbines.values():
        b = cal.binned
        assert b.reference_density_kg_m3 == 1.225
        assert b.rated_power_w == pytest.approx(turbine["rated_power_w"], rel=0.03)
        partial = (b.wind_speed_m_s >= 4.0) & (b.wind_speed_m_s <= 11.0)
        assert np.all(np.diff(b.power_w[partial]) > 0)
        assert 0.9 < cal.availability < 1.0
        assert cal.records_binned + cal.records_not_operating == cal.records_valid
        assert cal.speed_scale.shape == (12,)
        # one year at this site does not fill IEC's database up to 1.5 x v(85 %): the top bins are 15-15.5 m/s
        assert not b.database_complete(cut_in_m_s=3.5, rated_power_w=turbine["rated_power_w"])


def test_prediction_reads_no_power_of_the_predicted_year(calibration, scada, era5, turbine):
    # scramble 2015's measured power: the 2014 calibration and the 2015 predictions stay the same
    rng = np.random.default_rng(0)
    power = scada.power_w.copy()
    in_2015 = scada.time >= Y2015
    power[:, in_2015] = rng.uniform(0.0, 2e6, (power.shape[0], int(in_2015.sum())))
    scrambled = dataclasses.replace(scada, power_w=power)
    again = calibrate_wind_chain(scrambled, era5, Y2014, Y2015, **turbine)
    for name, cal in calibration.turbines.items():
        np.testing.assert_array_equal(again.turbines[name].binned.power_w, cal.binned.power_w)
        assert again.turbines[name].availability == cal.availability
    for wind in ("nacelle", "reference"):
        np.testing.assert_array_equal(predict_power_w(calibration, scrambled, era5, Y2015, Y2016, wind=wind),
                                      predict_power_w(calibration, scada, era5, Y2015, Y2016, wind=wind))


# --------------------------------------------------------------------------- 2015 predicted from 2014
def test_2015_from_the_nacelle_wind_meets_guideline_14_hourly(scores):
    # ASHRAE Guideline 14: hourly CV(RMSE) <= 30 %, |NMBE| <= 10 % (and monthly 15 %, 5 %)
    farm = scores["nacelle"]["farm"]
    assert farm.hours > 8000  # of 8760: hours complete for all four turbines
    assert farm.hourly.passes, farm.hourly
    assert farm.monthly.passes, farm.monthly
    for name in ("R80711", "R80721", "R80736", "R80790"):
        assert scores["nacelle"][name].hourly.passes, (name, scores["nacelle"][name].hourly)
    assert farm.energy_error == pytest.approx(-farm.hourly.nmbe * (farm.hours - 1) / farm.hours, rel=1e-9)


def test_2015_from_era5_meets_guideline_14_monthly(scores):
    # the reference chain: ERA5 at 100 m, scaled per sector. Monthly energies meet Guideline 14; hourly ones do
    # not (docs/live.md: ERA5's hourly speed misses the nacelle speed by a CV(RMSE) of 21-23 %, which the power
    # curve more than doubles); its yearly energy is as close as the nacelle chain's
    farm = scores["reference"]["farm"]
    assert farm.monthly.passes, farm.monthly
    assert abs(farm.hourly.nmbe) <= 0.10
    assert abs(farm.energy_error) < 0.05
