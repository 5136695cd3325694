"""The plant's formulas as the compiled kernel needs them: scalar, allocation-free, compiled by numba.

Each function here is the inlined twin of a public, checked function (named in its docstring), written for the
kernel's inner loop where a Python call per value would cost more than the maths; ``tests/twin/sim/
test_kernel_physics.py`` holds every one of them to that public function on the same inputs. With
``NUMBA_DISABLE_JIT=1`` they run as plain Python.

Besides those twins, two pieces of mathematics the kernel needs and nothing else does:

- :func:`eig_sym3`: the eigen-decomposition of the cabin network's symmetric form (cyclic Jacobi), from which the
  exact zero-order-hold solution over any interval follows (:func:`modal_step`);
- :func:`exp_sum_max` and :func:`exp_sum_above`: where a sum of exponentials ``a0 + sum_k a_k exp(l_k t)`` (a node
  temperature between two control instants) peaks inside an interval and how long it stays above a threshold, so
  maxima and crossings inside a control period are located, not sampled.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["ARRANGEMENT_CODES", "hx_ua_w_k", "effectiveness", "eig_sym3", "modal_step", "modal_factors",
           "modal_apply", "phi_psi",
           "exp_sum_value", "exp_sum_bounds", "exp_sum_critical", "exp_sum_max", "exp_sum_monotone", "exp_sum_peak",
           "exp_sum_above",
           "pump_pi_speed", "throttle_speed", "fan_speed_for_load", "server_fan_fraction", "x_factor",
           "cable_sending_w", "transformer_loss_w", "table_loss_w", "resistive_loss_w", "TAB_MAX"]

ARRANGEMENT_CODES = {"counterflow": 0, "parallel": 1, "crossflow": 2, "crossflow-approximate": 3}
"""Exchanger arrangements by the code the kernel's parameter arrays carry (``physics.heat_transfer``)."""

_CROSSFLOW_TINY = 1e-250  # as physics.heat_transfer: below this Cr NTU the limit 1 - exp(-NTU) is used


# ------------------------------------------------------------------------------------------------ exchanger


@njit(cache=True, _nrt=False)
def hx_ua_w_k(ua_design_w_k, air_flow_fraction, water_flow_fraction, hot_side_share, exponent,
              fouling_per_area_k_w):
    """Exchanger UA away from design flows [W K-1]: ``physics.heat_transfer.hx_ua_scaled_w_k`` (fouling given as
    resistance over area [K W-1])."""
    s = hot_side_share
    if (air_flow_fraction == 0.0 and s > 0.0) or (water_flow_fraction == 0.0 and s < 1.0):
        return 0.0
    r_air = s / (ua_design_w_k * air_flow_fraction ** exponent) if s > 0.0 else 0.0
    r_water = (1.0 - s) / (ua_design_w_k * water_flow_fraction ** exponent) if s < 1.0 else 0.0
    return 1.0 / (r_air + r_water + fouling_per_area_k_w)


@njit(cache=True, _nrt=True)  # its lists need numba's reference counting (the kernel compiles without it)
def _crossflow(ntu, cr):
    """Exact single-pass crossflow, both unmixed: ``sum_j P(j, NTU) P(j, Cr NTU) / (Cr NTU)`` with ``P`` the
    regularised lower incomplete gamma function, as ``physics.heat_transfer._crossflow_exact``; each ``P(j, y)`` is
    the tail ``exp(-y) sum_{m >= j} y^m / m!``, summed from the far end so no term cancels."""
    x = cr * ntu
    if x < _CROSSFLOW_TINY:
        return -math.expm1(-ntu)
    n_terms = int(math.ceil(x + 12.0 * math.sqrt(x) + 40.0))
    big = ntu if ntu > x else x
    m_max = int(math.ceil(big + 12.0 * math.sqrt(big) + 60.0))
    if m_max < n_terms + 1:
        m_max = n_terms + 1
    total = 0.0
    # terms t_m(y) = exp(-y) y^m / m!, upward from m = 0, kept so the tails can be summed downward
    tn = [0.0] * (m_max + 1)
    tx = [0.0] * (m_max + 1)
    tn[0] = math.exp(-ntu)
    tx[0] = math.exp(-x)
    for m in range(1, m_max + 1):
        tn[m] = tn[m - 1] * ntu / m
        tx[m] = tx[m - 1] * x / m
    tail_n = 0.0
    tail_x = 0.0
    for m in range(m_max, 0, -1):
        tail_n += tn[m]
        tail_x += tx[m]
        if m <= n_terms:
            total += tail_n * tail_x
    return total / x


