"""Measured power curves: the method of bins of IEC 61400-12-1 and the data filters it prescribes.

Pure, vectorised functions (numpy arrays in, numpy arrays out). Units are SI and appear in every argument name.
Bad input raises ``ValueError("<argument>: <reason>")``. Missing measurements are NaN: the filters mark them
invalid, the binning refuses them (filter first).

Sources
-------
- IEC 61400-12-1:2017, *Power performance measurements of electricity producing wind turbines*: the method of
  bins (0.5 m/s bins centred on integer multiples of 0.5 m/s; the curve is the mean normalised wind speed and the
  mean power of each bin), the normalisation of the wind speed to a reference air density for turbines with
  active power control (V_n = V (rho / rho_0)^(1/3)), data rejection (turbine unavailable, out-of-range or failed
  measurements) and the database criterion (each bin from 1 m/s below cut-in to 1.5 times the speed at 85 % of
  rated power holds at least 30 minutes of data, and the database at least 180 hours).
- The AEP extrapolation of the same standard ("AEP-extrapolated"): the power of the highest complete bin held
  constant from there to cut-out.
- Peer implementation: OpenOA 3.2, ``openoa.utils.power_curve.IEC`` (bin means of power; its bins start at
  ``windspeed_start``, so ``windspeed_start=-0.25`` gives the IEC centring), compared in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from physics.wind_turbines import (
    STANDARD_AIR_DENSITY_KG_M3,
    PowerCurve,
    _array,
    _nonneg,
    _positive,
    _scalar,
    custom_power_curve,
)

__all__ = [
    "BinnedPowerCurve",
    "IEC_BIN_WIDTH_M_S",
    "IEC_MIN_RECORDS_PER_BIN",
    "bin_power_curve",
    "not_operating_mask",
    "operational_availability",
    "range_mask",
]

#: Bin width of the method of bins [m s-1] (IEC 61400-12-1).
IEC_BIN_WIDTH_M_S = 0.5

#: Fewest 10-minute records in a bin for it to count: 30 minutes of data (IEC 61400-12-1 database criterion).
IEC_MIN_RECORDS_PER_BIN = 3


def _nan_array(value, name: str) -> np.ndarray:
    """A float array that may hold NaN (a missing measurement), but no inf and nothing non-numeric."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be numeric") from None
    if np.any(np.isinf(arr)):
        raise ValueError(f"{name}: must not be infinite")
    return arr


def _same_shape(arrays: dict[str, np.ndarray]) -> None:
    shapes = {name: a.shape for name, a in arrays.items() if a.ndim > 0}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"{next(iter(shapes))}: shapes differ: {shapes}")


# --------------------------------------------------------------------------- filters (data rejection)
def range_mask(values, low, high, name="values"):
    """True where a measurement is present and within [low, high] (IEC 61400-12-1 data rejection).

    Out-of-range samples are failed or implausible measurements (e.g. an outdoor temperature of -273.2 degC, a
    negative wind speed) and are rejected; NaN (missing) is rejected too.

    Parameters
    ----------
    values : array_like
        Measurements, in the unit of ``low`` and ``high``; NaN where missing.
    low, high : float
        Accepted range, inclusive, ``low <= high``.
    name : str
        The measurement's name, for error messages.

    Returns
    -------
    np.ndarray of bool, the shape of ``values``.
    """
    x = _nan_array(values, name)
    lo = _scalar(low, "low")
    hi = _scalar(high, "high", lo)
    with np.errstate(invalid="ignore"):
        return np.isfinite(x) & (x >= lo) & (x <= hi)


