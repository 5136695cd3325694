"""Controllers of a cabin: pump speed to the inlet setpoint, fan speed to the load, throttling near the limit.

Scalar and allocation-free: they run once per cabin per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PumpPI", "fan_speed_for_load", "throttle_speed", "throttle_speeds"]


@dataclass
class PumpPI:
    """Gain-scheduled PI control of pump speed on the rack inlet temperature, in velocity form.

    The inlet answers the pump within a step (the exchanger's outlet moves with the seawater flow), and how much it
    moves per unit of speed, the sensitivity ``g = -dT_in/d(speed)`` [K], changes thirtyfold over a year: about
    30 K at full speed in summer, 150 K at a tenth of the flow in winter. A fixed gain is either unstable in winter
    or sluggish in summer, so the gains are scheduled on ``g``, which the engine reads off the thermal model each
    step (gain scheduling, Astrom and Hagglund, *Advanced PID Control*, 2006, ch. 9)::

        du = (kp / g) * (e_k - e_{k-1}) + (kp / g) * e_k * dt / Ti,      e = T_in - setpoint

    ``kp`` is dimensionless: the share of an inlet error the proportional action removes at once. The velocity form
    needs no separate anti-windup: the speed is clamped to its range and nothing accumulates beyond it.

    Long steps: with the inlet answering within a step, the loop is ``e_{k+1} = (1 - kp (1 + r)) e_k + kp e_{k-1}``
    with ``r = dt / Ti``, stable only while ``kp (2 + r) < 2`` (the roots of its characteristic polynomial inside the
    unit circle). So ``r`` is held at ``1 / kp - 1`` at most: one step never corrects more than the whole error it
    sees (``kp (1 + r) <= 1``, roots of magnitude ``sqrt(kp)``); below that (540 s at the defaults, kp 0.1 and Ti
    60 s) nothing changes. Measured on the reference year: at 600 s steps the hottest rack peaked at 33.97 C with
    293 protective hours before, 31.16 C and 4.3 h with the hold (30.81 C and 2.8 h at 60 s). At 900 s and longer
    the year still oscillates (43.7 C at 900 s, 46.7 C at 3,600 s): the throttle and the fans act on the inlet of
    the step's start and hold for the whole step, a loop this does not reach.
    """

    gain: float
    ti_s: float
    min_speed: float
    max_speed: float = 1.0
    speed: float = 0.0
    _last_error: float = 0.0

    def __post_init__(self) -> None:
        if self.speed < self.min_speed:
            self.speed = self.min_speed

    def update(self, error_k: float, dt_s: float, sensitivity_k: float, cap: float = 1.0) -> float:
        hi = min(self.max_speed, cap)
        lo = min(self.min_speed, hi)
        k = self.gain / (sensitivity_k if sensitivity_k > 1.0 else 1.0)
        r = dt_s / self.ti_s
        r_max = 1.0 / self.gain - 1.0
        u = self.speed + k * (error_k - self._last_error) + k * error_k * (r if r < r_max else r_max)
        self._last_error = error_k
        if u > hi:
            u = hi
        elif u < lo:
            u = lo
        self.speed = u
        return u


def fan_speed_for_load(heat_w: float, design_heat_w: float, min_speed: float) -> float:
    """Gas flow in proportion to the heat, so the rack air rise stays at its design value [-]."""
    s = heat_w / design_heat_w
    if s < min_speed:
        return min_speed
    return 1.0 if s > 1.0 else s


def throttle_speed(inlet_c: float, allowable_max_c: float, margin_k: float, min_speed: float) -> float:
    """Clock fraction of busy servers: 1 below ``allowable - margin``, falling linearly to ``min_speed`` at the
    allowable limit and held there above it [-]."""
    start = allowable_max_c - margin_k
    if inlet_c <= start:
        return 1.0
    s = 1.0 - (1.0 - min_speed) * (inlet_c - start) / margin_k
    return min_speed if s < min_speed else s


def throttle_speeds(inlet_c: np.ndarray, allowable_max_c: float, margin_k: float, min_speed: float) -> np.ndarray:
    """``throttle_speed`` for many inlets at once (each rack on its own inlet) [-]."""
    start = allowable_max_c - margin_k
    s = 1.0 - (1.0 - min_speed) * (np.asarray(inlet_c, dtype=float) - start) / margin_k
    return np.clip(s, min_speed, 1.0)