@njit(cache=True, _nrt=False)
def effectiveness(ntu, cr, arrangement_code):
    """Exchanger effectiveness [-]: ``physics.heat_transfer.effectiveness_ntu`` (arrangement by
    :data:`ARRANGEMENT_CODES`)."""
    if arrangement_code == 0:
        em1 = math.expm1(-ntu * (1.0 - cr))
        den = (1.0 - cr) - cr * em1
        return ntu / (1.0 + ntu) if den <= 0.0 else -em1 / den
    if arrangement_code == 1:
        return -math.expm1(-ntu * (1.0 + cr)) / (1.0 + cr)
    if arrangement_code == 2:
        return _crossflow(ntu, cr)
    z = cr * ntu ** 0.78
    ratio = math.expm1(-z) / z if z > 1e-5 else -1.0 + z / 2.0 - z * z / 6.0
    return -math.expm1(ntu * ratio)


# ------------------------------------------------------------------------------------------------ network


@njit(cache=True, _nrt=False)
def eig_sym3(m, lam, v):
    """Eigenvalues ``lam`` (3,) and orthonormal eigenvectors ``v`` (in columns) of the symmetric 3x3 ``m``
    (overwritten); ``m`` and ``v`` flat, row-major (9,): the kernel passes columns of its cache, which allocates
    nothing. By cyclic Jacobi rotations (Numerical Recipes, 11.1): accurate to rounding for any spread of
    eigenvalues, close pairs included (the reference cabin's server and wall modes lie 3 % apart)."""
    for i in range(3):
        for j in range(3):
            v[3 * i + j] = 1.0 if i == j else 0.0
    for _ in range(50):
        off = m[1] * m[1] + m[2] * m[2] + m[5] * m[5]
        diag = m[0] * m[0] + m[4] * m[4] + m[8] * m[8]
        if off <= 1e-36 * diag or off == 0.0:
            break
        for pair in range(3):
            p = 0 if pair < 2 else 1
            q = 1 if pair == 0 else 2
            apq = m[3 * p + q]
            if apq == 0.0:
                continue
            theta = (m[3 * q + q] - m[3 * p + p]) / (2.0 * apq)
            t = 1.0 / (abs(theta) + math.sqrt(theta * theta + 1.0))
            if theta < 0.0:
                t = -t
            c = 1.0 / math.sqrt(t * t + 1.0)
            s = t * c
            r = 3 - p - q  # the third index
            mrp = m[3 * r + p]
            mrq = m[3 * r + q]
            m[3 * r + p] = c * mrp - s * mrq
            m[3 * p + r] = m[3 * r + p]
            m[3 * r + q] = s * mrp + c * mrq
            m[3 * q + r] = m[3 * r + q]
            m[3 * p + p] -= t * apq
            m[3 * q + q] += t * apq
            m[3 * p + q] = 0.0
            m[3 * q + p] = 0.0
            for k in range(3):
                vkp = v[3 * k + p]
                vkq = v[3 * k + q]
                v[3 * k + p] = c * vkp - s * vkq
                v[3 * k + q] = s * vkp + c * vkq
    for i in range(3):
        lam[i] = m[3 * i + i]


@njit(cache=True, _nrt=False)
def phi_psi(lam, tau):
    """``(exp(l t), phi, psi)`` for one mode over ``tau`` [s]: ``phi = int_0^tau exp(l s) ds`` and
    ``psi = int_0^tau phi(s) ds``, by series where ``l tau`` is small (no cancellation)."""
    x = lam * tau
    e = math.exp(x)
    if abs(x) < 1e-3:
        phi = tau * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x / 120.0))))
        psi = tau * tau * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x / 720.0))))
    else:
        phi = math.expm1(x) / lam
        psi = (phi - tau) / lam
    return e, phi, psi


