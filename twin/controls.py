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
        u = self.speed + k * (error_k - self._last_error) + k * error_k * dt_s / self.ti_s
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
