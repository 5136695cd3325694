"""The plant's typed state: every cabin group a row of the same arrays, read and written by the compiled kernel.

Columns are named by the constants below (numba reads module constants as compile-time values). One row per cabin
group, so twenty groups are twenty rows of one loop in compiled code, not twenty Python objects.

=============  =========================  ====================================================================
array          shape                      what
=============  =========================  ====================================================================
``prm``        (groups, P_COUNT)          constants of each group: network, machines, controls, limits
``st``         (groups, S_COUNT)          state of each group: node temperatures, controller states, loads
``grp``        (groups, jobs, G_COUNT)    per job class: virtual work clock, next completion, speed, power cap
``racks``      (groups, R_DYN + jobs, r)  per rack: static power, power, inlet deviation, throttle, dynamic
                                          power of each class at full speed (the fleet writes into these)
``dev_t``      (groups, r, r)             rack inlet deviation per watt of each rack's heat, transposed
``rack_sum``   (groups, blocks, r)        energy of each rack per block (an hour) [J]
``cache``      (groups, CACHE_SLOTS, ..)  conductances and modal decomposition by (fouling, fan, pump) level
``exo``        (X_COUNT, base steps)      the environment at its base resolution: farm power, sea temperature
``bus``        (B_COUNT,)                 electrical parameters and state, clocks of the grids, what-if state
=============  =========================  ====================================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from physics import electrical, liquid_cooling, power_chain, servers, thermal
from twin.sim import controls
from twin.sim.cabin import failure_rate_per_year
from twin.sim.kernel_physics import ARRANGEMENT_CODES, TAB_MAX

__all__ = ["PlantArrays", "build_plant_arrays", "network_params", "chain_params", "CabinHeat", "liquid_share",
           "cable_limits", "CACHE_SLOTS", "STOP_COMPLETION", "STOP_FAILURE", "STOP_TRANSITION", "STOP_BAND_EXIT",
           "STOP_PERIOD", "STOP_STALLED"]

FOULING_LEVELS = 20
"""Exchanger fouling is tracked on levels of 1/20 of its asymptote (a level is a key of the conductance cache)."""

# ------------------------------------------------------------------------------------------------ prm: constants
P_SQRT_C0, P_SQRT_C1, P_SQRT_C2 = 0, 1, 2  # square roots of the node capacities [J0.5 K-0.5]
P_C_IT, P_C_GAS, P_C_WALL = 3, 4, 5  # node capacities [J K-1]
P_G_IT, P_UA_GW, P_UA_WS = 6, 7, 8  # server-gas at design flow, gas-wall, wall-sea conductances [W K-1]
P_UA_HX, P_HX_AREA, P_GAS_RATE, P_SEA_RATE = 9, 10, 11, 12  # exchanger UA [W K-1], area [m2], capacity rates
P_RECIRC, P_ARRANGEMENT = 13, 14  # bypass share [-], ARRANGEMENT_CODES
P_FOUL_INF, P_FOUL_TAU, P_FOUL_CLEAN, P_FOUL_STEP = 15, 16, 17, 18  # [m2 K W-1], [s], [s], [m2 K W-1]
P_PUMP_W, P_FAN_W, P_DESIGN_HEAT, P_MIN_FAN, P_FIXED_FAN = 19, 20, 21, 22, 23  # [W], [W], [W], [-], [-] (0: follow)
P_MIN_PUMP, P_SETPOINT, P_GAIN, P_TI = 24, 25, 26, 27  # [-], [C], [-], [s]
P_ALLOW, P_MARGIN, P_MIN_SPEED, P_RACK_SCOPE, P_SHED = 28, 29, 30, 31, 32  # [C], [K], [-], flag, flag
P_COUNT, P_AFR, P_FAN_THR, P_FAN_SLOPE = 33, 34, 35, 36  # cabins [-], failures per server [s-1], [C], [K-1]
P_RACKS, P_GROUPS, P_HAS_DEV = 37, 38, 39  # racks, job classes, flag
P_FAST, P_THERMAL = 40, 41  # the workload runs in the kernel (twin.sim.kernel_jobs); coolest racks first
# the power chain of one cabin (physics.power_chain): ratings [W], flags (1: losses heat the cabin), loads [W]
P_UPS_RATED, P_UPS_CABIN, P_PDU_RATED, P_PDU_LOSS, P_BUS_RATED, P_BUS_LOSS = 42, 43, 44, 45, 46, 47
P_PUMP_UNITS, P_PUMP_MOTOR_RATED, P_PUMP_VFD_RATED, P_PUMP_CABIN = 48, 49, 50, 51
P_FAN_UNITS, P_FAN_MOTOR_RATED, P_FAN_VFD_RATED, P_FAN_CABIN = 52, 53, 54, 55
P_AUX_CABIN_W, P_AUX_OUT_W = 56, 57  # the auxiliaries that heat the cabin and those that do not [W]
P_PSU_RATED, P_VR_ETA, P_SRV_FAN_SHARE = 58, 59, 60  # supplies' capacity of one server [W], [-], [-]
# loss tables, TAB_STRIDE columns each: point count, load fractions, losses over rating (padded to TAB_MAX)
TAB_STRIDE = 1 + 2 * TAB_MAX
T_UPS, T_PUMP_MOTOR, T_PUMP_VFD, T_FAN_MOTOR, T_FAN_VFD, T_PSU = (61 + k * TAB_STRIDE for k in range(6))
P_COUNT_ALL_CHAIN = 61 + 6 * TAB_STRIDE
# the liquid path of one cabin (physics.liquid_cooling; all 0 without one): flag, coolant node capacity [J K-1],
# CDU UA [W K-1], coolant and full-flow seawater capacity rates [W K-1], supply setpoint and limit [C], throttling
# margin [K], lowest seawater pump speed [-], coolant pump and full-speed CDU seawater pump powers [W], facility
# water class limit [C]
_LQ = P_COUNT_ALL_CHAIN
(P_LQ_ON, P_LQ_C, P_LQ_UA, P_LQ_C_TCS, P_LQ_C_SEA, P_LQ_SETPOINT, P_LQ_MAX, P_LQ_MARGIN, P_LQ_MIN_SPEED,
 P_LQ_TCS_W, P_LQ_SEA_W, P_LQ_FWS_MAX) = (_LQ + k for k in range(12))
P_COUNT_ALL = _LQ + 12
# ------------------------------------------------------------------------------------------------ st: state
S_X0, S_X1, S_X2 = 0, 1, 2  # server, gas and wall temperatures [C]
S_PI_SPEED, S_PI_ERROR = 3, 4  # pump controller's speed [-] and last error [K]
S_CLEAN_T = 5  # time of the last exchanger cleaning [s]
S_FOUL_LEVEL, S_FAN_LEVEL, S_PUMP_LEVEL = 6, 7, 8  # quantised levels (thermal.SPEED_LEVELS, PUMP_LEVELS)
S_FAN_FRAC, S_IT_W, S_FAN_W, S_PUMP_W, S_HEAT_W = 9, 10, 11, 12, 13  # server fan rise [-], powers of one cabin [W]
S_THROTTLE, S_DEV_MAX, S_INLET, S_HOT = 14, 15, 16, 17  # [-], [K] at design flow, sampled inlets [C]
S_HAZARD, S_HAZARD_LIMIT, S_HAZARD_RATE = 18, 19, 20  # integrated failure hazard, where the next failure falls
S_ALIVE, S_SERVERS, S_BUSY, S_POWERED, S_QUEUE = 21, 22, 23, 24, 25  # counts pushed by the workload
S_DIRTY, S_NEXT_TRANSITION, S_STOP_BAND = 26, 27, 28  # loads changed, next boot or shutdown [s], stop at band exit
# (S_ALIVE to S_STOP_BAND are what the workload pushes after an event, in one slice)
S_PUMP_CAP, S_STOP_PERIOD, S_IN_BAND, S_FLAGS = 29, 30, 31, 32  # pump speed limit [-], stop at control instants,
# in the band now, why the kernel stopped (STOP_* bits)
S_STATIC_W = 33  # servers' static power of one cabin [W]
S_SOLVES = 34  # eigen-decompositions computed (cache misses), for the benchmarks
S_RACK_T0 = 35  # since when the racks have held their present powers (their energy is booked up to here) [s]
# the power chain of one cabin [W] (twin.sim.kernel_cabin.chain_losses): UPS, PDU and busway losses, electrical
# input of its pumps and fans, and of the IT power what is not compute: server fans, supply and regulator losses
S_UPS_W, S_PDU_W, S_BUS_W, S_PUMP_IN_W, S_FAN_IN_W = 36, 37, 38, 39, 40
S_SRV_FAN_W, S_PSU_W, S_VR_W = 41, 42, 43
# the liquid path (twin.sim.kernel_cabin.liquid_control): coolant return (the node) [C], CDU seawater pump speed [-]
# and its controller's last error [K], the racks' heat into the cold plates [W], all heat into the coolant [W], the
# liquid pumps' power [W], the supply at the last control instant [C], G = eps C_min [W K-1], k = G / C_tcs [-],
# the servers' speed cap the coolant asks for [-]
_SLQ = 44
(S_LQ_T, S_LQ_SPEED, S_LQ_ERR, S_LQ_RACK_W, S_LQ_W, S_LQ_PUMP_W, S_LQ_SUPPLY, S_LQ_G, S_LQ_K, S_LQ_CAP) = (
    _SLQ + k for k in range(10))
# the inputs chain_losses last ran on (valid when S_CH_OK is 1) and the cabin's heat it gave before the liquid path
# took its share: unchanged inputs give unchanged losses, so a control period with the loads as they were skips it
_SCH = _SLQ + 10
S_CH_OK, S_CH_IT, S_CH_PUMP, S_CH_FAN, S_CH_N, S_CH_FRAC, S_CH_HEAT = (_SCH + k for k in range(7))
S_COUNT = _SCH + 7

# the kernel's working arrays (:func:`scratch`), per row: the sum-of-exponentials form of its hottest inlet over its
# present interval, its ends and bounds (``wk``); its network's modal form over that interval, z0 (3) and w (3),
# the inlet's k_gas, k_sea and deviation, its cache slot (whose modes, lam and P, hold for the interval) and the sea
# temperature (``md``)
W_A0, W_A, W_LAM, W_E, W_F0, W_F1, W_LO, W_HI, W_VALID, W_NCRIT, W_CRIT = 0, 1, 4, 7, 10, 11, 12, 13, 14, 15, 16
W_COUNT = 18
M_Z0, M_W, M_K_GAS, M_K_SEA, M_DEV, M_SLOT, M_SEA = 0, 3, 6, 7, 8, 9, 10
M_COUNT = 11


def buffer_room(n_cab: int) -> int:
    """Intervals each of the site's limits can hold between two instants at which the kernel's rows are together
    (each control instant, and where a call ends): ``twin.sim.kernel.advance`` ends a call early, bringing the rows
    together, when fewer than four per row are left (an interval of every row, and bringing every row to the
    instant, append two each at most)."""
    return 64 * n_cab + 64


def scratch(n_cab: int) -> tuple:
    """The kernel's working arrays for ``n_cab`` rows, allocated once per run and passed to every call of
    ``twin.sim.kernel.advance`` after ``xtab`` (the kernel allocates nothing: it is compiled without numba's
    reference counting): ``md`` and ``wk`` (above), each row's own time, the end of its interval and its band exit
    (``rows``), one row's scratch (``tmp``), and the rows' intervals above the site's limits since they were last
    together (``buf``, ``n_iv``, ``last``)."""
    return (np.zeros((n_cab, M_COUNT)), np.zeros((n_cab, W_COUNT)), np.zeros((3, n_cab)), np.zeros(40),
            np.zeros((3, 2 * buffer_room(n_cab))), np.zeros(3, np.int64), np.full((3, n_cab), -1, np.int64))


# ------------------------------------------------------------------------------------------------ grp: job classes
G_CLOCK, G_TARGET, G_SPEED, G_CAP, G_DYN = 0, 1, 2, 3, 4  # work clock [s], next completion [s], [-], [-], [W]
G_TYPE, G_DYN_W, G_IDLE_W = 5, 6, 7  # server type; a busy server's dynamic power at full speed, idle power [W]
G_COUNT = 8
# ------------------------------------------------------------------------------------------------ racks rows
R_STATIC, R_POWER, R_DEV, R_SPEED, R_IDLE = 0, 1, 2, 3, 4  # [W], [W], [K], [-], a server's idle power [W]
R_LIQ = 5  # the share of the rack's power its cold plates take to the liquid path [-] (0 without one)
R_DYN = 6  # then one row per class: its dynamic power at full speed on the rack [W]
# ---------------------------------------------------------------------------------------------- the kernel's workload
FL_TYPE, FL_ALIVE, FL_ON, FL_BUSY, FL_PENDING = 0, 1, 2, 3, 4  # fl rows, per rack
FL_COUNT = 5
TQ_ON, TQ_ALIVE, TQ_BUSY, TQ_HEAD, TQ_LEN, TQ_SERVERS = 0, 1, 2, 3, 4, 5  # tq columns, per server type
TQ_COUNT = 6
J_SUBMIT, J_SIZE, J_WORK, J_DEADLINE, J_FLEX, J_GROUP, J_RECORD, J_START, J_W0, J_WAIT = range(10)  # jobs columns
J_COUNT = 10
SL_JOB, SL_FINISH, SL_GROUP, SL_N, SL_SEQ = 0, 1, 2, 3, 4  # slots columns (SL_JOB -1: free)
SL_COUNT = 5
CL_COMPLETED, CL_FLEX_COMPLETED, CL_MISSES, CL_REJECTED, CL_ENERGY_J, CL_SERVER_S, CL_WORK_S = range(7)
CL_COUNT = 7
WI_NEXT, WI_N_JOBS, WI_SEQ, WI_FREE, WI_FAILURES, WI_SERVERS = 0, 1, 2, 3, 4, 5  # wi columns
WI_SLOTS_USED = 6  # slots below this index may hold a running job (free slots are taken lowest first)
WI_COUNT = 7
# ------------------------------------------------------------------------------------------------ cache entries
CACHE_SLOTS = 64
C_KEY, C_G_IT, C_G_HX, C_C_A, C_K_GAS, C_K_SEA, C_HAS_EIG = 0, 1, 2, 3, 4, 5, 6
C_LAM = 7  # three eigenvalues [s-1]
C_V = 10  # nine entries of the eigenvectors (row-major, vectors in columns)
C_P = 19  # nine entries of P = C^(-1/2) V, row-major: node temperatures from modal coordinates
C_EPP_TAU = 28  # the interval C_EPP holds the modal factors for (the control period), 0 when none
C_EPP = 29  # nine: exp(l tau), phi, psi of each mode over that interval (kernel_physics.modal_factors)
C_COUNT = 38
# ------------------------------------------------------------------------------------------------ exo rows
X_FARM_W, X_SEA_C = 0, 1
X_COUNT = 2
# ------------------------------------------------------------------------------------------------ bus
B_K_LINK, B_LINK_MAX, B_K_SHORE, B_SHORE_MAX = 1, 2, 3, 4  # (0: unused, was the flat distribution efficiency)
B_TR_NL, B_TR_K, B_GRID_LIMIT, B_GRID_BASE, B_EXPORT_CAP, B_N_TURB = 5, 6, 7, 8, 9, 10
B_HAS_BATT, B_RESERVE_ONLY, B_BATT_E, B_BATT_CH, B_BATT_DIS, B_BATT_ETA, B_BATT_EMIN, B_BATT_EMAX = (
    11, 12, 13, 14, 15, 16, 17, 18)
B_TURB_DOWN, B_GRID_OUTAGES, B_LINK_CUTS, B_SEA_OFFSET = 19, 20, 21, 22  # what-if state, written by the processes
B_SURPLUS_W, B_DEFICIT_W = 23, 24  # of the last interval: wind the link could still deliver, grid and unserved
B_BASE_S, B_CTRL_S, B_OUT_S, B_BLOCK_S = 25, 26, 27, 28  # the four grids [s]
B_NEXT_CTRL, B_PERIOD_SHOWN = 29, 30  # index of the next control instant; last one shown to the workload
B_REC_MAX, B_ALLOW, B_REC_MIN, B_TOTAL_SERVERS = 31, 32, 33, 34  # global thresholds [C]; servers of all cabins
B_N_OUT, B_N_BASE = 35, 36
B_OUT_ROW0 = 37  # the output step in the first row of the recorder's buffers (they hold a chunk, twin.sim.spool)
B_COUNT = 38
# ---------------------------------------------------------------------------------------------- why the kernel stopped
STOP_COMPLETION, STOP_FAILURE, STOP_TRANSITION, STOP_BAND_EXIT, STOP_PERIOD = 1, 2, 4, 8, 16
STOP_STALLED = 32  # the kernel made no progress in many intervals: a bug, reported rather than looped on


def cable_limits(cable) -> tuple[float, float]:
    """(loss coefficient [1/W], highest sending power by current rating [W]) of a cable set."""
    r = electrical.cable_resistance_ohm(cable.resistance_ohm_per_km, cable.length_m, cable.count)
    k = electrical.cable_loss_coefficient_per_w(cable.voltage_v, r, cable.power_factor)
    p_max = math.sqrt(3.0) * cable.voltage_v * cable.power_factor * cable.rating_a * cable.count
    return k, min(p_max, 0.5 / k)  # 1/(2k) is where received power peaks


@dataclass
class PlantArrays:
    """The arrays the kernel advances (module docstring) and the recorder's buffers."""

    prm: np.ndarray
    st: np.ndarray
    grp: np.ndarray
    racks: np.ndarray
    dev_t: np.ndarray
    rack_sum: np.ndarray
    cache: np.ndarray
    exo: np.ndarray
    bus: np.ndarray
    acc_g: np.ndarray
    acc_c: np.ndarray
    out64: np.ndarray
    out_g: np.ndarray
    out_c: np.ndarray
    xtab: np.ndarray
    work: object  # twin.sim.job_arrays.JobArrays
    scratch: tuple = ()  # the kernel's working arrays (:func:`scratch`), made for the rows when empty

    def kernel_args(self) -> tuple:
        if not self.scratch:
            self.scratch = scratch(self.prm.shape[0])
        return (self.prm, self.st, self.grp, self.racks, self.dev_t, self.rack_sum, self.cache, self.exo, self.bus,
                self.acc_g, self.acc_c, self.out64, self.out_g, self.out_c, self.xtab, *self.scratch,
                *self.work.kernel_args())


