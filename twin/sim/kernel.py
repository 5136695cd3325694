"""The continuous plant between two discrete events, compiled: ``advance(t0, t_end, ...)``.

One call advances every cabin group (the rows of ``twin.sim.state``'s arrays) and the electrical bus from ``t0``
towards ``t_end`` (the next discrete event the engine knows of) through *intervals* in which every input is
constant. The call then returns the time it reached, with the reasons in ``st[:, S_FLAGS]``.

Each row keeps its own time. Its network advances in one piece to the first of the instants every row must see
(the next control instant, base step of the environment, output step, rack-power block, ``t_end``) and its own
events: a job's work clock reaching its next completion, a job's arrival, the integrated failure hazard reaching
its drawn limit, a server finishing booting or shutting down, the hottest rack of a shedding cabin leaving its
throttling band. Another row's event does not cut it: between its own events and the shared instants nothing it
depends on changes. The bus needs only the rows' powers, which hold between the same instants, and is balanced
over every interval between any two of them, and where the battery reaches a limit (wind over the link, battery,
grid, export, curtailment; the battery's power is held and the interval is cut there).

At each control instant (every ``controls.control_period_s``) the controllers sample the state: the pump PI on the
mean rack inlet, the throttle on the hottest rack's inlet, the server fans on the inlet, the cabin fans on the
heat; their outputs hold until the next instant. Inside a row's interval the thermal network is solved exactly in
modal coordinates (``kernel_physics.modal_step``): temperatures are exact at any time, their integrals give exact
means, and maxima and threshold crossings inside the interval are located from the sum-of-exponentials form. The
site's figures over all rows are independent of how the rows' time is cut: its time above a limit is the union of
the rows' intervals above it (kept in absolute time and united whenever all rows are at the same instant), its
hottest inlet's step mean is the highest of the rows' hottest-inlet step means, its maximum the highest maximum.

Compiled without numba's reference counting (``_nrt=False``; only ``kernel_physics._crossflow``, whose lists need it,
says otherwise): with it, each array a function took, inlined or not, and each slice cost an atomic increment and
decrement, about a hundred and thirty per row and control period (counted with a debugger on twenty groups), a
third of a twenty-group year. So the kernel allocates nothing: its working arrays come from
``twin.sim.state.scratch``.
"""

from __future__ import annotations

import math

from numba import njit

from twin.sim.compiled_cache import refresh as refresh_compiled_cache
from twin.sim.kernel_cabin import L_FAN, L_PUMP, cabin_control, cabin_loads, cache_entry, rack_energy
from twin.sim.kernel_jobs import (
    clock_tolerance_s,
    complete_due,
    enqueue_due,
    next_arrival_s,
    refresh_counts,
    start_waiting,
    work_due,
)
from twin.sim.kernel_physics import (
    cable_sending_w,
    exp_sum_above,
    exp_sum_bounds,
    exp_sum_critical,
    exp_sum_monotone,
    exp_sum_peak,
    exp_sum_value,
    modal_apply,
    modal_factors,
    transformer_loss_w,
)
from twin.sim.recorder import (
    AC_ALIVE,
    AC_FAN,
    AC_FOUL,
    AC_GAS_T,
    AC_HEAT,
    AC_HOT,
    AC_HOT_MAX,
    AC_INLET,
    AC_INLET_MAX,
    AC_IT_T,
    AC_IT_W,
    AC_LQ_ABOVE,
    AC_LQ_FWS_ABOVE,
    AC_LQ_HEAT,
    AC_LQ_RETURN,
    AC_LQ_RETURN_MAX,
    AC_LQ_SPEED,
    AC_LQ_SUPPLY,
    AC_LQ_SUPPLY_MAX,
    AC_OUTLET,
    AC_POWERED,
    AC_PROTECT,
    AC_PROTECT_SHARE,
    AC_PUMP,
    AC_QUEUE,
    AC_THROTTLE,
    AC_UTIL,
    AC_WALL_T,
    AG_ABOVE_ALLOW,
    AG_ABOVE_REC,
    AG_BELOW_REC,
    AG_INLET,
    AG_INLET_MAX,
    AG_SEA,
    AG_TURB,
    AG_UTIL,
    F_AUX,
    F_B_CHARGE,
    F_B_DISCHARGE,
    F_B_LOSS,
    F_BUSWAY,
    F_COOLING,
    F_CURTAILED,
    F_DIST,
    F_EXPORT,
    F_FACILITY,
    F_FAN,
    F_FAN_DRIVE,
    F_GRID_IN,
    F_GRID_SENT,
    F_IT,
    F_LINK_LOSS,
    F_LQ_PUMP,
    F_PDU,
    F_PSU,
    F_PUMP,
    F_PUMP_DRIVE,
    F_SHORE_LOSS,
    F_SRV_FAN,
    F_TRANSFORMER,
    F_UNSERVED,
    F_UPS,
    F_VR,
    F_WIND_AV,
    F_WIND_LOAD,
    flush,
)
from twin.sim.state import (
    B_ALLOW,
    B_BASE_S,
    B_BATT_CH,
    B_BATT_DIS,
    B_BATT_E,
    B_BATT_EMAX,
    B_BATT_EMIN,
    B_BATT_ETA,
    B_BLOCK_S,
    B_CTRL_S,
    B_DEFICIT_W,
    B_EXPORT_CAP,
    B_GRID_BASE,
    B_GRID_LIMIT,
    B_GRID_OUTAGES,
    B_HAS_BATT,
    B_K_LINK,
    B_K_SHORE,
    B_LINK_CUTS,
    B_LINK_MAX,
    B_N_BASE,
    B_N_TURB,
    B_NEXT_CTRL,
    B_OUT_ROW0,
    B_OUT_S,
    B_PERIOD_SHOWN,
    B_REC_MAX,
    B_REC_MIN,
    B_RESERVE_ONLY,
    B_SEA_OFFSET,
    B_SHORE_MAX,
    B_SURPLUS_W,
    B_TOTAL_SERVERS,
    B_TR_K,
    B_TR_NL,
    B_TURB_DOWN,
    C_EPP,
    C_EPP_TAU,
    C_G_HX,
    C_K_GAS,
    C_K_SEA,
    C_LAM,
    C_P,
    C_V,
    G_CLOCK,
    G_SPEED,
    G_TARGET,
    M_DEV,
    M_K_GAS,
    M_K_SEA,
    M_SEA,
    M_SLOT,
    M_W,
    M_Z0,
    P_ALLOW,
    P_AUX_CABIN_W,
    P_AUX_OUT_W,
    P_COUNT,
    P_FAST,
    P_FOUL_STEP,
    P_GAS_RATE,
    P_GROUPS,
    P_HAS_DEV,
    P_LQ_C,
    P_LQ_FWS_MAX,
    P_LQ_MAX,
    P_LQ_ON,
    P_MARGIN,
    P_SHED,
    P_SQRT_C0,
    P_SQRT_C1,
    P_SQRT_C2,
    P_UA_WS,
    S_ALIVE,
    S_BUS_W,
    S_BUSY,
    S_DEV_MAX,
    S_DIRTY,
    S_FAN_IN_W,
    S_FAN_LEVEL,
    S_FAN_W,
    S_FLAGS,
    S_FOUL_LEVEL,
    S_HAZARD,
    S_HAZARD_LIMIT,
    S_HAZARD_RATE,
    S_HEAT_W,
    S_IN_BAND,
    S_IT_W,
    S_LQ_CAP,
    S_LQ_G,
    S_LQ_K,
    S_LQ_PUMP_W,
    S_LQ_SPEED,
    S_LQ_T,
    S_LQ_W,
    S_NEXT_TRANSITION,
    S_PDU_W,
    S_POWERED,
    S_PSU_W,
    S_PUMP_IN_W,
    S_PUMP_LEVEL,
    S_PUMP_W,
    S_QUEUE,
    S_SERVERS,
    S_SRV_FAN_W,
    S_STOP_BAND,
    S_STOP_PERIOD,
    S_THROTTLE,
    S_UPS_W,
    S_VR_W,
    S_X0,
    S_X1,
    S_X2,
    STOP_BAND_EXIT,
    STOP_COMPLETION,
    STOP_FAILURE,
    STOP_PERIOD,
    STOP_STALLED,
    STOP_TRANSITION,
    W_A,
    W_A0,
    W_CRIT,
    W_E,
    W_F0,
    W_F1,
    W_HI,
    W_LAM,
    W_LO,
    W_NCRIT,
    W_VALID,
    X_FARM_W,
    X_SEA_C,
)

