"""Goodness of fit by ASHRAE Guideline 14: CV(RMSE), NMBE and the limits of a calibrated model.

With y_i the measured values, yhat_i the predicted (simulated) ones, ybar the mean of the measured, n the number
of points and p the number of parameters of the model:

    CV(RMSE) = sqrt( sum (y_i - yhat_i)^2 / (n - p) ) / ybar
    NMBE     = sum (y_i - yhat_i) / ((n - p) ybar)

both as fractions here (x 100 for the guideline's per cent). NMBE > 0 when the model predicts too little.
A model is calibrated to hourly data when CV(RMSE) <= 30 % and |NMBE| <= 10 %, to monthly data when
CV(RMSE) <= 15 % and |NMBE| <= 5 %.

p: Guideline 14 writes both indices with n - p; this module takes ``parameter_count=1`` unless told otherwise
(a regression baseline passes its own p). With hourly data the choice hardly matters (n = 8,000: p = 1 rather than
0 raises CV(RMSE) by 0.006 % of itself); with 12 months it raises CV(RMSE) by 4.4 % and NMBE by 9.1 % of
themselves, so say which p a monthly figure used.

Sources
-------
- ASHRAE Guideline 14-2014, *Measurement of Energy, Demand, and Water Savings*: section 5.2.11.3 (the indices)
  and section 5.3.2.4 with Table 5-2 (the limits of a whole-building calibrated simulation), as summarised by
  Ruiz and Bandera (2017), "Validation of calibrated energy models: common errors", Energies 10, 1587,
  doi:10.3390/en10101587, which also notes that later sections of the guideline mislabel NMBE as MBE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["GUIDELINE14_LIMITS", "FitReport", "cv_rmse", "guideline14", "nmbe"]

#: Guideline 14 limits of a calibrated model by data resolution: (CV(RMSE), |NMBE|) as fractions.
GUIDELINE14_LIMITS: dict[str, tuple[float, float]] = {"hourly": (0.30, 0.10), "monthly": (0.15, 0.05)}


def _pair(measured, predicted, parameter_count) -> tuple[np.ndarray, np.ndarray, int]:
    try:
        y = np.asarray(measured, dtype=float).ravel()
        yhat = np.asarray(predicted, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError("measured, predicted: must be numeric") from None
    if yhat.size != y.size:
        raise ValueError(f"predicted: length {yhat.size} differs from measured ({y.size})")
    for name, arr in (("measured", y), ("predicted", yhat)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}: must be finite (drop missing points first)")
    if isinstance(parameter_count, bool) or not isinstance(parameter_count, (int, np.integer)) \
            or parameter_count < 0:
        raise ValueError(f"parameter_count: must be an integer >= 0, got {parameter_count!r}")
    if y.size <= parameter_count:
        raise ValueError(f"measured: need more points ({y.size}) than parameters ({parameter_count})")
    if y.mean() <= 0:
        raise ValueError(f"measured: mean must be > 0 to normalise by it, got {y.mean()!r}")
    return y, yhat, int(parameter_count)


def cv_rmse(measured, predicted, parameter_count=1) -> float:
    """Coefficient of variation of the root-mean-square error, sqrt(sum (y - yhat)^2 / (n - p)) / ybar [-].

    Parameters
    ----------
    measured, predicted : array_like, shape (n,)
        The measured series y and the model's yhat at the same points, in one unit; finite; mean(y) > 0.
    parameter_count : int
        p, the number of model parameters, >= 0 and < n.
    """
    y, yhat, p = _pair(measured, predicted, parameter_count)
    return math.sqrt(float(np.sum((y - yhat) ** 2)) / (y.size - p)) / float(y.mean())


def nmbe(measured, predicted, parameter_count=1) -> float:
    """Normalised mean bias error, sum (y - yhat) / ((n - p) ybar) [-]; > 0 when the model predicts too little.

    Arguments as :func:`cv_rmse`.
    """
    y, yhat, p = _pair(measured, predicted, parameter_count)
    return float(np.sum(y - yhat)) / ((y.size - p) * float(y.mean()))


@dataclass(frozen=True)
class FitReport:
    """One signal's goodness of fit at one resolution, against Guideline 14's limits.

    ``cv_rmse`` and ``nmbe`` are fractions [-]; ``cv_rmse_limit`` and ``nmbe_limit`` the guideline's, for
    ``resolution``; ``n`` points, ``parameter_count`` p.
    """

    resolution: str
    n: int
    parameter_count: int
    cv_rmse: float
    nmbe: float
    cv_rmse_limit: float
    nmbe_limit: float

    @property
    def passes(self) -> bool:
        """CV(RMSE) <= its limit and |NMBE| <= its limit."""
        return self.cv_rmse <= self.cv_rmse_limit and abs(self.nmbe) <= self.nmbe_limit


def guideline14(measured, predicted, resolution, parameter_count=1) -> FitReport:
    """CV(RMSE) and NMBE of ``predicted`` against ``measured`` with the limits of ``resolution``.

    ``resolution`` is "hourly" or "monthly" (the points must be hourly or monthly values: sums or means of the
    signal over each hour or month); other arguments as :func:`cv_rmse`.
    """
    if resolution not in GUIDELINE14_LIMITS:
        raise ValueError(f"resolution: must be one of {sorted(GUIDELINE14_LIMITS)}, got {resolution!r}")
    y, yhat, p = _pair(measured, predicted, parameter_count)
    cv_limit, nmbe_limit = GUIDELINE14_LIMITS[resolution]
    return FitReport(resolution=resolution, n=int(y.size), parameter_count=p, cv_rmse=cv_rmse(y, yhat, p),
                     nmbe=nmbe(y, yhat, p), cv_rmse_limit=cv_limit, nmbe_limit=nmbe_limit)
