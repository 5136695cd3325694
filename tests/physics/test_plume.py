"""Tests for physics.plume: first law at the port, monotone decay, the round-jet dilution law, far-field heat flux."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import trapezoid

from physics import plume

HEAT_W = 2.4e6
FLOW_KG_S = 150.4  # 2.4 MW at a 4 K seawater rise
PORT_M = 0.4


def test_first_law_at_the_port():
    # VALIDATION "Energy balance": 240 kW rejected at a 5 K rise needs 240e3 / (3990 x 5) = 12.0 kg/s
    assert plume.discharge_temperature_rise_k(240e3, 12.03, 3990.0) == pytest.approx(5.0, rel=5e-3)
    assert plume.discharge_temperature_rise_k(HEAT_W, FLOW_KG_S, 3990.0) == pytest.approx(
        HEAT_W / (FLOW_KG_S * 3990.0), rel=1e-12)
    # the centreline starts at the port rise
    assert float(plume.plume_centreline_rise_k(0.0, HEAT_W, FLOW_KG_S, 0.5, PORT_M)) == pytest.approx(
        HEAT_W / (FLOW_KG_S * 3990.0), rel=1e-12)
    with pytest.raises(ValueError):
        plume.discharge_temperature_rise_k(1e6, 0.0)


@pytest.mark.parametrize("current", [0.0, 0.05, 0.5, 1.5])
def test_monotone_decay(current):
    x = np.concatenate([[0.0], np.geomspace(1e-2, 1e5, 400)])
    rise = plume.plume_centreline_rise_k(x, HEAT_W, FLOW_KG_S, current, PORT_M, water_depth_m=15.0)
    assert np.all(np.isfinite(rise)) and np.all(rise > 0)
    assert np.all(np.diff(rise) <= 1e-12)
    assert rise[-1] < 0.01 * rise[0]


def test_round_jet_dilution_law():
    # Fischer et al. (1979), Mixing in Inland and Coastal Waters, Table 9.1: round jet centreline concentration
    # c_m = 5.6 Q c0 / (M^1/2 x); with Q / M^1/2 = (pi/4)^1/2 d, at x = 50 d the dilution is
    # 50 / (5.6 x 0.8862) = 10.07. Chen & Rodi (1980) give c_c / c0 = 5.0 d / x, i.e. 10.0 (within 1 %).
    d = 0.4
    # a strong jet in a weak current: x = 50 d is inside the jet regime (x < l_m)
    l_q, l_m, _ = plume.jet_length_scales_m(150.4, d, 0.02)
    assert l_m > 50 * d
    s = float(plume.near_field_dilution(50 * d, 150.4, d, 0.02))
    assert s == pytest.approx(50.0 / (5.6 * math.sqrt(math.pi / 4.0)), rel=1e-9)
    assert s == pytest.approx(10.07, rel=1e-3)
    assert s == pytest.approx(10.0, rel=0.01)
    # bent-over regime: S grows as x^(2/3), continuous at l_m
    l_q, l_m, _ = plume.jet_length_scales_m(150.4, d, 0.5)
    s1, s2 = plume.near_field_dilution(np.array([10 * l_m, 80 * l_m]), 150.4, d, 0.5)
    assert s2 / s1 == pytest.approx(8.0 ** (2.0 / 3.0), rel=1e-12)
    below, above = plume.near_field_dilution(np.array([l_m * (1 - 1e-9), l_m * (1 + 1e-9)]), 150.4, d, 0.5)
    assert above == pytest.approx(below, rel=1e-6)


@pytest.mark.parametrize("x_m", [5.0, 50.0, 500.0, 5000.0])
@pytest.mark.parametrize("depth", [None, 15.0])
def test_gaussian_far_field_carries_the_heat(x_m, depth):
    # integral of rise x u x rho x cp over the cross-section = heat, within 1 %
    u, ky, kz, rho, cp = 0.5, 0.2, 0.02, 1025.0, 3990.0
    x_t, s_t = 2.0, 3.0
    probe = plume.gaussian_plume_rise_k(x_m, 0.0, 0.0, HEAT_W, FLOW_KG_S, u, ky, kz, x_t, s_t, depth, rho, cp)
    sy = math.sqrt(HEAT_W / (rho * cp * u * 2 * math.pi * float(probe)))  # a size scale to bound the integral
    y = np.linspace(-60 * sy, 60 * sy, 2001)
    z = np.linspace(-60 * sy, 60 * sy, 2001)
    yy, zz = np.meshgrid(y, z, indexing="ij")
    rise = plume.gaussian_plume_rise_k(x_m, yy, zz, HEAT_W, FLOW_KG_S, u, ky, kz, x_t, s_t, depth, rho, cp)
    flux = trapezoid(trapezoid(rise * u * rho * cp, z, axis=1), y)
    assert flux == pytest.approx(HEAT_W, rel=0.01)


def test_distance_to_rise():
    kw = dict(heat_w=HEAT_W, flow_kg_s=FLOW_KG_S, current_speed_m_s=0.5, port_diameter_m=PORT_M)
    x1 = plume.distance_to_rise_m(1.0, **kw, water_depth_m=15.0)
    assert float(plume.plume_centreline_rise_k(x1, **kw, water_depth_m=15.0)) == pytest.approx(1.0, rel=1e-6)
    assert plume.distance_to_rise_m(0.1, **kw, water_depth_m=15.0) > x1 > 0
    assert plume.distance_to_rise_m(10.0, **kw) == 0.0  # the port is already below the limit
    with pytest.raises(ValueError):
        plume.distance_to_rise_m(0.0, **kw)


def test_many_discharges_at_once_are_the_scalar_model():
    """The vectorised rise (a year of hours in one call, the handoff by bisection) is the scalar model's, whose
    handoff ``brentq`` finds, over the range of heats, flows and currents a cabin meets."""
    rng = np.random.default_rng(1)
    heat, flow, current = rng.uniform(1e4, 3e6, 500), rng.uniform(1.0, 200.0, 500), rng.uniform(0.0, 1.5, 500)
    for distance, depth in ((100.0, 15.0), (20.0, 35.0), (0.0, 15.0)):
        many = plume.plume_centreline_rise_many_k(distance, heat, flow, current, PORT_M, water_depth_m=depth)
        one = [float(plume.plume_centreline_rise_k(distance, h, f, u, PORT_M, water_depth_m=depth))
               for h, f, u in zip(heat, flow, current)]
        np.testing.assert_allclose(many, one, rtol=1e-9)


def _default_k(current, depth):
    return plume.far_field_diffusivities_m2_s(current, depth)


# (flow kg/s, port m, current m/s, K_y, K_z, mixing scale = depth m): one discharge for each piece of the rate
# difference whose zero is the handoff. The jet pieces and the jump at l_m need diffusivities larger (or smaller)
# than the defaults give (over ports 0.01-5 m, flows 1-5000 kg/s, currents 0-2 m/s and depths 1-500 m the defaults
# hand over only at the bracket's ends or in the bent regime); the scalar model takes them as overrides.
PIECES = {
    "floor": (50.0, 0.4, 1.5, *_default_k(1.5, 15.0), 15.0),  # l_m < 5.6 l_Q: S_near = 1 at the bracket's start
    "start": (150.4, 0.4, 0.02, 0.9, 0.1, 15.0),  # the jet's root lies before the bracket: x_t = lo
    "start-full-k": (150.4, 0.4, 0.02, 0.9, 0.1, 0.5),  # ... with the plume larger than the eddies already
    "jet": (150.4, 0.4, 0.02, 0.076, 0.0085, 15.0),  # root of G M (x / c)^(2/3) = 1 / c
    "jump": (150.4, 0.4, 0.02, 0.0088, 0.00099, 3.0),  # G - 1 / c < 0 <= G - 2 / (3 c): x_t = l_m
    "bent": (150.4, 0.4, 0.05, *_default_k(0.05, 15.0), 15.0),  # Richardson's 4/3 law (the lingang cabin, slack)
    "bent-full-k": (150.4, 0.4, 0.05, *_default_k(0.05, 2.0), 2.0),  # root of G = (2/3) A x^(-1/3)
    "end": (150.4, 0.4, 0.02, 1e-9, 1e-10, 15.0),  # the jet never hands over inside the bracket: x_t = 1e7
}


@pytest.mark.parametrize("piece", sorted(PIECES))
def test_closed_form_handoff_is_brentq_on_the_rate_difference(piece):
    """:func:`near_to_far_transition_many` (closed form) is :func:`near_to_far_transition` (``brentq`` on a central
    difference of ``S_near``), and each input lands in the piece it was built for.

    Tolerance 1e-9 on ``x_t`` and ``S_t``: the reference's difference quotient over ``+-1e-6 x`` has a rounding
    error of ``eps / 2e-6 ~ 1e-10`` of the slope, which moves its root by about 1.5 times that (the two rates'
    log-slopes differ by 2/3 or 7/9), and ``brentq`` stops at 1e-12 in ``log x``. At the jump of the jet's slope at
    ``l_m`` the central difference ramps across the stencil, so there its root lies anywhere within ``+-1e-6 l_m``:
    the tolerance is that half-width.
    """
    flow, port, current, ky, kz, depth = PIECES[piece]
    x_t, s_t = (float(v) for v in plume.near_to_far_transition_many(flow, port, current, ky, kz, depth))
    x_ref, s_ref = plume.near_to_far_transition(flow, port, current, ky, kz, depth)
    l_q, l_m, _ = plume.jet_length_scales_m(flow, port, current)
    lo = 5.6 * l_q * (1.0 + 1e-6)
    rtol = 1e-6 if piece == "jump" else 1e-9
    assert x_t == pytest.approx(x_ref, rel=rtol)
    assert s_t == pytest.approx(s_ref, rel=rtol)
    assert s_t == pytest.approx(float(plume.near_field_dilution(x_t, flow, port, current)), rel=1e-14)
    sigma = math.sqrt(s_t * flow / 1025.0 / (2.0 * math.pi * max(current, plume.MIN_CURRENT_M_S)))
    eddies = float(plume.effective_diffusivity_m2_s(sigma, 1.0, depth))  # < 1: Richardson's law, 1: full K
    where = {"floor": x_t == lo and l_m < lo and s_t == 1.0,
             "start": x_t == lo and l_m > lo and eddies < 1.0,
             "start-full-k": x_t == lo and l_m > lo and eddies == 1.0,
             "jet": lo < x_t < l_m and eddies < 1.0,
             "jump": x_t == l_m and eddies == 1.0 and 1.0 / (5.6 * l_q) > 2 * math.pi * (ky + kz) / (flow / 1025.0),
             "bent": max(lo, l_m) < x_t < 1e7 and eddies < 1.0,
             "bent-full-k": max(lo, l_m) < x_t < 1e7 and eddies == 1.0,
             "end": x_t == 1e7}
    assert where[piece], (piece, x_t, lo, l_m, eddies)


def test_closed_form_handoff_over_many_discharges():
    """The closed form against ``brentq`` over the heats, flows, currents and depths of the rise test above, and
    the pieces these reach (the floor and the bent regime with and without Richardson's law)."""
    rng = np.random.default_rng(2)
    flow, current, depth = rng.uniform(1.0, 200.0, 300), rng.uniform(0.0, 1.5, 300), rng.uniform(2.0, 60.0, 300)
    ky, kz = np.transpose([_default_k(u, h) for u, h in zip(current, depth)])
    x_t, s_t = plume.near_to_far_transition_many(flow, PORT_M, current, ky, kz, depth)
    ref = np.array([plume.near_to_far_transition(f, PORT_M, u, a, b, h)
                    for f, u, a, b, h in zip(flow, current, ky, kz, depth)])
    np.testing.assert_allclose(x_t, ref[:, 0], rtol=1e-9)
    np.testing.assert_allclose(s_t, ref[:, 1], rtol=1e-9)
    lo = 5.6 * math.sqrt(math.pi / 4.0) * PORT_M * (1.0 + 1e-6)
    assert np.any(x_t == lo) and np.any(x_t > lo)
    with pytest.raises(ValueError):
        plume.near_to_far_transition_many(0.0, PORT_M, 0.5, 0.1, 0.01, 15.0)


def test_handoff_without_a_mixing_scale_holds_the_diffusivities_at_every_size():
    """``mixing_scale_m=None`` is constant diffusivities, as the far field (``gaussian_plume_rise_k``) reads it: the
    handoff equals the one with a scale every plume exceeds (Richardson's factor 1), and is near the port, not at
    the bracket's end (10,000 km), where an infinite scale (K = 0 at every size) had put it."""
    flow, port, current, ky, kz, _ = PIECES["bent-full-k"]  # a handoff inside the bracket, in the bent regime
    x_none, s_none = plume.near_to_far_transition(flow, port, current, ky, kz)
    x_small, s_small = plume.near_to_far_transition(flow, port, current, ky, kz, 1e-9)
    assert x_none == pytest.approx(x_small, rel=1e-12) and s_none == pytest.approx(s_small, rel=1e-12)
    x_many, _ = plume.near_to_far_transition_many(flow, port, current, ky, kz, 1e-9)
    assert x_none == pytest.approx(float(x_many), rel=1e-9)
    lo = 5.6 * math.sqrt(math.pi / 4.0) * port * (1.0 + 1e-6)
    assert lo < x_none < 1e4


def test_an_infinite_or_empty_mixing_scale_is_refused_by_every_path():
    """An infinite eddy scale had two readings (K = 0 at every size in the diffusivity and the handoff, K at every
    size in the far field's growth); None says there is no eddy scale, and anything else must be a finite length."""
    flow, port, current, ky, kz, _ = PIECES["bent-full-k"]
    for bad in (math.inf, 0.0, -3.0, math.nan):
        with pytest.raises(ValueError, match="mixing_scale_m"):
            plume.effective_diffusivity_m2_s(1.0, ky, bad)
        with pytest.raises(ValueError, match="mixing_scale_m"):
            plume.near_to_far_transition(flow, port, current, ky, kz, bad)
        with pytest.raises(ValueError, match="mixing_scale_m"):
            plume.near_to_far_transition_many(flow, port, current, ky, kz, bad)
        with pytest.raises(ValueError, match="mixing_scale_m"):
            plume.gaussian_plume_rise_k(100.0, 0.0, 0.0, 1e6, flow, current, ky, kz, mixing_scale_m=bad)
