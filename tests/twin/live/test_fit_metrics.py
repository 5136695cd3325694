"""ASHRAE Guideline 14 goodness of fit (twin.live.fit_metrics), against hand-computed examples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twin.live.fit_metrics import GUIDELINE14_LIMITS, cv_rmse, guideline14, nmbe


def test_limits_of_guideline_14():
    # ASHRAE Guideline 14-2014, calibrated simulation: hourly 30 % / +-10 %, monthly 15 % / +-5 %
    assert GUIDELINE14_LIMITS == {"hourly": (0.30, 0.10), "monthly": (0.15, 0.05)}


def test_hand_computed_unbiased_example():
    # y = 10, 12, 8, 10 (mean 10); yhat = 9, 12, 10, 9: residuals 1, 0, -2, 1 (sum 0, squares 6);
    # p = 1: CV(RMSE) = sqrt(6 / 3) / 10 = 0.1414214, NMBE = 0 / (3 x 10) = 0
    y, yhat = [10.0, 12.0, 8.0, 10.0], [9.0, 12.0, 10.0, 9.0]
    assert cv_rmse(y, yhat) == pytest.approx(math.sqrt(2.0) / 10.0, rel=1e-12)
    assert nmbe(y, yhat) == 0.0
    # p = 0: sqrt(6 / 4) / 10 = 0.1224745
    assert cv_rmse(y, yhat, parameter_count=0) == pytest.approx(0.12247449, rel=1e-7)


def test_hand_computed_biased_example():
    # yhat = y - 1 everywhere: residuals 1, 1, 1, 1; p = 1: CV(RMSE) = sqrt(4 / 3) / 10 = 0.1154701,
    # NMBE = 4 / (3 x 10) = 0.1333333 (> 0: the model predicts too little)
    y = np.array([10.0, 12.0, 8.0, 10.0])
    assert cv_rmse(y, y - 1.0) == pytest.approx(0.11547005, rel=1e-7)
    assert nmbe(y, y - 1.0) == pytest.approx(0.13333333, rel=1e-7)
    assert nmbe(y, y + 1.0) == pytest.approx(-0.13333333, rel=1e-7)
    report = guideline14(y, y - 1.0, "hourly")
    assert (report.n, report.parameter_count) == (4, 1)
    assert report.cv_rmse == pytest.approx(0.11547005, rel=1e-7)
    assert not report.passes  # |NMBE| 13.3 % > 10 %
    assert guideline14(y, y - 0.5, "hourly").passes  # CV(RMSE) 5.8 %, NMBE 6.7 %
    assert not guideline14(y, y - 0.5, "monthly").passes  # NMBE 6.7 % > 5 %


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (([1.0, 2.0], [1.0]), {}, "predicted: length 1 differs from measured"),
    (([1.0, np.nan], [1.0, 2.0]), {}, "measured: must be finite"),
    (([1.0, 2.0], [1.0, np.inf]), {}, "predicted: must be finite"),
    (([1.0, -1.0], [1.0, 2.0]), {}, "measured: mean must be > 0"),
    (([1.0], [1.0]), {}, r"measured: need more points \(1\) than parameters \(1\)"),
    (([1.0, 2.0], [1.0, 2.0]), {"parameter_count": -1}, "parameter_count: must be an integer >= 0"),
    ((["a", 2.0], [1.0, 2.0]), {}, "must be numeric"),
])
def test_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cv_rmse(*args, **kwargs)


def test_unknown_resolution():
    with pytest.raises(ValueError, match="resolution: must be one of"):
        guideline14([1.0, 2.0], [1.0, 2.0], "daily")