def not_operating_mask(wind_speed_m_s, power_w, pitch_angle_deg, rated_power_w, operating_from_m_s=4.0,
                       max_pitch_deg=10.0, rated_fraction=0.9):
    """True where the turbine was stopped, derated or curtailed while the wind was in its operating range.

    IEC 61400-12-1 rejects the periods in which the turbine is not available (faults, manual stops, maintenance)
    and those of curtailment or derating. Without status codes, as in most open SCADA data, the signals tell it:
    with the wind at or above ``operating_from_m_s`` the turbine

    - made no power (``power_w <= 0``: stopped), or
    - had its blades pitched beyond ``max_pitch_deg`` while making less than ``rated_fraction`` of rated power
      (a variable-speed pitch-regulated turbine holds its blades near fine pitch, about 0 deg, until rated power;
      pitching out below rated power is a stop, a start, derating or curtailment).

    Below ``operating_from_m_s`` nothing is flagged: a turbine idling with feathered blades at the cut-in speed
    is available, it has no wind. Records with a NaN in any signal are not flagged (they are unknown, see
    :func:`range_mask`).

    Parameters
    ----------
    wind_speed_m_s : array_like
        Wind speed at the turbine (nacelle anemometer, 10-minute mean) [m s-1].
    power_w : array_like
        Active power, 10-minute mean [W].
    pitch_angle_deg : array_like
        Blade pitch angle, 10-minute mean [deg].
    rated_power_w : float
        Rated power [W], > 0.
    operating_from_m_s : float
        Speed from which a turbine in service produces [m s-1]: a little above cut-in.
    max_pitch_deg : float
        Largest pitch angle of normal operation below rated power [deg].
    rated_fraction : float
        Share of rated power below which a pitched-out turbine counts as curtailed [-], in (0, 1].

    Returns
    -------
    np.ndarray of bool, the broadcast shape of the inputs.
    """
    v = _nan_array(wind_speed_m_s, "wind_speed_m_s")
    p = _nan_array(power_w, "power_w")
    pitch = _nan_array(pitch_angle_deg, "pitch_angle_deg")
    _same_shape({"wind_speed_m_s": v, "power_w": p, "pitch_angle_deg": pitch})
    rated = _scalar(rated_power_w, "rated_power_w", 0, low_open=True)
    v_op = _scalar(operating_from_m_s, "operating_from_m_s", 0)
    max_pitch = _scalar(max_pitch_deg, "max_pitch_deg", -90, 90)
    fraction = _scalar(rated_fraction, "rated_fraction", 0, 1, low_open=True)
    with np.errstate(invalid="ignore"):
        in_range = v >= v_op
        stopped = p <= 0.0
        pitched_out = (pitch > max_pitch) & (p < fraction * rated)
    return in_range & (stopped | pitched_out)


def operational_availability(wind_speed_m_s, not_operating, valid, operating_from_m_s=4.0):
    """Share of the time with wind in the operating range in which the turbine ran normally [-].

    A = 1 - N(not operating) / N(valid and v >= ``operating_from_m_s``): the time-based availability of
    IEC TS 61400-26-1 restricted to the time the wind allows production, with curtailment counted as not
    operating (the SCADA signals do not separate the two). Multiplying a power curve by A gives the expected
    power when stops are independent of the wind within the operating range.

    Parameters
    ----------
    wind_speed_m_s : array_like
        Wind speed at the turbine [m s-1]; NaN where missing.
    not_operating : array_like of bool
        :func:`not_operating_mask`.
    valid : array_like of bool
        Records whose measurements are present and in range (:func:`range_mask`).
    operating_from_m_s : float
        As in :func:`not_operating_mask` [m s-1].

    Returns
    -------
    float in [0, 1].
    """
    v = _nan_array(wind_speed_m_s, "wind_speed_m_s")
    down = np.asarray(not_operating, dtype=bool)
    ok = np.asarray(valid, dtype=bool)
    _same_shape({"wind_speed_m_s": v, "not_operating": down, "valid": ok})
    v_op = _scalar(operating_from_m_s, "operating_from_m_s", 0)
    with np.errstate(invalid="ignore"):
        windy = ok & (v >= v_op)
    n = int(windy.sum())
    if n == 0:
        raise ValueError(f"valid: no valid record with wind_speed_m_s >= {v_op}")
    return 1.0 - float((down & windy).sum()) / n


