"""Controllers of a cabin: pump speed to the inlet setpoint, fan speed to the load, throttling near the limit.

Scalar and allocation-free: they run once per cabin per step.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PumpPI", "fan_speed_for_load", "throttle_speed"]


@dataclass
class PumpPI:
    """Proportional-integral pump control on the rack inlet temperature, with conditional-integration anti-windup.

    ``speed = kp e + I``, ``I += kp e dt / Ti`` only while the output is not saturated in the direction of the
    error (Astrom and Hagglund, *Advanced PID Control*, 2006, sec. 3.5).
    """

    kp_per_k: float
    ti_s: float
    min_speed: float
    max_speed: float = 1.0
    integral: float = 0.0

    def __post_init__(self) -> None:
        self.integral = self.min_speed

    def update(self, error_k: float, dt_s: float, cap: float = 1.0) -> float:
        hi = min(self.max_speed, cap)
        lo = min(self.min_speed, hi)
        p = self.kp_per_k * error_k
        raw = p + self.integral
        if raw > hi:
            out = hi
            if error_k < 0.0:
                self.integral += p * dt_s / self.ti_s
        elif raw < lo:
            out = lo
            if error_k > 0.0:
                self.integral += p * dt_s / self.ti_s
        else:
            out = raw
            self.integral += p * dt_s / self.ti_s
        # keep the integral inside the actuator range so a long saturation does not store up error
        if self.integral > hi:
            self.integral = hi
        elif self.integral < lo - 0.5:
            self.integral = lo - 0.5
        return out


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
