"""Method of bins (IEC 61400-12-1) and its data filters (physics.power_curve_fit)."""

from __future__ import annotations

import numpy as np
import pytest

from physics.power_curve_fit import (
    IEC_BIN_WIDTH_M_S,
    IEC_MIN_RECORDS_PER_BIN,
    bin_power_curve,
    not_operating_mask,
    operational_availability,
    range_mask,
)
from physics.wind_turbines import custom_power_curve, load_turbine, turbine_power_w


def test_iec_constants():
    # IEC 61400-12-1: 0.5 m/s bins; 30 minutes of 10-minute data per bin
    assert IEC_BIN_WIDTH_M_S == 0.5
    assert IEC_MIN_RECORDS_PER_BIN == 3


def test_bins_centred_on_multiples_of_half_a_metre_per_second():
    # bin k holds k w - w/2 <= v < k w + w/2: 4.25 is in the 4.5 bin, 4.7499 too, 4.75 in the 5.0 bin
    v = np.array([4.2499, 3.9, 4.25, 4.7499, 4.75, 5.2])
    p = np.array([1.0, 3.0, 10.0, 20.0, 100.0, 200.0])
    b = bin_power_curve(v, p, min_count=1)
    np.testing.assert_allclose(b.bin_centre_m_s, [4.0, 4.5, 5.0])
    np.testing.assert_array_equal(b.count, [2, 2, 2])
    np.testing.assert_allclose(b.wind_speed_m_s, [(4.2499 + 3.9) / 2, (4.25 + 4.7499) / 2, (4.75 + 5.2) / 2])
    np.testing.assert_allclose(b.power_w, [2.0, 15.0, 150.0])
    np.testing.assert_allclose(b.power_std_w, [np.std([1.0, 3.0], ddof=1), np.std([10.0, 20.0], ddof=1),
                                               np.std([100.0, 200.0], ddof=1)])


def test_against_openoa_iec_bins():
    # Peer: OpenOA 3.2 openoa.utils.power_curve.IEC(v, p, bin_width=0.5, windspeed_start=-0.25,
    # windspeed_end=30.25) on this sample, run once from the openoa-3.2 wheel (its bins then are the IEC ones);
    # its bin values at the centres 3.0, 3.5, 4.0, 4.5, 5.0, 8.0, 12.0 m/s [W]:
    openoa = [5000.0, 31500.0, 57000.0, 93666.66666666667, 140333.33333333334, 846666.6666666666, 2000000.0]
    v = np.array([2.9, 3.1, 3.2, 3.6, 3.7, 3.9, 4.1, 4.2, 4.3, 4.6, 4.7, 4.9, 5.05, 5.2, 7.8, 8.1, 8.2, 12.0,
                  12.1, 12.2])
    p = np.array([-5.0, 8.0, 12.0, 30.0, 33.0, 45.0, 60.0, 66.0, 70.0, 101.0, 110.0, 131.0, 140.0, 150.0, 800.0,
                  860.0, 880.0, 1990.0, 2000.0, 2010.0]) * 1e3
    b = bin_power_curve(v, p, min_count=1)
    np.testing.assert_allclose(b.bin_centre_m_s, [3.0, 3.5, 4.0, 4.5, 5.0, 8.0, 12.0])
    np.testing.assert_allclose(b.power_w, openoa, rtol=1e-12)
    # the IEC minimum of three records drops the 3.5 m/s bin (two records)
    assert 3.5 not in bin_power_curve(v, p).bin_centre_m_s


def test_linear_within_bins_recovers_the_curve_exactly():
    # a curve whose nodes are the bin edges is linear inside each bin, and the mean commutes with a linear map:
    # every (mean speed, mean power) point lies on the curve, whatever the sample
    edges = np.arange(0.25, 20.0, 0.5)
    truth = custom_power_curve(edges, 2e6 * np.clip((edges - 3.0) / 9.0, 0, 1) ** 3, 82.0, 80.0)
    rng = np.random.default_rng(3)
    v = rng.uniform(3.3, 19.7, 5000)
    b = bin_power_curve(v, turbine_power_w(truth, v))
    np.testing.assert_allclose(b.power_w, turbine_power_w(truth, b.wind_speed_m_s), rtol=1e-9, atol=1e-6)


