"""The live twin: telemetry, calibration, state estimation, forecasts.

- :mod:`twin.live.scada` reads measured turbine records (SCADA) and a reference wind (reanalysis) into arrays
  on a regular time grid;
- :mod:`twin.live.fit_metrics` scores a prediction against measurements by ASHRAE Guideline 14 (CV(RMSE), NMBE
  and the calibration limits), for the wind chain and for the twin's own calibration;
- :mod:`twin.live.wind_chain` calibrates the wind chain on one period (speed scale, IEC 61400-12-1 binned power
  curve, availability) and predicts another.
"""
