"""Renewable accounting (issue 16): REF by ISO/IEC 30134-3 with attributes, the hourly-matched share, the direct
share, and CUE following the same attributes; no energy or attribute counted twice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.scenario import ScenarioError, load_scenario
from twin.sim.accounting import renewable_accounting

STEP_S = 900.0  # four steps an hour


def _frame(direct_w, grid_w, export_w, carbon=0.5):
    """A series at 15-minute steps: wind to the load, grid import (sent = received: no cable loss), export."""
    n = len(direct_w)
    return pd.DataFrame({
        "wind_to_load_w": np.asarray(direct_w, float), "battery_discharge_w": np.zeros(n),
        "grid_import_w": np.asarray(grid_w, float), "grid_sent_w": np.asarray(grid_w, float),
        "export_w": np.asarray(export_w, float), "carbon_kg_per_kwh": np.full(n, carbon)})


def _scenario(*overrides):
    return load_scenario("lingang-phase1", ["run.horizon_s=2h", "run.step_s=900", *overrides])


# two hours: the first all wind and a large export; the second a calm, all grid, no export
DIRECT = [1e6, 1e6, 1e6, 1e6, 0, 0, 0, 0]
GRID = [0, 0, 0, 0, 1e6, 1e6, 1e6, 1e6]
EXPORT = [3e6, 3e6, 3e6, 3e6, 0, 0, 0, 0]  # 3 MWh in the first hour


def test_direct_supply_only():
    out = renewable_accounting(_scenario("accounting.certificates=none"), _frame(DIRECT, GRID, EXPORT), STEP_S, 1.5)
    assert out["ref"] == out["direct_wind_share"] == out["hourly_renewable_share"] == pytest.approx(0.5)
    assert out["certificates_retired_mwh"] == 0.0
    # CUE: 1 MWh of grid energy at 0.5 kg/kWh over 1.5 MWh of IT
    assert out["cue_kg_per_kwh"] == out["location_based_cue_kg_per_kwh"] == pytest.approx(500 / 1500)


def test_export_and_retirement_compete():
    """The farm exports 3 MWh in the first hour; 80 % of those certificates are sold with the export, so 0.6 MWh
    are the centre's to retire against its 1 MWh of grid energy: REF (annual) counts 0.6, not 1 or 3. In the
    hourly share they count only where they were generated: in the first hour, where the facility was already
    all wind, so the second hour's grid energy stays unmatched."""
    sc = _scenario("accounting.certificates=farm", "accounting.export_attributes_sold_share=0.8")
    out = renewable_accounting(sc, _frame(DIRECT, GRID, EXPORT), STEP_S, it_mwh=1.5)
    assert out["certificates_retired_mwh"] == pytest.approx(0.6)
    assert out["farm_certificates_unclaimed_mwh"] == pytest.approx(0.0)  # 3 x 0.2 = 0.6, all retired
    assert out["ref"] == pytest.approx((1.0 + 0.6) / 2.0)
    assert out["direct_wind_share"] == pytest.approx(0.5)
    assert out["hourly_renewable_share"] == pytest.approx(0.5)
    assert out["cue_kg_per_kwh"] == pytest.approx(500 * 0.4 / 1500)  # 40 % of the grid energy uncovered
    # with every certificate the centre's, the retirement stops at the grid energy: 1 MWh, 2 left for others
    sc = _scenario("accounting.certificates=farm")
    out = renewable_accounting(sc, _frame(DIRECT, GRID, EXPORT), STEP_S, it_mwh=1.5)
    assert out["certificates_retired_mwh"] == pytest.approx(1.0)
    assert out["farm_certificates_unclaimed_mwh"] == pytest.approx(2.0)
    assert out["ref"] == pytest.approx(1.0) and out["cue_kg_per_kwh"] == pytest.approx(0.0)


def test_hourly_matching_counts_certificates_of_the_same_period():
    # export in the same hour as the grid import: matched hour by hour; over a two-hour period everything matches
    grid = [0, 0, 1e6, 1e6, 1e6, 1e6, 1e6, 1e6]
    direct = [1e6, 1e6, 0, 0, 0, 0, 0, 0]
    export = [0, 0, 4e6, 0, 0, 0, 0, 0]  # 1 MWh exported in the first hour
    out = renewable_accounting(_scenario("accounting.certificates=farm"), _frame(direct, grid, export), STEP_S, 1.0)
    # hour 1: served 1.0, direct 0.5, certificates 1.0 -> 1.0 matched; hour 2: served 1.0, nothing -> 0
    assert out["hourly_renewable_share"] == pytest.approx(0.5)
    assert out["ref"] == pytest.approx(0.75)  # 0.5 MWh direct + 1 MWh of certificates of 2 MWh served
    two_hours = _scenario("accounting.certificates=farm", "accounting.matching_period_s=2h")
    out = renewable_accounting(two_hours, _frame(direct, grid, export), STEP_S, 1.0)
    assert out["hourly_renewable_share"] == pytest.approx(0.75)


def test_purchased_certificates_count_a_year_pro_rata_and_not_hourly():
    sc = _scenario("accounting.certificates=purchased", "accounting.purchased_mwh_per_year=2190")  # 0.5 MWh / 2 h
    out = renewable_accounting(sc, _frame(DIRECT, GRID, EXPORT), STEP_S, it_mwh=1.5)
    assert out["certificates_retired_mwh"] == pytest.approx(0.5)
    assert out["ref"] == pytest.approx(0.75) and out["hourly_renewable_share"] == pytest.approx(0.5)
    with pytest.raises(ScenarioError, match="purchased_mwh_per_year"):
        _scenario("accounting.purchased_mwh_per_year=10")


def test_a_run_reports_the_three_shares_in_order(short_run):
    res = short_run("run.horizon_s=10d", "run.step_s=300", "accounting.certificates=farm")
    k = res.kpis
    assert k["direct_wind_share"] <= k["hourly_renewable_share"] <= k["ref"] <= 1.0 + 1e-12
    assert k["direct_wind_share"] < 0.95 and k["ref"] == pytest.approx(1.0)  # the farm exports far more
    assert k["cue_kg_per_kwh"] < k["location_based_cue_kg_per_kwh"]