__all__ = ["advance"]



@njit(cache=True, _nrt=False, inline="always")
def _three(arr, c, k):
    """Row ``c``'s values in columns ``k, k + 1, k + 2`` as a tuple: three loads. The per-period path passes these,
    not slices; under numba's reference counting a slice cost an atomic increment and decrement (the kernel is now
    compiled without it, module docstring)."""
    return arr[c, k], arr[c, k + 1], arr[c, k + 2]


@njit(cache=True, _nrt=False, inline="always")
def _three_at(cache, c, slot, k):
    """Slot ``slot`` of row ``c``'s cache, columns ``k, k + 1, k + 2``, as a tuple (:func:`_three`)."""
    return cache[c, slot, k], cache[c, slot, k + 1], cache[c, slot, k + 2]


@njit(cache=True, _nrt=False, inline="always")
def _nine_at(cache, c, slot, k):
    """Slot ``slot`` of row ``c``'s cache, columns ``k`` to ``k + 8``, as a tuple (:func:`_three`)."""
    return (cache[c, slot, k], cache[c, slot, k + 1], cache[c, slot, k + 2], cache[c, slot, k + 3],
            cache[c, slot, k + 4], cache[c, slot, k + 5], cache[c, slot, k + 6], cache[c, slot, k + 7],
            cache[c, slot, k + 8])


@njit(cache=True, _nrt=False)
def _index(t, size):
    """Index of the grid interval of ``size`` [s] holding ``t`` (robust to rounding at the boundaries)."""
    i = int(t / size)
    if (i + 1) * size <= t:
        i += 1
    elif i * size > t:
        i -= 1
    return i


@njit(cache=True, _nrt=False)
def _battery_power(bus, deficit_w, spare_w, grid_up):
    """The battery's power over an interval and how long until it reaches a limit at that power:
    ``(charge_w, discharge_w, seconds)``; it discharges into a deficit (only in a grid outage with the
    ``outage_reserve`` policy) and charges from wind the load does not take (``physics.electrical.battery_step``)."""
    if bus[B_HAS_BATT] == 0.0:
        return 0.0, 0.0, math.inf
    e = bus[B_BATT_E]
    eta = bus[B_BATT_ETA]
    if deficit_w > 0.0 and (bus[B_RESERVE_ONLY] == 0.0 or not grid_up):
        p = deficit_w if deficit_w < bus[B_BATT_DIS] else bus[B_BATT_DIS]
        room_wh = e - bus[B_BATT_EMIN]
        if room_wh <= 0.0 or p <= 0.0:
            return 0.0, 0.0, math.inf
        return 0.0, p, room_wh * eta / p * 3600.0
    if spare_w > 0.0:
        p = spare_w if spare_w < bus[B_BATT_CH] else bus[B_BATT_CH]
        room_wh = bus[B_BATT_EMAX] - e
        if room_wh <= 0.0 or p <= 0.0:
            return 0.0, 0.0, math.inf
        return p, 0.0, room_wh / (p * eta) * 3600.0
    return 0.0, 0.0, math.inf