def test_noisy_sample_of_nrel_5mw_recovers_its_published_points():
    # Source: NREL 5 MW reference turbine, P(8 m/s) = 1771.17 kW, P(10 m/s) = 3448.38 kW (NREL turbine-models,
    # FLORIS nrel_5MW.yaml; VALIDATION.md). A sample of 10-minute records drawn from the curve with 50 kW of
    # noise: the binned curve read at 8 and 10 m/s returns them within 0.5 % (the table's kinks at 8 and 10 m/s
    # inside their bins bias a bin mean by about +0.3 %; the noise's standard error is about 1.5 kW).
    curve = load_turbine("nrel-5mw")
    rng = np.random.default_rng(11)
    v = rng.uniform(2.0, 24.0, 100_000)
    p = turbine_power_w(curve, v) + rng.normal(0.0, 50e3, v.size)
    fitted = bin_power_curve(v, p).to_power_curve(126.0, 90.0)
    np.testing.assert_allclose(turbine_power_w(fitted, [8.0, 10.0]), [1771.17e3, 3448.38e3], rtol=5e-3)
    np.testing.assert_allclose(turbine_power_w(fitted, 15.0), 5e6, rtol=2e-3)


def test_density_normalisation_recovers_the_standard_curve():
    # IEC 61400-12-1: a turbine at density rho makes at speed V the standard-density power at
    # V (rho / 1.225)^(1/3). Records at 1.10 kg/m3 binned with their density give back the 1.225 curve (exactly:
    # the curve is linear inside each bin, see above); binned without it they give a curve shifted to higher
    # speeds by (1.225 / 1.10)^(1/3) = 1.0366.
    edges = np.arange(0.25, 20.0, 0.5)
    truth = custom_power_curve(edges, 2e6 * np.clip((edges - 3.0) / 9.0, 0, 1) ** 3, 82.0, 80.0)
    rng = np.random.default_rng(5)
    v = rng.uniform(3.5, 11.0, 20_000)
    rho = rng.uniform(1.05, 1.15, v.size)
    p = turbine_power_w(truth, v * np.cbrt(rho / 1.225))
    normalised = bin_power_curve(v, p, air_density_kg_m3=rho)
    assert normalised.reference_density_kg_m3 == 1.225
    np.testing.assert_allclose(normalised.power_w, turbine_power_w(truth, normalised.wind_speed_m_s), rtol=1e-9)
    raw = bin_power_curve(v, p)
    assert raw.reference_density_kg_m3 is None
    at8 = np.interp(8.0, raw.wind_speed_m_s, raw.power_w)
    assert at8 == pytest.approx(turbine_power_w(truth, 8.0 / (1.225 / 1.10) ** (1 / 3)), rel=0.02)
    assert at8 < 0.92 * turbine_power_w(truth, 8.0)


def test_to_power_curve_clips_standby_and_extrapolates_like_aep_extrapolated():
    v = np.repeat([3.0, 3.5, 4.0, 8.0, 12.0, 14.0], 3) + np.tile([-0.1, 0.0, 0.1], 6)
    p = np.repeat([-5e3, 10e3, 40e3, 800e3, 2.0e6, 2.0e6], 3)
    b = bin_power_curve(v, p)
    measured = b.to_power_curve(82.0, 80.0)
    assert measured.power_w[0] == 0.0  # standby consumption is not production
    assert turbine_power_w(measured, 20.0) == 0.0  # AEP-measured: nothing above the highest bin
    extended = b.to_power_curve(82.0, 80.0, extrapolate_to_m_s=25.0)
    assert turbine_power_w(extended, [20.0, 25.0]).tolist() == [2.0e6, 2.0e6]
    assert turbine_power_w(extended, 25.5) == 0.0
    with pytest.raises(ValueError, match="extrapolate_to_m_s: must exceed"):
        b.to_power_curve(82.0, 80.0, extrapolate_to_m_s=13.0)


