"""One cabin group's side of the compiled kernel: its conductances and modal decomposition by level (cached), its
controllers at a control instant, and its loads after the workload changed them.

Every function takes the row ``c`` of ``twin.sim.state``'s arrays it works on; ``twin.sim.kernel.advance`` calls
them for each row.
"""

from __future__ import annotations

import math

from numba import njit

from physics.thermal import PUMP_LEVELS, SPEED_LEVELS
from twin.sim.kernel_physics import (
    effectiveness,
    eig_sym3,
    fan_speed_for_load,
    hx_ua_w_k,
    pump_pi_speed,
    resistive_loss_w,
    server_fan_fraction,
    table_loss_w,
    throttle_speed,
    x_factor,
)
from twin.sim.state import (
    C_C_A,
    C_EPP_TAU,
    C_G_HX,
    C_G_IT,
    C_HAS_EIG,
    C_K_GAS,
    C_K_SEA,
    C_KEY,
    C_LAM,
    C_P,
    C_V,
    CACHE_SLOTS,
    G_CAP,
    G_DYN,
    G_SPEED,
    P_AFR,
    P_ALLOW,
    P_ARRANGEMENT,
    P_AUX_CABIN_W,
    P_BUS_LOSS,
    P_BUS_RATED,
    P_C_GAS,
    P_C_IT,
    P_C_WALL,
    P_DESIGN_HEAT,
    P_FAN_CABIN,
    P_FAN_MOTOR_RATED,
    P_FAN_SLOPE,
    P_FAN_THR,
    P_FAN_UNITS,
    P_FAN_VFD_RATED,
    P_FAN_W,
    P_FIXED_FAN,
    P_FOUL_CLEAN,
    P_FOUL_INF,
    P_FOUL_STEP,
    P_FOUL_TAU,
    P_G_IT,
    P_GAIN,
    P_GAS_RATE,
    P_GROUPS,
    P_HAS_DEV,
    P_HX_AREA,
    P_LQ_C_SEA,
    P_LQ_C_TCS,
    P_LQ_MARGIN,
    P_LQ_MAX,
    P_LQ_MIN_SPEED,
    P_LQ_ON,
    P_LQ_SEA_W,
    P_LQ_SETPOINT,
    P_LQ_TCS_W,
    P_LQ_UA,
    P_MARGIN,
    P_MIN_FAN,
    P_MIN_PUMP,
    P_MIN_SPEED,
    P_PDU_LOSS,
    P_PDU_RATED,
    P_PSU_RATED,
    P_PUMP_CABIN,
    P_PUMP_MOTOR_RATED,
    P_PUMP_UNITS,
    P_PUMP_VFD_RATED,
    P_PUMP_W,
    P_RACK_SCOPE,
    P_RACKS,
    P_RECIRC,
    P_SEA_RATE,
    P_SETPOINT,
    P_SQRT_C0,
    P_SRV_FAN_SHARE,
    P_TI,
    P_UA_GW,
    P_UA_HX,
    P_UA_WS,
    P_UPS_CABIN,
    P_UPS_RATED,
    P_VR_ETA,
    R_DEV,
    R_DYN,
    R_LIQ,
    R_POWER,
    R_SPEED,
    R_STATIC,
    S_ALIVE,
    S_BUS_W,
    S_CH_FAN,
    S_CH_FRAC,
    S_CH_HEAT,
    S_CH_IT,
    S_CH_N,
    S_CH_OK,
    S_CH_PUMP,
    S_CLEAN_T,
    S_DEV_MAX,
    S_FAN_FRAC,
    S_FAN_IN_W,
    S_FAN_LEVEL,
    S_FAN_W,
    S_FOUL_LEVEL,
    S_HAZARD_RATE,
    S_HEAT_W,
    S_HOT,
    S_INLET,
    S_IT_W,
    S_LQ_CAP,
    S_LQ_ERR,
    S_LQ_G,
    S_LQ_K,
    S_LQ_PUMP_W,
    S_LQ_RACK_W,
    S_LQ_SPEED,
    S_LQ_SUPPLY,
    S_LQ_T,
    S_LQ_W,
    S_PDU_W,
    S_PI_ERROR,
    S_PI_SPEED,
    S_POWERED,
    S_PSU_W,
    S_PUMP_CAP,
    S_PUMP_IN_W,
    S_PUMP_LEVEL,
    S_PUMP_W,
    S_RACK_T0,
    S_SERVERS,
    S_SOLVES,
    S_SRV_FAN_W,
    S_STATIC_W,
    S_THROTTLE,
    S_UPS_W,
    S_VR_W,
    S_X1,
    T_FAN_MOTOR,
    T_FAN_VFD,
    T_PSU,
    T_PUMP_MOTOR,
    T_PUMP_VFD,
    T_UPS,
)

