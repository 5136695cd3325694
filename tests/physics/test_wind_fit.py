"""Weather with memory (issue 16): the synoptic component of the synthetic wind, its fit to a measured series, and
the check on pvlib's bundled TMY3 files."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm, rankdata

from physics.wind_fit import autocorrelation, calm_spell_lengths_h, fit_synthetic_wind, hour_and_day
from physics.wind_resource import _ar1_gaussian, synthetic_wind

YEAR_H = 8760


def _calendar(n: int):
    t = np.arange(n, dtype=float)
    return t % 24.0, (t // 24.0) % 365.0


def test_autocorrelation_of_an_ar1_series():
    # an AR(1) with coefficient 0.9 has autocorrelation 0.9^L (Box and Jenkins); 200,000 samples: within 0.01
    z = _ar1_gaussian(np.random.default_rng(3).standard_normal(200_000), 0.9)
    np.testing.assert_allclose(autocorrelation(z, [1, 5, 10]), 0.9 ** np.array([1, 5, 10]), atol=0.01)
    # gaps are left out pair by pair: the estimate barely moves when 10 % of the values are missing
    gappy = z.copy()
    gappy[np.random.default_rng(4).random(z.size) < 0.1] = np.nan
    np.testing.assert_allclose(autocorrelation(gappy, [1, 5]), autocorrelation(z, [1, 5]), atol=0.01)
    with pytest.raises(ValueError, match="lags_steps"):
        autocorrelation(z[:10], [10])


def test_calm_spells():
    v = np.array([5, 2, 2, 5, 1, 1, 1, np.nan, 1, 9, 2])
    np.testing.assert_array_equal(calm_spell_lengths_h(v, 3600.0, 3.0), [2, 3, 1, 1])
    np.testing.assert_array_equal(calm_spell_lengths_h(v, 600.0, 3.0), np.array([2, 3, 1, 1]) / 6.0)


def test_the_synoptic_component_gives_the_stated_autocorrelation():
    """(1 - w) r^L + w exp(-L / tau) for the Gaussian series (normal scores of the speed, which the Weibull map
    and a modulation-free generator leave monotone)."""
    n = 40 * YEAR_H
    h, d = _calendar(n)
    v, _ = synthetic_wind(h, d, 3600.0, 2.0, 7.0, autocorrelation_1h=0.8, diurnal_strength=0.0,
                          seasonal_amplitude=0.0, synoptic_weight=0.5, synoptic_time_h=72.0, rng=11)
    z = norm.ppf(rankdata(v) / (n + 1))
    lags = np.array([1, 24, 72, 168])
    expected = 0.5 * 0.8 ** lags + 0.5 * np.exp(-lags / 72.0)
    np.testing.assert_allclose(autocorrelation(z, lags), expected, atol=0.03)
    # without it, a seed's series is exactly the plain HOMER method's (the slow draws come after the others)
    plain, _ = synthetic_wind(h[:1000], d[:1000], 3600.0, 2.0, 7.0, rng=5)
    zero, _ = synthetic_wind(h[:1000], d[:1000], 3600.0, 2.0, 7.0, rng=5, synoptic_weight=0.0)
    np.testing.assert_array_equal(plain, zero)
    with pytest.raises(ValueError, match="synoptic_weight"):
        synthetic_wind(h[:10], d[:10], 3600.0, 2.0, 7.0, synoptic_weight=1.0)


def test_the_fit_recovers_a_known_generator():
    n = 3 * YEAR_H
    h, d = _calendar(n)
    true = dict(weibull_k=2.1, weibull_c_m_s=8.0, autocorrelation_1h=0.7, synoptic_weight=0.4, synoptic_time_h=60.0,
                diurnal_strength=0.15, peak_hour=15.0, seasonal_amplitude=0.2, peak_day_of_year=20.0)
    v, _ = synthetic_wind(h, d, 3600.0, rng=21, **true)
    time = pd.date_range("2021-01-01", periods=n, freq="h")
    fit = fit_synthetic_wind(time, v, 10.0)
    assert fit.weibull_k == pytest.approx(2.1, rel=0.08) and fit.weibull_c_m_s == pytest.approx(8.0, rel=0.05)
    assert fit.diurnal_strength == pytest.approx(0.15, abs=0.02) and fit.peak_hour == pytest.approx(15.0, abs=0.5)
    assert fit.seasonal_amplitude == pytest.approx(0.2, abs=0.05)
    # the memory is fitted to the autocorrelation it makes: the fitted generator's matches the true one's
    g, _ = synthetic_wind(h, d, 3600.0, rng=99, **fit.generator_kwargs())
    t, _ = synthetic_wind(h, d, 3600.0, rng=99, **true)
    np.testing.assert_allclose(autocorrelation(g, [1, 24, 72]), autocorrelation(t, [1, 24, 72]), atol=0.05)


def _tmy3(name: str):
    pvlib = pytest.importorskip("pvlib")
    from pvlib.iotools import read_tmy3

    df, meta = read_tmy3(os.path.join(os.path.dirname(pvlib.__file__), "data", name), map_variables=True)
    # a TMY is twelve months from different years, in calendar order: one year of local hours
    time = pd.date_range("2021-01-01", periods=len(df), freq="h")
    return time, df["wind_speed"].to_numpy(float), df["wind_direction"].to_numpy(float)


@pytest.mark.parametrize("name", ["723170TYA.CSV", "703165TY.csv"])
def test_a_year_from_the_fit_has_the_measured_memory_and_calms(name):
    """Issue 16's check on two of pvlib's bundled TMY3 files (Greensboro NC, Sand Point AK; 10 m wind): a year
    generated from the fit matches the measured autocorrelation at 24 h and 72 h within 0.05 and the 90th
    percentile of calm-spell length (below 3 m/s at 10 m) within 20 %. A single year scatters (about +-0.03 to
    0.05 in the autocorrelation between seeds), so the mean of ten years is held closer still."""
    time, v, direction = _tmy3(name)
    fit = fit_synthetic_wind(time, v, 10.0, direction)
    m = fit.measured
    assert sum(fit.direction_sector_weights) == pytest.approx(1.0, abs=1e-3)
    h, d = hour_and_day(time)
    stats = []
    for seed in range(1, 11):
        g, _ = synthetic_wind(h, d, 3600.0, rng=seed, **fit.generator_kwargs())
        stats.append((*autocorrelation(g, [24, 72]), np.percentile(calm_spell_lengths_h(g, 3600.0, 3.0), 90)))
    stats = np.array(stats)
    a24, a72, p90 = stats[0]  # the year of seed 1
    assert abs(a24 - m["autocorrelation"][24]) <= 0.05
    assert abs(a72 - m["autocorrelation"][72]) <= 0.05
    assert abs(p90 / m["calm_spell_p90_h"] - 1.0) <= 0.20
    mean = stats.mean(axis=0)
    assert abs(mean[0] - m["autocorrelation"][24]) <= 0.03 and abs(mean[1] - m["autocorrelation"][72]) <= 0.03
    assert abs(mean[2] / m["calm_spell_p90_h"] - 1.0) <= 0.20
    # the plain HOMER generator at its default memory forgets in a day: it fails the 24 h check by far
    plain = dict(fit.generator_kwargs(), autocorrelation_1h=0.85, synoptic_weight=0.0)
    g, _ = synthetic_wind(h, d, 3600.0, rng=1, **plain)
    assert m["autocorrelation"][24] - autocorrelation(g, [24])[0] > 0.1
