"""FLORIS as the optional engine of the farm power table, and our Jensen table against FLORIS (physics.wakes)."""

from __future__ import annotations

import numpy as np
import pytest

from physics import wind

# Coarse grids keep the FLORIS runs short (the issue asks for < 20 s): directions every 15 deg, speeds every
# 1 m/s from 0 to 30 m/s (FLORIS runs only 3-25 m/s, the rest is 0 outside cut-in..cut-out).
SPEEDS = np.arange(0.0, 31.0, 1.0)
DIRECTIONS = np.arange(0.0, 360.0, 15.0)


def test_floris_single_turbine_equals_the_curve():
    # Source: FLORIS v4 run here; one turbine in uniform inflow: FLORIS's table power at the hub speed
    c = wind.load_turbine("nrel-5mw")
    free = wind.no_wake_farm_table(c, 1, SPEEDS, DIRECTIONS).power_w
    for turbine in ("nrel-5mw", c):  # FLORIS's own YAML, and a custom-curve dict built from our curve
        table = wind.floris_farm_table(turbine, [0.0], [0.0], "jensen", SPEEDS, DIRECTIONS)
        np.testing.assert_allclose(table.power_w, free, rtol=1e-9, atol=1e-3)
    # a custom curve without a Ct table (default Ct model) and a sharp cut-in at its first producing node
    custom = wind.custom_power_curve([3.0, 4.0, 8.0, 12.0, 25.0, 25.01], [0, 1.7e5, 1.6e6, 3.6e6, 3.6e6, 0],
                                     120.0, 90.0, name="swt-like")
    speeds = np.array([3.5, 4.0, 6.0, 10.0, 13.0, 24.0])
    table = wind.floris_farm_table(custom, [0.0], [0.0], "gauss", speeds, [0.0])
    np.testing.assert_allclose(table.power_w[0], wind.turbine_power_w(custom, speeds), rtol=1e-9, atol=1e-3)


def test_floris_row_matches_our_jensen():
    # Source: FLORIS jensen, a row aligned with the wind: whole-rotor overlap, so the same equations (see
    # test_wind.test_jensen_row_against_floris); here through floris_farm_table
    c = wind.load_turbine("nrel-5mw")
    x = np.arange(4) * 7 * c.rotor_diameter_m
    ours = wind.jensen_farm_table(c, x, np.zeros(4), 0.05, SPEEDS, DIRECTIONS)
    theirs = wind.floris_farm_table("nrel-5mw", x, np.zeros(4), "jensen", SPEEDS, DIRECTIONS)
    i = int(np.flatnonzero(DIRECTIONS == 270.0)[0])
    np.testing.assert_allclose(ours.power_w[i], theirs.power_w[i], rtol=1e-3, atol=1.0)


def test_fifty_turbine_wake_loss_within_floris_range():
    # Source: issue 3 done-when; FLORIS v4 jensen and gauss (GCH-family Gaussian deficit, Crespo-Hernandez
    # turbulence, TI 0.06) run here on the same 50-turbine layout (5 rows x 10, 7 D, NREL 5 MW).
    # Annual energy-weighted wake loss: Weibull k = 2, c = 9 m/s at hub height, uniform wind rose.
    # Observed: ours 8.5 %, FLORIS jensen 8.7 %, FLORIS gauss 7.1 %. Tolerance: ours within
    # [min, max] of the FLORIS models widened by 1 percentage point (FLORIS samples 3 x 3 rotor points where
    # we integrate the exact overlap; at partial overlap the two differ by up to ~10 % of a deficit).
    c = wind.load_turbine("nrel-5mw")
    x, y = wind.grid_layout(50, 5, 7 * c.rotor_diameter_m, 7 * c.rotor_diameter_m)
    pdf = 2 / 9 * (SPEEDS / 9) * np.exp(-((SPEEDS / 9) ** 2))
    free = wind.no_wake_farm_table(c, 50, SPEEDS, DIRECTIONS)

    def loss(table):
        return 1 - (table.power_w @ pdf).sum() / (free.power_w @ pdf).sum()

    ours = loss(wind.jensen_farm_table(c, x, y, 0.05, SPEEDS, DIRECTIONS))
    floris = {m: loss(wind.floris_farm_table("nrel-5mw", x, y, m, SPEEDS, DIRECTIONS, turbulence_intensity=0.06))
              for m in wind.WAKE_MODELS}
    low, high = min(floris.values()), max(floris.values())
    assert low - 0.01 <= ours <= high + 0.01, (ours, floris)
    assert abs(ours - floris["jensen"]) < 0.01  # same model family: within 1 point (observed 0.2)
    assert 0.03 < low and high < 0.20  # both plausible for a 7 D offshore array


def test_floris_table_is_usable_by_the_run():
    # The FLORIS table is the same FarmPowerTable: the run's bilinear lookup works on it unchanged
    c = wind.load_turbine("nrel-5mw")
    x, y = wind.grid_layout(6, 2, 7 * c.rotor_diameter_m, 5 * c.rotor_diameter_m)
    table = wind.floris_farm_table(c, x, y, "gauss", SPEEDS, DIRECTIONS)
    assert isinstance(table, wind.FarmPowerTable) and table.power_w.shape == (24, 31)
    p = wind.farm_power_w(table, np.array([2.0, 8.0, 12.5, 26.0]), np.array([0.0, 100.0, 271.0, 359.0]))
    assert p[0] == 0 and p[-1] == 0 and 0 < p[1] < 6 * wind.turbine_power_w(c, 8.0)


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"wake_model": "curl"}, "wake_model"), ({"curve_or_turbine_name": "vestas-v999"}, "curve_or_turbine_name"),
     ({"y_m": [0.0, 1.0]}, "y_m"), ({"turbulence_intensity": 0.0}, "turbulence_intensity")],
)
def test_floris_table_bad_input(kwargs, argument):
    args = {"curve_or_turbine_name": "nrel-5mw", "x_m": [0.0], "y_m": [0.0]} | kwargs
    with pytest.raises(ValueError, match=argument):
        wind.floris_farm_table(**args)


def test_symmetry_shortcut_is_exact(monkeypatch):
    # Design check: directions related by the layout's symmetries share one FLORIS run; switching the shortcut
    # off (every direction its own run) gives the same table to rounding.
    import physics.wakes as wakes

    c = wind.load_turbine("nrel-5mw")
    x, y = wind.grid_layout(6, 2, 7 * c.rotor_diameter_m, 5 * c.rotor_diameter_m)
    speeds = np.array([6.0, 9.0, 12.0])
    fast = wind.floris_farm_table(c, x, y, "gauss", speeds, DIRECTIONS)
    monkeypatch.setattr(wakes, "_direction_classes", lambda x, y, d: np.arange(d.size))
    full = wind.floris_farm_table(c, x, y, "gauss", speeds, DIRECTIONS)
    np.testing.assert_allclose(fast.power_w, full.power_w, rtol=1e-9)