__all__ = ["conductances", "cache_entry", "cabin_control", "cabin_loads", "cdu_conductance", "liquid_control",
           "chain_losses", "LEVEL_KEY_FAN", "LEVEL_KEY_FOULING"]

L_FAN = SPEED_LEVELS
L_PUMP = PUMP_LEVELS
LEVEL_KEY_FAN = L_PUMP + 1
LEVEL_KEY_FOULING = (L_FAN + 1) * (L_PUMP + 1)


@njit(cache=True, _nrt=False)
def conductances(prm, c, fan_speed, pump_speed, fouling_m2k_w):
    """``(g_it, G_hx, C_a)`` of row ``c`` [W K-1] at the given speeds and fouling: the engine's twin of
    ``physics.thermal._conductances`` (the inlet's ``k_gas = 1 - G_hx/C_a``)."""
    c_gas = prm[c, P_GAS_RATE] * fan_speed
    c_sea = prm[c, P_SEA_RATE] * pump_speed
    g_it = prm[c, P_G_IT] * fan_speed ** 0.8
    if pump_speed <= 0.0:
        return g_it, 0.0, c_gas
    area = prm[c, P_HX_AREA]
    foul = fouling_m2k_w / area if area > 0.0 else 0.0
    ua = hx_ua_w_k(prm[c, P_UA_HX], fan_speed, pump_speed, 0.5, 0.8, foul)
    c_hot = (1.0 - prm[c, P_RECIRC]) * c_gas
    c_min = c_hot if c_hot < c_sea else c_sea
    c_max = c_sea if c_hot < c_sea else c_hot
    eps = effectiveness(ua / c_min, c_min / c_max, int(prm[c, P_ARRANGEMENT]))
    return g_it, eps * c_min, c_gas


@njit(cache=True, _nrt=False, inline="always")
def cache_entry(prm, cache, st, c, foul_level, fan_level, pump_level, need_modes):
    """Slot of row ``c``'s cache holding the conductances (and, with ``need_modes``, the eigen-decomposition of the
    network's symmetric form) at these levels, filled on a miss (:func:`_cache_fill`). Inlined where it is called:
    a hit is a few comparisons, and a call with the arrays it takes cost more than that (about 30 ns)."""
    key = foul_level * LEVEL_KEY_FOULING + fan_level * LEVEL_KEY_FAN + pump_level
    slot = key % CACHE_SLOTS
    if cache[c, slot, C_KEY] != key or (need_modes and cache[c, slot, C_HAS_EIG] == 0.0):
        _cache_fill(prm, cache, st, c, key, slot, foul_level, fan_level, pump_level, need_modes)
    return slot


@njit(cache=True, _nrt=False)
def _cache_fill(prm, cache, st, c, key, slot, foul_level, fan_level, pump_level, need_modes):
    """Fill :func:`cache_entry`'s slot on a miss."""
    e = cache[c, slot]
    if e[C_KEY] != key:
        g_it, g_hx, c_a = conductances(prm, c, fan_level / L_FAN, pump_level / L_PUMP,
                                       foul_level * prm[c, P_FOUL_STEP])
        e[C_KEY] = key
        e[C_G_IT], e[C_G_HX], e[C_C_A] = g_it, g_hx, c_a
        e[C_K_SEA] = g_hx / c_a
        e[C_K_GAS] = 1.0 - e[C_K_SEA]
        e[C_HAS_EIG] = 0.0
    if need_modes and e[C_HAS_EIG] == 0.0:
        ci, cg, cw = prm[c, P_C_IT], prm[c, P_C_GAS], prm[c, P_C_WALL]
        ugw, uws, g_it, g_hx = prm[c, P_UA_GW], prm[c, P_UA_WS], e[C_G_IT], e[C_G_HX]
        m = e[C_P:C_P + 9]  # the network's symmetric form, row-major, where P goes once it is decomposed
        m01 = g_it / math.sqrt(ci * cg)
        m12 = ugw / math.sqrt(cg * cw)
        m[0], m[1], m[2] = -g_it / ci, m01, 0.0
        m[3], m[4], m[5] = m01, -(g_it + g_hx + ugw) / cg, m12
        m[6], m[7], m[8] = 0.0, m12, -(ugw + uws) / cw
        eig_sym3(m, e[C_LAM:C_LAM + 3], e[C_V:C_V + 9])
        sq = (prm[c, P_SQRT_C0], prm[c, P_SQRT_C0 + 1], prm[c, P_SQRT_C0 + 2])
        for i in range(3):
            for k in range(3):
                e[C_P + 3 * i + k] = e[C_V + 3 * i + k] / sq[i]
        e[C_EPP_TAU] = 0.0
        e[C_HAS_EIG] = 1.0
        st[c, S_SOLVES] += 1.0