# --------------------------------------------------------------------------- method of bins
@dataclass(frozen=True, eq=False)
class BinnedPowerCurve:
    """A power curve measured by the method of bins (IEC 61400-12-1), at ``reference_density_kg_m3``.

    Attributes
    ----------
    bin_centre_m_s : np.ndarray
        Centre of each kept bin, an integer multiple of the bin width [m s-1].
    wind_speed_m_s : np.ndarray
        Mean (density-normalised) wind speed of the records in each bin [m s-1]: the curve's abscissa.
    power_w : np.ndarray
        Mean power of the records in each bin [W]; may be < 0 near cut-in (standby consumption).
    count : np.ndarray
        Records in each bin [-], >= the ``min_count`` it was made with.
    power_std_w : np.ndarray
        Sample standard deviation of the power in each bin [W] (0 for a single record).
    reference_density_kg_m3 : float or None
        Air density the speeds were normalised to [kg m-3]; None when no density was given.
    bin_width_m_s : float
        Bin width [m s-1].
    """

    bin_centre_m_s: np.ndarray
    wind_speed_m_s: np.ndarray
    power_w: np.ndarray
    count: np.ndarray
    power_std_w: np.ndarray
    reference_density_kg_m3: float | None
    bin_width_m_s: float
    rated_power_w: float = field(init=False)

    def __post_init__(self) -> None:
        for name in ("bin_centre_m_s", "wind_speed_m_s", "power_w", "count", "power_std_w"):
            arr = np.array(getattr(self, name), dtype=int if name == "count" else float)
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "rated_power_w", float(self.power_w.max()))

    def to_power_curve(self, rotor_diameter_m, hub_height_m, name="binned", extrapolate_to_m_s=None) -> PowerCurve:
        """The binned curve as a :class:`~physics.wind_turbines.PowerCurve` (nodes: bin mean speed and power).

        Negative bin powers (standby consumption near cut-in) become 0 W: :class:`PowerCurve` models production
        only. Between bins :func:`~physics.wind_turbines.turbine_power_w` interpolates linearly, as IEC
        61400-12-1's AEP calculation does. Above the highest bin the curve gives 0 W ("AEP-measured") unless
        ``extrapolate_to_m_s`` [m s-1] adds a node there with the highest bin's power ("AEP-extrapolated", up to
        cut-out). Without a thrust table: the default Ct model of the custom curves applies.
        """
        speed = self.wind_speed_m_s
        power = np.maximum(self.power_w, 0.0)
        if extrapolate_to_m_s is not None:
            top = _scalar(extrapolate_to_m_s, "extrapolate_to_m_s")
            if top <= speed[-1]:
                raise ValueError(f"extrapolate_to_m_s: must exceed the highest bin's speed {speed[-1]:.3f}, "
                                 f"got {top!r}")
            speed = np.append(speed, top)
            power = np.append(power, power[-1])
        return custom_power_curve(speed, power, rotor_diameter_m, hub_height_m, name=name)

    def database_complete(self, cut_in_m_s, rated_power_w=None, record_s=600.0) -> bool:
        """IEC 61400-12-1's database criterion: at least 30 minutes in every bin from 1 m/s below ``cut_in_m_s``
        [m s-1] to 1.5 times the speed at 85 % of ``rated_power_w`` [W] (default: the highest bin power), and at
        least 180 hours in all.

        ``record_s`` is the averaging period of one record [s] (600 for 10-minute data). Empty bins inside the
        range fail the criterion.
        """
        cut_in = _scalar(cut_in_m_s, "cut_in_m_s", 0)
        rated = self.rated_power_w if rated_power_w is None else _scalar(rated_power_w, "rated_power_w", 0,
                                                                          low_open=True)
        step = _scalar(record_s, "record_s", 0, low_open=True)
        if self.count.sum() * step < 180 * 3600.0:
            return False
        v85 = float(np.interp(0.85 * rated, np.maximum.accumulate(self.power_w), self.wind_speed_m_s))
        w = self.bin_width_m_s
        first = int(np.floor((cut_in - 1.0) / w + 0.5))
        last = int(np.floor(1.5 * v85 / w + 0.5))
        have = dict(zip(np.rint(self.bin_centre_m_s / w).astype(int), self.count))
        return all(have.get(k, 0) * step >= 1800.0 for k in range(max(first, 0), last + 1))


