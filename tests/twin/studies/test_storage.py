"""The storage what-if (issue 16, docs/storage.md): a battery charged from the wind the load does not take moves
that wind into calms. Held here on three weeks of the reference design: the hourly-matched share and the
location-based carbon move the right way, and by exactly the energy the battery gave back."""

from __future__ import annotations

import numpy as np
import pytest
from twin_runs import run_cached

BASE = ("run.horizon_s=21d", "run.step_s=3600", "accounting.certificates=none")
BATTERY = ("electrical.battery.max_charge_power_w=3e6", "electrical.battery.max_discharge_power_w=3e6")
SIZES_WH = (5e6, 30e6)


def _run(energy_wh: float | None):
    extra = () if energy_wh is None else (*BATTERY, f"electrical.battery.energy_capacity_wh={energy_wh:g}")
    return run_cached("lingang-phase1", BASE + extra)


def _mwh(result, column: str) -> float:
    return float(result.series[column].to_numpy().sum()) * 3600.0 / 3.6e9


def test_battery_moves_wind_into_calms():
    none = _run(None)
    # the three weeks must hold calms, or the test proves nothing
    assert none.kpis["direct_wind_share"] < 0.97
    previous = none
    for size in SIZES_WH:
        result = _run(size)
        assert result.kpis["energy_balance_error"] < 1e-9
        assert result.kpis["hourly_renewable_share"] > previous.kpis["hourly_renewable_share"]
        assert result.kpis["location_based_carbon_t"] < previous.kpis["location_based_carbon_t"]
        previous = result


@pytest.mark.parametrize("size", SIZES_WH)
def test_gain_is_the_energy_the_battery_gave_back(size):
    """The battery charges only from wind the load does not take, so the wind reaching the load directly is the
    same with or without it; the facility's renewable supply grows by the battery's discharge, no more, and that
    discharge is at most what went in times the round-trip efficiency plus what was stored at the start."""
    none, result = _run(None), _run(size)
    np.testing.assert_allclose(result.series["wind_to_load_w"].to_numpy(), none.series["wind_to_load_w"].to_numpy(),
                               rtol=1e-6, atol=1e-3)
    served = none.kpis["facility_energy_mwh"]
    assert result.kpis["facility_energy_mwh"] == pytest.approx(served, rel=1e-6)
    discharge = _mwh(result, "battery_discharge_w")
    assert discharge > 0.0
    gain = (result.kpis["direct_wind_share"] - none.kpis["direct_wind_share"]) * served
    # the series are stored as float32 (24-bit mantissa, 6e-8 per value): sums agree to about 1e-7
    assert gain == pytest.approx(discharge, rel=1e-6)
    battery = result.scenario.electrical.battery
    start_mwh = battery.energy_capacity_wh * (battery.initial_soc_fraction - battery.soc_min_fraction) / 1e6
    assert discharge <= _mwh(result, "battery_charge_w") * battery.round_trip_efficiency + start_mwh + 1e-6 * discharge