@njit(cache=True, _nrt=False)
def rack_energy(c, t, st, racks, rack_sum, block_s):
    """Book each rack's energy at its present power from when it took that power to ``t`` [s] into the block
    (an hour) it falls in: racks change power only at events and throttling, so this runs then, at the end of
    each block and at the end of each kernel call, not every interval."""
    t0 = st[c, S_RACK_T0]
    if t <= t0:
        return
    blk = int(t0 / block_s)
    if blk >= rack_sum.shape[1]:
        blk = rack_sum.shape[1] - 1
    dt = t - t0
    for r in range(rack_sum.shape[2]):
        rack_sum[c, blk, r] += racks[c, R_POWER, r] * dt
    st[c, S_RACK_T0] = t


@njit(cache=True, _nrt=False)
def rack_powers(c, t, prm, st, grp, racks, dev_t, rack_mode, rack_sum, block_s):
    """Each rack's power from its static power and its classes' dynamic power at their speeds (each rack at its
    own speed in ``rack_mode``), and the rack inlet deviations with it: only the racks whose power changed move
    the deviations. The energy of the powers they had is booked up to ``t`` first."""
    n_r = int(prm[c, P_RACKS])
    n_g = int(prm[c, P_GROUPS])
    has_dev = prm[c, P_HAS_DEV] != 0.0
    changed = 0
    liquid = 0.0
    for r in range(n_r):
        p = racks[c, R_STATIC, r]
        for g in range(n_g):
            d = racks[c, R_DYN + g, r]
            if d != 0.0:
                if rack_mode:
                    s = racks[c, R_SPEED, r]
                    cap = grp[c, g, G_CAP]
                    p += d * (s if s < cap else cap)
                else:
                    p += d * grp[c, g, G_SPEED]
        liquid += racks[c, R_LIQ, r] * p
        delta = p - racks[c, R_POWER, r]
        if delta != 0.0:
            if changed == 0:
                rack_energy(c, t, st, racks, rack_sum, block_s)
            racks[c, R_POWER, r] = p
            changed += 1
            if has_dev:  # the gas path's share of the change moves the inlets (all of it without cold plates)
                d_gas = delta * (1.0 - racks[c, R_LIQ, r])
                for i in range(n_r):
                    racks[c, R_DEV, i] += dev_t[c, r, i] * d_gas
    st[c, S_LQ_RACK_W] = liquid  # the cold plates' share of the racks' power [W] (0 without a liquid path)
    if has_dev and changed:
        m = racks[c, R_DEV, 0]
        for i in range(1, n_r):
            if racks[c, R_DEV, i] > m:
                m = racks[c, R_DEV, i]
        st[c, S_DEV_MAX] = m


@njit(cache=True, _nrt=False)
def cabin_loads(c, t, prm, st, grp, racks, dev_t, xtab, rack_sum, block_s):
    """After the workload changed row ``c``: static and dynamic totals, rack powers and deviations, IT power and
    heat (the cabin fans hold until the next control instant), the failure hazard's rate."""
    n_r = int(prm[c, P_RACKS])
    n_g = int(prm[c, P_GROUPS])
    static = 0.0
    for r in range(n_r):
        static += racks[c, R_STATIC, r]
    st[c, S_STATIC_W] = static
    rack_mode = prm[c, P_RACK_SCOPE] != 0.0 and prm[c, P_HAS_DEV] != 0.0 and st[c, S_THROTTLE] < 1.0
    for g in range(n_g):
        d = 0.0
        for r in range(n_r):
            d += racks[c, R_DYN + g, r]
        grp[c, g, G_DYN] = d if d > 1e-6 else 0.0
    if rack_mode:
        rack_group_speeds(c, prm, grp, racks)
    rack_powers(c, t, prm, st, grp, racks, dev_t, rack_mode, rack_sum, block_s)
    st[c, S_HAZARD_RATE] = st[c, S_ALIVE] * prm[c, P_AFR] * x_factor(st[c, S_INLET], xtab)
    it_power(c, prm, st, grp)