def network_params(row: np.ndarray, p: thermal.CabinThermal) -> None:
    """Write a cabin's network (``physics.thermal.CabinThermal``) into its row of ``prm``."""
    row[P_C_IT], row[P_C_GAS], row[P_C_WALL] = p.c_it_j_k, p.c_gas_j_k, p.c_wall_j_k
    row[P_SQRT_C0], row[P_SQRT_C1], row[P_SQRT_C2] = math.sqrt(p.c_it_j_k), math.sqrt(p.c_gas_j_k), math.sqrt(
        p.c_wall_j_k)
    row[P_G_IT], row[P_UA_GW], row[P_UA_WS] = p.g_it_design_w_k, p.ua_gas_wall_w_k, p.ua_wall_sea_w_k
    row[P_UA_HX] = p.exchanger_ua_design_w_k
    row[P_HX_AREA] = p.exchanger_area_m2 or 0.0
    row[P_GAS_RATE], row[P_SEA_RATE] = p.gas_capacity_design_w_k, p.sea_capacity_design_w_k
    row[P_RECIRC], row[P_ARRANGEMENT] = p.recirculation_fraction, ARRANGEMENT_CODES[p.arrangement]


def _settled_pump_level(p: thermal.CabinThermal, fan_level: int, min_level: int, heat_w: float, sea_c: float,
                        setpoint_c: float) -> int:
    """Lowest pump level whose steady state holds the inlet at or below the setpoint (full speed if none does):
    where the pump controller would have settled, so a run starts without a control transient."""
    L, LP = thermal.SPEED_LEVELS, thermal.PUMP_LEVELS

    def inlet(level: int) -> float:
        x = thermal.steady_state(p, fan_level / L, level / LP, heat_w, sea_c)
        kg, ks = thermal.inlet_row(p, fan_level / L, level / LP)
        return kg * x[1] + ks * sea_c

    lo, hi = min_level, LP
    if inlet(lo) <= setpoint_c:
        return lo
    if inlet(hi) > setpoint_c:
        return hi
    while hi - lo > 1:  # the inlet falls as the pump speeds up
        mid = (lo + hi) // 2
        if inlet(mid) <= setpoint_c:
            hi = mid
        else:
            lo = mid
    return hi