@njit(cache=True, _nrt=False)
def modal_factors(lam, tau, epp):
    """``epp``: for each mode ``exp(l_k tau)``, then ``phi_k``, then ``psi_k`` over ``tau`` [s] (:func:`phi_psi`)."""
    for k in range(3):
        epp[k], epp[3 + k], epp[6 + k] = phi_psi(lam[k], tau)


@njit(cache=True, _nrt=False, inline="always")
def modal_apply(epp, p_mat, z0, w, x_out, xint_out):
    """The state after the interval and its integral over it, from :func:`modal_factors`' ``epp`` (see
    :func:`modal_step`)."""
    zt0 = z0[0] * epp[0] + w[0] * epp[3]
    zt1 = z0[1] * epp[1] + w[1] * epp[4]
    zt2 = z0[2] * epp[2] + w[2] * epp[5]
    zi0 = z0[0] * epp[3] + w[0] * epp[6]
    zi1 = z0[1] * epp[4] + w[1] * epp[7]
    zi2 = z0[2] * epp[5] + w[2] * epp[8]
    for i in range(3):
        x_out[i] = p_mat[3 * i] * zt0 + p_mat[3 * i + 1] * zt1 + p_mat[3 * i + 2] * zt2
        xint_out[i] = p_mat[3 * i] * zi0 + p_mat[3 * i + 1] * zi1 + p_mat[3 * i + 2] * zi2


@njit(cache=True)
def modal_step(lam, p_mat, z0, w, tau, x_out, xint_out, e_out):
    """Exact step of a linear network in modal coordinates over ``tau`` [s] with constant input.

    ``x = P z`` (``p_mat`` the 3x3 ``P`` row-major, flat), ``dz_k/dt = l_k z_k + w_k``, so
    ``z_k(tau) = z_k(0) e_k + w_k phi_k`` and ``int_0^tau z_k = z_k(0) phi_k + w_k psi_k`` (:func:`phi_psi`).
    Writes the state at ``tau`` into ``x_out``, its integral over the interval into ``xint_out`` [C s] and
    ``exp(l_k tau)`` into ``e_out``. The same zero-order-hold solution as ``physics.thermal.discretise_zoh`` (matrix
    exponential of the augmented system), for any ``tau``.
    """
    epp = np.empty(9)
    modal_factors(lam, tau, epp)
    modal_apply(epp, p_mat, z0, w, x_out, xint_out)
    for k in range(3):
        e_out[k] = epp[k]


# ------------------------------------------------------------------------------------------------ sums of exponentials
# f(t) = a0 + sum_k a_k exp(l_k t) on [0, tau]: a node temperature between two control instants (all l_k < 0).


@njit(cache=True, _nrt=False)
def exp_sum_value(a0, a, lam, t):
    """``a0 + sum_k a_k exp(l_k t)``."""
    return a0 + a[0] * math.exp(lam[0] * t) + a[1] * math.exp(lam[1] * t) + a[2] * math.exp(lam[2] * t)


@njit(cache=True, _nrt=False)
def _slope(a, lam, t):
    return (a[0] * lam[0] * math.exp(lam[0] * t) + a[1] * lam[1] * math.exp(lam[1] * t)
            + a[2] * lam[2] * math.exp(lam[2] * t))


@njit(cache=True, _nrt=False)
def _root(a0, a, lam, lo, hi, f_lo, f_hi, derivative):
    """A root of the sum (``derivative`` 0) or of its slope (1) in ``[lo, hi]`` where the ends differ in sign:
    Illinois regula falsi, with a bisection whenever two steps have not halved the bracket (a sum that is flat at
    one end), to 1e-9 s."""
    width = hi - lo
    for i in range(200):
        if hi - lo <= 1e-9:
            break
        if i % 2 == 0:
            if hi - lo > 0.5 * width:
                t = 0.5 * (lo + hi)
            else:
                t = hi - f_hi * (hi - lo) / (f_hi - f_lo)
            width = hi - lo
        else:
            t = hi - f_hi * (hi - lo) / (f_hi - f_lo)
        if not lo < t < hi:
            t = 0.5 * (lo + hi)
        f = _slope(a, lam, t) if derivative else exp_sum_value(a0, a, lam, t)
        if f == 0.0:
            return t
        if (f > 0.0) == (f_hi > 0.0):
            hi, f_hi = t, f
            f_lo *= 0.5
        else:
            lo, f_lo = t, f
            f_hi *= 0.5
    return 0.5 * (lo + hi)