@njit(cache=True, _nrt=False)
def rack_group_speeds(c, prm, grp, racks):
    """Each class's speed as the mean of its racks' own throttled speeds weighted by its dynamic power on them
    (``twin.workload.schedulers.Scheduler.set_speed``)."""
    n_r = int(prm[c, P_RACKS])
    for g in range(int(prm[c, P_GROUPS])):
        cap = grp[c, g, G_CAP]
        total = grp[c, g, G_DYN]
        acc = 0.0
        low = 1.0
        for r in range(n_r):
            s = racks[c, R_SPEED, r]
            s = s if s < cap else cap
            acc += racks[c, R_DYN + g, r] * s
            low = s if s < low else low
        grp[c, g, G_SPEED] = acc / total if total > 0.0 else low


@njit(cache=True, _nrt=False, inline="always")
def it_power(c, prm, st, grp):
    p = st[c, S_STATIC_W]
    for g in range(int(prm[c, P_GROUPS])):
        p += grp[c, g, G_SPEED] * grp[c, g, G_DYN]
    st[c, S_IT_W] = p * (1.0 + st[c, S_FAN_FRAC])
    chain_losses(c, prm, st)
    liquid_heat(c, prm, st)


@njit(cache=True, _nrt=False)
def _drive_input_w(shaft_w, units, motor_rated_w, vfd_rated_w, row, t_motor, t_vfd):
    """Electrical input of ``units`` identical motors on drives sharing ``shaft_w``:
    ``physics.power_chain.drive_input_w`` for each."""
    s = shaft_w / units
    motor_in = s + table_loss_w(s, motor_rated_w, row, t_motor)
    return units * (motor_in + table_loss_w(motor_in, vfd_rated_w, row, t_vfd))


@njit(cache=True, _nrt=False, inline="always")
def chain_losses(c, prm, st):
    """Row ``c``'s power chain at its present loads (``physics.power_chain``): PDU and busway I^2 R losses and the
    UPS's loss in front of the IT power, the electrical input of its pumps and fans through their motors and
    drives, what of the IT power is not compute (server fans, supply and regulator losses); then the cabin's
    heat: IT, the fans' shaft power, and every loss dissipated inside it (the elements whose location is the
    cabin, the in-cabin auxiliaries). Each part is computed again only when its own inputs changed since the last
    call: the IT side on the IT power, the servers it is spread over and the server fans' rise; each drive on its
    shaft power (over a year of the reference design's fixed load the server fans, above their threshold in summer,
    moved the IT power in a sixth of the control periods and the pump's level moved in one of sixteen; each used to
    recompute all of it). With no input changed only the heat is set again (``liquid_heat`` takes the cold plates'
    share from it after each call)."""
    it = st[c, S_IT_W]
    n = st[c, S_POWERED] if st[c, S_POWERED] > 0.0 else st[c, S_SERVERS]
    ok = st[c, S_CH_OK] == 1.0
    it_ok = ok and st[c, S_CH_IT] == it and st[c, S_CH_N] == n and st[c, S_CH_FRAC] == st[c, S_FAN_FRAC]
    pump_ok = ok and st[c, S_CH_PUMP] == st[c, S_PUMP_W]
    fan_ok = ok and st[c, S_CH_FAN] == st[c, S_FAN_W]
    if it_ok and pump_ok and fan_ok:
        st[c, S_HEAT_W] = st[c, S_CH_HEAT]
        return
    if not it_ok:
        _chain_it(c, prm, st, it, n)
    row = prm[c]
    if not pump_ok:
        st[c, S_PUMP_IN_W] = _drive_input_w(st[c, S_PUMP_W], row[P_PUMP_UNITS], row[P_PUMP_MOTOR_RATED],
                                            row[P_PUMP_VFD_RATED], row, T_PUMP_MOTOR, T_PUMP_VFD)
        st[c, S_CH_PUMP] = st[c, S_PUMP_W]
    if not fan_ok:
        st[c, S_FAN_IN_W] = _drive_input_w(st[c, S_FAN_W], row[P_FAN_UNITS], row[P_FAN_MOTOR_RATED],
                                           row[P_FAN_VFD_RATED], row, T_FAN_MOTOR, T_FAN_VFD)
        st[c, S_CH_FAN] = st[c, S_FAN_W]
    pump_in, fan_in = st[c, S_PUMP_IN_W], st[c, S_FAN_IN_W]
    heat = (it + st[c, S_PDU_W] + st[c, S_BUS_W] + st[c, S_UPS_W] * row[P_UPS_CABIN] + st[c, S_FAN_W]
            + (fan_in - st[c, S_FAN_W]) * row[P_FAN_CABIN] + (pump_in - st[c, S_PUMP_W]) * row[P_PUMP_CABIN]
            + row[P_AUX_CABIN_W])
    st[c, S_HEAT_W] = heat
    st[c, S_CH_HEAT] = heat
    st[c, S_CH_OK] = 1.0


