"""The output step as a recording resolution: what the kernel accumulates over each step and how it becomes series.

The kernel integrates every flow over each interval it advances (so a recorded flow is the exact mean over the
output step, whatever happened inside it) and keeps each temperature's integral and its maximum, the maximum found
inside control periods, not sampled at their ends (``kernel_physics.exp_sum_max``). Shares of a step above a limit
are integrated time. When an output step ends the accumulators are written out and reset: the site's as means (or
maxima), the groups' as integrals (and maxima), which become means when their chunk is drained.

Flows and the battery's energy stay float64 (the energy ledger is summed from them and must close to 1e-9);
temperatures, speeds, counts and shares are stored float32 (:data:`SERIES_FLOAT`), which keeps every KPI that reads
them to better than 1e-6 K or 1e-6 of a share. The kernel's buffers hold them in float64 and the columns are rounded
when a chunk is drained (:func:`series_columns`), the same rounding as a float32 buffer's: so there is one compiled
kernel for a run and for the test that holds the compiled kernel to the Python one in float64, which sets
:data:`SERIES_FLOAT` to float64 (a second signature of the kernel was a minute of compiling inside the test suite).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["FLOW_COLUMNS", "GLOBAL_COLUMNS", "CABIN_COLUMNS", "LIQUID_COLUMNS", "SERIES_FLOAT", "allocate", "flush",
           "series_columns"]

FLOW_COLUMNS = (
    "wind_available_w", "wind_to_load_w", "wind_link_loss_w", "export_w", "curtailed_w",
    "grid_import_w", "grid_sent_w", "shore_link_loss_w",
    "battery_charge_w", "battery_discharge_w", "battery_loss_w",
    "it_power_w", "pump_power_w", "fan_power_w", "cooling_power_w", "distribution_loss_w", "transformer_loss_w",
    "facility_power_w", "unserved_w",
    "pump_drive_loss_w", "fan_drive_loss_w", "ups_loss_w", "pdu_loss_w", "busway_loss_w", "auxiliary_power_w",
    "server_fan_power_w", "psu_loss_w", "vr_loss_w", "liquid_pump_power_w",
)
"""Power flows [W], each the exact mean over its output step; ``out64`` rows in this order. ``pump_power_w`` and
``fan_power_w`` are electrical inputs (``*_drive_loss_w`` the part lost in their motors and drives, the rest shaft
power); ``cooling_power_w`` their sum; ``distribution_loss_w`` is ``ups_loss_w + pdu_loss_w + busway_loss_w``.
``server_fan_power_w``, ``psu_loss_w``, ``vr_loss_w`` are parts of ``it_power_w`` (for ITUE), not further terms.
``liquid_pump_power_w`` (the coolant and CDU seawater pumps of liquid-cooled cabins, wire to water) is part of
``cooling_power_w`` besides the pumps and fans, and a term of the ledger of its own."""
F_WIND_AV, F_WIND_LOAD, F_LINK_LOSS, F_EXPORT, F_CURTAILED = 0, 1, 2, 3, 4
F_GRID_IN, F_GRID_SENT, F_SHORE_LOSS, F_B_CHARGE, F_B_DISCHARGE, F_B_LOSS = 5, 6, 7, 8, 9, 10
F_IT, F_PUMP, F_FAN, F_COOLING, F_DIST, F_TRANSFORMER, F_FACILITY, F_UNSERVED = 11, 12, 13, 14, 15, 16, 17, 18
F_PUMP_DRIVE, F_FAN_DRIVE, F_UPS, F_PDU, F_BUSWAY, F_AUX = 19, 20, 21, 22, 23, 24
F_SRV_FAN, F_PSU, F_VR, F_LQ_PUMP = 25, 26, 27, 28
F_COUNT = 29
O_BATT_E = F_COUNT  # out64 row: battery energy at the end of the step [Wh]
O64_COUNT = F_COUNT + 1

GLOBAL_COLUMNS = ("turbines_available", "sea_temp_c", "inlet_temp_c", "inlet_temp_max_c", "utilisation",
                  "inlet_above_recommended_share", "inlet_above_allowable_share", "inlet_below_recommended_share")
"""Other whole-site series, float32: turbines available [-] (mean), sea temperature [C] (mean), the hottest rack's
inlet over all cabin groups [C] (mean and maximum), servers busy [-] (mean) and the shares of the step [-] the
hottest inlet spends above the recommended and allowable limits and below the recommended minimum."""
# acc_g: the flows first (same rows as out64), then these; out_g row = acc_g row - F_COUNT
AG_TURB, AG_SEA, AG_INLET, AG_INLET_MAX, AG_UTIL, AG_ABOVE_REC, AG_ABOVE_ALLOW, AG_BELOW_REC = (
    F_COUNT + k for k in range(8))
AG_COUNT = F_COUNT + 8

CABIN_COLUMNS = ("inlet_temp_c", "inlet_temp_max_c", "hottest_inlet_c", "hottest_inlet_max_c", "it_temp_c",
                 "gas_temp_c", "wall_temp_c", "outlet_temp_c", "it_power_w", "utilisation", "throttle", "pump_speed",
                 "fan_speed", "queue_length", "protective_action", "protective_share", "fouling_m2k_w",
                 "servers_alive", "servers_powered", "heat_w")
"""Series of each cabin group ``cabin{i}_<name>``, float32, means over the step except the maxima (``*_max_c``) and
``protective_action`` (the strongest action in the step: 1 throttling band, 2 shedding); ``protective_share`` is
the share of the step the hottest rack spent in or above its throttling band; ``heat_w`` the heat dissipated in one
cabin of the group [W] (IT, the fans' shaft power and every loss of the chain located in the cabin)."""
(AC_INLET, AC_INLET_MAX, AC_HOT, AC_HOT_MAX, AC_IT_T, AC_GAS_T, AC_WALL_T, AC_OUTLET, AC_IT_W, AC_UTIL,
 AC_THROTTLE, AC_PUMP, AC_FAN, AC_QUEUE, AC_PROTECT, AC_PROTECT_SHARE, AC_FOUL, AC_ALIVE,
 AC_POWERED, AC_HEAT) = range(20)
_AC_AIR = 20

LIQUID_COLUMNS = ("coolant_supply_c", "coolant_supply_max_c", "coolant_return_c", "coolant_return_max_c",
                  "cdu_pump_speed", "liquid_heat_w", "coolant_above_limit_share", "facility_water_above_class_share")
"""Series of each liquid-cooled cabin group ``cabin{i}_<name>`` (``cooling.liquid``), float32: the coolant supply
(CDU outlet, what the cold plates get) and return [C] (means and maxima over the step), the CDU seawater pump's
speed [-], the heat into the coolant of one cabin [W], and the shares of the step the supply spent above its limit
(``supply_max_c``) and the sea at the cabin above the facility water class limit (``facility_class``)."""
(AC_LQ_SUPPLY, AC_LQ_SUPPLY_MAX, AC_LQ_RETURN, AC_LQ_RETURN_MAX, AC_LQ_SPEED, AC_LQ_HEAT, AC_LQ_ABOVE,
 AC_LQ_FWS_ABOVE) = (_AC_AIR + k for k in range(8))
AC_COUNT = _AC_AIR + 8
_MAXIMA = (AC_INLET_MAX, AC_HOT_MAX, AC_LQ_SUPPLY_MAX, AC_LQ_RETURN_MAX)
_KEPT = (*_MAXIMA, AC_PROTECT)  # written out as kept, not as means over the step

NEG_INF = -np.inf

SERIES_FLOAT = np.float32
"""Stored type of the series that are not flows (``GLOBAL_COLUMNS``, ``CABIN_COLUMNS``, ``LIQUID_COLUMNS``)."""


def allocate(n_cab: int, n_out: int):
    """``(acc_g, acc_c, out64, out_g, out_c)``: accumulators of the current step and the output buffers, one row
    per output step of a chunk of ``n_out`` (``out64`` (steps, O64_COUNT), ``out_g`` (steps, 8), ``out_c`` (steps,
    groups, AC_COUNT)); the engine drains each full chunk into the run's spool (``twin.sim.spool``). A step's values
    lie side by side in each buffer, every group's together: an output step writes a few consecutive cache lines
    (with the groups first, twenty groups' steps wrote twenty lines a megabyte apart, a miss each: 0.1 us a group
    and step)."""
    acc_g = np.zeros(AG_COUNT)
    acc_g[AG_INLET_MAX] = NEG_INF
    acc_c = np.zeros((n_cab, AC_COUNT))
    for j in _MAXIMA:
        acc_c[:, j] = NEG_INF
    out64 = np.zeros((n_out, O64_COUNT))  # a step's values side by side: each flush writes one cache line or two
    out_g = np.zeros((n_out, AG_COUNT - F_COUNT))
    out_c = np.zeros((n_out, n_cab, AC_COUNT))
    return acc_g, acc_c, out64, out_g, out_c


@njit(cache=True, _nrt=False)
def flush(o, step_s, battery_energy_wh, acc_g, acc_c, out64, out_g, out_c):
    """Write row ``o`` of the buffers (an output step of the chunk they hold) from the accumulators and reset them:
    the site's as means over ``step_s`` [s] (maxima as kept), the groups' as they are (:func:`series_columns`
    makes means of them)."""
    if o < 0 or o >= out64.shape[0]:  # the engine drains a full chunk before the kernel goes past its end
        raise IndexError("an output step outside the recorder's chunk")
    for j in range(F_COUNT):
        out64[o, j] = acc_g[j] / step_s
        acc_g[j] = 0.0
    out64[o, O_BATT_E] = battery_energy_wh
    for j in range(F_COUNT, AG_COUNT):
        if j == AG_INLET_MAX:
            out_g[o, j - F_COUNT] = acc_g[j]
            acc_g[j] = -np.inf
        else:
            out_g[o, j - F_COUNT] = acc_g[j] / step_s
            acc_g[j] = 0.0
    # the groups' accumulators as they are: :func:`series_columns` divides their integrals by the step when the chunk
    # is drained, on the draining thread (twenty groups' divisions here were 9 % of the kernel's time)
    for c in range(acc_c.shape[0]):
        for j in range(AC_COUNT):
            out_c[o, c, j] = acc_c[c, j]
            acc_c[c, j] = 0.0
        for j in _MAXIMA:
            acc_c[c, j] = NEG_INF


def _transposed(a: np.ndarray, dtype=None, block: int = 512, divisor: np.ndarray | None = None) -> np.ndarray:
    """``a`` (rows, columns) as a new C-ordered (columns, rows) array of ``dtype`` (``a``'s when None), copied a block
    of rows at a time so what is read and written stays in the cache (a column copied at a time reads each row's
    line once per column: with twenty groups that was 0.6 s of a year); each column divided by its ``divisor``
    first, in ``a``'s precision, when one is given."""
    out = np.empty((a.shape[1], a.shape[0]), a.dtype if dtype is None else dtype)
    for r in range(0, a.shape[0], block):
        out[:, r:r + block] = (a[r:r + block] if divisor is None else a[r:r + block] / divisor).T
    return out


def _cabin_divisor(n_cab: int, step_s: float) -> np.ndarray:
    """What each of ``out_c``'s columns (groups side by side) is divided by: the step for the integrals, which
    become means, and 1 for the columns written as kept (a division by 1 leaves every value, infinities included,
    as it is)."""
    one = np.full(AC_COUNT, float(step_s))
    one[list(_KEPT)] = 1.0
    return np.tile(one, n_cab)


def series_columns(out64: np.ndarray, out_g: np.ndarray, out_c: np.ndarray, step_s: float,
                   liquid_rows=()) -> dict[str, np.ndarray]:
    """The recorded buffers as named series columns, each contiguous (rows of transposed copies of the buffers,
    which hold a step's values side by side); the liquid path's columns for the rows in ``liquid_rows`` only.
    ``out_c`` holds each group's integrals over its steps of ``step_s`` [s] (:func:`flush`): they are divided by
    it here, in float64 and before the rounding to :data:`SERIES_FLOAT`, as the kernel did."""
    flows = _transposed(out64)
    cols = {name: flows[j] for j, name in enumerate(FLOW_COLUMNS)}
    cols["battery_energy_wh"] = flows[O_BATT_E]
    site = _transposed(out_g, SERIES_FLOAT)
    cols.update({name: site[j] for j, name in enumerate(GLOBAL_COLUMNS)})
    n_cab = out_c.shape[1]
    cabins = _transposed(out_c.reshape(out_c.shape[0], n_cab * AC_COUNT), SERIES_FLOAT,
                         divisor=_cabin_divisor(n_cab, step_s)).reshape(
        n_cab, AC_COUNT, out_c.shape[0])
    for c in range(n_cab):
        cols.update({f"cabin{c}_{name}": cabins[c, j] for j, name in enumerate(CABIN_COLUMNS)})
        if c in liquid_rows:
            cols.update({f"cabin{c}_{name}": cabins[c, _AC_AIR + j] for j, name in enumerate(LIQUID_COLUMNS)})
    return cols