def test_database_criterion():
    # IEC 61400-12-1: >= 30 min in each bin from cut-in - 1 m/s to 1.5 v(85 % rated), >= 180 h in all
    curve = load_turbine("nrel-5mw")
    v = np.repeat(np.arange(1.0, 25.01, 0.5), 30)  # 30 records a bin, 49 bins: 1470 records = 245 h
    b = bin_power_curve(v, turbine_power_w(curve, v))
    assert b.database_complete(cut_in_m_s=3.0)
    short = bin_power_curve(v[::10], turbine_power_w(curve, v[::10]), min_count=1)  # 3 a bin, 24.5 h
    assert not short.database_complete(cut_in_m_s=3.0)
    gap = (v < 9.75) | (v >= 10.25)  # v(85 % of 5 MW) ~ 10.7 m/s: the 10 m/s bin is needed
    assert not bin_power_curve(v[gap], turbine_power_w(curve, v[gap])).database_complete(cut_in_m_s=3.0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"wind_speed_m_s": [1.0, 2.0], "power_w": [1.0]}, "power_w: length 1 differs"),
    ({"wind_speed_m_s": [1.0, np.nan], "power_w": [1.0, 2.0]}, "wind_speed_m_s: must be finite"),
    ({"wind_speed_m_s": [-1.0, 2.0], "power_w": [1.0, 2.0]}, "wind_speed_m_s: must be >= 0"),
    ({"wind_speed_m_s": [1.0, 2.0], "power_w": [1.0, 2.0], "bin_width_m_s": 0.0}, "bin_width_m_s: must be > 0"),
    ({"wind_speed_m_s": [1.0, 2.0], "power_w": [1.0, 2.0], "min_count": 0}, "min_count: must be an integer"),
    ({"wind_speed_m_s": [1.0, 2.0], "power_w": [1.0, 2.0], "air_density_kg_m3": [1.2]},
     "air_density_kg_m3: length 1 differs"),
    ({"wind_speed_m_s": [1.0, 2.0], "power_w": [1.0, 2.0], "air_density_kg_m3": 0.0}, "air_density_kg_m3: must be > 0"),
    ({"wind_speed_m_s": [1.0, 1.1, 1.2], "power_w": [1.0, 2.0, 3.0]}, "fewer than 2 bins"),
    ({"wind_speed_m_s": [], "power_w": []}, "wind_speed_m_s: no records"),
])
def test_bin_power_curve_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bin_power_curve(**kwargs)


# --------------------------------------------------------------------------- filters
def test_range_mask():
    t = np.array([12.0, -273.2, np.nan, 45.0, 45.1])
    np.testing.assert_array_equal(range_mask(t, -40.0, 45.0, "air_temp_c"), [True, False, False, True, False])
    with pytest.raises(ValueError, match="high: must be >= 10"):
        range_mask(t, 10.0, 5.0)
    with pytest.raises(ValueError, match="air_temp_c: must not be infinite"):
        range_mask([np.inf], 0.0, 1.0, "air_temp_c")


def test_not_operating_mask_and_availability():
    rated = 2.05e6
    #                 idle   stopped  feathered   normal  above rated  curtailed  starting  unknown
    v = np.array([3.0, 8.0, 6.0, 8.0, 16.0, 9.0, 4.5, np.nan])
    p = np.array([-2e3, -3e3, 5e3, 850e3, 2.04e6, 600e3, 20e3, 100e3])
    pitch = np.array([85.0, 90.0, 60.0, -1.0, 12.0, 15.0, 11.0, 0.0])
    down = not_operating_mask(v, p, pitch, rated)
    np.testing.assert_array_equal(down, [False, True, True, False, False, True, True, False])
    valid = np.isfinite(v)
    # in the operating range (v >= 4): 6 valid records, 4 of them not operating
    assert operational_availability(v, down, valid) == pytest.approx(1 - 4 / 6)
    with pytest.raises(ValueError, match="valid: no valid record"):
        operational_availability(v, down, np.zeros(v.size, bool))
    with pytest.raises(ValueError, match="rated_fraction: must be <= 1"):
        not_operating_mask(v, p, pitch, rated, rated_fraction=1.5)
    with pytest.raises(ValueError, match="shapes differ"):
        not_operating_mask(v[:3], p, pitch, rated)