@njit(cache=True, _nrt=False)
def _chain_it(c, prm, st, it, n):
    """:func:`chain_losses`'s IT side: IT power ``it`` [W] over ``n`` servers."""
    row = prm[c]
    pdu = resistive_loss_w(it, row[P_PDU_RATED], row[P_PDU_LOSS])
    bus = resistive_loss_w(it + pdu, row[P_BUS_RATED], row[P_BUS_LOSS])
    ups = table_loss_w(it + pdu + bus, row[P_UPS_RATED], row, T_UPS)
    st[c, S_PDU_W], st[c, S_BUS_W], st[c, S_UPS_W] = pdu, bus, ups
    # inside the IT power: supplies at each powered server's mean draw, fans (base share and the rise above the
    # threshold), regulators on what the supplies deliver to the boards
    psu = n * table_loss_w(it / n, row[P_PSU_RATED], row, T_PSU) if n > 0.0 and it > 0.0 else 0.0
    base = it / (1.0 + st[c, S_FAN_FRAC])
    srv_fan = base * row[P_SRV_FAN_SHARE] + (it - base)
    board = it - psu - srv_fan
    vr = board * (1.0 - row[P_VR_ETA]) if board > 0.0 else 0.0
    st[c, S_PSU_W], st[c, S_SRV_FAN_W], st[c, S_VR_W] = psu, srv_fan, vr
    st[c, S_CH_IT], st[c, S_CH_N], st[c, S_CH_FRAC] = it, n, st[c, S_FAN_FRAC]


@njit(cache=True, _nrt=False, inline="always")
def liquid_heat(c, prm, st):
    """The cold plates' share of the servers' power leaves the gas path for the coolant, with the coolant pump's
    work (its power heats the coolant: ASSUMPTION, motor and drive losses included); the servers' fans and the rest
    stay in the gas."""
    if prm[c, P_LQ_ON] != 0.0:
        st[c, S_HEAT_W] -= st[c, S_LQ_RACK_W]
        st[c, S_LQ_W] = st[c, S_LQ_RACK_W] + prm[c, P_LQ_TCS_W]


@njit(cache=True, _nrt=False)
def cdu_conductance(prm, c, sea_speed):
    """``G = eps C_min`` of row ``c``'s CDU at a seawater pump speed [W K-1]: the engine's twin of
    ``physics.liquid_cooling.cdu_conductance_w_k`` (coolant at design flow, counterflow)."""
    if sea_speed <= 0.0:
        return 0.0
    ua = hx_ua_w_k(prm[c, P_LQ_UA], 1.0, sea_speed, 0.5, 0.8, 0.0)
    c_hot = prm[c, P_LQ_C_TCS]
    c_sea = prm[c, P_LQ_C_SEA] * sea_speed
    c_min = c_hot if c_hot < c_sea else c_sea
    c_max = c_sea if c_hot < c_sea else c_hot
    return effectiveness(ua / c_min, c_min / c_max, 0) * c_min