def _liquid_params(row: np.ndarray, s: np.ndarray, rk: np.ndarray, group, plant, q, sea0: float) -> float:
    """Write a cabin's liquid path into its row of ``prm``, each rack's liquid share into ``racks``, and start the
    coolant in the steady state of the load already running with the seawater pump where its controller would
    settle; returns the heat that load gives the cold plates [W]."""
    lq, loop = group.cooling.liquid, plant.liquid
    row[P_LQ_ON], row[P_LQ_C], row[P_LQ_UA] = 1.0, loop.loop_heat_capacity_j_k, loop.cdu_ua_design_w_k
    row[P_LQ_C_TCS], row[P_LQ_C_SEA] = loop.coolant_capacity_w_k, loop.sea_capacity_design_w_k
    row[P_LQ_SETPOINT], row[P_LQ_MAX], row[P_LQ_MARGIN] = lq.supply_setpoint_c, lq.supply_max_c, lq.throttle_margin_k
    row[P_LQ_MIN_SPEED] = lq.min_sea_pump_speed
    row[P_LQ_TCS_W], row[P_LQ_SEA_W] = plant.liquid_tcs_pump_w, plant.liquid_sea_pump_w
    row[P_LQ_FWS_MAX] = liquid_cooling.facility_class_limit_c(lq.facility_class)
    shares = [servers.server_model(b.server).liquid_fraction for b in group.racks.blocks() for _ in range(b.rack_count)]
    n = q.fleet.n_racks
    rk[R_LIQ, :n] = shares
    rack_w = rk[R_STATIC, :n] + sum(rk[R_DYN + g, :n] * min(1.0, gr.cap_speed) for g, gr in enumerate(q.groups))
    heat_liquid = float(np.dot(rk[R_LIQ, :n], rack_w))
    coolant_w = heat_liquid + plant.liquid_tcs_pump_w
    speed = liquid_cooling.sea_speed_for_supply(loop, coolant_w, sea0, lq.supply_setpoint_c, lq.min_sea_pump_speed)
    s[S_LQ_T] = liquid_cooling.steady_state(loop, coolant_w, sea0, speed).return_c
    s[S_LQ_SPEED] = speed
    s[S_LQ_G] = liquid_cooling.cdu_conductance_w_k(loop, speed)
    s[S_LQ_K] = s[S_LQ_G] / loop.coolant_capacity_w_k
    s[S_LQ_SUPPLY] = (1.0 - s[S_LQ_K]) * s[S_LQ_T] + s[S_LQ_K] * sea0
    s[S_LQ_PUMP_W] = plant.liquid_tcs_pump_w + plant.liquid_sea_pump_w * speed ** 3
    s[S_LQ_CAP] = 1.0
    return heat_liquid