@njit(cache=True, _nrt=False, inline="always")
def exp_sum_bounds(a0, a, e):
    """``(low, high)`` bounds of the sum over the interval from each term's values at its ends (``e``:
    ``exp(l_k tau)``): each term moves monotonically between them."""
    lo = hi = a0
    for k in range(3):
        v = a[k] * e[k]
        lo += a[k] if a[k] < v else v
        hi += v if a[k] < v else a[k]
    return lo, hi


@njit(cache=True, _nrt=False)
def exp_sum_critical(a, lam, e, tau, out):
    """Where the slope of the sum vanishes inside ``(0, tau)``, ascending into ``out``; returns how many (at most
    two). With the slope's signs at the ends: opposite signs hold exactly one root; equal signs none or two, and
    two only if the slope changes sign at the one point where ``exp(-l_2 t)`` times the slope turns, found in
    closed form (that product's own slope has two terms)."""
    d0 = a[0] * lam[0] + a[1] * lam[1] + a[2] * lam[2]
    d1 = a[0] * lam[0] * e[0] + a[1] * lam[1] * e[1] + a[2] * lam[2] * e[2]
    if d0 != 0.0 and d1 != 0.0 and (d0 > 0.0) != (d1 > 0.0):
        out[0] = _root(0.0, a, lam, 0.0, tau, d0, d1, 1)
        return 1
    c0 = a[0] * lam[0] * (lam[0] - lam[2])
    c1 = a[1] * lam[1] * (lam[1] - lam[2])
    if c0 == 0.0 or c1 == 0.0 or lam[0] == lam[1]:
        return 0
    ratio = -c1 / c0
    if ratio <= 0.0:
        return 0
    ts = math.log(ratio) / (lam[0] - lam[1])
    if not 0.0 < ts < tau:
        return 0
    ds = _slope(a, lam, ts)
    ref = d0 if d0 != 0.0 else d1
    if ds == 0.0 or (ds > 0.0) == (ref > 0.0):
        return 0
    out[0] = _root(0.0, a, lam, 0.0, ts, d0, ds, 1)
    out[1] = _root(0.0, a, lam, ts, tau, ds, d1, 1)
    return 2


@njit(cache=True, _nrt=False)
def exp_sum_max(a0, a, lam, f0, f_tau, crit, n_crit):
    """Highest value of the sum over the interval: its ends (``f0``, ``f_tau``) or a critical point."""
    best = f0 if f0 > f_tau else f_tau
    for i in range(n_crit):
        v = exp_sum_value(a0, a, lam, crit[i])
        if v > best:
            best = v
    return best


@njit(cache=True, _nrt=False, inline="always")
def exp_sum_monotone(a, lam):
    """Whether every term's slope ``a_k l_k`` has one sign: the sum is then monotone on any interval, its maximum at
    an end (:func:`exp_sum_peak` would find no turn; the kernel asks this first, three products, and calls it only
    otherwise: in a winter day of twenty groups it settled two calls in three)."""
    s0, s1, s2 = a[0] * lam[0], a[1] * lam[1], a[2] * lam[2]
    return (s0 >= 0.0 and s1 >= 0.0 and s2 >= 0.0) or (s0 <= 0.0 and s1 <= 0.0 and s2 <= 0.0)