@njit(cache=True, _nrt=False)
def liquid_control(c, sea_c, prm, st, ctrl_s, gain, ti_s):
    """Row ``c``'s CDU at a control instant: the seawater pump PI on the coolant supply (gain-scheduled on the
    supply's sensitivity to the pump speed, as the cabin's seawater pump), its power by the affinity law, and the
    throttle the supply asks for near its limit [-] (1 without a liquid path)."""
    if prm[c, P_LQ_ON] == 0.0:
        return 1.0
    t_r = st[c, S_LQ_T]
    speed = st[c, S_LQ_SPEED]
    k = st[c, S_LQ_K]
    supply = (1.0 - k) * t_r + k * sea_c
    ds = 0.01 if speed <= 0.99 else -0.01
    k2 = cdu_conductance(prm, c, speed + ds) / prm[c, P_LQ_C_TCS]
    sens = (t_r - sea_c) * (k2 - k) / ds  # the supply falls by this much per unit of speed [K]
    error = supply - prm[c, P_LQ_SETPOINT]
    new = pump_pi_speed(speed, st[c, S_LQ_ERR], error, ctrl_s, sens, gain, ti_s, prm[c, P_LQ_MIN_SPEED], 1.0)
    st[c, S_LQ_ERR] = error
    st[c, S_LQ_SPEED] = new
    g = cdu_conductance(prm, c, new)
    st[c, S_LQ_G] = g
    st[c, S_LQ_K] = g / prm[c, P_LQ_C_TCS]
    st[c, S_LQ_SUPPLY] = supply
    st[c, S_LQ_PUMP_W] = prm[c, P_LQ_TCS_W] + prm[c, P_LQ_SEA_W] * new * new * new
    return liquid_cap(st[c, S_LQ_CAP], supply, st[c, S_LQ_RACK_W], g, prm[c, P_LQ_C_TCS], prm[c, P_LQ_MAX],
                      prm[c, P_LQ_MARGIN], prm[c, P_MIN_SPEED], st, c)


@njit(cache=True, _nrt=False)
def liquid_cap(cap, supply_c, rack_liquid_w, g_w_k, c_tcs_w_k, limit_c, margin_k, min_speed, st, c):
    """The servers' speed cap the coolant asks for [-], integral action on the supply above the start of its
    throttling band (``limit - margin``): it holds the supply there when the CDU alone cannot, and lets go when the
    supply falls back. The supply answers the servers' speed within a control period (the coolant's time constant is
    tens of seconds), so a proportional throttle on the supply, as the gas path's, alternates between its ends; the
    integral gain is half the inverse of the supply's steady sensitivity to the speed, bounded above by
    ``Q_rack (1/G - 1/C_tcs)`` (the cold plates' heat as if all of it followed the speed), so each correction takes
    at most half the error."""
    error = supply_c - (limit_c - margin_k)
    if error > 0.0 or cap < 1.0:
        sens = rack_liquid_w * (1.0 / g_w_k - 1.0 / c_tcs_w_k) if g_w_k > 0.0 else 1e9
        if sens < 0.1:
            sens = 0.1
        cap = cap - 0.5 * error / sens
        cap = min_speed if cap < min_speed else (1.0 if cap > 1.0 else cap)
    st[c, S_LQ_CAP] = cap
    return cap