def _put_table(row: np.ndarray, off: int, x, losses) -> None:
    n = len(x)
    row[off] = n
    row[off + 1:off + 1 + n] = x
    row[off + 1 + TAB_MAX:off + 1 + TAB_MAX + n] = losses


def _drives(row: np.ndarray, d, design_shaft_w: float, units_col: int, motor_col: int, vfd_col: int, cabin_col: int,
            t_motor: int, t_vfd: int) -> None:
    """A group of identical motors on drives sharing ``design_shaft_w``: each motor rated at its share times the
    sizing factor, its drive rated at the motor's output (physics.power_chain's DOE tables at that size)."""
    row[units_col] = d.unit_count
    row[cabin_col] = 1.0 if d.location == "cabin" else 0.0
    rated = design_shaft_w / d.unit_count * d.motor_sizing_factor
    if rated <= 0.0:
        return
    row[motor_col] = row[vfd_col] = rated
    _put_table(row, t_motor, *power_chain.loss_table(*power_chain.motor_efficiency_table(
        rated, d.motor_full_load_efficiency)))
    _put_table(row, t_vfd, *power_chain.loss_table(*power_chain.vfd_efficiency_table(rated)))


def chain_params(row: np.ndarray, el, design_heat_w: float, pump_design_w: float, fan_design_w: float,
                 server_peak_w: float) -> None:
    """Write a cabin's power chain (``scenario.electrical.power_chain``) into its row of ``prm``. Without one, the
    old flat ``distribution_efficiency``: a UPS of constant efficiency whose loss does not heat the cabin, no
    busway or PDU, ideal drives, no auxiliaries (the servers' internals, for ITUE only, at their defaults)."""
    from twin.scenario.environment import ServerInternals

    ch = el.power_chain
    if ch is None:
        row[P_UPS_RATED] = design_heat_w
        _put_table(row, T_UPS, *power_chain.loss_table([1.0], [el.flat_distribution_efficiency]))
        srv = ServerInternals()
    else:
        ups = ch.ups
        row[P_UPS_RATED] = ups.rating_fraction * design_heat_w
        row[P_UPS_CABIN] = 1.0 if ups.location == "cabin" else 0.0
        if ups.load_fractions is not None:
            table = (ups.load_fractions, ups.efficiency_points)
        else:
            t = power_chain.UPS_ECO if ups.mode == "eco" else power_chain.UPS_DOUBLE_CONVERSION
            table = (t["load_fraction"], t["efficiency"])
        _put_table(row, T_UPS, *power_chain.loss_table(*table))
        row[P_PDU_RATED], row[P_PDU_LOSS] = ch.pdu.rating_fraction * design_heat_w, ch.pdu.loss_fraction_at_rated
        row[P_BUS_RATED], row[P_BUS_LOSS] = (ch.busway.rating_fraction * design_heat_w,
                                             ch.busway.loss_fraction_at_rated)
        _drives(row, ch.pumps, pump_design_w, P_PUMP_UNITS, P_PUMP_MOTOR_RATED, P_PUMP_VFD_RATED, P_PUMP_CABIN,
                T_PUMP_MOTOR, T_PUMP_VFD)
        _drives(row, ch.fans, fan_design_w, P_FAN_UNITS, P_FAN_MOTOR_RATED, P_FAN_VFD_RATED, P_FAN_CABIN,
                T_FAN_MOTOR, T_FAN_VFD)
        row[P_AUX_CABIN_W] = sum(a.power_w for a in ch.auxiliaries if a.location == "cabin")
        row[P_AUX_OUT_W] = sum(a.power_w for a in ch.auxiliaries if a.location != "cabin")
        srv = ch.servers
    if ch is None:  # the drives ideal (no tables): input = shaft power; the fans' heat in the cabin as before
        row[P_PUMP_UNITS], row[P_FAN_UNITS], row[P_FAN_CABIN] = 1.0, 1.0, 1.0
    row[P_PSU_RATED] = srv.psu_capacity_factor * server_peak_w
    row[P_VR_ETA], row[P_SRV_FAN_SHARE] = srv.vr_efficiency, srv.fan_share
    psu = (srv.psu_load_fractions, srv.psu_efficiency_points) if srv.psu_load_fractions is not None else (
        power_chain.PSU_80PLUS_TITANIUM["load_fraction"], power_chain.PSU_80PLUS_TITANIUM["efficiency"])
    _put_table(row, T_PSU, *power_chain.input_basis(*power_chain.loss_table(*psu)))


