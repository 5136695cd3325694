"""Plots of a run's series (matplotlib, off-screen)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

__all__ = ["thermal_state_png"]


def thermal_state_png(series: pd.DataFrame, scenario, path: str | Path) -> Path:
    """Hourly means of the thermal state and power balance: temperatures against the ASHRAE bands, and power.

    Top: sea, rack inlet and hardware temperatures with the recommended and allowable upper limits of the
    cabin's class. Bottom: wind available, grid import, IT and cooling power.
    """
    path = Path(path)
    span_days = (series.index[-1] - series.index[0]).total_seconds() / 86400.0
    rule, label = ("1D", "daily") if span_days > 60 else ("1h", "hourly")
    h = series.resample(rule).mean()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(11, 7), sharex=True, constrained_layout=True)
    lim = scenario.cabins[0].limits
    ax1.axhspan(lim.recommended_min_c, lim.recommended_max_c, color="tab:green", alpha=0.12, label="ASHRAE recommended")
    ax1.axhline(lim.allowable_max_c, color="tab:red", lw=1, ls="--", label=f"allowable {lim.allowable_max_c:g} C")
    ax1.plot(h.index, h["sea_temp_c"], color="tab:blue", lw=1, label="sea at cabin")
    ax1.plot(h.index, h["inlet_temp_c"], color="tab:orange", lw=1, label="rack inlet (hottest cabin)")
    ax1.plot(h.index, h["cabin0_it_temp_c"], color="tab:red", lw=0.8, alpha=0.7, label="server hardware")
    ax1.set_ylabel("temperature [C]")
    ax1.legend(loc="upper left", fontsize=8, ncol=3)
    ax1.set_title(f"{scenario.name}: thermal state and power ({label} means)")
    ax2.plot(h.index, h["wind_to_load_w"] / 1e6, color="tab:green", lw=1, label="wind to load")
    ax2.plot(h.index, h["grid_import_w"] / 1e6, color="tab:gray", lw=1, label="grid import")
    ax2.plot(h.index, h["it_power_w"] / 1e6, color="tab:purple", lw=1, label="IT")
    ax2.plot(h.index, h["cooling_power_w"] / 1e6, color="tab:cyan", lw=1, label="cooling")
    ax2.set_ylabel("power [MW]")
    ax2.legend(loc="upper left", fontsize=8, ncol=4)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
