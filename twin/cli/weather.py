"""``seabed-twin wind-fit FILE``: fit the synthetic wind generator to a measured series and print a scenario fragment.

The file is a measured-wind CSV (docs/wind.md: ``timestamp`` with a UTC offset, ``wind_speed_m_s``, optionally
``wind_direction_deg`` and ``height_m``). Its hourly means are fitted (``physics.wind_fit``); the fragment goes to
stdout, and a year generated from the fit is checked against the measured one on stderr (autocorrelation at 24 h
and 72 h, calm-spell length).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from twin.cli.common import app, err, fail_input


def hourly_means(series, timezone: str):
    """Hourly means (local time of ``timezone``) of a ``MeasuredWind``: speed, and direction as a unit-vector
    mean; hours without a reading are NaN."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"v": series.wind_speed_m_s}, index=series.time.tz_convert(timezone))
    if series.wind_direction_deg is not None:
        rad = np.deg2rad(series.wind_direction_deg)
        frame["s"], frame["c"] = np.sin(rad), np.cos(rad)
    hourly = frame.resample("1h").mean()
    direction = None
    if "s" in hourly:
        direction = np.mod(np.rad2deg(np.arctan2(hourly["s"], hourly["c"])), 360.0).to_numpy()
    return hourly.index, hourly["v"].to_numpy(), direction


@app.command("wind-fit")
def wind_fit(
    file: Path = typer.Argument(..., help="A measured-wind CSV (docs/wind.md)"),
    height: Optional[float] = typer.Option(None, help="Measurement height [m] when the file has no height_m column"),
    timezone: str = typer.Option("UTC", help="IANA time zone of the site (the daily cycle is fitted in local time)"),
    calm: float = typer.Option(3.0, help="Calm threshold for the calm-spell check [m s-1]"),
    seed: int = typer.Option(1, help="Seed of the year generated to check the fit"),
) -> None:
    """Fit the synthetic wind (Weibull, daily and yearly cycles, hourly and synoptic memory, wind rose) to a
    measured series; print the scenario fragment."""
    import numpy as np
    import yaml

    from physics.wind_fit import autocorrelation, calm_spell_lengths_h, fit_synthetic_wind, hour_and_day
    from physics.wind_resource import read_measured_wind_csv, synthetic_wind

    try:
        series = read_measured_wind_csv(file, height_m=height)
        time, speed, direction = hourly_means(series, timezone)
        fit = fit_synthetic_wind(time, speed, series.height_m, direction, calm_threshold_m_s=calm)
    except (ValueError, OSError) as exc:
        fail_input(str(exc))
    resource = {k: round(float(v), 4) for k, v in fit.generator_kwargs().items() if k != "direction_sector_weights"}
    resource["peak_day_of_year"] = max(1.0, resource["peak_day_of_year"])
    resource["reference_height_m"] = fit.height_m
    if fit.direction_sector_weights is not None:
        resource["direction_sector_weights"] = fit.direction_sector_weights
    m = fit.measured
    print(f"# seabed-twin wind-fit {file.name}: {m['hours']} hours, mean {m['mean_speed_m_s']:.2f} m/s at "
          f"{fit.height_m:g} m; local time {timezone}")
    print(yaml.safe_dump({"wind": {"resource": resource}}, sort_keys=False, default_flow_style=None), end="")
    hour, day = hour_and_day(time)
    gen, _ = synthetic_wind(hour, day, 3600.0, rng=seed, **fit.generator_kwargs())
    gen[~np.isfinite(speed)] = np.nan
    a_meas, a_gen = [m["autocorrelation"][L] for L in (24, 72)], autocorrelation(gen, [24, 72])
    calms = calm_spell_lengths_h(gen, 3600.0, calm)
    p90 = float(np.percentile(calms, 90)) if calms.size else 0.0
    err.print(f"check, a year from the fit (seed {seed}) against the measured one: autocorrelation at 24 h "
              f"{a_gen[0]:.3f} / {a_meas[0]:.3f}, at 72 h {a_gen[1]:.3f} / {a_meas[1]:.3f}; calm spells (< {calm:g} "
              f"m/s) 90th percentile {p90:.1f} h / {m['calm_spell_p90_h']:.1f} h", highlight=False, soft_wrap=True)