class CabinHeat:
    """The heat one cabin of a group dissipates [W] at a given IT power and fan and pump speeds: IT, the fans'
    shaft power and the power chain's losses located in the cabin, as the kernel has it
    (``twin.sim.kernel_cabin.chain_losses``), less what the cold plates take to the coolant when the group has a
    liquid path (``twin.sim.kernel_cabin.liquid_heat``); for those who see the cabin from its telemetry
    (``twin.live``).

    The cold plates take ``liquid_share`` of the servers' power before the server fans' rise with the inlet
    (``physics.servers.server_fan_power_fraction``: the fans stay in the gas), so the inlet is wanted for the split;
    without it the rise is taken as 0. ``liquid_share`` is the group's servers' ``liquid_fraction`` (the server
    library), for a group of several server types weighted by their installed peak power (ASSUMPTION: the kernel
    weights each rack by its present power, which telemetry of the cabin's total does not give; exact for a group
    of one type, as every shipped design)."""

    def __init__(self, scenario, group_index: int, plant) -> None:
        group = scenario.cabins[group_index]
        self.plant = plant
        self.prm = np.zeros((1, P_COUNT_ALL))
        chain_params(self.prm[0], scenario.electrical, chain_design_heat_w(group.cooling), plant.pump_design_power_w,
                     plant.fan_design_power_w, max(plant.server.power_w_points))
        self.st = np.zeros((1, S_COUNT))
        self.st[0, S_SERVERS] = plant.servers
        self.liquid_share = liquid_share(group) if group.cooling.liquid is not None else 0.0

    def split(self, it_w: float, fan_speed: float, pump_speed: float,
              inlet_c: float | None = None) -> tuple[float, float]:
        """The cabin's heat into its gas path and into its cold plates [W] (the second 0 without a liquid path;
        the coolant pump's work, which heats the coolant, is in neither)."""
        from twin.sim.kernel_cabin import chain_losses

        st = self.st
        st[0, S_IT_W] = it_w
        st[0, S_FAN_W] = self.plant.fan_design_power_w * fan_speed ** 3
        st[0, S_PUMP_W] = self.plant.pump_design_power_w * pump_speed ** 3
        chain_losses(0, self.prm, st)
        liquid = 0.0
        if self.liquid_share > 0.0:
            rise = 0.0 if inlet_c is None else float(servers.server_fan_power_fraction(inlet_c))
            liquid = self.liquid_share * it_w / (1.0 + rise)
        return float(st[0, S_HEAT_W]) - liquid, liquid

    def __call__(self, it_w: float, fan_speed: float, pump_speed: float, inlet_c: float | None = None) -> float:
        """The heat into the gas path [W] (:meth:`split`)."""
        return self.split(it_w, fan_speed, pump_speed, inlet_c)[0]