@njit(cache=True, _nrt=False, inline="always")
def cabin_control(c, t, sea_c, prm, st, grp, racks, dev_t, cache, xtab, ctrl_s, rack_sum, block_s):
    """The controllers of row ``c`` at a control instant: fouling level, pump PI on the mean inlet, throttle on
    the hottest rack, server fans on the inlet, cabin fans on the heat; powers of the machines."""
    if prm[c, P_FOUL_STEP] > 0.0:
        if t - st[c, S_CLEAN_T] >= prm[c, P_FOUL_CLEAN]:  # the scheduled cleaning
            st[c, S_CLEAN_T] = t
        r_f = prm[c, P_FOUL_INF] * (1.0 - math.exp(-(t - st[c, S_CLEAN_T]) / prm[c, P_FOUL_TAU]))
        foul = int(r_f / prm[c, P_FOUL_STEP] + 0.5)
    else:
        foul = 0
    st[c, S_FOUL_LEVEL] = foul
    fl = int(st[c, S_FAN_LEVEL])
    pl = int(st[c, S_PUMP_LEVEL])
    slot = cache_entry(prm, cache, st, c, foul, fl, pl, False)
    k_sea = cache[c, slot, C_K_SEA]
    x1 = st[c, S_X1]
    t_in = cache[c, slot, C_K_GAS] * x1 + k_sea * sea_c
    # the inlet's sensitivity to pump speed from the neighbouring level [K per unit speed]
    if pl < L_PUMP:
        k_next = cache[c, cache_entry(prm, cache, st, c, foul, fl, pl + 1, False), C_K_SEA]
        sens = (x1 - sea_c) * (k_next - k_sea) * L_PUMP
    else:
        k_prev = cache[c, cache_entry(prm, cache, st, c, foul, fl, pl - 1, False), C_K_SEA]
        sens = (x1 - sea_c) * (k_sea - k_prev) * L_PUMP
    has_dev = prm[c, P_HAS_DEV] != 0.0
    t_hot = t_in + st[c, S_DEV_MAX] * L_FAN / fl if has_dev else t_in
    error = t_in - prm[c, P_SETPOINT]
    pump = pump_pi_speed(st[c, S_PI_SPEED], st[c, S_PI_ERROR], error, ctrl_s, sens, prm[c, P_GAIN], prm[c, P_TI],
                         prm[c, P_MIN_PUMP], st[c, S_PUMP_CAP])
    st[c, S_PI_SPEED] = pump
    st[c, S_PI_ERROR] = error
    pump_level = int(pump * L_PUMP + 0.5)
    allow, margin, low = prm[c, P_ALLOW], prm[c, P_MARGIN], prm[c, P_MIN_SPEED]
    speed = throttle_speed(t_hot, allow, margin, low)
    # the CDU serves the whole cabin: its throttle near the coolant limit caps every rack
    lq_speed = liquid_control(c, sea_c, prm, st, ctrl_s, prm[c, P_GAIN], prm[c, P_TI]) if prm[c, P_LQ_ON] != 0.0 \
        else 1.0
    rack_mode = speed < 1.0 and has_dev and prm[c, P_RACK_SCOPE] != 0.0
    if lq_speed < speed:
        speed = lq_speed
    moved = rack_mode or st[c, S_THROTTLE] < 1.0  # rack speeds this period or the last
    st[c, S_THROTTLE] = speed
    if rack_mode:  # each rack throttles on its own inlet
        for r in range(int(prm[c, P_RACKS])):
            rs = throttle_speed(t_in + racks[c, R_DEV, r] * L_FAN / fl, allow, margin, low)
            racks[c, R_SPEED, r] = rs if rs < lq_speed else lq_speed
        rack_group_speeds(c, prm, grp, racks)
    else:
        for g in range(int(prm[c, P_GROUPS])):
            cap = grp[c, g, G_CAP]
            new = speed if speed < cap else cap
            if new != grp[c, g, G_SPEED]:
                moved = True
            grp[c, g, G_SPEED] = new
    if moved:  # the racks' powers follow the speeds; unchanged speeds leave them as they are
        rack_powers(c, t, prm, st, grp, racks, dev_t, rack_mode, rack_sum, block_s)
    st[c, S_FAN_FRAC] = server_fan_fraction(t_in, prm[c, P_FAN_THR], prm[c, P_FAN_SLOPE])
    st[c, S_INLET] = t_in
    st[c, S_HOT] = t_hot
    st[c, S_HAZARD_RATE] = st[c, S_ALIVE] * prm[c, P_AFR] * x_factor(t_in, xtab)
    it_power(c, prm, st, grp)
    fixed = prm[c, P_FIXED_FAN]
    # the fans follow the heat the gas carries (the cold plates' share is not in it)
    fan = fixed if fixed > 0.0 else fan_speed_for_load(st[c, S_HEAT_W], prm[c, P_DESIGN_HEAT], prm[c, P_MIN_FAN])
    fan_level = int(fan * L_FAN + 0.5)
    if fan_level < 1:
        fan_level = 1
    st[c, S_FAN_LEVEL] = fan_level
    st[c, S_PUMP_LEVEL] = pump_level
    fs = fan_level / L_FAN
    ps = pump_level / L_PUMP
    st[c, S_FAN_W] = prm[c, P_FAN_W] * fs * fs * fs
    st[c, S_PUMP_W] = prm[c, P_PUMP_W] * ps * ps * ps
    chain_losses(c, prm, st)
    liquid_heat(c, prm, st)
