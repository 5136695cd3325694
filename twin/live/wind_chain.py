"""Calibrate the wind chain on one period of measurements and predict another.

The chain, per turbine and 10-minute record::

    wind input  -> density-normalised speed   V_n = V (rho_hub / 1.225)^(1/3)
                -> binned power curve         P(V_n), IEC 61400-12-1, with the highest bin held to cut-out
                -> x availability             A: share of the time with wind in the operating range that it ran

Two wind inputs:

``"nacelle"``
    the turbine's own nacelle anemometer: what the live twin has when it reads the turbine's telemetry. The
    calibration's curve and availability are tested alone.
``"reference"``
    an independent reference wind (here ERA5 at 100 m, interpolated to the middle of each record) times a speed
    scale fitted per 30-degree sector of the reference direction: the whole chain from a weather model, as the
    twin runs it when it forecasts. The scale of sector k is the ratio of means, over the calibration period's
    records in normal operation, of the nacelle speed to the reference speed (the sector ratio method of
    measure-correlate-predict; a least-squares slope would shrink the speeds and lose energy through the
    convex power curve). A sector with fewer than ``min_sector_records`` records takes the all-sector ratio.

Calibration (``calibrate_wind_chain``), on the records of [start, end):

1. valid records: power and nacelle speed present and in range (``range_mask``); pitch outside -10..100 deg and
   nacelle temperature outside -40..50 degC are failed sensors and read as missing;
2. not operating: stopped, or pitched out below 90 % of rated power, with wind >= ``operating_from_m_s``
   (``not_operating_mask``); the rest of the valid records are in normal operation;
3. hub air density: the reference's surface pressure, taken at the turbine's base and brought to hub height by
   the barometric gradient (-1/8 hPa m-1), with the nacelle temperature (the reference's 2 m temperature at the
   standard lapse rate where the nacelle's is missing): ``barometric_air_density``; dry air;
4. the curve: ``bin_power_curve`` of the normal-operation records, normalised to 1.225 kg m-3;
5. the availability: ``operational_availability``;
6. the speed scale per sector, as above.

Prediction (``predict_power_w``) uses nothing of the predicted period's power: the ``"nacelle"`` input reads the
period's nacelle speed and temperature, the ``"reference"`` input only the reference (its pressure and its 2 m
temperature for the density). ``score_prediction`` compares hourly and monthly energies with the measured ones
by ASHRAE Guideline 14 (``twin.live.fit_metrics``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from physics.power_curve_fit import (
    BinnedPowerCurve,
    bin_power_curve,
    not_operating_mask,
    operational_availability,
    range_mask,
)
from physics.wind_resource import barometric_air_density, temperature_at_height_k
from physics.wind_turbines import STANDARD_AIR_DENSITY_KG_M3, PowerCurve, turbine_power_w
from twin.live.fit_metrics import FitReport, guideline14
from twin.live.scada import ReferenceWind, Scada

__all__ = [
    "WIND_INPUTS",
    "PredictionScore",
    "TurbineCalibration",
    "WindChainCalibration",
    "calibrate_wind_chain",
    "hub_air_density_kg_m3",
    "predict_power_w",
    "score_prediction",
]

#: Wind inputs of :func:`predict_power_w`.
WIND_INPUTS = ("nacelle", "reference")

_PITCH_RANGE_DEG = (-10.0, 100.0)
_TEMP_RANGE_C = (-40.0, 50.0)
_SPEED_RANGE_M_S = (0.0, 40.0)


@dataclass(frozen=True, eq=False)
class TurbineCalibration:
    """One turbine's calibrated chain.

    ``binned``: the IEC 61400-12-1 bins; ``curve``: them as a power curve (standby clipped, highest bin held to
    ``cut_out_m_s``); ``availability`` [-]; ``speed_scale`` (sectors,) [-]: reference speed -> nacelle speed,
    sector k centred on k 360/sectors deg FROM; ``records_valid``, ``records_binned`` (normal operation) and
    ``records_not_operating`` count the calibration period's records.
    """

    turbine: str
    binned: BinnedPowerCurve
    curve: PowerCurve
    availability: float
    speed_scale: np.ndarray
    records_valid: int
    records_binned: int
    records_not_operating: int


@dataclass(frozen=True, eq=False)
class WindChainCalibration:
    """The calibrated chain of every turbine, from the records of [``start``, ``end``)."""

    start: pd.Timestamp
    end: pd.Timestamp
    hub_height_m: float
    operating_from_m_s: float
    turbines: dict[str, TurbineCalibration]


@dataclass(frozen=True)
class PredictionScore:
    """A prediction against the measured power over ``hours`` complete hours.

    ``measured_energy_wh``, ``predicted_energy_wh`` [Wh]; ``energy_error`` [-] = predicted / measured - 1;
    ``hourly`` and ``monthly``: Guideline 14 reports of hourly and monthly energies (p = 1); ``monthly`` is None
    when the hours fall in fewer than two months.
    """

    hours: int
    measured_energy_wh: float
    predicted_energy_wh: float
    energy_error: float
    hourly: FitReport
    monthly: FitReport | None


# --------------------------------------------------------------------------- shared steps
def _period(scada: Scada, start, end) -> np.ndarray:
    t0, t1 = pd.Timestamp(start), pd.Timestamp(end)
    for name, t in (("start", t0), ("end", t1)):
        if t.tz is None:
            raise ValueError(f"{name}: must be timezone-aware, got {t}")
    if t1 <= t0:
        raise ValueError(f"end: must be after start ({t0}), got {t1}")
    sel = (scada.time >= t0) & (scada.time < t1)
    if not sel.any():
        raise ValueError(f"start, end: no SCADA record in [{t0}, {t1})")
    return np.asarray(sel)


def _valid(scada: Scada, i: int, rated_power_w: float) -> np.ndarray:
    return (range_mask(scada.wind_speed_m_s[i], *_SPEED_RANGE_M_S, "wind_speed_m_s")
            & range_mask(scada.power_w[i], -0.1 * rated_power_w, 1.2 * rated_power_w, "power_w"))


def _clean(values: np.ndarray, bounds: tuple[float, float], name: str) -> np.ndarray:
    return np.where(range_mask(values, *bounds, name), values, np.nan)


def _record_middle(scada: Scada) -> pd.DatetimeIndex:
    return scada.time + pd.Timedelta(seconds=scada.step_s / 2)


def hub_air_density_kg_m3(scada: Scada, reference: ReferenceWind, hub_height_m, use_nacelle_temperature=True):
    """Air density at hub height for every turbine and record [kg m-3], shape (turbine, step).

    The reference's surface pressure (taken at the turbine's base) brought to ``hub_height_m`` [m] by
    ``barometric_air_density`` (-1/8 hPa m-1, dry air), at the nacelle temperature where it is valid
    (-40..50 degC) and ``use_nacelle_temperature``, else at the reference's 2 m temperature lowered by the
    standard lapse rate (-6.5 K km-1) to hub height.
    """
    ref = reference.at(_record_middle(scada))
    t_ref_k = temperature_at_height_k(ref["air_temp_2m_k"], 2.0, hub_height_m)
    t_k = np.broadcast_to(t_ref_k, scada.outdoor_temp_c.shape)
    if use_nacelle_temperature:
        nacelle = _clean(scada.outdoor_temp_c, _TEMP_RANGE_C, "outdoor_temp_c") + 273.15
        t_k = np.where(np.isfinite(nacelle), nacelle, t_k)
    return barometric_air_density(ref["surface_pressure_pa"][None, :], 0.0, hub_height_m, t_k)


def _sector(direction_deg: np.ndarray, sectors: int) -> np.ndarray:
    width = 360.0 / sectors
    return (np.floor((direction_deg + width / 2) / width) % sectors).astype(int)


# --------------------------------------------------------------------------- calibration
def calibrate_wind_chain(scada: Scada, reference: ReferenceWind, start, end, rated_power_w, rotor_diameter_m,
                         hub_height_m, operating_from_m_s=4.0, cut_out_m_s=25.0, sectors=12,
                         min_sector_records=144) -> WindChainCalibration:
    """Fit each turbine's chain on the records of [``start``, ``end``) (module docstring, steps 1-6).

    Parameters
    ----------
    scada : Scada
        Telemetry (``twin.live.scada.read_scada``).
    reference : ReferenceWind
        Reference wind covering the records (``read_reference_wind``).
    start, end : timezone-aware timestamps
        Calibration period, end excluded.
    rated_power_w, rotor_diameter_m, hub_height_m : float
        The turbines' rated power [W], rotor diameter and hub height [m] (one type for all).
    operating_from_m_s : float
        Speed from which a turbine in service produces [m s-1] (``not_operating_mask``).
    cut_out_m_s : float
        Cut-out speed [m s-1]: the highest bin's power is held up to it (IEC "AEP-extrapolated").
    sectors : int
        Direction sectors of the speed scale, >= 1.
    min_sector_records : int
        Fewest normal-operation records for a sector's own scale (144: one day of 10-minute records).
    """
    sel = _period(scada, start, end)
    if not (isinstance(sectors, (int, np.integer)) and sectors >= 1):
        raise ValueError(f"sectors: must be an integer >= 1, got {sectors!r}")
    rho = hub_air_density_kg_m3(scada, reference, hub_height_m)
    ref = reference.at(_record_middle(scada))
    sector = _sector(ref["wind_direction_deg"], sectors)
    out = {}
    for i, name in enumerate(scada.turbines):
        valid = _valid(scada, i, rated_power_w) & sel
        pitch = _clean(scada.pitch_angle_deg[i], _PITCH_RANGE_DEG, "pitch_angle_deg")
        down = not_operating_mask(scada.wind_speed_m_s[i], scada.power_w[i], pitch, rated_power_w,
                                  operating_from_m_s) & valid
        normal = valid & ~down
        if normal.sum() < 2:
            raise ValueError(f"scada: turbine {name} has no records in normal operation in [{start}, {end})")
        v = scada.wind_speed_m_s[i]
        binned = bin_power_curve(v[normal], scada.power_w[i][normal], air_density_kg_m3=rho[i][normal],
                                 reference_density_kg_m3=STANDARD_AIR_DENSITY_KG_M3)
        curve = binned.to_power_curve(rotor_diameter_m, hub_height_m, name=f"{name}-binned",
                                      extrapolate_to_m_s=cut_out_m_s)
        availability = operational_availability(v, down, valid, operating_from_m_s)
        overall = v[normal].sum() / ref["wind_speed_m_s"][normal].sum()
        scale = np.full(sectors, overall)
        for k in range(sectors):
            in_k = normal & (sector == k)
            if in_k.sum() >= min_sector_records:
                scale[k] = v[in_k].sum() / ref["wind_speed_m_s"][in_k].sum()
        scale.flags.writeable = False
        out[name] = TurbineCalibration(turbine=name, binned=binned, curve=curve, availability=availability,
                                       speed_scale=scale, records_valid=int(valid.sum()),
                                       records_binned=int(normal.sum()), records_not_operating=int(down.sum()))
    return WindChainCalibration(start=pd.Timestamp(start), end=pd.Timestamp(end), hub_height_m=float(hub_height_m),
                                operating_from_m_s=float(operating_from_m_s), turbines=out)


# --------------------------------------------------------------------------- prediction and score
def predict_power_w(calibration: WindChainCalibration, scada: Scada, reference: ReferenceWind, start, end,
                    wind="nacelle") -> np.ndarray:
    """Predicted 10-minute mean power of every turbine [W], shape (turbine, step); NaN outside [start, end).

    ``wind``: "nacelle" (the record's nacelle speed and temperature; NaN where the speed is missing) or
    "reference" (the reference wind times the sector's speed scale, density from the reference alone); see the
    module docstring. The measured power of the period is not read.
    """
    if wind not in WIND_INPUTS:
        raise ValueError(f"wind: must be one of {WIND_INPUTS}, got {wind!r}")
    sel = _period(scada, start, end)
    missing = [t for t in scada.turbines if t not in calibration.turbines]
    if missing:
        raise ValueError(f"scada: turbine(s) {', '.join(missing)} not in the calibration")
    h = calibration.hub_height_m
    rho = hub_air_density_kg_m3(scada, reference, h, use_nacelle_temperature=(wind == "nacelle"))
    ref = reference.at(_record_middle(scada)) if wind == "reference" else None
    out = np.full(scada.power_w.shape, np.nan)
    for i, name in enumerate(scada.turbines):
        cal = calibration.turbines[name]
        if wind == "nacelle":
            speed = _clean(scada.wind_speed_m_s[i], _SPEED_RANGE_M_S, "wind_speed_m_s")
        else:
            sector = _sector(ref["wind_direction_deg"], cal.speed_scale.size)
            speed = cal.speed_scale[sector] * ref["wind_speed_m_s"]
        ok = sel & np.isfinite(speed)
        v_n = speed[ok] * np.cbrt(rho[i][ok] / STANDARD_AIR_DENSITY_KG_M3)
        out[i, ok] = cal.availability * turbine_power_w(cal.curve, v_n)
    return out


def _hourly(values: np.ndarray, time: pd.DatetimeIndex, per_hour: int) -> pd.Series:
    """Hourly means of complete hours (all ``per_hour`` records finite), else NaN."""
    s = pd.Series(values, index=time)
    hours = s.resample("1h")
    return hours.mean().where(hours.count() == per_hour)


def score_prediction(scada: Scada, predicted_w: np.ndarray, start, end, rated_power_w) -> dict[str, PredictionScore]:
    """Score a prediction of :func:`predict_power_w` against the measured power, per turbine and for the farm.

    Compared are the complete hours of [``start``, ``end``): hours whose records all have a valid measured power
    (present, within -10 %..120 % of ``rated_power_w`` [W]) and a prediction; for the farm ("farm") the hours
    complete for every turbine, summed over turbines. Hourly points are hourly energies; monthly points the sums
    of the month's compared hours. Measured downtime is kept: the prediction's availability accounts for it.
    """
    sel = _period(scada, start, end)
    pred = np.asarray(predicted_w, dtype=float)
    if pred.shape != scada.power_w.shape:
        raise ValueError(f"predicted_w: shape {pred.shape} differs from the SCADA's {scada.power_w.shape}")
    per_hour = int(round(3600.0 / scada.step_s))
    if per_hour * scada.step_s != 3600.0:
        raise ValueError(f"scada: step {scada.step_s:g} s does not divide an hour")
    time = scada.time[sel]
    measured_h, predicted_h = {}, {}
    for i, name in enumerate(scada.turbines):
        good = _valid(scada, i, rated_power_w)[sel] & np.isfinite(pred[i][sel])
        measured_h[name] = _hourly(np.where(good, scada.power_w[i][sel], np.nan), time, per_hour)
        predicted_h[name] = _hourly(np.where(good, pred[i][sel], np.nan), time, per_hour)
    measured = pd.DataFrame(measured_h)
    predicted = pd.DataFrame(predicted_h)
    measured["farm"] = measured.sum(axis=1, min_count=len(scada.turbines))
    predicted["farm"] = predicted.sum(axis=1, min_count=len(scada.turbines))
    scores = {}
    for name in measured.columns:
        ok = measured[name].notna() & predicted[name].notna()
        y, yhat = measured[name][ok], predicted[name][ok]  # hourly mean power [W] = hourly energy [Wh]
        if len(y) < 2:
            raise ValueError(f"scada: turbine {name} has fewer than 2 complete hours in [{start}, {end})")
        months = y.resample("MS").count() > 0
        y_month, yhat_month = y.resample("MS").sum()[months], yhat.resample("MS").sum()[months]
        scores[name] = PredictionScore(
            hours=int(len(y)), measured_energy_wh=float(y.sum()), predicted_energy_wh=float(yhat.sum()),
            energy_error=float(yhat.sum() / y.sum() - 1.0),
            hourly=guideline14(y.to_numpy(), yhat.to_numpy(), "hourly"),
            monthly=guideline14(y_month.to_numpy(), yhat_month.to_numpy(), "monthly") if len(y_month) > 1 else None)
    return scores
