"""The facility's power chain behind the transformer: UPS, busway, PDU, motors and drives, server internals.

Every element is a loss against the power it delivers. Two loss models:

- **tabulated** (UPS, motors, variable-frequency drives, server power supplies): a published efficiency table
  ``eta_i`` at load fractions ``x_i`` (output over rating) becomes a table of losses ``l_i = x_i (1/eta_i - 1)``
  (loss over rating), interpolated linearly in the load. Below the first point the loss follows the first segment
  back towards zero load, but never rises above the first point's loss nor falls below zero (the no-load loss
  "follows from the curve", as the issue asked: for a UPS table at 25/50/75/100 % the line through the first two
  losses meets zero load at the no-load loss); above the last point the last segment is extended (overload).
  A table of one point is a constant efficiency (loss in proportion to load, none at zero load): the old flat
  ``distribution_efficiency``.
- **resistive** (busway, PDU cables and breakers): ``loss = f P^2 / P_r``, the I^2 R loss of a conductor set that
  loses the share ``f`` of its rating at rated current (the current in proportion to the power at fixed voltage and
  power factor).

Tables here, each with its source:

- :data:`DOE_MOTOR_PART_LOAD`: induction-motor efficiency over its full-load efficiency against load, by motor size,
  U.S. DOE (2014) *Determining Electric Motor Load and Efficiency* (DOE/GO-10097-517), Figure 2, as digitised by
  LBNL's Modelica Buildings library (``Buildings.Fluid.Movers.BaseClasses.Characteristics.motorEfficiencyCurve``).
- :data:`DOE_VFD_PART_LOAD`: PWM variable-frequency-drive efficiency against load (drive output over its rated
  output) by drive rating, U.S. DOE Advanced Manufacturing Office, Motor Systems Tip Sheet #11 *Adjustable Speed
  Drive Part-Load Efficiency* (DOE/GO-102012-3730, 2012), Table 1.
- :data:`UPS_DOUBLE_CONVERSION`, :data:`UPS_ECO`: ASSUMPTION in shape (no vendor's table at 25/50/75/100 % could be
  read for this work); peak 97 % in double conversion as Schneider Electric states for the Galaxy VS ("up to 97 %
  in double conversion, up to 99 % in eConversion"), and eConversion's losses a third of double conversion's
  ("reduce the electricity absorbed by the UPS by a factor three", Galaxy VX operation manual 990-5452).
- :data:`PSU_80PLUS_TITANIUM`: the 80 PLUS Titanium thresholds for redundant 230 V internal supplies (90 / 94 / 96
  / 91 % at 10 / 20 / 50 / 100 % load), the minimum a Titanium-rated server supply meets.
"""

from __future__ import annotations

import numpy as np

from physics.checks import finite_array, finite_float

__all__ = [
    "DOE_MOTOR_PART_LOAD", "DOE_VFD_PART_LOAD", "UPS_DOUBLE_CONVERSION", "UPS_ECO", "PSU_80PLUS_TITANIUM",
    "loss_table", "input_basis", "tabulated_loss_w", "tabulated_loss_scalar_w", "resistive_loss_w",
    "motor_efficiency_table", "vfd_efficiency_table", "drive_input_w", "MAX_TABLE_POINTS",
]

MAX_TABLE_POINTS = 10
"""The most points a loss table may have (the kernel keeps each table in a fixed number of columns)."""