@njit(cache=True, _nrt=False)
def _battery_energy(bus, charge_w, discharge_w, tau, at_limit):
    """Store the battery's energy after ``tau`` [s] at this power (exactly on the limit when the interval was cut
    there) and return its loss [W] as the residual, so each interval's energy closes."""
    e = bus[B_BATT_E]
    eta = bus[B_BATT_ETA]
    h = tau / 3600.0
    if discharge_w > 0.0:
        new = bus[B_BATT_EMIN] if at_limit else max(e - discharge_w / eta * h, bus[B_BATT_EMIN])
        bus[B_BATT_E] = new
        loss = (e - new) / h - discharge_w
    else:
        new = bus[B_BATT_EMAX] if at_limit else min(e + charge_w * eta * h, bus[B_BATT_EMAX])
        bus[B_BATT_E] = new
        loss = charge_w - (new - e) / h
    return loss if loss > 0.0 else 0.0


@njit(cache=True, _nrt=False)
def _union_measure(iv, n):
    """Total length of ``n`` intervals ``iv[2 i], iv[2 i + 1]`` that may overlap."""
    for i in range(1, n):  # insertion sort by start
        a, b = iv[2 * i], iv[2 * i + 1]
        j = i - 1
        while j >= 0 and iv[2 * j] > a:
            iv[2 * j + 2], iv[2 * j + 3] = iv[2 * j], iv[2 * j + 1]
            j -= 1
        iv[2 * j + 2], iv[2 * j + 3] = a, b
    total = 0.0
    end = -math.inf
    for i in range(n):
        a, b = iv[2 * i], iv[2 * i + 1]
        if a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


@njit(cache=True, _nrt=False, inline="always")
def _shape(wk, c, tau):
    """Row ``c``'s hottest inlet over the interval: bounds from its terms' ends, and (once) its critical points."""
    lo, hi = exp_sum_bounds(wk[c, W_A0], _three(wk, c, W_A), _three(wk, c, W_E))
    wk[c, W_LO], wk[c, W_HI] = lo, hi
    wk[c, W_NCRIT] = -1.0


@njit(cache=True, _nrt=False)
def _liquid_step(c, tau, sea_c, prm, st, acc_c, iv, pos):
    """Row ``c``'s coolant node over the interval, exactly (``physics.liquid_cooling.step_return_c``): the return
    ``T_inf + (T_0 - T_inf) exp(-t G / C)`` and the supply ``(1 - k) T_r + k T_sea``, both monotonic in ``t``, so their
    maxima are at the ends and the limit is crossed once at most, at a time found in closed form. Accumulates the
    means, maxima and time above the limits into row ``c`` of ``acc_c``; appends the interval to ``iv`` from
    ``pos`` when the coolant caps the servers' speed (the protective share is the union with the gas path's);
    returns the new end."""
    t0 = st[c, S_LQ_T]
    g, k = st[c, S_LQ_G], st[c, S_LQ_K]
    cap = prm[c, P_LQ_C]
    q = st[c, S_LQ_W]
    if g > 0.0:
        t_inf = sea_c + q / g
        e = math.exp(-tau * g / cap)
        t1 = t_inf + (t0 - t_inf) * e
        r_int = t_inf * tau + (t0 - t_inf) * (-math.expm1(-tau * g / cap)) * cap / g
    else:  # no seawater flow: the coolant warms at Q / C
        t_inf = math.inf
        t1 = t0 + q * tau / cap
        r_int = (t0 + 0.5 * q * tau / cap) * tau
    st[c, S_LQ_T] = t1
    s0 = (1.0 - k) * t0 + k * sea_c
    s1 = (1.0 - k) * t1 + k * sea_c
    acc_c[c, AC_LQ_RETURN] += r_int
    acc_c[c, AC_LQ_SUPPLY] += (1.0 - k) * r_int + k * sea_c * tau
    acc_c[c, AC_LQ_RETURN_MAX] = max(acc_c[c, AC_LQ_RETURN_MAX], t0, t1)
    acc_c[c, AC_LQ_SUPPLY_MAX] = max(acc_c[c, AC_LQ_SUPPLY_MAX], s0, s1)
    acc_c[c, AC_LQ_SPEED] += st[c, S_LQ_SPEED] * tau
    acc_c[c, AC_LQ_HEAT] += q * tau
    if sea_c > prm[c, P_LQ_FWS_MAX]:
        acc_c[c, AC_LQ_FWS_ABOVE] += tau
    if st[c, S_LQ_CAP] < 1.0:  # the coolant holds the servers back over the whole interval: protective action
        iv[pos], iv[pos + 1] = 0.0, tau
        pos += 2
    thr = prm[c, P_LQ_MAX]
    lo, hi = 0.0, 0.0
    if s0 > thr and s1 > thr:
        hi = tau
    elif s0 > thr or s1 > thr:
        # the return at which the supply is on the limit, and when the exponential reaches it
        tr = (thr - k * sea_c) / (1.0 - k) if k < 1.0 else t0
        if g > 0.0 and t0 != t_inf:
            tc = -cap / g * math.log((tr - t_inf) / (t0 - t_inf))
        else:
            tc = tau * (thr - s0) / (s1 - s0)
        tc = min(max(tc, 0.0), tau)
        lo, hi = (0.0, tc) if s0 > thr else (tc, tau)
    if hi > lo:
        acc_c[c, AC_LQ_ABOVE] += hi - lo
    return pos