def chain_design_heat_w(cooling) -> float:
    """The heat a cabin's power chain is rated for [W]: all the cabin's, the gas path's design heat and, when it has
    one, the liquid path's."""
    return cooling.design_heat_w + (cooling.liquid.design_heat_w if cooling.liquid is not None else 0.0)


def liquid_share(group) -> float:
    """The share of a cabin group's server power its cold plates take [-]: its server types' ``liquid_fraction``
    weighted by their installed peak power (:class:`CabinHeat`)."""
    peak = share = 0.0
    for b in group.racks.blocks():
        m = servers.server_model(b.server)
        w = b.rack_count * b.servers_per_rack * max(m.power_w_points)
        peak += w
        share += w * m.liquid_fraction
    return share / peak if peak > 0.0 else 0.0


def _battery(el, bus: np.ndarray) -> None:
    if el.battery is None:
        return
    b = el.battery
    p = electrical.BatteryParams(energy_capacity_wh=b.energy_capacity_wh, max_charge_power_w=b.max_charge_power_w,
                                 max_discharge_power_w=b.max_discharge_power_w,
                                 round_trip_efficiency=b.round_trip_efficiency, soc_min_fraction=b.soc_min_fraction,
                                 soc_max_fraction=b.soc_max_fraction, initial_soc_fraction=b.initial_soc_fraction)
    bus[B_HAS_BATT] = 1.0
    bus[B_RESERVE_ONLY] = 1.0 if b.policy == "outage_reserve" else 0.0
    bus[B_BATT_E] = p.initial_energy_wh
    bus[B_BATT_CH] = p.max_charge_power_w
    bus[B_BATT_DIS] = p.max_discharge_power_w
    bus[B_BATT_ETA] = p.one_way_efficiency
    bus[B_BATT_EMIN] = p.energy_min_wh
    bus[B_BATT_EMAX] = p.energy_max_wh


