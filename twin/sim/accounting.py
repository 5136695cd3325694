"""Renewable energy and carbon by the standards' accounting: whose attributes the centre retires, matched over a
year (REF) or period by period (the hourly share), and the CO2 that follows them.

Definitions (energies at the cabins' 35 kV node, the facility's boundary, as PUE's; ``E_DC`` the facility energy
served):

- ``direct_wind_share``: the wind the facility took over the link, directly or through the battery (which charges
  from wind only), over ``E_DC``; physical, step by step. (Before issue 16 this was reported as ``ref``.)
- ``ref`` (ISO/IEC 30134-3, EN 50600-4-3): renewable energy whose attributes the centre holds and retires over
  the year, over ``E_DC``: the direct supply, plus certificates retired against the grid energy it used, at most
  that grid energy. Certificates (``accounting.certificates``): ``farm``, the farm's own certificates for the energy
  it exports, less the share sold with the export; ``purchased``, an amount a year (a run gets its horizon's share).
- ``hourly_renewable_share``: renewable supply matched to the facility's energy period by period
  (``accounting.matching_period_s``, an hour by default, as 24/7 carbon-free-energy scores count it): in each
  period ``min(E_DC,p, direct_p + farm certificates of the period)``. Purchased certificates carry no time of
  generation and count in ``ref`` only.
- ``cue_kg_per_kwh`` (ISO/IEC 30134-8), market-based: the grid energy's CO2 (sent from shore, at the grid's hourly
  intensity) less the share covered by retired certificates (zero-emission attributes), over IT energy.
  ``location_based_cue_kg_per_kwh`` counts every grid kWh at the grid's intensity.

No energy and no attribute is counted twice: a certificate retired for the centre is one of the export's that is
not sold with it, and retired certificates are at most the grid energy they cover (period by period in the hourly
share, over the run in ``ref``). ``farm_certificates_unclaimed_mwh`` are left for others.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from twin.scenario import Scenario

__all__ = ["renewable_accounting", "ACCOUNTING_UNITS"]

WH_PER_J = 1.0 / 3600.0
SECONDS_PER_YEAR = 365.0 * 86400.0

ACCOUNTING_UNITS = {
    "ref": "- (ISO/IEC 30134-3, attributes retired over the run)",
    "direct_wind_share": "- (wind taken over the link, step by step)",
    "hourly_renewable_share": "- (renewable supply matched period by period)",
    "certificates_retired_mwh": "MWh", "farm_certificates_unclaimed_mwh": "MWh",
    "cue_kg_per_kwh": "kg CO2 per kWh IT (market-based)",
    "location_based_cue_kg_per_kwh": "kg CO2 per kWh IT (location-based)",
    "carbon_t": "t CO2 (market-based)", "location_based_carbon_t": "t CO2",
}


def _period_sums(values: np.ndarray, per: int) -> np.ndarray:
    n = values.size
    pad = (-n) % per
    return np.concatenate([values, np.zeros(pad)]).reshape(-1, per).sum(axis=1)


def renewable_accounting(scenario: Scenario, frame: pd.DataFrame, step_s: float, it_mwh: float) -> dict:
    """The accounting KPIs of a run's series (module docstring); energies [MWh], shares [-], CO2 [t]."""
    acc = scenario.accounting
    to_mwh = step_s * WH_PER_J / 1e6
    # each array is dropped once its sums are taken: a year at 60 s is 4 MB a column
    direct = (frame["wind_to_load_w"].to_numpy() + frame["battery_discharge_w"].to_numpy()) * to_mwh
    grid = frame["grid_import_w"].to_numpy() * to_mwh
    served = direct + grid  # the facility's energy served, step by step
    grid_total = float(grid.sum())
    del grid
    export = frame["export_w"].to_numpy() * to_mwh
    farm_attr = export * (1.0 - acc.export_attributes_sold_share) if acc.certificates == "farm" \
        else np.zeros_like(export)
    del export
    total = float(served.sum())
    direct_total = float(direct.sum())
    attr_total = float(farm_attr.sum())
    if acc.certificates == "farm":
        available = attr_total
    elif acc.certificates == "purchased":
        available = acc.purchased_mwh_per_year * len(frame) * step_s / SECONDS_PER_YEAR
    else:
        available = 0.0
    retired = min(grid_total, available)
    per = max(1, int(round(acc.matching_period_s / step_s)))
    d_p, s_p, a_p = (_period_sums(x, per) for x in (direct, served, farm_attr))
    del direct, served, farm_attr
    matched = float(np.minimum(s_p, d_p + a_p).sum())
    carbon_loc_t = float((frame["grid_sent_w"].to_numpy() * frame["carbon_kg_per_kwh"].to_numpy()).sum()) \
        * step_s * WH_PER_J / 1e3 / 1e3
    covered = retired / grid_total if grid_total > 0 else 0.0
    carbon_t = carbon_loc_t * (1.0 - covered)
    it_kwh = it_mwh * 1e3
    return {
        "ref": (direct_total + retired) / total if total > 0 else math.nan,
        "direct_wind_share": direct_total / total if total > 0 else math.nan,
        "hourly_renewable_share": matched / total if total > 0 else math.nan,
        "certificates_retired_mwh": retired,
        "farm_certificates_unclaimed_mwh": attr_total - (retired if acc.certificates == "farm" else 0.0),
        "cue_kg_per_kwh": carbon_t * 1e3 / it_kwh if it_kwh > 0 else math.nan,
        "location_based_cue_kg_per_kwh": carbon_loc_t * 1e3 / it_kwh if it_kwh > 0 else math.nan,
        "carbon_t": carbon_t,
        "location_based_carbon_t": carbon_loc_t,
    }