@njit(cache=True, _nrt=False)
def _critical(wk, c, tau):
    if wk[c, W_NCRIT] < 0.0:
        wk[c, W_NCRIT] = exp_sum_critical(_three(wk, c, W_A), _three(wk, c, W_LAM), _three(wk, c, W_E), tau,
                                          wk[c, W_CRIT:W_CRIT + 2])
    return int(wk[c, W_NCRIT])


@njit(cache=True, _nrt=False, inline="always")
def _above(wk, c, tau, threshold, iv, pos):
    """Intervals of row ``c``'s interval where its hottest inlet is above ``threshold``, appended to ``iv`` from
    ``pos``; returns the new end. Inlined: most intervals are settled by their bounds (wholly below or above);
    the rest go to :func:`_above_located`."""
    if wk[c, W_VALID] != 0.0:
        if wk[c, W_HI] <= threshold:
            return pos
        if wk[c, W_LO] > threshold:
            iv[pos], iv[pos + 1] = 0.0, tau
            return pos + 2
    return _above_located(wk, c, tau, threshold, iv, pos)


@njit(cache=True, _nrt=False)
def _above_located(wk, c, tau, threshold, iv, pos):
    """:func:`_above` where the bounds do not settle it (which it has checked): crossings located inside the
    interval. Rows whose modes cannot be written as a sum of exponentials (a vanishing eigenvalue) count by their
    ends."""
    f0, f1 = wk[c, W_F0], wk[c, W_F1]
    if wk[c, W_VALID] == 0.0:
        if f0 > threshold and f1 > threshold:
            iv[pos], iv[pos + 1] = 0.0, tau
            return pos + 2
        if f0 > threshold or f1 > threshold:  # a crossing, placed by linear interpolation
            tc = tau * (threshold - f0) / (f1 - f0)
            iv[pos], iv[pos + 1] = (0.0, tc) if f0 > threshold else (tc, tau)
            return pos + 2
        return pos
    n_crit = _critical(wk, c, tau)
    n = exp_sum_above(wk[c, W_A0], _three(wk, c, W_A), _three(wk, c, W_LAM), tau, threshold, f0, f1,
                      (wk[c, W_CRIT], wk[c, W_CRIT + 1]), n_crit, iv[pos:])
    return pos + 2 * n


@njit(cache=True, _nrt=False, inline="always")
def _prepare(c, t, shared_end, sea_c, prm, st, grp, cache, md, wk, iv, jobs, wi):
    """Row ``c``'s interval from ``t``: its network in modal coordinates, its hottest inlet as exponentials, and
    where the interval ends: ``shared_end`` (the next instant every row must see) or the row's own first event
    (a job's completion or arrival, the hazard reaching its draw, a transition, a shedding cabin's hottest rack
    leaving its band). Returns ``(end, band_exit)``: the end, and the end again when it is a band exit (else
    infinity). Every input of the row is constant until then."""
    end = shared_end
    for g in range(int(prm[c, P_GROUPS])):
        sp = grp[c, g, G_SPEED]
        if sp > 0.0 and grp[c, g, G_TARGET] < math.inf:
            tc = t + (grp[c, g, G_TARGET] - grp[c, g, G_CLOCK]) / sp
            end = min(end, max(tc, t))
    if prm[c, P_FAST] != 0.0:
        end = min(end, max(next_arrival_s(c, jobs, wi), t))
    rate = st[c, S_HAZARD_RATE]
    if rate > 0.0 and st[c, S_HAZARD_LIMIT] < math.inf:
        end = min(end, max(t + (st[c, S_HAZARD_LIMIT] - st[c, S_HAZARD]) / rate, t))
    end = min(end, max(st[c, S_NEXT_TRANSITION], t))
    fan_lv = int(st[c, S_FAN_LEVEL])
    slot = cache_entry(prm, cache, st, c, int(st[c, S_FOUL_LEVEL]) if st[c, S_FOUL_LEVEL] >= 0 else 0,
                       fan_lv, int(st[c, S_PUMP_LEVEL]), True)
    sq0, sq1, sq2 = prm[c, P_SQRT_C0], prm[c, P_SQRT_C1], prm[c, P_SQRT_C2]
    bt0 = st[c, S_HEAT_W] / sq0
    bt1 = cache[c, slot, C_G_HX] * sea_c / sq1
    bt2 = prm[c, P_UA_WS] * sea_c / sq2
    y0, y1, y2 = sq0 * st[c, S_X0], sq1 * st[c, S_X1], sq2 * st[c, S_X2]
    devterm = st[c, S_DEV_MAX] * L_FAN / fan_lv if prm[c, P_HAS_DEV] != 0.0 else 0.0
    k_gas, k_sea = cache[c, slot, C_K_GAS], cache[c, slot, C_K_SEA]
    a0 = k_sea * sea_c + devterm
    valid = 1.0
    md[c, M_SLOT] = slot
    md[c, M_SEA] = sea_c
    for k in range(3):
        v0, v1, v2 = cache[c, slot, C_V + k], cache[c, slot, C_V + 3 + k], cache[c, slot, C_V + 6 + k]
        lam = cache[c, slot, C_LAM + k]
        md[c, M_Z0 + k] = v0 * y0 + v1 * y1 + v2 * y2
        md[c, M_W + k] = v0 * bt0 + v1 * bt1 + v2 * bt2
        if lam > -1e-12:
            valid = 0.0
        else:
            q = md[c, M_W + k] / lam
            p1k = cache[c, slot, C_P + 3 + k]
            wk[c, W_A + k] = k_gas * p1k * (md[c, M_Z0 + k] + q)
            wk[c, W_LAM + k] = lam
            a0 -= k_gas * p1k * q
    md[c, M_K_GAS], md[c, M_K_SEA], md[c, M_DEV] = k_gas, k_sea, devterm
    wk[c, W_A0] = a0
    wk[c, W_VALID] = valid
    wk[c, W_F0] = k_gas * st[c, S_X1] + k_sea * sea_c + devterm
    band_exit = math.inf
    # a shedding cabin with work waiting stops where its hottest rack leaves the band
    if st[c, S_STOP_BAND] != 0.0 and valid != 0.0 and end > t:
        tau_max = end - t
        for k in range(3):
            wk[c, W_E + k] = math.exp(wk[c, W_LAM + k] * tau_max)
        wk[c, W_F1] = exp_sum_value(a0, _three(wk, c, W_A), _three(wk, c, W_LAM), tau_max)
        _shape(wk, c, tau_max)
        n = (_above(wk, c, tau_max, prm[c, P_ALLOW] - prm[c, P_MARGIN], iv, 0)) // 2
        if n > 0 and 0.0 < iv[1] < tau_max:
            end = t + iv[1]
            band_exit = end
    return end, band_exit