#: Motor part-load efficiency over full-load efficiency [-] (rows: load fraction; columns: rated input power [W]).
#: U.S. DOE 2014, "Determining Electric Motor Load and Efficiency", Figure 2, digitised in LBNL Modelica Buildings
#: ``motorEfficiencyCurve`` (u1, u2, tab). The zero-load row (efficiency 0) is left out: a loss table needs none.
DOE_MOTOR_PART_LOAD = {
    "load_fraction": (0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.2),
    "rated_input_w": (700.0, 2500.0, 7500.0, 15000.0, 35000.0, 70000.0),
    "eta_over_full_load": (
        (0.319836509737628, 0.329886760993909, 0.458027464511497, 0.576112127457564, 0.643957112752703,
         0.724359122802955),
        (0.551721742352314, 0.613279531297038, 0.752726767477942, 0.843179028784475, 0.903480536322164,
         0.962525762452817),
        (0.716480140443274, 0.804199438688888, 0.886622050343885, 0.936873306625292, 0.956973809137855,
         0.987124562906699),
        (0.816999745270129, 0.922527383461084, 0.950165574415858, 0.980316328184702, 1.0, 1.0),
        (0.906409929833499, 1.0, 1.0, 1.0, 1.0, 1.0),
        (0.956863812148299, 1.0, 1.0, 1.0, 1.0, 1.0),
        (1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
        (1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    ),
}

#: PWM VFD efficiency [%] against load (percent of the drive's rated output), by drive rating [hp].
#: U.S. DOE AMO Motor Systems Tip Sheet #11 (2012), Table 1, "representative of typical PWM VFD performance".
DOE_VFD_PART_LOAD = {
    "load_fraction": (0.016, 0.125, 0.25, 0.42, 0.50, 0.75, 1.0),
    "rating_hp": (5.0, 10.0, 20.0, 30.0, 50.0, 60.0, 75.0, 100.0, 200.0),
    "efficiency_pct": (
        (35.0, 80.0, 88.0, 91.0, 92.0, 94.0, 95.0),
        (41.0, 83.0, 90.0, 93.0, 94.0, 95.0, 96.0),
        (47.0, 86.0, 93.0, 94.0, 95.0, 96.0, 97.0),
        (50.0, 88.0, 93.0, 95.0, 95.0, 96.0, 97.0),
        (46.0, 86.0, 92.0, 95.0, 95.0, 96.0, 97.0),
        (51.0, 87.0, 92.0, 95.0, 95.0, 96.0, 97.0),
        (47.0, 86.0, 93.0, 95.0, 96.0, 97.0, 97.0),
        (55.0, 89.0, 94.0, 95.0, 96.0, 97.0, 97.0),
        (61.0, 81.0, 95.0, 96.0, 96.0, 97.0, 97.0),
    ),
}
W_PER_HP = 745.699872

#: Double-conversion UPS efficiency against load fraction. ASSUMPTION in shape (module docstring); peak 97 %
#: (Schneider Electric, Galaxy VS: "up to 97 % in double conversion").
UPS_DOUBLE_CONVERSION = {"load_fraction": (0.25, 0.50, 0.75, 1.00), "efficiency": (0.955, 0.966, 0.970, 0.969)}
#: Eco (eConversion, bypass with the inverter in parallel): the double-conversion losses divided by three
#: (Schneider Electric, Galaxy VX operation manual 990-5452: "reduce the electricity absorbed by the UPS by a
#: factor three compared with double conversion"); 99 % near full load as the Galaxy VS states.
UPS_ECO = {"load_fraction": UPS_DOUBLE_CONVERSION["load_fraction"],
           "efficiency": tuple(x / (x + x * (1.0 / e - 1.0) / 3.0) for x, e in zip(
               UPS_DOUBLE_CONVERSION["load_fraction"], UPS_DOUBLE_CONVERSION["efficiency"]))}
#: 80 PLUS Titanium, 230 V internal redundant: minimum efficiency at 10 / 20 / 50 / 100 % load.
PSU_80PLUS_TITANIUM = {"load_fraction": (0.10, 0.20, 0.50, 1.00), "efficiency": (0.90, 0.94, 0.96, 0.91)}


def loss_table(load_fractions, efficiencies) -> tuple[np.ndarray, np.ndarray]:
    """``(x, l)``: an efficiency table as losses over rating, ``l_i = x_i (1/eta_i - 1)`` [-].

    Raises ``ValueError`` naming the argument when the table is empty, longer than :data:`MAX_TABLE_POINTS`,
    not strictly increasing in load, or has a load or efficiency outside (0, ...] and (0, 1].
    """
    x = finite_array(load_fractions, "load_fractions").ravel()
    eta = finite_array(efficiencies, "efficiencies").ravel()
    if x.size == 0 or x.size != eta.size:
        raise ValueError("efficiencies: one per load fraction, at least one")
    if x.size > MAX_TABLE_POINTS:
        raise ValueError(f"load_fractions: at most {MAX_TABLE_POINTS} points")
    if np.any(x <= 0.0) or np.any(np.diff(x) <= 0.0):
        raise ValueError("load_fractions: must be > 0 and strictly increasing")
    if np.any(eta <= 0.0) or np.any(eta > 1.0):
        raise ValueError("efficiencies: must be within (0, 1]")
    return x, x * (1.0 / eta - 1.0)


def input_basis(x: np.ndarray, losses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same table against input power over rating (``x + l``), for an element whose input is known (a server
    power supply: the server's draw is its input)."""
    return np.asarray(x, dtype=float) + np.asarray(losses, dtype=float), np.asarray(losses, dtype=float)


def tabulated_loss_scalar_w(power_w: float, rated_w: float, x, losses) -> float:
    """Loss [W] of an element of rating ``rated_w`` [W] carrying ``power_w`` [W] on its table's basis (module
    docstring); ``x``, ``losses`` from :func:`loss_table`. Scalar hot-path form, no validation; the kernel's twin
    is ``twin.sim.kernel_physics.table_loss_w``."""
    n = len(x)
    if rated_w <= 0.0 or n == 0:
        return 0.0
    u = power_w / rated_w
    if n == 1:
        loss = losses[0] * u / x[0]
        return (loss if loss > 0.0 else 0.0) * rated_w
    if u <= x[0]:
        loss = losses[0] + (losses[1] - losses[0]) * (u - x[0]) / (x[1] - x[0])
        if loss > losses[0]:
            loss = losses[0]
    elif u >= x[n - 1]:
        loss = losses[n - 1] + (losses[n - 1] - losses[n - 2]) * (u - x[n - 1]) / (x[n - 1] - x[n - 2])
    else:
        k = 0
        while u > x[k + 1]:
            k += 1
        loss = losses[k] + (losses[k + 1] - losses[k]) * (u - x[k]) / (x[k + 1] - x[k])
    return (loss if loss > 0.0 else 0.0) * rated_w


def tabulated_loss_w(power_w, rated_w: float, x, losses) -> np.ndarray:
    """Vectorised :func:`tabulated_loss_scalar_w` [W] (``power_w`` >= 0)."""
    p = finite_array(power_w, "power_w")
    if np.any(p < 0.0):
        raise ValueError("power_w: must be >= 0")
    rated_w = finite_float(rated_w, "rated_w")
    if rated_w <= 0.0:
        raise ValueError("rated_w: must be > 0")
    xs = np.asarray(x, dtype=float)
    ls = np.asarray(losses, dtype=float)
    u = p / rated_w
    if xs.size == 1:
        loss = ls[0] * u / xs[0]
    else:
        loss = np.interp(u, xs, ls)
        lo = ls[0] + (ls[1] - ls[0]) * (u - xs[0]) / (xs[1] - xs[0])
        loss = np.where(u < xs[0], np.minimum(lo, ls[0]), loss)
        hi = ls[-1] + (ls[-1] - ls[-2]) * (u - xs[-1]) / (xs[-1] - xs[-2])
        loss = np.where(u > xs[-1], hi, loss)
    return np.maximum(loss, 0.0) * rated_w


def resistive_loss_w(power_w, rated_w: float, loss_fraction_at_rated: float) -> np.ndarray:
    """I^2 R loss of a busway or PDU [W]: ``f P^2 / P_r``."""
    p = finite_array(power_w, "power_w")
    rated_w = finite_float(rated_w, "rated_w")
    if rated_w <= 0.0:
        raise ValueError("rated_w: must be > 0")
    f = finite_float(loss_fraction_at_rated, "loss_fraction_at_rated")
    if not 0.0 <= f < 1.0:
        raise ValueError("loss_fraction_at_rated: must be within [0, 1)")
    return f * p * p / rated_w


def motor_efficiency_table(rated_output_w: float, full_load_efficiency: float) -> tuple[np.ndarray, np.ndarray]:
    """``(load fractions, efficiencies)`` of an induction motor of this rated output [W] and full-load efficiency
    [-]: :data:`DOE_MOTOR_PART_LOAD`'s normalised curve, interpolated linearly in rated input power between its
    size columns (held beyond them), times the full-load efficiency."""
    rated_output_w = finite_float(rated_output_w, "rated_output_w")
    eta_fl = finite_float(full_load_efficiency, "full_load_efficiency")
    if rated_output_w <= 0.0:
        raise ValueError("rated_output_w: must be > 0")
    if not 0.0 < eta_fl <= 1.0:
        raise ValueError("full_load_efficiency: must be within (0, 1]")
    t = DOE_MOTOR_PART_LOAD
    tab = np.asarray(t["eta_over_full_load"])
    p_in = rated_output_w / eta_fl
    col = np.array([np.interp(p_in, t["rated_input_w"], row) for row in tab])
    return np.asarray(t["load_fraction"]), np.minimum(col * eta_fl, 1.0)


def vfd_efficiency_table(rated_output_w: float) -> tuple[np.ndarray, np.ndarray]:
    """``(load fractions, efficiencies)`` of a PWM drive of this rated output [W]: :data:`DOE_VFD_PART_LOAD`,
    interpolated linearly in rating between its rows (held beyond them)."""
    rated_output_w = finite_float(rated_output_w, "rated_output_w")
    if rated_output_w <= 0.0:
        raise ValueError("rated_output_w: must be > 0")
    t = DOE_VFD_PART_LOAD
    tab = np.asarray(t["efficiency_pct"]) / 100.0
    hp = rated_output_w / W_PER_HP
    eff = np.array([np.interp(hp, t["rating_hp"], tab[:, j]) for j in range(tab.shape[1])])
    return np.asarray(t["load_fraction"]), eff


def drive_input_w(shaft_w: float, motor_rated_w: float, motor_table, vfd_rated_w: float, vfd_table) -> float:
    """Electrical input [W] of a motor on a drive delivering ``shaft_w`` [W]: the motor's loss at its load, then
    the drive's loss at the motor's input (the drive's output), as DOE Tip Sheet #11 defines the drive's load.
    ``motor_table``, ``vfd_table``: ``(x, losses)`` from :func:`loss_table`."""
    motor_in = shaft_w + tabulated_loss_scalar_w(shaft_w, motor_rated_w, *motor_table)
    return motor_in + tabulated_loss_scalar_w(motor_in, vfd_rated_w, *vfd_table)
