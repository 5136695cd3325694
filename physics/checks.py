"""Argument checks shared by the physics modules: each names the argument in its ValueError."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["finite_float", "finite_array"]


def finite_float(value, name: str) -> float:
    """``float(value)``, or ValueError naming ``name`` if not a finite number."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be a finite number, got {value!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"{name}: must be a finite number, got {value!r}")
    return x


def finite_array(value, name: str) -> np.ndarray:
    """``value`` as a float array, or ValueError naming ``name`` if it is not numeric or not finite."""
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be numeric") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: must be finite")
    return a