@njit(cache=True, _nrt=False)
def exp_sum_peak(a0, a, lam, e, tau, f0, f_tau):
    """Highest value of the sum over ``[0, tau]`` (``e``: ``exp(l_k tau)``; ``f0``, ``f_tau``: the ends), searching
    only for a maximum inside: where the slope turns from rising to falling (the first critical point when it rises
    at 0, the second when it falls at 0 and turns twice; :func:`exp_sum_critical`). The peak's time is found to
    1e-6 s, its value to far better (the sum is flat there)."""
    best = f0 if f0 > f_tau else f_tau
    d0 = a[0] * lam[0] + a[1] * lam[1] + a[2] * lam[2]
    d1 = a[0] * lam[0] * e[0] + a[1] * lam[1] * e[1] + a[2] * lam[2] * e[2]
    if d0 > 0.0 and d1 < 0.0:
        lo, hi, s_lo, s_hi = 0.0, tau, d0, d1
    elif (d0 > 0.0) == (d1 > 0.0) and d0 != 0.0 and d1 != 0.0:
        c0 = a[0] * lam[0] * (lam[0] - lam[2])
        c1 = a[1] * lam[1] * (lam[1] - lam[2])
        if c0 == 0.0 or c1 == 0.0 or lam[0] == lam[1] or -c1 / c0 <= 0.0:
            return best
        ts = math.log(-c1 / c0) / (lam[0] - lam[1])
        if not 0.0 < ts < tau:
            return best
        ds = _slope(a, lam, ts)
        if ds == 0.0 or (ds > 0.0) == (d0 > 0.0):
            return best  # no turn: monotone
        if d0 > 0.0:  # rises, falls, rises: the peak is the first turn
            lo, hi, s_lo, s_hi = 0.0, ts, d0, ds
        else:  # falls, rises, falls: the second
            lo, hi, s_lo, s_hi = ts, tau, ds, d1
    else:
        return best
    for _ in range(100):  # bisection with a secant guess, on the slope
        if hi - lo <= 1e-6:
            break
        t = hi - s_hi * (hi - lo) / (s_hi - s_lo)
        if not lo + 0.1 * (hi - lo) < t < hi - 0.1 * (hi - lo):
            t = 0.5 * (lo + hi)
        s = _slope(a, lam, t)
        if s > 0.0:
            lo, s_lo = t, s
        else:
            hi, s_hi = t, s
    v = exp_sum_value(a0, a, lam, 0.5 * (lo + hi))
    return v if v > best else best


@njit(cache=True, _nrt=False)
def exp_sum_above(a0, a, lam, tau, threshold, f0, f_tau, crit, n_crit, intervals):
    """Where the sum is above ``threshold`` inside ``[0, tau]``: up to two intervals written as
    ``intervals[2 i], intervals[2 i + 1]`` [s]; returns how many. The sum is monotone between the ends and its
    critical points (``crit``, from :func:`exp_sum_critical`), so each piece holds at most one crossing."""
    n = 0
    start = 0.0 if f0 > threshold else -1.0
    t_lo = 0.0
    g_lo = f0 - threshold
    for piece in range(n_crit + 1):
        t_hi = crit[piece] if piece < n_crit else tau
        g_hi = (exp_sum_value(a0, a, lam, t_hi) if piece < n_crit else f_tau) - threshold
        if (g_lo > 0.0) != (g_hi > 0.0):
            tc = _root(a0 - threshold, a, lam, t_lo, t_hi, g_lo, g_hi, 0)
            if g_hi > 0.0:
                start = tc
            else:
                intervals[2 * n] = start
                intervals[2 * n + 1] = tc
                n += 1
                start = -1.0
        t_lo, g_lo = t_hi, g_hi
    if start >= 0.0:
        intervals[2 * n] = start
        intervals[2 * n + 1] = tau
        n += 1
    return n


# ------------------------------------------------------------------------------------------------ controls


@njit(cache=True, _nrt=False, inline="always")
def pump_pi_speed(speed, last_error_k, error_k, dt_s, sensitivity_k, gain, ti_s, min_speed, cap):
    """One update of the gain-scheduled pump PI in velocity form: ``twin.sim.controls.PumpPI.update``; returns
    the new speed [-]."""
    hi = 1.0 if cap > 1.0 else cap
    lo = min_speed if min_speed < hi else hi
    k = gain / (sensitivity_k if sensitivity_k > 1.0 else 1.0)
    r = dt_s / ti_s
    r_max = 1.0 / gain - 1.0
    u = speed + k * (error_k - last_error_k) + k * error_k * (r if r < r_max else r_max)
    if u > hi:
        u = hi
    elif u < lo:
        u = lo
    return u


@njit(cache=True, _nrt=False, inline="always")
def throttle_speed(inlet_c, allowable_max_c, margin_k, min_speed):
    """Clock fraction of busy servers [-]: ``twin.sim.controls.throttle_speed``."""
    start = allowable_max_c - margin_k
    if inlet_c <= start:
        return 1.0
    s = 1.0 - (1.0 - min_speed) * (inlet_c - start) / margin_k
    return min_speed if s < min_speed else s


