"""Units of the scenario: durations given with a unit, the limits of a run, and the base of every model."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

__all__ = ["parse_duration_s", "Seconds", "MAX_HORIZON_S", "MAX_STEPS", "require_utc_offset"]

MAX_HORIZON_S = 10 * 366 * 86400.0
"""Longest run a scenario may ask for: ten years [s]."""

MAX_STEPS = 6_000_000
"""Most simulation steps one run may take (a year at 10 s is 3.2 million)."""

def require_utc_offset(value, name: str):
    """``value`` (a datetime or None) when it carries a UTC offset; else a ValueError naming ``name``: a time
    without one is ambiguous in a twin whose sites keep their own local time."""
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{name} needs a UTC offset, e.g. 2026-07-01T00:00:00+08:00")
    return value


_DURATION_UNITS = {"s": 1.0, "sec": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0,
                   "y": 365.0 * 86400.0}


def parse_duration_s(value: Any) -> float:
    """Parse a duration given as seconds or as a string with a unit (``"60s"``, ``"15min"``, ``"7d"``) [s].

    Raises
    ------
    ValueError
        When the value is neither a number nor a number followed by one of s, min, h, d, w, y.
    """
    if isinstance(value, bool):
        raise ValueError("a duration must be a number of seconds or a string such as '60s', '1h', '365d'")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z]*)\s*", value)
        if m:
            unit = m.group(2) or "s"
            if unit in _DURATION_UNITS:
                return float(m.group(1)) * _DURATION_UNITS[unit]
    raise ValueError(f"cannot read {value!r} as a duration: use seconds or a number with s, min, h, d, w or y")


def _duration(value: Any) -> Any:
    try:
        return parse_duration_s(value)
    except ValueError:
        return value  # pydantic reports the type error with its path


Seconds = Annotated[float, BeforeValidator(_duration)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, allow_inf_nan=False)