def bin_power_curve(wind_speed_m_s, power_w, air_density_kg_m3=None,
                    reference_density_kg_m3=STANDARD_AIR_DENSITY_KG_M3, bin_width_m_s=IEC_BIN_WIDTH_M_S,
                    min_count=IEC_MIN_RECORDS_PER_BIN) -> BinnedPowerCurve:
    """Power curve by the method of bins of IEC 61400-12-1.

    With ``air_density_kg_m3`` each speed is first normalised to the reference density,
    V_n = V (rho / rho_ref)^(1/3) (IEC 61400-12-1, turbines with active power control). The records fall in bins
    of width w centred on integer multiples of w: bin k holds k w - w/2 <= V_n < k w + w/2. Each bin with at
    least ``min_count`` records gives one point of the curve: the mean normalised speed and the mean power of
    its records (``scipy.stats.binned_statistic``). Filter the records first (:func:`range_mask`,
    :func:`not_operating_mask`): the binning takes every record it is given.

    Parameters
    ----------
    wind_speed_m_s : array_like, shape (n,)
        Hub-height wind speed, 10-minute means [m s-1], >= 0, finite.
    power_w : array_like, shape (n,)
        Active power, 10-minute means [W], finite (may be < 0: standby consumption).
    air_density_kg_m3 : array_like, shape (n,), or float, optional
        Air density at hub height [kg m-3], > 0; None: no normalisation.
    reference_density_kg_m3 : float
        Density to normalise to [kg m-3] (1.225, sea-level ISO standard atmosphere, or the site mean).
    bin_width_m_s : float
        Bin width [m s-1], > 0; IEC: 0.5.
    min_count : int
        Fewest records for a bin to be kept, >= 1; IEC: 3 ten-minute records (30 minutes).

    Returns
    -------
    BinnedPowerCurve
        Kept bins in increasing speed; their mean speeds increase strictly (the bins do not overlap).
    """
    v = _nonneg(wind_speed_m_s, "wind_speed_m_s").ravel()
    p = _array(power_w, "power_w").ravel()
    if p.size != v.size:
        raise ValueError(f"power_w: length {p.size} differs from wind_speed_m_s ({v.size})")
    rho_ref = None
    if air_density_kg_m3 is not None:
        rho = _positive(air_density_kg_m3, "air_density_kg_m3")
        if rho.ndim > 0:
            rho = rho.ravel()
            if rho.size != v.size:
                raise ValueError(f"air_density_kg_m3: length {rho.size} differs from wind_speed_m_s ({v.size})")
        rho_ref = _scalar(reference_density_kg_m3, "reference_density_kg_m3", 0, low_open=True)
        v = v * np.cbrt(rho / rho_ref)
    w = _scalar(bin_width_m_s, "bin_width_m_s", 0, low_open=True)
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"min_count: must be an integer >= 1, got {min_count!r}")
    if v.size == 0:
        raise ValueError("wind_speed_m_s: no records")
    k = np.floor(v / w + 0.5).astype(np.int64)
    edges = (np.arange(k.min(), k.max() + 2) - 0.5) * w
    # binned_statistic's bins are [e_i, e_i+1) (the last one closed): place each record at its bin's centre k w,
    # not at its value, so that a record on an edge (v = (k - 1/2) w) counts in bin k as the formula above says.
    at = k * w
    from scipy.stats import binned_statistic  # here: scipy.stats costs every run that imports physics.wind 50 MB

    count = binned_statistic(at, None, "count", bins=edges).statistic
    mean_v, mean_p = binned_statistic(at, [v, p], "mean", bins=edges).statistic
    spread = binned_statistic(at, p, "std", bins=edges).statistic  # population standard deviation
    with np.errstate(invalid="ignore", divide="ignore"):
        std_p = np.where(count > 1, spread * np.sqrt(count / np.maximum(count - 1, 1)), 0.0)
    keep = count >= min_count
    if keep.sum() < 2:
        raise ValueError(f"wind_speed_m_s: fewer than 2 bins hold >= {min_count} records ({int(keep.sum())})")
    centres = np.arange(k.min(), k.max() + 1)[keep] * w
    return BinnedPowerCurve(bin_centre_m_s=centres, wind_speed_m_s=mean_v[keep], power_w=mean_p[keep],
                            count=count[keep].astype(int), power_std_w=std_p[keep],
                            reference_density_kg_m3=rho_ref, bin_width_m_s=w)
