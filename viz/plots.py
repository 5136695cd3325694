"""Plots of a run's series (matplotlib, off-screen)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

__all__ = ["thermal_state_png", "PLOTS", "plot_png", "power_balance_figure", "temperatures_figure", "ref_figure"]


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


# ------------------------------------------------------------------------------------------ plots beside the 3D

PLOTS = ("power", "temperatures", "ref")
"""Plots of a run by name: ``power`` balance, cabin ``temperatures`` against the ASHRAE bands, ``ref`` over time."""


def _means(series: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    span_days = (series.index[-1] - series.index[0]).total_seconds() / 86400.0
    rule, label = ("1D", "daily") if span_days > 60 else (("1h", "hourly") if span_days > 2 else (None, "step"))
    return (series.resample(rule).mean() if rule else series), label


def power_balance_figure(series: pd.DataFrame, scenario):
    """Wind available and delivered, grid import, battery (discharge up, charge down), IT and cooling [MW]."""
    h, label = _means(series)
    fig, ax = plt.subplots(figsize=(11, 4.5), constrained_layout=True)
    mw = 1e-6
    ax.plot(h.index, h["wind_available_w"] * mw, color="tab:green", lw=0.8, alpha=0.5, label="wind available")
    ax.plot(h.index, h["wind_to_load_w"] * mw, color="tab:green", lw=1.4, label="wind to load")
    ax.plot(h.index, h["grid_import_w"] * mw, color="tab:gray", lw=1.2, label="grid import")
    ax.plot(h.index, (h["battery_discharge_w"] - h["battery_charge_w"]) * mw, color="tab:olive", lw=1.0,
            label="battery (+ discharge, - charge)")
    ax.plot(h.index, h["it_power_w"] * mw, color="tab:purple", lw=1.2, label="IT")
    ax.plot(h.index, h["cooling_power_w"] * mw, color="tab:cyan", lw=1.2, label="cooling")
    load = h["facility_power_w"].max() * mw
    ax.set_ylim(min(-0.1 * load, float((h["battery_discharge_w"] - h["battery_charge_w"]).min() * mw)), 2.2 * load)
    ax.set_ylabel("power [MW]")
    ax.set_title(f"{scenario.name}: power balance ({label} means; wind available is clipped at twice the load)")
    ax.legend(loc="upper left", fontsize=8, ncol=3)
    return fig


def temperatures_figure(series: pd.DataFrame, scenario):
    """Every cabin group's rack inlet and hardware temperature with the sea, against its ASHRAE bands [C]."""
    h, label = _means(series)
    fig, ax = plt.subplots(figsize=(11, 4.5), constrained_layout=True)
    lim = scenario.cabins[0].limits
    ax.axhspan(lim.recommended_min_c, lim.recommended_max_c, color="tab:green", alpha=0.12,
               label=f"ASHRAE recommended {lim.recommended_min_c:g}-{lim.recommended_max_c:g} C")
    ax.axhline(lim.allowable_max_c, color="tab:red", lw=1, ls="--", label=f"allowable {lim.allowable_max_c:g} C")
    ax.plot(h.index, h["sea_temp_c"], color="tab:blue", lw=1, label="sea at cabin")
    for ci, g in enumerate(scenario.cabins):
        ax.plot(h.index, h[f"cabin{ci}_inlet_temp_c"], lw=1.2, label=f"{g.name}: rack inlet")
        ax.plot(h.index, h[f"cabin{ci}_it_temp_c"], lw=0.8, alpha=0.7, label=f"{g.name}: hardware")
    ax.set_ylabel("temperature [C]")
    ax.set_title(f"{scenario.name}: temperatures against the ASHRAE bands ({label} means)")
    ax.legend(loc="upper left", fontsize=8, ncol=3)
    return fig


def ref_figure(series: pd.DataFrame, scenario):
    """Renewable energy factor: the share of the facility's energy that came from wind (directly or through the
    battery), per bin and cumulative from the start [-] (the KPI ``ref`` is the last cumulative value)."""
    h, label = _means(series)
    renewable = h["wind_to_load_w"] + h["battery_discharge_w"]
    served = h["facility_power_w"] - h["unserved_w"]
    per_bin = (renewable / served.where(served > 0)).clip(0, 1)
    cumulative = renewable.cumsum() / served.cumsum().where(served.cumsum() > 0)
    fig, ax = plt.subplots(figsize=(11, 4.0), constrained_layout=True)
    ax.fill_between(h.index, per_bin.to_numpy(), color="tab:green", alpha=0.25, step="post",
                    label=f"REF of each bin ({label})")
    ax.plot(h.index, cumulative, color="tab:green", lw=1.6, label="REF since the start")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("REF [-]")
    ax.set_title(f"{scenario.name}: renewable energy factor over time")
    ax.legend(loc="lower left", fontsize=8)
    return fig


def plot_png(name: str, series: pd.DataFrame, scenario, path: str | Path | None = None, dpi: int = 100):
    """The plot ``name`` (one of :data:`PLOTS`) as PNG bytes, or written to ``path`` (returns the path)."""
    import io

    makers = {"power": power_balance_figure, "temperatures": temperatures_figure, "ref": ref_figure}
    if name not in makers:
        raise ValueError(f"plot: {name!r} is not a plot; choose one of {', '.join(PLOTS)}")
    fig = makers[name](series, scenario)
    try:
        if path is not None:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(path, dpi=dpi)
            return path
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()
    finally:
        plt.close(fig)