@njit(cache=True, _nrt=False, inline="always")
def _append(buf, n_iv, last, j, c, a, b):
    """Add ``[a, b]`` (absolute times) to threshold ``j``'s intervals, extending row ``c``'s last one when they
    touch. The buffer never fills: :func:`advance` ends its call, bringing the rows together, before it could
    (``twin.sim.state.buffer_room``)."""
    li = last[j, c]
    if li >= 0 and buf[j, 2 * li + 1] == a:
        buf[j, 2 * li + 1] = b
        return
    n = n_iv[j]
    if 2 * n + 2 > buf.shape[1]:
        raise IndexError("the rows' intervals above a limit overflowed their buffer")
    buf[j, 2 * n], buf[j, 2 * n + 1] = a, b
    last[j, c] = n
    n_iv[j] = n + 1


@njit(cache=True, _nrt=False, inline="always")
def _row_advance(c, t_to, t_row, prm, st, grp, cache, md, wk, acc_c, acc_g, bus, iv, xs, xi, epp, ctrl_s,
                 buf, n_iv, last):
    """Advance row ``c``'s network from its own time to ``t_to`` [s] (one interval of constant inputs: see
    :func:`_prepare`), accumulating its means, maxima and time above its limits, and its intervals above the
    site's limits in absolute time (``buf``, united with the other rows' at :func:`_sync`)."""
    t_from = t_row[c]
    tau = t_to - t_from
    if tau <= 0.0:
        return
    t_row[c] = t_to
    sea_c = md[c, M_SEA]
    slot = int(md[c, M_SLOT])  # the level's modes: the slot holds them for the whole interval
    if tau == ctrl_s:  # a whole control period: its modal factors are the level's, kept in the cache
        if cache[c, slot, C_EPP_TAU] != tau:
            modal_factors(_three_at(cache, c, slot, C_LAM), tau, cache[c, slot, C_EPP:C_EPP + 9])
            cache[c, slot, C_EPP_TAU] = tau
        f = _nine_at(cache, c, slot, C_EPP)
    else:
        modal_factors(_three_at(cache, c, slot, C_LAM), tau, epp)
        f = (epp[0], epp[1], epp[2], epp[3], epp[4], epp[5], epp[6], epp[7], epp[8])
    modal_apply(f, _nine_at(cache, c, slot, C_P), _three(md, c, M_Z0), _three(md, c, M_W), xs, xi)
    wk[c, W_E], wk[c, W_E + 1], wk[c, W_E + 2] = f[0], f[1], f[2]
    st[c, S_X0], st[c, S_X1], st[c, S_X2] = xs[0], xs[1], xs[2]
    k_gas, k_sea, devterm = md[c, M_K_GAS], md[c, M_K_SEA], md[c, M_DEV]
    wk[c, W_F1] = k_gas * xs[1] + k_sea * sea_c + devterm
    _shape(wk, c, tau)
    inlet_int = k_gas * xi[1] + k_sea * sea_c * tau
    acc_c[c, AC_IT_T] += xi[0]
    acc_c[c, AC_GAS_T] += xi[1]
    acc_c[c, AC_WALL_T] += xi[2]
    acc_c[c, AC_INLET] += inlet_int
    acc_c[c, AC_HOT] += inlet_int + devterm * tau
    fs = st[c, S_FAN_LEVEL] / L_FAN
    acc_c[c, AC_OUTLET] += inlet_int + st[c, S_HEAT_W] / (prm[c, P_GAS_RATE] * fs) * tau
    acc_c[c, AC_IT_W] += st[c, S_IT_W] * tau
    servers = st[c, S_SERVERS]
    acc_c[c, AC_UTIL] += (st[c, S_BUSY] / servers if servers > 0.0 else 0.0) * tau
    acc_c[c, AC_THROTTLE] += st[c, S_THROTTLE] * tau
    acc_c[c, AC_PUMP] += st[c, S_PUMP_LEVEL] / L_PUMP * tau
    acc_c[c, AC_FAN] += fs * tau
    acc_c[c, AC_QUEUE] += st[c, S_QUEUE] * tau
    acc_c[c, AC_FOUL] += max(st[c, S_FOUL_LEVEL], 0.0) * prm[c, P_FOUL_STEP] * tau
    acc_c[c, AC_ALIVE] += st[c, S_ALIVE] * tau
    acc_c[c, AC_POWERED] += st[c, S_POWERED] * tau
    acc_c[c, AC_HEAT] += st[c, S_HEAT_W] * tau
    f0, f1 = wk[c, W_F0], wk[c, W_F1]
    if (wk[c, W_VALID] != 0.0 and wk[c, W_HI] > max(f0, f1, acc_c[c, AC_HOT_MAX])
            and not exp_sum_monotone(_three(wk, c, W_A), _three(wk, c, W_LAM))):
        peak = exp_sum_peak(wk[c, W_A0], _three(wk, c, W_A), _three(wk, c, W_LAM), _three(wk, c, W_E), tau, f0, f1)
    else:
        peak = max(f0, f1)
    if peak > acc_c[c, AC_HOT_MAX]:
        acc_c[c, AC_HOT_MAX] = peak
    if peak - devterm > acc_c[c, AC_INLET_MAX]:
        acc_c[c, AC_INLET_MAX] = peak - devterm
    if peak > acc_g[AG_INLET_MAX]:
        acc_g[AG_INLET_MAX] = peak
    # time in or above the throttling band: protective action (the gas path's, and the coolant's)
    end = _above(wk, c, tau, prm[c, P_ALLOW] - prm[c, P_MARGIN], iv, 0)
    if prm[c, P_LQ_ON] != 0.0:
        end = _liquid_step(c, tau, sea_c, prm, st, acc_c, iv, end)
    if end > 0:
        acc_c[c, AC_PROTECT_SHARE] += _union_measure(iv, end // 2)
        acc_c[c, AC_PROTECT] = max(acc_c[c, AC_PROTECT], 2.0 if prm[c, P_SHED] != 0.0 else 1.0)
    st[c, S_IN_BAND] = 1.0 if f1 > prm[c, P_ALLOW] - prm[c, P_MARGIN] else 0.0
    for g in range(int(prm[c, P_GROUPS])):
        grp[c, g, G_CLOCK] += grp[c, g, G_SPEED] * tau
    st[c, S_HAZARD] += st[c, S_HAZARD_RATE] * tau
    # the hottest inlet of the site: this row's time above its limits and above the recommended minimum
    for j in range(3):
        thr = bus[B_REC_MAX] if j == 0 else (bus[B_ALLOW] if j == 1 else bus[B_REC_MIN])
        n = _above(wk, c, tau, thr, iv, 0) // 2
        for i in range(n):
            lo, hi = iv[2 * i], iv[2 * i + 1]
            _append(buf, n_iv, last, j, c, t_from if lo <= 0.0 else t_from + lo, t_to if hi >= tau else t_from + hi)


@njit(cache=True, _nrt=False)
def _sync(length, acc_g, acc_c, buf, n_iv, last):
    """Every row is at the same instant, ``length`` [s] after the last such instant: the site's time above its
    limits (and below the recommended minimum) over that stretch is the union of the rows' intervals; the site's
    hottest-inlet mean so far in this output step is the highest of the rows' hottest-inlet means."""
    for j in range(3):
        measure = _union_measure(buf[j], n_iv[j]) if n_iv[j] > 0 else 0.0
        if j == 0:
            acc_g[AG_ABOVE_REC] += measure
        elif j == 1:
            acc_g[AG_ABOVE_ALLOW] += measure
        else:
            acc_g[AG_BELOW_REC] += length - measure
        n_iv[j] = 0
        for c in range(last.shape[1]):
            last[j, c] = -1
    hot = -math.inf
    for c in range(acc_c.shape[0]):
        if acc_c[c, AC_HOT] > hot:
            hot = acc_c[c, AC_HOT]
    acc_g[AG_INLET] = hot


@njit(cache=True, _nrt=False, nogil=True)  # a thread drains the recorder's last chunk meanwhile
def advance(t0, t_end, prm, st, grp, racks, dev_t, rack_sum, cache, exo, bus, acc_g, acc_c, out64, out_g, out_c,
            xtab, md, wk, rows, tmp, buf, n_iv, last, fl, tq, queue, jobs, slots, alloc, cls, wi, free, order):
    """Advance the plant from ``t0`` towards ``t_end`` [s]; returns the time reached (``t_end``, or earlier with
    ``st[:, S_FLAGS]`` saying why; module docstring) and the union of the rows' flags. ``md`` to ``last``: its
    working arrays (``twin.sim.state.scratch``)."""
    n_cab = prm.shape[0]
    base_s, ctrl_s, out_s, block_s = bus[B_BASE_S], bus[B_CTRL_S], bus[B_OUT_S], bus[B_BLOCK_S]
    n_base = int(bus[B_N_BASE])
    iv = tmp[:16]  # intervals above a threshold of one row's interval (three at most)
    xs = tmp[16:19]
    xi = tmp[19:22]
    epp = tmp[22:31]
    t_row = rows[0]  # each row's own time: its network is advanced to it
    row_end = rows[1]  # and the end of its present interval
    band_at = rows[2]
    room = buf.shape[1] // 2 - 4 * n_cab - 4
    for c in range(n_cab):
        t_row[c] = t0
        row_end[c] = t0
        band_at[c] = math.inf
    for j in range(3):
        n_iv[j] = 0
        for c in range(n_cab):
            last[j, c] = -1
    t_sync = t0
    for c in range(n_cab):
        st[c, S_FLAGS] = 0.0
        if st[c, S_DIRTY] != 0.0:
            cabin_loads(c, t0, prm, st, grp, racks, dev_t, xtab, rack_sum, block_s)
            st[c, S_DIRTY] = 0.0
    t = t0
    stalled = 0
    while t < t_end:
        if n_iv[0] > room or n_iv[1] > room or n_iv[2] > room:  # end the call here, bringing the rows together
            break
        # the kernel's own workload at this instant (rows at it): jobs submitted, jobs done, then what now fits
        for c in range(n_cab):
            if prm[c, P_FAST] != 0.0 and t_row[c] == t and work_due(c, t, prm, grp, jobs, wi):
                changed = enqueue_due(c, t, grp, jobs, tq, queue, wi) > 0
                if complete_due(c, t, prm, grp, racks, fl, tq, jobs, slots, alloc, cls, wi, free) > 0:
                    changed = True
                if changed:
                    start_waiting(c, t, prm, grp, racks, fl, tq, queue, jobs, slots, alloc, cls, wi, free, order)
                    refresh_counts(c, st, tq, wi)
                    cabin_loads(c, t, prm, st, grp, racks, dev_t, xtab, rack_sum, block_s)
                    st[c, S_DIRTY] = 0.0
        k_ctrl = bus[B_NEXT_CTRL]
        b = _index(t, base_s)
        if b >= n_base:
            b = n_base - 1
        sea_c = exo[X_SEA_C, b] + bus[B_SEA_OFFSET]
        if t >= k_ctrl * ctrl_s:  # a shared instant: every row is at it
            if bus[B_PERIOD_SHOWN] < k_ctrl:
                wanted = False
                for c in range(n_cab):
                    if st[c, S_STOP_PERIOD] != 0.0:
                        st[c, S_FLAGS] = STOP_PERIOD
                        wanted = True
                bus[B_PERIOD_SHOWN] = k_ctrl
                if wanted:
                    return t, STOP_PERIOD
            for c in range(n_cab):
                cabin_control(c, t, sea_c, prm, st, grp, racks, dev_t, cache, xtab, ctrl_s, rack_sum, block_s)
            bus[B_NEXT_CTRL] = k_ctrl + 1.0
            k_ctrl += 1.0
        o = _index(t, out_s)
        blk = _index(t, block_s)
        # the next instant every row must see; each row at this instant starts an interval to it or its own event
        shared_end = t_end
        for edge in (k_ctrl * ctrl_s, (b + 1) * base_s, (o + 1) * out_s, (blk + 1) * block_s):
            if edge < shared_end:
                shared_end = edge
        seg_end = shared_end
        for c in range(n_cab):
            if t_row[c] == t:
                row_end[c], band_at[c] = _prepare(c, t, shared_end, sea_c, prm, st, grp, cache, md, wk, iv, jobs,
                                                  wi)
            if row_end[c] < seg_end:
                seg_end = row_end[c]
        # the electrical demand of this interval (the rows' powers hold between their own events)
        it_total = pump_total = fan_total = busy_total = lq_total = 0.0
        pump_shaft = fan_shaft = ups_total = pdu_total = bus_total = aux_total = srv_fan = psu_total = vr_total = 0.0
        for c in range(n_cab):
            cnt = prm[c, P_COUNT]
            it_total += cnt * st[c, S_IT_W]
            pump_total += cnt * st[c, S_PUMP_IN_W]
            fan_total += cnt * st[c, S_FAN_IN_W]
            pump_shaft += cnt * st[c, S_PUMP_W]
            fan_shaft += cnt * st[c, S_FAN_W]
            ups_total += cnt * st[c, S_UPS_W]
            pdu_total += cnt * st[c, S_PDU_W]
            bus_total += cnt * st[c, S_BUS_W]
            aux_total += cnt * (prm[c, P_AUX_CABIN_W] + prm[c, P_AUX_OUT_W])
            srv_fan += cnt * st[c, S_SRV_FAN_W]
            psu_total += cnt * st[c, S_PSU_W]
            vr_total += cnt * st[c, S_VR_W]
            lq_total += cnt * st[c, S_LQ_PUMP_W]
            busy_total += cnt * st[c, S_BUSY]
        cooling = pump_total + fan_total + lq_total
        dist_loss = ups_total + pdu_total + bus_total
        lv = it_total + dist_loss + cooling + aux_total
        tr_loss = transformer_loss_w(lv, bus[B_TR_NL], bus[B_TR_K])
        demand = lv + tr_loss
        n_turb = bus[B_N_TURB]
        avail = n_turb - bus[B_TURB_DOWN]
        if avail < 0.0:
            avail = 0.0
        wind_av = exo[X_FARM_W, b] * avail / n_turb
        if bus[B_LINK_CUTS] == 0.0:
            send_max = wind_av if wind_av < bus[B_LINK_MAX] else bus[B_LINK_MAX]
            recv_max = send_max - bus[B_K_LINK] * send_max * send_max
        else:
            recv_max = 0.0
        wind_load = demand if demand < recv_max else recv_max
        grid_up = bus[B_GRID_BASE] != 0.0 and bus[B_GRID_OUTAGES] == 0.0
        charge, discharge, t_lim = _battery_power(bus, demand - wind_load, recv_max - wind_load, grid_up)
        if t + t_lim <= t:  # at its limit but for less energy than the time's rounding can move: put it there
            bus[B_BATT_E] = bus[B_BATT_EMIN] if discharge > 0.0 else bus[B_BATT_EMAX]
            charge, discharge, t_lim = _battery_power(bus, demand - wind_load, recv_max - wind_load, grid_up)
        at_limit = False
        if t + t_lim < seg_end:  # the bus's own interval: the rows' networks do not see it
            seg_end = t + t_lim
            at_limit = True
        tau = seg_end - t
        stalled = stalled + 1 if tau <= 0.0 else 0
        if stalled > 10_000:
            for c in range(n_cab):
                st[c, S_FLAGS] = float(int(st[c, S_FLAGS]) | STOP_STALLED)
            break
        if tau > 0.0:
            acc_g[AG_TURB] += avail * tau
            acc_g[AG_SEA] += sea_c * tau
            acc_g[AG_UTIL] += busy_total / bus[B_TOTAL_SERVERS] * tau
            # the bus over the interval
            b_loss = _battery_energy(bus, charge, discharge, tau, at_limit) if charge + discharge > 0.0 else 0.0
            deficit = demand - wind_load - discharge
            recv = wind_load + charge
            wind_sent = cable_sending_w(recv, bus[B_K_LINK]) if recv > 0.0 else 0.0
            g_in = 0.0
            g_sent = 0.0
            if deficit > 0.0 and grid_up:
                g_in = deficit if deficit < bus[B_GRID_LIMIT] else bus[B_GRID_LIMIT]
                shore_max = bus[B_SHORE_MAX]
                g_recv_max = shore_max - bus[B_K_SHORE] * shore_max * shore_max
                if g_in > g_recv_max:
                    g_in = g_recv_max
                g_sent = cable_sending_w(g_in, bus[B_K_SHORE])
                deficit -= g_in
            bus[B_SURPLUS_W] = recv_max - recv if recv_max > recv else 0.0
            bus[B_DEFICIT_W] = g_in + (deficit if deficit > 0.0 else 0.0)
            rest = wind_av - wind_sent
            if rest < 0.0:
                rest = 0.0
            exported = rest if rest < bus[B_EXPORT_CAP] else bus[B_EXPORT_CAP]
            acc_g[F_WIND_AV] += wind_av * tau
            acc_g[F_WIND_LOAD] += wind_load * tau
            acc_g[F_LINK_LOSS] += (wind_sent - recv) * tau
            acc_g[F_EXPORT] += exported * tau
            acc_g[F_CURTAILED] += (rest - exported) * tau
            acc_g[F_GRID_IN] += g_in * tau
            acc_g[F_GRID_SENT] += g_sent * tau
            acc_g[F_SHORE_LOSS] += (g_sent - g_in) * tau
            acc_g[F_B_CHARGE] += charge * tau
            acc_g[F_B_DISCHARGE] += discharge * tau
            acc_g[F_B_LOSS] += b_loss * tau
            acc_g[F_IT] += it_total * tau
            acc_g[F_PUMP] += pump_total * tau
            acc_g[F_FAN] += fan_total * tau
            acc_g[F_COOLING] += cooling * tau
            acc_g[F_LQ_PUMP] += lq_total * tau
            acc_g[F_DIST] += dist_loss * tau
            acc_g[F_PUMP_DRIVE] += (pump_total - pump_shaft) * tau
            acc_g[F_FAN_DRIVE] += (fan_total - fan_shaft) * tau
            acc_g[F_UPS] += ups_total * tau
            acc_g[F_PDU] += pdu_total * tau
            acc_g[F_BUSWAY] += bus_total * tau
            acc_g[F_AUX] += aux_total * tau
            acc_g[F_SRV_FAN] += srv_fan * tau
            acc_g[F_PSU] += psu_total * tau
            acc_g[F_VR] += vr_total * tau
            acc_g[F_TRANSFORMER] += tr_loss * tau
            acc_g[F_FACILITY] += demand * tau
            acc_g[F_UNSERVED] += (deficit if deficit > 0.0 else 0.0) * tau
        t = seg_end
        # the rows whose interval ends here: their networks to this instant
        together = True
        for c in range(n_cab):
            if row_end[c] <= t:
                _row_advance(c, t, t_row, prm, st, grp, cache, md, wk, acc_c, acc_g, bus, iv, xs, xi, epp, ctrl_s,
                             buf, n_iv, last)
                if band_at[c] <= t:
                    st[c, S_FLAGS] = float(int(st[c, S_FLAGS]) | STOP_BAND_EXIT)
            if t_row[c] != t:
                together = False
        if together:
            _sync(t - t_sync, acc_g, acc_c, buf, n_iv, last)
            t_sync = t
        if t >= (blk + 1) * block_s:  # an hour of the racks' record ends
            for c in range(n_cab):
                rack_energy(c, t, st, racks, rack_sum, block_s)
        if t >= (o + 1) * out_s:  # a shared instant: the rows are together
            flush(o - int(bus[B_OUT_ROW0]), out_s, bus[B_BATT_E], acc_g, acc_c, out64, out_g, out_c)
        stop = False
        for c in range(n_cab):
            if t_row[c] != t:
                continue
            flags = int(st[c, S_FLAGS])
            for g in range(int(prm[c, P_GROUPS]) if prm[c, P_FAST] == 0.0 else 0):
                if grp[c, g, G_CLOCK] >= grp[c, g, G_TARGET] - clock_tolerance_s(grp[c, g, G_CLOCK], t):
                    flags |= STOP_COMPLETION
            if st[c, S_HAZARD] >= st[c, S_HAZARD_LIMIT] - 1e-12:
                flags |= STOP_FAILURE
            if t >= st[c, S_NEXT_TRANSITION]:
                flags |= STOP_TRANSITION
            st[c, S_FLAGS] = flags
            if flags:
                stop = True
        if stop:
            break
    # every row to the instant reached, for the discrete side
    lagging = False
    for c in range(n_cab):
        if t_row[c] < t:
            _row_advance(c, t, t_row, prm, st, grp, cache, md, wk, acc_c, acc_g, bus, iv, xs, xi, epp, ctrl_s,
                         buf, n_iv, last)
            lagging = True
    if lagging:
        _sync(t - t_sync, acc_g, acc_c, buf, n_iv, last)
    flagged = 0
    for c in range(n_cab):
        flagged |= int(st[c, S_FLAGS])
        rack_energy(c, t, st, racks, rack_sum, block_s)
    return t, flagged


refresh_compiled_cache(advance)
