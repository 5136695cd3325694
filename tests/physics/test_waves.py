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


def test_tidal_current_mean_springs_and_neaps():
    from physics.ocean import M2_PERIOD_S, S2_PERIOD_S, tidal_current_m_s

    # the spring-neap period is 1 / (1/T_S2 - 1/T_M2) = 14.77 days (Pugh 1987)
    spring_neap_s = 1.0 / (1.0 / S2_PERIOD_S - 1.0 / M2_PERIOD_S)
    assert spring_neap_s / 86400.0 == pytest.approx(14.765, abs=0.01)
    t = np.arange(0.0, 20 * spring_neap_s, 300.0)
    u = tidal_current_m_s(t, 0.5, 0.4)
    assert u.mean() == pytest.approx(0.5, rel=0.01)
    peak = 0.5 / np.mean(np.abs(np.cos(np.linspace(0, 2 * np.pi, 721)[:-1])[:, None]
                                + 0.4 * np.cos(np.linspace(0, 2 * np.pi, 721)[:-1])[None, :]))
    assert u.max() == pytest.approx(1.4 * peak, rel=0.01)  # springs: A (1 + r)
    # daily maxima swing between springs and neaps: A (1 + r) against A (1 - r)
    one_cycle = u[: int(spring_neap_s // 300)]
    days = one_cycle[: one_cycle.size // 288 * 288].reshape(-1, 288).max(axis=1)  # 288 steps of 5 min a day
    assert days.min() / days.max() == pytest.approx(0.6 / 1.4, rel=0.05)
