"""The twin's wind chain for a year against windpowerlib's ModelChain, and the cost of wakes, in one run.

For a year at 60 s (525,600 steps) of Lingang-like wind (Weibull k 2, c 6.2 m/s at 10 m, HOMER synthetic),
the Siemens SWT-3.6-120 of windpowerlib's OEDB file at hub 90 m, log shear (z0 0.0002 m), ICAO temperature
gradient, barometric density and density correction, it prints:

1. the twin's chain (synthetic series -> shear -> temperature -> density -> density-equivalent speed -> farm table
   lookup), the physics functions called as twin/exogenous.py calls them, for one turbine (a one-turbine table);
2. windpowerlib's ModelChain (same models, density_correction=True) for the same turbine on the same series;
   the ratio windpowerlib / twin (it includes building the weather DataFrame windpowerlib needs: excluded);
3. a no-wake farm year against a Jensen-table farm year (56 turbines, 4 rows at 7 D), table building included;
   issue 3 requires the wake year to cost at most the no-wake year + 20 %.

    python benchmarks/wind.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from physics import wind

STEP_S = 60.0
N = 525_600


def _best(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()

    from windpowerlib import ModelChain, WindTurbine

    oedb = WindTurbine(turbine_type="SWT120/3600", hub_height=90.0)
    curve = wind.custom_power_curve(oedb.power_curve["wind_speed"].to_numpy(float),
                                    oedb.power_curve["value"].to_numpy(float), oedb.rotor_diameter, 90.0,
                                    name="swt-3.6-120")
    t_h = np.arange(N) * STEP_S / 3600.0
    hour, day = t_h % 24.0, (t_h / 24.0) % 365.25
    t2_k = 273.15 + 16.5 + 10.5 * np.cos(2 * np.pi * (day - 210) / 365.25)
    pressure_pa = 101325.0

    def chain(table):
        v10, direction = wind.synthetic_wind(hour, day, STEP_S, 2.0, 6.2, diurnal_strength=0.05,
                                             seasonal_amplitude=0.1, rng=np.random.default_rng([7, 1]))
        v_hub = wind.logarithmic_profile(v10, 10.0, 90.0, 0.0002)
        rho = wind.barometric_air_density(pressure_pa, 0.0, 90.0, wind.temperature_at_height_k(t2_k, 2.0, 90.0))
        return wind.farm_power_w(table, wind.density_equivalent_speed_m_s(v_hub, rho), direction), v10

    one = wind.no_wake_farm_table(curve, 1)
    t_twin, (p_twin, v10) = _best(lambda: chain(one), args.repeat)

    weather = pd.DataFrame({("wind_speed", 10): v10, ("temperature", 2): t2_k, ("pressure", 0): pressure_pa,
                            ("roughness_length", 0): 0.0002},
                           index=pd.date_range("2025-01-01", periods=N, freq="60s", tz="Asia/Shanghai"))
    weather.columns = pd.MultiIndex.from_tuples(weather.columns, names=["variable_name", "height"])
    mc = ModelChain(oedb, wind_speed_model="logarithmic", temperature_model="linear_gradient",
                    density_model="barometric", density_correction=True)
    t_wpl, p_wpl = _best(lambda: mc.run_model(weather).power_output.to_numpy(float), min(args.repeat, 2))

    x, y = wind.grid_layout(56, 4, 7 * curve.rotor_diameter_m, 7 * curve.rotor_diameter_m)
    # interleaved, best of each: the two years differ only in the table, so noise must not decide
    free_times, wake_times = [], []
    for _ in range(max(args.repeat, 5)):
        t, _ = _best(lambda: chain(wind.no_wake_farm_table(curve, 56)), 1)
        free_times.append(t)
        t, (p_wake, _) = _best(lambda: chain(wind.jensen_farm_table(curve, x, y)), 1)
        wake_times.append(t)
    t_free, t_wake = min(free_times), min(wake_times)
    t_table, _ = _best(lambda: wind.jensen_farm_table(curve, x, y), args.repeat)

    e_twin, e_wpl = p_twin.sum() * STEP_S / 3.6e9, p_wpl.sum() * STEP_S / 3.6e9
    print(f"year at {STEP_S:g} s: {N} steps, SWT-3.6-120, hub 90 m (best of {args.repeat}; farm years best of "
          f"{max(args.repeat, 5)})")
    print(f"twin wind chain (1 turbine):         {t_twin:8.3f} s   energy {e_twin:9.1f} MWh")
    print(f"windpowerlib ModelChain (same year): {t_wpl:8.3f} s   energy {e_wpl:9.1f} MWh "
          f"(IEC vs Svenningsen density correction: {100 * (e_twin / e_wpl - 1):+.2f} %)")
    print(f"ratio windpowerlib / twin:           {t_wpl / t_twin:8.1f}")
    print(f"farm of 56, no-wake year:            {t_free:8.3f} s")
    print(f"farm of 56, Jensen-table year:       {t_wake:8.3f} s   (table build {t_table:.3f} s; "
          f"wake loss {100 * (1 - p_wake.mean() / (56 * p_twin.mean())):.1f} %)")
    print(f"ratio Jensen / no-wake:              {t_wake / t_free:8.3f}   (issue 3 limit 1.20)")


if __name__ == "__main__":
    main()
