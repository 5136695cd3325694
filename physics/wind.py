"""Wind resource and wind-farm power: power curves, shear, density, synthetic and measured wind, wakes.

The public face of the wind physics; the code lives in four topic modules, all re-exported
here under their old and new names:

- :mod:`physics.wind_turbines` - power and thrust curves (FLORIS turbine library or custom),
  density correction ("iec" or "windpowerlib"), power-curve smoothing by turbulence
  intensity, storm (cut-out) hysteresis;
- :mod:`physics.wind_resource` - shear (logarithmic, power law), temperature gradient,
  barometric density, HOMER synthetic years, measured-wind CSV import and resampling,
  Weibull fits, autocorrelation and diurnal-cycle estimators;
- :mod:`physics.wakes` - layouts, farm power tables (no wake, Jensen/Park, FLORIS
  jensen/gauss) and their bilinear lookup;
- :mod:`physics.power_curve_fit` - measured power curves by the method of bins of
  IEC 61400-12-1 and its data filters (range, stopped or curtailed, availability).

Pure, vectorised functions (numpy arrays in, numpy arrays out); SI units in every argument
name; bad input raises ``ValueError("<argument>: <reason>")``. Sources are cited in each
module and function; docs/wind.md gathers them.
"""

from __future__ import annotations

from physics.power_curve_fit import (
    IEC_BIN_WIDTH_M_S,
    IEC_MIN_RECORDS_PER_BIN,
    BinnedPowerCurve,
    bin_power_curve,
    not_operating_mask,
    operational_availability,
    range_mask,
)
from physics.wakes import (
    WAKE_MODELS,
    FarmPowerTable,
    farm_power_w,
    floris_farm_table,
    grid_layout,
    jensen_farm_table,
    no_wake_farm_table,
)
from physics.wind_resource import (
    MEASURED_WIND_COLUMNS,
    MeasuredWind,
    autocorrelation,
    barometric_air_density,
    diurnal_cycle,
    fit_weibull,
    logarithmic_profile,
    power_law_profile,
    read_measured_wind_csv,
    resample_wind,
    synthetic_wind,
    temperature_at_height_k,
)
from physics.wind_turbines import (
    DEFAULT_THRUST_COEFFICIENT,
    DENSITY_CORRECTIONS,
    STANDARD_AIR_DENSITY_KG_M3,
    TURBINES,
    PowerCurve,
    custom_power_curve,
    density_equivalent_speed_m_s,
    load_turbine,
    smooth_power_curve,
    smoothed_power_w,
    storm_hysteresis_mask,
    turbine_power_w,
    turbine_thrust_coefficient,
)

__all__ = [
    "BinnedPowerCurve",
    "DEFAULT_THRUST_COEFFICIENT",
    "DENSITY_CORRECTIONS",
    "FarmPowerTable",
    "IEC_BIN_WIDTH_M_S",
    "IEC_MIN_RECORDS_PER_BIN",
    "MEASURED_WIND_COLUMNS",
    "MeasuredWind",
    "PowerCurve",
    "STANDARD_AIR_DENSITY_KG_M3",
    "TURBINES",
    "WAKE_MODELS",
    "autocorrelation",
    "barometric_air_density",
    "bin_power_curve",
    "custom_power_curve",
    "density_equivalent_speed_m_s",
    "diurnal_cycle",
    "farm_power_w",
    "fit_weibull",
    "floris_farm_table",
    "grid_layout",
    "jensen_farm_table",
    "load_turbine",
    "logarithmic_profile",
    "no_wake_farm_table",
    "not_operating_mask",
    "operational_availability",
    "power_law_profile",
    "range_mask",
    "read_measured_wind_csv",
    "resample_wind",
    "smooth_power_curve",
    "smoothed_power_w",
    "storm_hysteresis_mask",
    "synthetic_wind",
    "temperature_at_height_k",
    "turbine_power_w",
    "turbine_thrust_coefficient",
]
