"""Fetch-limited wind-sea height (Shore Protection Manual, CERC 1984)."""

import numpy as np
import pytest

from physics.ocean import significant_wave_height_m


def test_fetch_limited_height_by_hand():
    # SPM 1984 eqs. 3-33 and 3-34 worked by hand: U10 = 10 m/s -> U_A = 0.71 * 10^1.23 = 12.0675 m/s;
    # F = 50 km: g F / U_A^2 = 9.80665 * 5e4 / 145.626 = 3367.1; g H / U_A^2 = 1.6e-3 * sqrt(3367.1) = 0.092842;
    # H = 0.092842 * 145.626 / 9.80665 = 1.3787 m
    assert significant_wave_height_m(10.0, 50e3) == pytest.approx(1.3787, rel=1e-3)


def test_fully_developed_cap():
    # SPM 1984 eq. 3-36: g H / U_A^2 = 0.2433 however long the fetch
    u = 15.0
    ua = 0.71 * u ** 1.23
    assert significant_wave_height_m(u, 1e10) == pytest.approx(0.2433 * ua ** 2 / 9.80665, rel=1e-12)


def test_monotone_and_zero_at_calm():
    h = significant_wave_height_m(np.linspace(0, 25, 51), 30e3)
    assert h[0] == 0.0 and np.all(np.diff(h) > 0)
    assert np.all(np.diff(significant_wave_height_m(12.0, [1e3, 1e4, 1e5])) > 0)


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="wind_speed_10m_m_s"):
        significant_wave_height_m(-1.0, 1e4)
    with pytest.raises(ValueError, match="fetch_m"):
        significant_wave_height_m(5.0, 0.0)