@njit(cache=True, _nrt=False, inline="always")
def fan_speed_for_load(heat_w, design_heat_w, min_speed):
    """Cabin fan speed in proportion to the heat [-]: ``twin.sim.controls.fan_speed_for_load``."""
    s = heat_w / design_heat_w
    if s < min_speed:
        return min_speed
    return 1.0 if s > 1.0 else s


@njit(cache=True, _nrt=False, inline="always")
def server_fan_fraction(inlet_c, threshold_c, slope_per_k):
    """Rise of server power by their fans [-]: ``physics.servers.server_fan_power_fraction``."""
    return slope_per_k * (inlet_c - threshold_c) if inlet_c > threshold_c else 0.0


@njit(cache=True, _nrt=False, inline="always")
def x_factor(inlet_c, table):
    """ASHRAE failure x-factor at an inlet [-]: ``physics.servers.failure_x_factor`` on its table (``table[0]`` the
    inlets [C], ``table[1]`` the factors; linear between the points, held beyond the ends). The table is indexed
    whole, not taken apart into rows (views: see ``twin.sim.kernel._three``)."""
    n = table.shape[1]
    if inlet_c <= table[0, 0]:
        return table[1, 0]
    if inlet_c >= table[0, n - 1]:
        return table[1, n - 1]
    k = 0
    while inlet_c >= table[0, k + 1]:
        k += 1
    return table[1, k] + (table[1, k + 1] - table[1, k]) * (inlet_c - table[0, k]) / (table[0, k + 1] - table[0, k])


# ------------------------------------------------------------------------------------------------ electrical


@njit(cache=True, _nrt=False)
def cable_sending_w(received_w, loss_coefficient_per_w):
    """Power to send so ``received_w`` arrives [W]: ``physics.electrical.cable_sending_power_scalar_w``."""
    return 2.0 * received_w / (1.0 + math.sqrt(1.0 - 4.0 * loss_coefficient_per_w * received_w))


@njit(cache=True, _nrt=False)
def transformer_loss_w(load_w, no_load_loss_w, load_loss_coefficient_per_w2):
    """Transformer loss [W]: ``physics.electrical.transformer_loss_scalar_w``."""
    return no_load_loss_w + load_loss_coefficient_per_w2 * load_w * load_w


TAB_MAX = 10
"""Points a loss table may hold in the kernel's parameter rows (``physics.power_chain.MAX_TABLE_POINTS``)."""


@njit(cache=True, _nrt=False)
def table_loss_w(power_w, rated_w, row, off):
    """Loss [W] of an element of rating ``rated_w`` carrying ``power_w``, its table kept in ``row`` from ``off``
    (point count, ``TAB_MAX`` load fractions, ``TAB_MAX`` losses over rating):
    ``physics.power_chain.tabulated_loss_scalar_w``."""
    n = int(row[off])
    if rated_w <= 0.0 or n == 0:
        return 0.0
    x0 = off + 1
    l0 = off + 1 + TAB_MAX
    u = power_w / rated_w
    if n == 1:
        loss = row[l0] * u / row[x0]
        return (loss if loss > 0.0 else 0.0) * rated_w
    if u <= row[x0]:
        loss = row[l0] + (row[l0 + 1] - row[l0]) * (u - row[x0]) / (row[x0 + 1] - row[x0])
        if loss > row[l0]:
            loss = row[l0]
    elif u >= row[x0 + n - 1]:
        a, b = n - 2, n - 1
        loss = row[l0 + b] + (row[l0 + b] - row[l0 + a]) * (u - row[x0 + b]) / (row[x0 + b] - row[x0 + a])
    else:
        k = 0
        while u > row[x0 + k + 1]:
            k += 1
        loss = row[l0 + k] + (row[l0 + k + 1] - row[l0 + k]) * (u - row[x0 + k]) / (row[x0 + k + 1] - row[x0 + k])
    return (loss if loss > 0.0 else 0.0) * rated_w


@njit(cache=True, _nrt=False)
def resistive_loss_w(power_w, rated_w, loss_fraction_at_rated):
    """I^2 R loss [W]: ``physics.power_chain.resistive_loss_w``."""
    if rated_w <= 0.0:
        return 0.0
    return loss_fraction_at_rated * power_w * power_w / rated_w
