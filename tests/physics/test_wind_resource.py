"""Measured wind (CSV import, resampling, gaps) and the statistics of generated years (physics.wind_resource)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import scipy.stats

from physics import wind

HEADER = "timestamp,wind_speed_m_s,wind_direction_deg,air_temp_c,pressure_pa,height_m\n"


def _write(tmp_path, text, name="met.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _ten_minute_ramp(n=13, start="2024-01-01T08:00:00+08:00"):
    t0 = dt.datetime.fromisoformat(start)
    rows = []
    for i in range(n):
        t = (t0 + dt.timedelta(minutes=10 * i)).isoformat()
        rows.append(f"{t},{5.0 + 0.5 * i},{(350 + 5 * i) % 360},{20.0 + 0.1 * i},{101000 + 10 * i},30\n")
    return HEADER + "".join(rows)


# --------------------------------------------------------------------------- CSV import
def test_read_measured_csv(tmp_path):
    # Source: documented format (docs/wind.md); ISO 8601 with offset +08:00 -> UTC
    m = wind.read_measured_wind_csv(_write(tmp_path, _ten_minute_ramp()))
    assert m.height_m == 30.0
    assert str(m.time[0]) == "2024-01-01 00:00:00+00:00"
    np.testing.assert_allclose(m.wind_speed_m_s, 5.0 + 0.5 * np.arange(13))
    assert m.wind_direction_deg[2] == 0.0 and m.pressure_pa[1] == 101010.0 and m.air_temp_c[0] == 20.0
    # height as an argument when the file has no column; optional columns may be absent
    text = "timestamp,wind_speed_m_s\n2024-01-01T00:00:00Z,4.0\n2024-01-01T01:00:00Z,6.0\n"
    m = wind.read_measured_wind_csv(_write(tmp_path, text), height_m=10.0)
    assert m.height_m == 10.0 and m.wind_direction_deg is None and m.pressure_pa is None


@pytest.mark.parametrize(
    "text, height, pattern",
    [
        ("timestamp,speed\n2024-01-01T00:00:00Z,4\n", 10, r"missing column\(s\) wind_speed_m_s"),
        ("wind_speed_m_s\n4\n", 10, "missing column.*timestamp"),
        ("timestamp,wind_speed_m_s\n2024-01-01T00:00:00Z,4\n2024-01-01T01:00:00Z,abc\n", 10,
         r"row 2 \(line 3\), column wind_speed_m_s: cannot parse 'abc'"),
        ("timestamp,wind_speed_m_s\n2024-01-01T00:00:00Z,4\n2024-01-01T01:00:00Z,-0.5\n", 10,
         r"row 2 \(line 3\), column wind_speed_m_s: -0.5 outside"),
        ("timestamp,wind_speed_m_s\n2024-01-01T02:00:00Z,4\n2024-01-01T01:00:00Z,5\n", 10,
         r"row 2 \(line 3\), column timestamp: .* not after"),
        ("timestamp,wind_speed_m_s\n2024-01-01T01:00:00Z,4\n2024-01-01T01:00:00Z,5\n", 10,
         r"row 2 \(line 3\), column timestamp"),
        ("timestamp,wind_speed_m_s\n2024-01-01T00:00:00,4\n", 10, r"row 1 \(line 2\), column timestamp: .*UTC offset"),
        ("timestamp,wind_speed_m_s\n2024-13-01T00:00:00Z,4\n", 10, r"row 1 \(line 2\), column timestamp: cannot parse"),
        ("timestamp,wind_speed_m_s\n2024-01-01T00:00:00Z,4\n", None, "height_m: .*no height_m column"),
        ("timestamp,wind_speed_m_s,wind_direction_deg\n2024-01-01T00:00:00Z,4,361\n", 10,
         r"row 1 \(line 2\), column wind_direction_deg"),
        ("timestamp,wind_speed_m_s,pressure_pa\n2024-01-01T00:00:00Z,4,1013.2\n", 10,
         r"row 1 \(line 2\), column pressure_pa: 1013.2 outside"),
        ("timestamp,wind_speed_m_s,height_m\n2024-01-01T00:00:00Z,4,10\n2024-01-01T01:00:00Z,4,12\n", None,
         r"row 2 \(line 3\), column height_m"),
        ("timestamp,wind_speed_m_s,air_temp_c\n2024-01-01T00:00:00Z,4,nan\n", 10,
         r"row 1 \(line 2\), column air_temp_c"),
    ],
)
def test_bad_measured_csv_names_row_and_column(tmp_path, text, height, pattern):
    with pytest.raises(ValueError, match=pattern):
        wind.read_measured_wind_csv(_write(tmp_path, text), height_m=height)


# --------------------------------------------------------------------------- resampling and gaps
def test_resample_is_exact_for_a_linear_ramp(tmp_path):
    # Source: the mean over [t, t + dt) of a linear series is its value at t + dt/2 (exact)
    m = wind.read_measured_wind_csv(_write(tmp_path, _ten_minute_ramp()))
    start = "2024-01-01T00:00:00+00:00"
    for step, n in ((60.0, 120), (3600.0, 2), (600.0, 12)):
        r = wind.resample_wind(m, start, step, n)
        mid_min = (np.arange(n) * step + step / 2) / 60.0
        np.testing.assert_allclose(r.wind_speed_m_s, 5.0 + 0.05 * mid_min, rtol=1e-12)
        np.testing.assert_allclose(r.pressure_pa, 101000 + mid_min, rtol=1e-12)
        assert len(r.time) == n and (r.time[1] - r.time[0]).total_seconds() == step
        assert np.all(np.isfinite(r.wind_direction_deg))


def test_direction_is_vector_averaged(tmp_path):
    # Source: unit-vector averaging (WMO-No. 8); 350 and 10 deg average to 0 deg (scipy.stats.circmean), not 180
    text = ("timestamp,wind_speed_m_s,wind_direction_deg\n2024-01-01T00:00:00Z,5,350\n"
            "2024-01-01T01:00:00Z,5,10\n2024-01-01T02:00:00Z,5,10\n")
    m = wind.read_measured_wind_csv(_write(tmp_path, text), height_m=10)
    r = wind.resample_wind(m, "2024-01-01T00:00:00Z", 3600.0, 1)
    ref = scipy.stats.circmean([350.0, 10.0], high=360.0)  # trapezoid over one interval: the two ends
    assert abs(((r.wind_direction_deg[0] - ref) + 180) % 360 - 180) < 1e-9
    # interpolated halfway through the hour: 0 deg, whichever way the wrap goes
    r = wind.resample_wind(m, "2024-01-01T00:29:00Z", 120.0, 1)
    assert min(r.wind_direction_deg[0], 360 - r.wind_direction_deg[0]) < 1e-9


def test_gaps_filled_up_to_limit_else_error(tmp_path):
    # Documented choice: gaps <= max_gap_s (3 h) bridged linearly, longer ones raise naming the interval
    rows = ["2024-01-01T00:00:00Z,4", "2024-01-01T01:00:00Z,", "2024-01-01T02:00:00Z,", "2024-01-01T03:00:00Z,10",
            "2024-01-01T04:00:00Z,10", "2024-01-01T09:00:00Z,12", "2024-01-01T10:00:00Z,12"]
    m = wind.read_measured_wind_csv(_write(tmp_path, "timestamp,wind_speed_m_s\n" + "\n".join(rows) + "\n"), 10)
    assert np.isnan(m.wind_speed_m_s[1])  # an empty cell is a missing value, not a zero
    r = wind.resample_wind(m, "2024-01-01T00:00:00Z", 600.0, 24)
    np.testing.assert_allclose(r.wind_speed_m_s[:18], 4 + 2 * (np.arange(18) * 600 + 300) / 3600, rtol=1e-12)
    assert np.all(np.isfinite(r.wind_speed_m_s))
    with pytest.raises(ValueError, match=r"wind_speed_m_s: no value from 2024-01-01T04:00:00\+00:00 to "
                                         r"2024-01-01T09:00:00\+00:00 \(5.00 h\)"):
        wind.resample_wind(m, "2024-01-01T00:00:00Z", 3600.0, 10)
    r = wind.resample_wind(m, "2024-01-01T00:00:00Z", 3600.0, 10, max_gap_s=6 * 3600)
    assert np.all(np.isfinite(r.wind_speed_m_s))
    with pytest.raises(ValueError, match="wind_speed_m_s: after the last value"):
        wind.resample_wind(m, "2024-01-01T09:00:00Z", 3600.0, 6)
    with pytest.raises(ValueError, match="wind_speed_m_s: before the first value"):
        wind.resample_wind(m, "2023-12-31T18:00:00Z", 3600.0, 8)
    with pytest.raises(ValueError, match="start: .* no UTC offset"):
        wind.resample_wind(m, "2024-01-01T00:00:00", 3600.0, 2)


def test_resample_a_year_at_the_run_step():
    # DESIGN.md: a year at 60 s is 525,600 steps; hourly measurements resampled to it
    n_h = 8761
    times = np.datetime64("2024-01-01T00:00") + np.arange(n_h) * np.timedelta64(1, "h")
    import pandas as pd

    rng = np.random.default_rng(1)
    m = wind.MeasuredWind(time=pd.DatetimeIndex(times, tz="UTC"), wind_speed_m_s=rng.weibull(2.0, n_h) * 8,
                          height_m=10.0, wind_direction_deg=rng.uniform(0, 360, n_h))
    r = wind.resample_wind(m, "2024-01-01T00:00:00Z", 60.0, 525_600)
    assert np.all(np.isfinite(r.wind_speed_m_s)) and np.all((r.wind_direction_deg >= 0) & (r.wind_direction_deg < 360))
    # the mean is preserved (trapezoid integral of the hourly series)
    assert r.wind_speed_m_s.mean() == pytest.approx(np.trapezoid(m.wind_speed_m_s) / (n_h - 1), rel=1e-9)


# --------------------------------------------------------------------------- Weibull fits and statistics
def test_fit_weibull_against_scipy():
    # Source: scipy.stats.weibull_min.fit(v, floc=0) (maximum likelihood), run here
    v = scipy.stats.weibull_min.rvs(2.2, scale=7.5, size=5000, random_state=3)
    k, c = wind.fit_weibull(v)
    k_ref, _, c_ref = scipy.stats.weibull_min.fit(v, floc=0)
    assert k == pytest.approx(k_ref, rel=1e-4) and c == pytest.approx(c_ref, rel=1e-4)
    # method of moments: the fitted distribution's mean and std (scipy) equal the sample's
    k, c = wind.fit_weibull(v, method="moments")
    dist = scipy.stats.weibull_min(k, scale=c)
    assert dist.mean() == pytest.approx(v.mean(), rel=1e-10) and dist.std() == pytest.approx(v.std(), rel=1e-8)
    assert k == pytest.approx(2.2, rel=0.05)
    with pytest.raises(ValueError, match="wind_speed_m_s"):
        wind.fit_weibull(np.r_[v, 0.0])
    assert wind.fit_weibull(np.r_[v, 0.0], method="moments")[0] > 0
    with pytest.raises(ValueError, match="method"):
        wind.fit_weibull(v, method="lsq")


def test_generated_year_statistics_within_sampling_error():
    # Source: issue 3 "done when" + HOMER method (VALIDATION.md): a generated hourly year's fitted Weibull k, c,
    # its lag-1-hour autocorrelation and its diurnal strength and peak hour match the requested values within
    # sampling error. The sampling standard deviation of each statistic is measured on 40 other seeded years.
    n = 8760
    h = np.arange(n) % 24.0
    d = np.arange(n) / 24.0
    k, c, r, s, peak = 2.0, 8.0, 0.85, 0.25, 15.0

    def stats(seed):
        v, _ = wind.synthetic_wind(h, d, 3600.0, k, c, autocorrelation_1h=r, diurnal_strength=0.0, rng=seed)
        v_d, _ = wind.synthetic_wind(h, d, 3600.0, k, c, autocorrelation_1h=r, diurnal_strength=s,
                                     peak_hour=peak, rng=seed + 10_000)
        return (*wind.fit_weibull(v), wind.autocorrelation(v, 1), *wind.diurnal_cycle(v_d, h))

    sample = np.array([stats(seed) for seed in range(1, 41)])
    sd = sample.std(axis=0, ddof=1)
    year = np.array(stats(2024))
    requested = np.array([k, c, r, s, peak])
    # The speed's autocorrelation sits ~0.004 below the Gaussian's r (the Weibull map; documented in
    # synthetic_wind), well inside 4 standard deviations (~0.028).
    assert np.all(np.abs(year - requested) < 4 * sd), (year, requested, sd)
    # and without bias: the mean of 40 years is within 4 standard errors (+0.005 for the autocorrelation)
    assert np.all(np.abs(sample.mean(axis=0) - requested) < 4 * sd / np.sqrt(40) + [0, 0, 0.005, 0, 0])
    assert sd[0] < 0.1 and sd[3] < 0.03  # a year pins k to ~2 % and the diurnal strength to ~0.015


def test_autocorrelation_and_diurnal_helpers():
    # Source: definitions; an exact cosine has strength and peak recovered to rounding
    h = np.arange(24 * 50) % 24.0
    v = 8 * (1 + 0.3 * np.cos(2 * np.pi * (h - 14.0) / 24))
    s, p = wind.diurnal_cycle(v, h)
    assert s == pytest.approx(0.3, rel=1e-10) and p == pytest.approx(14.0, abs=1e-9)
    x = np.random.default_rng(0).standard_normal(1000)
    assert wind.autocorrelation(x, 3) == pytest.approx(np.corrcoef(x[:-3], x[3:])[0, 1])
    with pytest.raises(ValueError, match="hour_of_day"):
        wind.diurnal_cycle(v, h[:-1])
