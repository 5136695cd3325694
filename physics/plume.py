"""Warm-water discharge of a cabin's seawater loop: temperature rise at the port and its decay in the current.

The rise at the port is the first law, ``dT0 = Q / (m_w cp_w)``. Downstream, the excess temperature is diluted:
``dT(x) = dT0 / S(x)`` on the plume's centreline, with ``S`` the larger of two dilutions (whichever mixing is
stronger sets the plume; both grow with distance, so the rise decays monotonically):

- **Near field, round jet in crossflow** (Fischer, List, Koh, Imberger & Brooks 1979, *Mixing in Inland and Coastal
  Waters*, ch. 9; Wright 1977, *J. Hydraul. Div.* 103(HY5), length-scale method; the regime logic of CORMIX).
  Port area ``A``, discharge ``Q = u_j A``, kinematic momentum flux ``M = u_j Q``, length scales
  ``l_Q = Q / M^(1/2) = A^(1/2)`` and ``l_m = M^(1/2) / u_a``.

  * jet regime (``x <= l_m``): the centreline concentration of a round jet, Fischer et al. Table 9.1,
    ``c_m / c_0 = 5.6 l_Q / x``, i.e. ``S = x / (5.6 l_Q)`` (with ``l_Q = (pi/4)^(1/2) d``: ``S = 0.2015 x / d``,
    which is Chen & Rodi's (1980) ``c_c / c_0 = 5.0 d / x`` to 1 %);
  * bent-over (momentum-dominated far field, ``x > l_m``): the jet becomes an advected line puff whose width grows
    as ``x^(1/3)``, so ``S = u_a b^2 / Q`` grows as ``x^(2/3)`` (Fischer et al. sec. 9.2; Wright 1977), matched to
    the jet regime at ``x = l_m``.

  Buoyancy is neglected: the warm discharge (a few kelvin) is weakly buoyant, and its buoyant rise would only add
  dilution, so the rise computed here is an upper bound (conservative for a limit check).
- **Far field, Gaussian plume of a point source in a uniform current** ``u_a`` with lateral and vertical turbulent
  diffusivities ``K_y``, ``K_z`` (Fischer et al. ch. 2-3; Csanady 1973): ``dT = Q_h / (rho cp u_a 2 pi s_y s_z) exp(-y^2
  / 2 s_y^2 - z^2 / 2 s_z^2)`` with ``d(s^2)/dx = 2 K / u_a`` from the handoff point ``x_t``, where the plume is round
  with the near field's dilution ``S_t`` (``2 pi s_t^2 u_a = S_t Q``). It carries the heat flux ``Q_h`` through every
  cross-section exactly. Default diffusivities from the current and depth (Fischer et al. sec. 5.1, open channels):
  ``K_z = 0.067 h u*``, ``K_y = 0.6 h u*`` (natural, irregular boundaries), ``u* = u_a sqrt(C_d)``, ``C_d = 0.0025``; a
  plume smaller than the depth ``h`` feels only the eddies of its own size, Richardson's 4/3 law ``K (2 s / h)^(4/3)``
  (Fischer et al. sec. 3.3). The near field hands over to the far field where the ambient dilution rate first exceeds
  the jet's (:func:`near_to_far_transition`). The seabed and surface are not reflected (unbounded water): a plume that
  fills the depth is diluted less than this far field says, which the near-field bound covers close to the port.

Slack water is floored at ``MIN_CURRENT_M_S``: with no current the steady plume model does not apply.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "JET_CENTRELINE_COEFFICIENT",
    "MIN_CURRENT_M_S",
    "discharge_temperature_rise_k",
    "jet_length_scales_m",
    "near_field_dilution",
    "far_field_diffusivities_m2_s",
    "gaussian_plume_rise_k",
    "near_to_far_transition",
    "near_to_far_transition_many",
    "effective_diffusivity_m2_s",
    "plume_centreline_rise_k",
    "plume_centreline_rise_many_k",
    "distance_to_rise_m",
]

JET_CENTRELINE_COEFFICIENT = 5.6
"""Round jet: ``c_m = 5.6 Q c_0 / (M^(1/2) x)`` (Fischer et al. 1979, Table 9.1)."""
MIN_CURRENT_M_S = 0.02
DRAG_COEFFICIENT = 0.0025
SEAWATER_DENSITY_KG_M3 = 1025.0
SEAWATER_CP_J_KGK = 3990.0


def discharge_temperature_rise_k(heat_w, flow_kg_s, cp_j_kgk=SEAWATER_CP_J_KGK):
    """Rise of the seawater across the exchangers, ``Q / (m cp)`` [K] (first law)."""
    heat_w, flow_kg_s = np.asarray(heat_w, float), np.asarray(flow_kg_s, float)
    if np.any(flow_kg_s <= 0) or np.any(np.asarray(cp_j_kgk) <= 0):
        raise ValueError("flow_kg_s and cp_j_kgk must be > 0")
    return heat_w / (flow_kg_s * cp_j_kgk)


def jet_length_scales_m(flow_kg_s: float, port_diameter_m: float, current_speed_m_s: float,
                        density_kg_m3: float = SEAWATER_DENSITY_KG_M3) -> tuple[float, float, float]:
    """``(l_Q, l_m, u_j)``: source length ``A^(1/2)`` [m], jet-to-crossflow length ``M^(1/2)/u_a`` [m], jet
    velocity [m s-1]."""
    if not (flow_kg_s > 0 and port_diameter_m > 0):
        raise ValueError("flow_kg_s and port_diameter_m must be > 0")
    area = math.pi * port_diameter_m ** 2 / 4.0
    q = flow_kg_s / density_kg_m3
    u_j = q / area
    u_a = max(float(current_speed_m_s), MIN_CURRENT_M_S)
    return math.sqrt(area), u_j * math.sqrt(area) / u_a, u_j


def near_field_dilution(distance_m, flow_kg_s: float, port_diameter_m: float, current_speed_m_s: float,
                        density_kg_m3: float = SEAWATER_DENSITY_KG_M3):
    """Centreline dilution of a round jet in crossflow [-], at least 1 (see the module docstring)."""
    x = np.asarray(distance_m, float)
    l_q, l_m, _ = jet_length_scales_m(flow_kg_s, port_diameter_m, current_speed_m_s, density_kg_m3)
    jet = x / (JET_CENTRELINE_COEFFICIENT * l_q)
    bent = l_m / (JET_CENTRELINE_COEFFICIENT * l_q) * (np.maximum(x, 1e-300) / l_m) ** (2.0 / 3.0)
    return np.maximum(1.0, np.where(x <= l_m, jet, bent))


def far_field_diffusivities_m2_s(current_speed_m_s: float, water_depth_m: float) -> tuple[float, float]:
    """``(K_y, K_z)`` from ``u* = u_a sqrt(C_d)``: ``0.6 h u*`` and ``0.067 h u*`` [m2 s-1] (Fischer et al. 5.1)."""
    u_star = max(float(current_speed_m_s), MIN_CURRENT_M_S) * math.sqrt(DRAG_COEFFICIENT)
    return 0.6 * water_depth_m * u_star, 0.067 * water_depth_m * u_star


def effective_diffusivity_m2_s(sigma_m, diffusivity_m2_s: float, mixing_scale_m: float | None):
    """Diffusivity felt by a plume of standard deviation ``sigma_m``: Richardson's 4/3 law below the eddy scale,
    ``K (2 sigma / h)^(4/3)``, and ``K`` above it [m2 s-1] (Fischer et al. 1979 sec. 3.3; Okubo 1971).
    ``mixing_scale_m`` None: no eddy scale, ``K`` at every size (as :func:`_sigma_sq` and the far field read it);
    otherwise a finite length (:func:`_check_scale`)."""
    sigma = np.asarray(sigma_m, float)
    if mixing_scale_m is None:
        return np.full(sigma.shape, diffusivity_m2_s, float)
    _check_scale(mixing_scale_m)
    return diffusivity_m2_s * np.minimum(1.0, (2.0 * sigma / mixing_scale_m) ** (4.0 / 3.0))


def _check_scale(mixing_scale_m) -> None:
    """The eddy scale must be a finite length > 0 [m]. An infinite one had two readings: K = 0 at every size (the
    4/3 law's limit, which :func:`effective_diffusivity_m2_s` and the handoff took) and K at every size (which
    :func:`_sigma_sq` took); None is the one way to say there is no eddy scale."""
    scale = np.asarray(mixing_scale_m, float)
    if not np.all(np.isfinite(scale) & (scale > 0)):
        raise ValueError(f"mixing_scale_m must be a finite length > 0 [m], or None for no eddy scale: "
                         f"got {mixing_scale_m}")


def _sigma_sq(run_m, s0_sq: float, k: float, scale_m: float, u_a: float):
    """``s^2`` after ``run_m`` of growth ``d(s^2)/dx = 2 K(s) / u_a`` with :func:`effective_diffusivity_m2_s`."""
    if scale_m is None:
        return s0_sq + 2.0 * k * run_m / u_a
    _check_scale(scale_m)
    half = scale_m / 2.0
    c = k / half ** (4.0 / 3.0)  # K(s) = c s^(4/3) below s = h/2, so d(s^(2/3))/dx = (2/3) c / u_a
    s0 = math.sqrt(s0_sq)
    if s0 >= half:
        return s0_sq + 2.0 * k * run_m / u_a
    run_to_scale = (half ** (2.0 / 3.0) - s0 ** (2.0 / 3.0)) * 1.5 * u_a / c
    below = (s0 ** (2.0 / 3.0) + (2.0 / 3.0) * c * np.minimum(run_m, run_to_scale) / u_a) ** 3
    return below + 2.0 * k * np.maximum(run_m - run_to_scale, 0.0) / u_a


def gaussian_plume_rise_k(distance_m, lateral_m, vertical_m, heat_w: float, flow_kg_s: float,
                          current_speed_m_s: float, lateral_diffusivity_m2_s: float,
                          vertical_diffusivity_m2_s: float, start_m: float = 0.0, start_dilution: float = 1.0,
                          mixing_scale_m: float | None = None,
                          density_kg_m3: float = SEAWATER_DENSITY_KG_M3, cp_j_kgk: float = SEAWATER_CP_J_KGK):
    """Far-field excess temperature at ``(x, y, z)`` from the plume axis [K].

    A Gaussian plume in a uniform current that starts at ``start_m`` as a round plume of dilution
    ``start_dilution`` (``2 pi s^2 u_a = S Q``) and spreads as ``s^2 = s_t^2 + 2 K (x - x_t) / u_a``. Upstream of
    ``start_m`` it keeps its starting size. Every cross-section carries ``heat_w``.
    """
    x, y, z = (np.asarray(v, float) for v in (distance_m, lateral_m, vertical_m))
    u_a = max(float(current_speed_m_s), MIN_CURRENT_M_S)
    s0_sq = start_dilution * (flow_kg_s / density_kg_m3) / (2.0 * math.pi * u_a)
    run = np.maximum(x - start_m, 0.0)
    sy_sq = _sigma_sq(run, s0_sq, lateral_diffusivity_m2_s, mixing_scale_m, u_a)
    sz_sq = _sigma_sq(run, s0_sq, vertical_diffusivity_m2_s, mixing_scale_m, u_a)
    peak = heat_w / (density_kg_m3 * cp_j_kgk * u_a * 2.0 * math.pi * np.sqrt(sy_sq * sz_sq))
    return peak * np.exp(-0.5 * y ** 2 / sy_sq - 0.5 * z ** 2 / sz_sq)


def near_to_far_transition(flow_kg_s: float, port_diameter_m: float, current_speed_m_s: float,
                           lateral_diffusivity_m2_s: float, vertical_diffusivity_m2_s: float,
                           mixing_scale_m: float | None = None,
                           density_kg_m3: float = SEAWATER_DENSITY_KG_M3) -> tuple[float, float]:
    """``(x_t, S_t)``: where the ambient far-field dilution rate first exceeds the jet's own, and the dilution there.

    A round plume of dilution ``S`` (``2 pi s^2 u_a = S Q``) handed to the far field dilutes at
    ``dS/dx = 2 pi (K_y(s) + K_z(s)) / Q``; the jet
    dilutes at ``dS_near/dx``. The handoff is the first distance where the former is at least the latter, so
    ``S`` and its growth are continuous and the rise decays monotonically. The search starts at the end of the
    jet's zone of flow establishment (``S_near = 1``), where the undiluted core ends. ``mixing_scale_m`` None: the
    diffusivities hold at every size (no Richardson law), as in :func:`gaussian_plume_rise_k`.
    """
    q = flow_kg_s / density_kg_m3
    u_a = max(float(current_speed_m_s), MIN_CURRENT_M_S)

    def gap(log_x: float) -> float:
        x = math.exp(log_x)
        h = 1e-6 * x
        s1, s0, s2 = near_field_dilution(np.array([x - h, x, x + h]), flow_kg_s, port_diameter_m,
                                         current_speed_m_s, density_kg_m3)
        sigma = math.sqrt(s0 * q / (2.0 * math.pi * u_a))
        k = (effective_diffusivity_m2_s(sigma, lateral_diffusivity_m2_s, mixing_scale_m)
             + effective_diffusivity_m2_s(sigma, vertical_diffusivity_m2_s, mixing_scale_m))
        return 2.0 * math.pi * float(k) / q - (s2 - s1) / (2.0 * h)

    # not before the end of the zone of flow establishment (S_near = 1 at x = 5.6 l_Q, about 5 d: the core)
    l_q = jet_length_scales_m(flow_kg_s, port_diameter_m, current_speed_m_s, density_kg_m3)[0]
    lo, hi = math.log(JET_CENTRELINE_COEFFICIENT * l_q * (1.0 + 1e-6)), math.log(1e7)
    if gap(lo) >= 0:
        x_t = math.exp(lo)
    elif gap(hi) < 0:
        x_t = math.exp(hi)
    else:
        from scipy.optimize import brentq  # here: importing scipy.optimize costs every run 0.8 s

        x_t = math.exp(brentq(gap, lo, hi, xtol=1e-12))
    return x_t, float(near_field_dilution(x_t, flow_kg_s, port_diameter_m, current_speed_m_s, density_kg_m3))


def plume_centreline_rise_k(distance_m, heat_w: float, flow_kg_s: float, current_speed_m_s: float,
                            port_diameter_m: float, water_depth_m: float = 20.0,
                            cp_j_kgk: float = SEAWATER_CP_J_KGK, density_kg_m3: float = SEAWATER_DENSITY_KG_M3,
                            lateral_diffusivity_m2_s: float | None = None,
                            vertical_diffusivity_m2_s: float | None = None):
    """Centreline excess temperature ``dT0 / S(x)`` at ``distance_m`` downstream of the port [K].

    Near field (jet in crossflow) up to :func:`near_to_far_transition`, the Gaussian far field after it.
    Diffusivities default to :func:`far_field_diffusivities_m2_s` of the current and ``water_depth_m``.
    """
    d_t0 = float(discharge_temperature_rise_k(heat_w, flow_kg_s, cp_j_kgk))
    ky, kz = far_field_diffusivities_m2_s(current_speed_m_s, water_depth_m)
    ky = ky if lateral_diffusivity_m2_s is None else lateral_diffusivity_m2_s
    kz = kz if vertical_diffusivity_m2_s is None else vertical_diffusivity_m2_s
    x = np.asarray(distance_m, float)
    if np.any(x < 0):
        raise ValueError("distance_m must be >= 0")
    x_t, s_t = near_to_far_transition(flow_kg_s, port_diameter_m, current_speed_m_s, ky, kz, water_depth_m,
                                      density_kg_m3)
    near = d_t0 / near_field_dilution(x, flow_kg_s, port_diameter_m, current_speed_m_s, density_kg_m3)
    far = gaussian_plume_rise_k(x, 0.0, 0.0, heat_w, flow_kg_s, current_speed_m_s, ky, kz, x_t, s_t, water_depth_m,
                                density_kg_m3, cp_j_kgk)
    return np.where(x <= x_t, near, far)


def near_to_far_transition_many(flow_kg_s, port_diameter_m: float, current_speed_m_s,
                                lateral_diffusivity_m2_s, vertical_diffusivity_m2_s, mixing_scale_m,
                                density_kg_m3: float = SEAWATER_DENSITY_KG_M3) -> tuple[np.ndarray, np.ndarray]:
    """:func:`near_to_far_transition` for many discharges at once, in closed form: ``(x_t, S_t)`` arrays.

    ``flow_kg_s``, ``current_speed_m_s``, the two diffusivities and the mixing scale ``h`` broadcast to one shape.
    The handoff is the
    smallest ``x`` of the same bracket ``[lo, hi] = [c (1 + 1e-6), 1e7]`` where the rate difference
    ``gap(x) = G k(x) - dS_near/dx`` is ``>= 0``, and every piece of ``gap`` is a power law with its own root:

    - ``c = 5.6 l_Q``, ``G = 2 pi (K_y + K_z) / Q``; unfloored near field ``S = x / c`` for ``x <= l_m`` (jet),
      ``S = A x^(2/3)`` beyond (bent, ``A = l_m^(1/3) / c``), so ``dS/dx = 1 / c`` and ``(2/3) A x^(-1/3)``;
    - Richardson's factor ``k = min(1, (2 s / h)^(4/3))`` with ``2 pi s^2 u_a = S Q`` is ``min(1, M S^(2/3))``,
      ``M = (2 / h)^(4/3) (Q / (2 pi u_a))^(2/3)``. So ``gap = min(G - D, G M S^(2/3) - D)`` (``D = dS/dx``): it is
      ``>= 0`` where both are, and as both increase with ``x`` in a regime, from the larger of their two roots;
    - jet: ``G M (x / c)^(2/3) = 1 / c`` gives ``r_jet = c (c G M)^(-3/2)`` if ``c G >= 1``; if ``c G < 1``,
      ``G - 1 / c < 0`` and the jet has no root (``r_jet = inf``);
    - bent: ``G M A^(2/3) x^(4/9) = (2/3) A x^(-1/3)`` gives ``((2/3) A^(1/3) / (G M))^(9/7)``, and
      ``G = (2/3) A x^(-1/3)`` gives ``((2/3) A / G)^3``; ``r_bent`` is the larger;
    - ``gap`` increases in each piece and jumps up at ``l_m`` (``S`` is continuous there, its slope drops from
      ``1 / c`` to ``2 / (3 c)``), and it is ``-1 / c < 0`` as ``x -> 0``: its first ``x`` with ``gap >= 0`` is
      ``r_jet`` if ``r_jet <= l_m``, else ``max(l_m, r_bent)`` (``l_m`` itself where the jump crosses zero);
    - the floor ``S = max(1, ...)`` (slope 0, ``gap = G k > 0``) can reach into the bracket only at its start, in
      the bent regime (``l_m < lo`` and ``A lo^(2/3) <= 1``): there ``gap(lo) > 0`` and ``x_t = lo``; elsewhere the
      floored and unfloored ``gap`` agree on the bracket, and ``x_t`` is the first ``x`` clipped to ``[lo, hi]``
      (``lo`` where ``gap(lo) >= 0``, ``hi`` where ``gap(hi) < 0``, as in :func:`near_to_far_transition`).

    :func:`near_to_far_transition` finds the same point by ``brentq`` on a central difference of ``S`` (half-width
    ``1e-6 x``) and stays the reference (tests/physics/test_plume.py holds this to it, to 1e-9). Where the slope of
    ``S`` jumps the difference blurs it over the stencil: at ``l_m`` the reference's root lies within ``1e-6 l_m`` of
    the jump, and at ``lo`` (whose stencil reaches below the core's end ``c``) its slope is ``(1 - 5e-7) / c``, so
    a root within about ``1e-6 lo`` of ``lo`` may be ``lo`` there.
    """
    flow, cur, ky, kz, scale = np.broadcast_arrays(*(np.asarray(v, float) for v in (
        flow_kg_s, current_speed_m_s, lateral_diffusivity_m2_s, vertical_diffusivity_m2_s, mixing_scale_m)))
    if np.any(flow <= 0) or not port_diameter_m > 0:
        raise ValueError("flow_kg_s and port_diameter_m must be > 0")
    _check_scale(scale)
    u_a = np.maximum(cur, MIN_CURRENT_M_S)
    area = math.pi * port_diameter_m ** 2 / 4.0
    q = flow / density_kg_m3
    l_q = math.sqrt(area)
    l_m = q / area * l_q / u_a
    c_jet = JET_CENTRELINE_COEFFICIENT * l_q
    g = 2.0 * math.pi * (ky + kz) / q
    # in logs: one log of Q / u_a (l_m and M are powers of it) and of G, and three exponentials, not five powers
    with np.errstate(divide="ignore", over="ignore"):
        log_ratio, log_g = np.log(q / u_a), np.log(g)
        log_a = (log_ratio + math.log(l_q / area)) / 3.0 - math.log(c_jet)  # A = l_m^(1/3) / c
        log_m = 4.0 / 3.0 * np.log(2.0 / scale) + 2.0 / 3.0 * (log_ratio - math.log(2.0 * math.pi))
        a, gm = np.exp(log_a), np.exp(log_g + log_m)
        y = c_jet * gm
        r_jet = np.where(c_jet * g >= 1.0, c_jet / (y * np.sqrt(y)), math.inf)
        t = 2.0 / 3.0 * a / g
        r_bent = np.maximum(t * t * t, np.exp(9.0 / 7.0 * (math.log(2.0 / 3.0) + log_a / 3.0 - log_g - log_m)))
    first = np.where(r_jet <= l_m, r_jet, np.maximum(l_m, r_bent))
    lo, hi = c_jet * (1.0 + 1e-6), 1e7
    floored = (lo > l_m) & (a * lo ** (2.0 / 3.0) <= 1.0)
    x_t = np.where(floored, lo, np.clip(first, lo, hi))
    s_t = np.maximum(1.0, np.where(x_t <= l_m, x_t / c_jet, l_m / c_jet * (x_t / l_m) ** (2.0 / 3.0)))
    return x_t, s_t


def plume_centreline_rise_many_k(distance_m: float, heat_w, flow_kg_s, current_speed_m_s, port_diameter_m: float,
                                 water_depth_m: float = 20.0, cp_j_kgk: float = SEAWATER_CP_J_KGK,
                                 density_kg_m3: float = SEAWATER_DENSITY_KG_M3) -> np.ndarray:
    """:func:`plume_centreline_rise_k` at one distance for many discharges at once [K].

    ``heat_w``, ``flow_kg_s`` and ``current_speed_m_s`` broadcast to one shape (say a year of hours); the model is
    the same, with the default diffusivities, and the near-to-far handoff of every element is the closed form of
    :func:`near_to_far_transition_many`.
    """
    heat, flow, cur = np.broadcast_arrays(np.asarray(heat_w, float), np.asarray(flow_kg_s, float),
                                          np.asarray(current_speed_m_s, float))
    if np.any(flow <= 0) or not port_diameter_m > 0 or not distance_m >= 0:
        raise ValueError("flow_kg_s and port_diameter_m must be > 0 and distance_m >= 0")
    d_t0 = heat / (flow * cp_j_kgk)
    u_a = np.maximum(cur, MIN_CURRENT_M_S)
    u_star = u_a * math.sqrt(DRAG_COEFFICIENT)
    ky, kz = 0.6 * water_depth_m * u_star, 0.067 * water_depth_m * u_star
    area = math.pi * port_diameter_m ** 2 / 4.0
    q = flow / density_kg_m3
    l_q = math.sqrt(area)
    l_m = q / area * l_q / u_a
    c_jet = JET_CENTRELINE_COEFFICIENT * l_q

    def near(x):
        bent = l_m / c_jet * (np.maximum(x, 1e-300) / l_m) ** (2.0 / 3.0)
        return np.maximum(1.0, np.where(x <= l_m, x / c_jet, bent))

    x_t, s_t = near_to_far_transition_many(flow, port_diameter_m, cur, ky, kz, water_depth_m, density_kg_m3)
    # the far field from the handoff (gaussian_plume_rise_k on the axis, mixing scale the depth)
    s0_sq = s_t * q / (2.0 * math.pi * u_a)
    run = np.maximum(distance_m - x_t, 0.0)
    half = water_depth_m / 2.0

    s0 = np.sqrt(s0_sq)
    s0_23 = np.cbrt(s0_sq)  # s0^(2/3), once for both diffusivities

    def sigma_sq(k):
        c = k / half ** (4.0 / 3.0)
        to_scale = np.maximum(half ** (2.0 / 3.0) - s0_23, 0.0) * 1.5 * u_a / c
        b = s0_23 + (2.0 / 3.0) * c * np.minimum(run, to_scale) / u_a
        small = b * b * b + 2.0 * k * np.maximum(run - to_scale, 0.0) / u_a
        return np.where(s0 >= half, s0_sq + 2.0 * k * run / u_a, small)

    far = heat / (density_kg_m3 * cp_j_kgk * u_a * 2.0 * math.pi * np.sqrt(sigma_sq(ky) * sigma_sq(kz)))
    return np.where(distance_m <= x_t, d_t0 / near(np.asarray(float(distance_m))), far)


def distance_to_rise_m(limit_k: float, heat_w: float, flow_kg_s: float, current_speed_m_s: float,
                       port_diameter_m: float, max_distance_m: float = 1.0e6, **kwargs) -> float:
    """Distance downstream at which the centreline rise falls to ``limit_k`` [m]; 0 if the port is already
    within it, ``inf`` if not reached by ``max_distance_m``."""
    if not limit_k > 0:
        raise ValueError("limit_k must be > 0")

    def excess(log_x: float) -> float:
        return float(plume_centreline_rise_k(math.exp(log_x), heat_w, flow_kg_s, current_speed_m_s,
                                             port_diameter_m, **kwargs)) - limit_k

    if float(discharge_temperature_rise_k(heat_w, flow_kg_s, kwargs.get("cp_j_kgk", SEAWATER_CP_J_KGK))) <= limit_k:
        return 0.0
    lo, hi = math.log(1e-4), math.log(max_distance_m)
    if excess(hi) > 0:
        return math.inf
    if excess(lo) < 0:
        return math.exp(lo)
    from scipy.optimize import brentq  # here: importing scipy.optimize costs every run 0.8 s

    return math.exp(brentq(excess, lo, hi, xtol=1e-10))