def build_plant_arrays(scenario, plants, queues, base, n_out: int, block_s: float, streams: list,
                       fast: list[bool]) -> PlantArrays:
    """The arrays of a run: constants and initial state of every cabin group (each starts in the steady state of
    the load already running, its fans to that heat and its pump where the controller would have settled), the
    bus, and the recorder's buffers for ``n_out`` output steps. ``base``: the environment at its base resolution
    (``twin.sim.exogenous.BaseSeries``). The fleets of ``queues`` are bound to rows of ``racks``; the groups marked
    ``fast`` run their job ``streams`` in the kernel (``twin.sim.kernel_jobs``)."""
    n_cab = len(plants)
    n_groups = max(len(q.groups) for q in queues)
    n_racks = max(q.fleet.n_racks for q in queues)
    horizon_s = n_out * float(scenario.run.step_s)
    n_blocks = max(1, int(math.ceil(horizon_s / block_s)))
    prm = np.zeros((n_cab, P_COUNT_ALL))
    st = np.zeros((n_cab, S_COUNT))
    grp = np.zeros((n_cab, n_groups, G_COUNT))
    racks = np.zeros((n_cab, R_DYN + n_groups, n_racks))
    dev_t = np.zeros((n_cab, n_racks, n_racks))
    L, LP = thermal.SPEED_LEVELS, thermal.PUMP_LEVELS
    ctl = scenario.controls
    sea0 = float(base.sea_temp_c[0])
    for c, (plant, group, q) in enumerate(zip(plants, scenario.cabins, queues)):
        p = plant.thermal
        cool, lim = group.cooling, group.limits
        row = prm[c]
        network_params(row, p)
        r_inf = cool.fouling_asymptotic_m2k_w
        row[P_FOUL_INF] = r_inf
        row[P_FOUL_TAU] = cool.fouling_time_constant_d * 86400.0
        row[P_FOUL_CLEAN] = cool.cleaning_interval_d * 86400.0 if cool.cleaning_interval_d else math.inf
        row[P_FOUL_STEP] = r_inf / FOULING_LEVELS if r_inf > 0 else 0.0
        row[P_PUMP_W], row[P_FAN_W] = plant.pump_design_power_w, plant.fan_design_power_w
        row[P_DESIGN_HEAT], row[P_MIN_FAN] = cool.design_heat_w, cool.min_fan_speed
        row[P_FIXED_FAN] = ctl.fixed_fan_speed if ctl.fan_policy == "fixed" else 0.0
        row[P_MIN_PUMP], row[P_SETPOINT] = cool.min_pump_speed, lim.inlet_setpoint_c
        row[P_GAIN], row[P_TI] = ctl.pump_gain, ctl.pump_ti_s
        row[P_ALLOW], row[P_MARGIN] = lim.allowable_max_c, lim.throttle_margin_k
        row[P_MIN_SPEED] = lim.min_speed_fraction
        row[P_RACK_SCOPE] = 1.0 if lim.throttle_scope == "rack" else 0.0
        row[P_SHED] = 1.0 if lim.protective_policy == "shed" else 0.0
        row[P_COUNT] = plant.count
        row[P_AFR] = failure_rate_per_year(group) / servers.SECONDS_PER_YEAR * (
            servers.NITROGEN_FAILURE_FACTOR if group.geometry.atmosphere == "nitrogen" else 1.0)
        row[P_FAN_THR], row[P_FAN_SLOPE] = servers.FAN_THRESHOLD_C, servers.FAN_SLOPE_PER_K
        fleet = q.fleet
        row[P_RACKS], row[P_GROUPS] = fleet.n_racks, len(q.groups)
        row[P_HAS_DEV] = 0.0 if fleet.deviation is None else 1.0
        if fleet.deviation is not None:
            dev_t[c, :fleet.n_racks, :fleet.n_racks] = fleet.deviation.T
        # the fleet keeps its rack powers in this group's rows of ``racks``
        fleet.bind_power_arrays(racks[c, R_STATIC, :fleet.n_racks],
                                [racks[c, R_DYN + g, :fleet.n_racks] for g in range(len(q.groups))])
        racks[c, R_IDLE, :fleet.n_racks] = fleet.rack_idle_w
        chain_params(row, scenario.electrical, chain_design_heat_w(cool), plant.pump_design_power_w,
                     plant.fan_design_power_w, max(plant.server.power_w_points))
        row[P_FAST] = 1.0 if fast[c] else 0.0
        row[P_THERMAL] = 1.0 if q.name == "thermal" else 0.0
        for g, gr in enumerate(q.groups):
            grp[c, g, G_CAP] = gr.cap_speed
            grp[c, g, G_SPEED] = min(1.0, gr.cap_speed)
            grp[c, g, G_TARGET] = math.inf
            grp[c, g, G_TYPE], grp[c, g, G_DYN_W], grp[c, g, G_IDLE_W] = gr.type, gr.dyn_w, gr.idle_w
        # start from the steady state of the load already running, fans to that heat, pump where it settles
        q.set_speed(1.0)
        heat0 = q.power_w()
        if plant.liquid is not None:
            heat0 -= _liquid_params(row, st[c], racks[c], group, plant, q, sea0)
        fan0 = ctl.fixed_fan_speed if ctl.fan_policy == "fixed" else controls.fan_speed_for_load(
            heat0, cool.design_heat_w, cool.min_fan_speed)
        fan0_level = max(1, round(fan0 * L))
        pump0_level = _settled_pump_level(p, fan0_level, max(1, round(cool.min_pump_speed * LP)), heat0, sea0,
                                          lim.inlet_setpoint_c)
        x = thermal.steady_state(p, fan0_level / L, pump0_level / LP, heat0, sea0)
        s = st[c]
        s[S_X0], s[S_X1], s[S_X2] = x
        s[S_PI_SPEED] = pump0_level / LP
        s[S_FAN_LEVEL], s[S_PUMP_LEVEL] = fan0_level, pump0_level
        s[S_FOUL_LEVEL] = -1.0  # set at the first control instant
        s[S_PUMP_CAP] = 1.0
        s[S_NEXT_TRANSITION] = math.inf
        s[S_HAZARD_LIMIT] = math.inf
        s[S_DIRTY] = 1.0

    el = scenario.electrical
    bus = np.zeros(B_COUNT)
    bus[B_K_LINK], bus[B_LINK_MAX] = cable_limits(el.wind_link)
    bus[B_K_SHORE], bus[B_SHORE_MAX] = cable_limits(el.shore_link)
    tr = el.transformer
    bus[B_TR_NL] = tr.no_load_loss_w
    bus[B_TR_K] = electrical.transformer_load_loss_coefficient_per_w2(tr.rated_power_va, tr.load_loss_w,
                                                                       tr.power_factor)
    bus[B_GRID_LIMIT] = el.grid.import_limit_w
    bus[B_GRID_BASE] = 1.0 if el.grid.available else 0.0
    bus[B_EXPORT_CAP] = scenario.wind.farm.export_capacity_w
    bus[B_N_TURB] = scenario.wind.farm.turbine_count
    _battery(el, bus)
    bus[B_BASE_S] = base.step_s
    bus[B_CTRL_S] = ctl.control_period_s
    bus[B_OUT_S] = float(scenario.run.step_s)
    bus[B_BLOCK_S] = block_s
    bus[B_PERIOD_SHOWN] = -1.0
    bus[B_REC_MAX] = min(g.limits.recommended_max_c for g in scenario.cabins)
    bus[B_ALLOW] = min(g.limits.allowable_max_c for g in scenario.cabins)
    bus[B_REC_MIN] = max(g.limits.recommended_min_c for g in scenario.cabins)
    bus[B_TOTAL_SERVERS] = sum(pl.servers * pl.count for pl in plants)
    bus[B_N_OUT] = n_out
    bus[B_N_BASE] = base.farm_power_w.size

    from twin.sim import recorder
    from twin.sim.job_arrays import build_job_arrays
    from twin.sim.spool import chunk_rows

    work = build_job_arrays(queues, streams, fast, grp)
    acc_g, acc_c, out64, out_g, out_c = recorder.allocate(n_cab, chunk_rows(float(scenario.run.step_s), block_s,
                                                                             n_out))
    cache = np.zeros((n_cab, CACHE_SLOTS, C_COUNT))
    cache[:, :, C_KEY] = -1.0
    exo = np.empty((X_COUNT, base.farm_power_w.size))
    exo[X_FARM_W] = base.farm_power_w
    exo[X_SEA_C] = base.sea_temp_c
    xtab = np.array(servers.ASHRAE_X_FACTOR, dtype=float).T.copy()
    return PlantArrays(prm, st, grp, racks, dev_t, np.zeros((n_cab, n_blocks, n_racks)), cache, exo, bus,
                       acc_g, acc_c, out64, out_g, out_c, xtab, work)
