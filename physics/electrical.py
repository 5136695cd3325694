"""Electrical balance of plant: cables, transformers, battery, bus dispatch.

Steady-state active-power models. The AC cable model is the short-line
model (series resistance only): cable charging current and reactive
compensation of long HVAC subsea cables are not modelled. Functions marked
"hot path" are called once per simulation step with Python floats and use
only plain float arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "COPPER_TEMP_COEFFICIENT_PER_K",
    "cable_resistance_ohm",
    "cable_loss_coefficient_per_w",
    "cable_sending_power_w",
    "cable_sending_power_scalar_w",
    "cable_current_a",
    "transformer_loss_w",
    "transformer_load_loss_coefficient_per_w2",
    "transformer_loss_scalar_w",
    "BatteryParams",
    "battery_step",
    "dispatch_bus",
    "EAST_CHINA_GRID_CARBON_KG_PER_KWH",
    "hourly_carbon_profile",
]

#: Temperature coefficient of resistance of annealed copper at 20 degC [1/K]
#: (IEC 60228 Annex, temperature correction; 0.00393/K).
COPPER_TEMP_COEFFICIENT_PER_K = 0.00393

_SQRT3 = math.sqrt(3.0)


def _check_power_factor(power_factor: float) -> None:
    if not (math.isfinite(power_factor) and 0.0 < power_factor <= 1.0):
        raise ValueError("power_factor: must be within (0, 1]")


def cable_resistance_ohm(
    resistance_ohm_per_km: float,
    length_m: float,
    parallel_count: int = 1,
    conductor_temp_c: float | None = None,
    temp_coefficient_per_k: float = COPPER_TEMP_COEFFICIENT_PER_K,
) -> float:
    """Per-phase resistance of ``parallel_count`` identical cables in parallel.

    ``R = r_20 * L / n * (1 + alpha (T - 20))``, the IEC 60228 linear
    temperature correction (no correction when ``conductor_temp_c`` is None).

    Parameters
    ----------
    resistance_ohm_per_km : float
        Per-phase conductor resistance at 20 degC [ohm/km], > 0 (AC value
        from the cable datasheet where available, else IEC 60228 DC value).
    length_m : float
        Route length [m], > 0.
    parallel_count : int
        Number of identical three-phase circuits in parallel, >= 1.
    conductor_temp_c : float or None
        Conductor temperature [degC], in (-273.15, 250]; None keeps 20 degC.
    temp_coefficient_per_k : float
        Temperature coefficient at 20 degC [1/K], >= 0.

    Returns
    -------
    float
        Per-phase resistance [ohm].
    """
    if not (math.isfinite(resistance_ohm_per_km) and resistance_ohm_per_km > 0.0):
        raise ValueError("resistance_ohm_per_km: must be finite and > 0")
    if not (math.isfinite(length_m) and length_m > 0.0):
        raise ValueError("length_m: must be finite and > 0")
    if isinstance(parallel_count, bool) or int(parallel_count) != parallel_count or parallel_count < 1:
        raise ValueError("parallel_count: must be an integer >= 1")
    if not (math.isfinite(temp_coefficient_per_k) and temp_coefficient_per_k >= 0.0):
        raise ValueError("temp_coefficient_per_k: must be finite and >= 0")
    r = resistance_ohm_per_km * (length_m / 1000.0) / parallel_count
    if conductor_temp_c is None:
        return r
    if not (math.isfinite(conductor_temp_c) and -273.15 < conductor_temp_c <= 250.0):
        raise ValueError("conductor_temp_c: must be within (-273.15, 250] degC")
    factor = 1.0 + temp_coefficient_per_k * (conductor_temp_c - 20.0)
    if factor <= 0.0:
        raise ValueError("conductor_temp_c: gives a non-positive resistance with this coefficient")
    return r * factor


def cable_loss_coefficient_per_w(
    voltage_v: float, resistance_ohm: float, power_factor: float = 0.95
) -> float:
    """Loss coefficient ``k = R / (V pf)^2`` so that ``loss = k P^2`` [1/W].

    From ``I = P / (sqrt(3) V pf)`` and ``loss = 3 I^2 R``.

    Parameters
    ----------
    voltage_v : float
        Line-to-line voltage [V], > 0.
    resistance_ohm : float
        Per-phase resistance [ohm], >= 0.
    power_factor : float
        Power factor [-], in (0, 1].
    """
    if not (math.isfinite(voltage_v) and voltage_v > 0.0):
        raise ValueError("voltage_v: must be finite and > 0")
    if not (math.isfinite(resistance_ohm) and resistance_ohm >= 0.0):
        raise ValueError("resistance_ohm: must be finite and >= 0")
    _check_power_factor(power_factor)
    vp = voltage_v * power_factor
    return resistance_ohm / (vp * vp)


def cable_sending_power_w(
    received_power_w, voltage_v: float, resistance_ohm: float, power_factor: float = 0.95
) -> np.ndarray:
    """Power to send into a three-phase cable so that ``received_power_w`` arrives.

    The current is set by the sending-end power at the (nominal, sending-end)
    line voltage: ``I = P_s / (sqrt(3) V pf)``, ``loss = 3 I^2 R = k P_s^2``
    with ``k = R/(V pf)^2``. Hence ``k P_s^2 - P_s + P_r = 0``, whose physical
    (smaller) root is taken in the cancellation-free form
    ``P_s = 2 P_r / (1 + sqrt(1 - 4 k P_r))``.

    Parameters
    ----------
    received_power_w : float or array_like
        Active power delivered at the far end [W], >= 0.
    voltage_v : float
        Line-to-line voltage [V].
    resistance_ohm : float
        Per-phase resistance [ohm].
    power_factor : float
        Power factor [-].

    Returns
    -------
    numpy.ndarray
        Sending-end active power [W].

    Raises
    ------
    ValueError
        If any received power is negative, or above ``1/(4k)`` (the cable
        cannot deliver it: the discriminant is negative).
    """
    k = cable_loss_coefficient_per_w(voltage_v, resistance_ohm, power_factor)
    p_r = np.asarray(received_power_w, dtype=float)
    if not np.all(np.isfinite(p_r)) or np.any(p_r < 0.0):
        raise ValueError("received_power_w: must be finite and >= 0")
    disc = 1.0 - 4.0 * k * p_r
    if np.any(disc < 0.0):
        raise ValueError(
            f"received_power_w: exceeds the cable's deliverable maximum 1/(4k) = {0.25 / k:.6g} W"
        )
    return 2.0 * p_r / (1.0 + np.sqrt(disc))


def cable_sending_power_scalar_w(received_power_w: float, loss_coefficient_per_w: float) -> float:
    """Scalar hot-path twin of :func:`cable_sending_power_w`.

    Parameters
    ----------
    received_power_w : float
        Power delivered at the far end [W], >= 0.
    loss_coefficient_per_w : float
        ``R / (V pf)^2`` [1/W] from :func:`cable_loss_coefficient_per_w`.

    Returns
    -------
    float
        Sending-end power [W].
    """
    if received_power_w < 0.0:
        raise ValueError("received_power_w: must be >= 0")
    disc = 1.0 - 4.0 * loss_coefficient_per_w * received_power_w
    if disc < 0.0:
        raise ValueError("received_power_w: exceeds the cable's deliverable maximum 1/(4k)")
    return 2.0 * received_power_w / (1.0 + math.sqrt(disc))


def cable_current_a(power_w, voltage_v: float, power_factor: float = 0.95) -> np.ndarray:
    """Line current of a balanced three-phase circuit, ``I = |P| / (sqrt(3) V pf)``.

    Parameters
    ----------
    power_w : float or array_like
        Active power [W].
    voltage_v : float
        Line-to-line voltage [V], > 0.
    power_factor : float
        Power factor [-], in (0, 1].

    Returns
    -------
    numpy.ndarray
        Current per phase [A].
    """
    if not (math.isfinite(voltage_v) and voltage_v > 0.0):
        raise ValueError("voltage_v: must be finite and > 0")
    _check_power_factor(power_factor)
    p = np.asarray(power_w, dtype=float)
    if not np.all(np.isfinite(p)):
        raise ValueError("power_w: must be finite")
    return np.abs(p) / (_SQRT3 * voltage_v * power_factor)


def transformer_load_loss_coefficient_per_w2(
    rated_power_va: float, load_loss_rated_w: float, power_factor: float = 0.95
) -> float:
    """Coefficient ``c = P_k / (S_r pf)^2`` so that load loss ``= c P^2`` [1/W].

    Parameters
    ----------
    rated_power_va : float
        Rated apparent power [VA], > 0.
    load_loss_rated_w : float
        Load (short-circuit) loss at rated current [W], >= 0.
    power_factor : float
        Power factor [-], in (0, 1].
    """
    if not (math.isfinite(rated_power_va) and rated_power_va > 0.0):
        raise ValueError("rated_power_va: must be finite and > 0")
    if not (math.isfinite(load_loss_rated_w) and load_loss_rated_w >= 0.0):
        raise ValueError("load_loss_rated_w: must be finite and >= 0")
    _check_power_factor(power_factor)
    s = rated_power_va * power_factor
    return load_loss_rated_w / (s * s)


def transformer_loss_w(
    load_w,
    rated_power_va: float,
    no_load_loss_w: float,
    load_loss_rated_w: float,
    power_factor: float = 0.95,
) -> np.ndarray:
    """Transformer loss ``P_0 + P_k (S / S_r)^2`` with ``S = |P| / pf`` (IEC 60076-1).

    The no-load (iron) loss is drawn whenever the transformer is energised,
    including at zero load. Load loss at the reference temperature; overload
    (S > S_r) is allowed and follows the same square law.

    Parameters
    ----------
    load_w : float or array_like
        Active power through the transformer [W] (sign ignored).
    rated_power_va : float
        Rated apparent power [VA].
    no_load_loss_w : float
        No-load loss P_0 [W], >= 0.
    load_loss_rated_w : float
        Load loss at rated power P_k [W], >= 0.
    power_factor : float
        Power factor [-].

    Returns
    -------
    numpy.ndarray
        Total loss [W].
    """
    if not (math.isfinite(no_load_loss_w) and no_load_loss_w >= 0.0):
        raise ValueError("no_load_loss_w: must be finite and >= 0")
    c = transformer_load_loss_coefficient_per_w2(rated_power_va, load_loss_rated_w, power_factor)
    p = np.asarray(load_w, dtype=float)
    if not np.all(np.isfinite(p)):
        raise ValueError("load_w: must be finite")
    return no_load_loss_w + c * p * p


def transformer_loss_scalar_w(
    load_w: float, no_load_loss_w: float, load_loss_coefficient_per_w2: float
) -> float:
    """Scalar hot-path twin of :func:`transformer_loss_w`: ``P_0 + c P^2`` [W].

    ``load_loss_coefficient_per_w2`` comes from
    :func:`transformer_load_loss_coefficient_per_w2` [1/W].
    """
    return no_load_loss_w + load_loss_coefficient_per_w2 * load_w * load_w


@dataclass(frozen=True)
class BatteryParams:
    """Battery energy storage parameters (validated).

    Parameters
    ----------
    energy_capacity_wh : float
        Nameplate energy [Wh], > 0.
    max_charge_power_w : float
        Maximum power taken from the bus while charging [W], >= 0.
    max_discharge_power_w : float
        Maximum power delivered to the bus while discharging [W], >= 0.
    round_trip_efficiency : float
        AC-to-AC round-trip efficiency [-], in (0, 1].
    soc_min_fraction, soc_max_fraction : float
        Usable state-of-charge window [-], 0 <= min < max <= 1.
    """

    energy_capacity_wh: float
    max_charge_power_w: float
    max_discharge_power_w: float
    round_trip_efficiency: float
    soc_min_fraction: float = 0.1
    soc_max_fraction: float = 0.9

    def __post_init__(self) -> None:
        if not (math.isfinite(self.energy_capacity_wh) and self.energy_capacity_wh > 0.0):
            raise ValueError("energy_capacity_wh: must be finite and > 0")
        if not (math.isfinite(self.max_charge_power_w) and self.max_charge_power_w >= 0.0):
            raise ValueError("max_charge_power_w: must be finite and >= 0")
        if not (math.isfinite(self.max_discharge_power_w) and self.max_discharge_power_w >= 0.0):
            raise ValueError("max_discharge_power_w: must be finite and >= 0")
        if not (0.0 < self.round_trip_efficiency <= 1.0):
            raise ValueError("round_trip_efficiency: must be within (0, 1]")
        if not (0.0 <= self.soc_min_fraction < self.soc_max_fraction <= 1.0):
            raise ValueError(
                "soc_min_fraction, soc_max_fraction: need 0 <= soc_min < soc_max <= 1"
            )

    @property
    def one_way_efficiency(self) -> float:
        """``sqrt(round_trip_efficiency)`` [-], applied on charge and on discharge."""
        return math.sqrt(self.round_trip_efficiency)

    @property
    def energy_min_wh(self) -> float:
        """Lowest allowed stored energy [Wh]."""
        return self.energy_capacity_wh * self.soc_min_fraction

    @property
    def energy_max_wh(self) -> float:
        """Highest allowed stored energy [Wh]."""
        return self.energy_capacity_wh * self.soc_max_fraction


def battery_step(
    energy_wh: float, request_w: float, step_s: float, p: BatteryParams
) -> tuple[float, float, float]:
    """Advance a battery by one step (hot path, scalar).

    Charge: bus power ``P_b`` stores ``P_b * eta * dt``; discharge: delivering
    ``P_b`` to the bus draws ``P_b / eta * dt`` from storage; ``eta =
    sqrt(round_trip_efficiency)`` on each leg, so a full cycle returns
    ``round_trip_efficiency`` of the energy. The request is clipped to the
    power limit, then to the SOC window. The loss is computed as the
    residual, so ``bus_w * dt/3600 == (E_new - E) + loss_w * dt/3600`` up to
    one rounding.

    Parameters
    ----------
    energy_wh : float
        Stored energy at the start of the step [Wh], in [0, capacity].
    request_w : float
        Requested bus power [W]: > 0 charge (taken from the bus), < 0
        discharge (delivered to the bus).
    step_s : float
        Step length [s], > 0.
    p : BatteryParams

    Returns
    -------
    tuple of float
        ``(new_energy_wh, bus_power_w, loss_w)``: stored energy after the
        step [Wh], bus power actually exchanged [W] (+charge/-discharge),
        mean conversion loss over the step [W] (>= 0).
    """
    if not 0.0 <= energy_wh <= p.energy_capacity_wh:
        raise ValueError("energy_wh: must be within [0, energy_capacity_wh]")
    if not step_s > 0.0:
        raise ValueError("step_s: must be > 0")
    if not math.isfinite(request_w):
        raise ValueError("request_w: must be finite")
    hours = step_s / 3600.0
    eta = math.sqrt(p.round_trip_efficiency)
    if request_w > 0.0:
        bus_w = min(request_w, p.max_charge_power_w)
        headroom_wh = p.energy_capacity_wh * p.soc_max_fraction - energy_wh
        if headroom_wh <= 0.0 or bus_w <= 0.0:
            return energy_wh, 0.0, 0.0
        stored_wh = bus_w * eta * hours
        if stored_wh >= headroom_wh:
            stored_wh = headroom_wh
            bus_w = headroom_wh / (eta * hours)
        new_energy_wh = energy_wh + stored_wh
        loss_w = bus_w - (new_energy_wh - energy_wh) / hours
        return new_energy_wh, bus_w, loss_w
    if request_w < 0.0:
        bus_w = min(-request_w, p.max_discharge_power_w)
        available_wh = energy_wh - p.energy_capacity_wh * p.soc_min_fraction
        if available_wh <= 0.0 or bus_w <= 0.0:
            return energy_wh, 0.0, 0.0
        drawn_wh = bus_w / eta * hours
        if drawn_wh >= available_wh:
            drawn_wh = available_wh
            bus_w = available_wh * eta / hours
        new_energy_wh = energy_wh - drawn_wh
        loss_w = (energy_wh - new_energy_wh) / hours - bus_w
        return new_energy_wh, -bus_w, loss_w
    return energy_wh, 0.0, 0.0


def dispatch_bus(
    wind_available_w: float,
    demand_w: float,
    export_limit_w: float,
    grid_import_limit_w: float,
    grid_available: bool,
) -> tuple[float, float, float, float, float]:
    """Merit-order balance of the data-centre bus (hot path, scalar).

    Wind serves the demand first; the shortfall is imported from the grid up
    to ``grid_import_limit_w`` and any remainder is unserved. The wind
    surplus is exported up to ``export_limit_w`` and the rest curtailed.
    When ``grid_available`` is False (shore link out) there is neither import
    nor export. The battery is dispatched by the caller, not here.

    Parameters
    ----------
    wind_available_w, demand_w, export_limit_w, grid_import_limit_w : float
        Powers [W], all >= 0.
    grid_available : bool
        Whether the shore grid connection is in service.

    Returns
    -------
    tuple of float
        ``(wind_used_w, grid_import_w, export_w, curtailed_w, unserved_w)``
        [W], with ``wind_used + export + curtailed == wind_available`` and
        ``wind_used + grid_import + unserved == demand``.
    """
    if not wind_available_w >= 0.0:
        raise ValueError("wind_available_w: must be >= 0")
    if not demand_w >= 0.0:
        raise ValueError("demand_w: must be >= 0")
    if not export_limit_w >= 0.0:
        raise ValueError("export_limit_w: must be >= 0")
    if not grid_import_limit_w >= 0.0:
        raise ValueError("grid_import_limit_w: must be >= 0")
    if wind_available_w >= demand_w:
        wind_used_w = demand_w
        surplus_w = wind_available_w - demand_w
        export_w = min(surplus_w, export_limit_w) if grid_available else 0.0
        return wind_used_w, 0.0, export_w, surplus_w - export_w, 0.0
    wind_used_w = wind_available_w
    shortfall_w = demand_w - wind_available_w
    grid_w = min(shortfall_w, grid_import_limit_w) if grid_available else 0.0
    return wind_used_w, grid_w, 0.0, 0.0, shortfall_w - grid_w


#: Default grid emission factor [kg CO2/kWh] for the shore supply (Shanghai,
#: East China grid). Value: 0.5703 t CO2/MWh, the national grid average
#: emission factor set by China's Ministry of Ecology and Environment for
#: 2023-2025 enterprise GHG reporting (MEE notice Huan Ban Qi Hou Han [2023]
#: No. 43). It is the NATIONAL average used as a stand-in: the East China
#: regional factor (MEE/NBS regional electricity CO2 factors) could not be
#: verified while writing this module; override it when citing regional data.
EAST_CHINA_GRID_CARBON_KG_PER_KWH: float = 0.5703


def hourly_carbon_profile(
    mean_kg_per_kwh: float, amplitude_fraction: float = 0.0, peak_hour: float = 19.0
) -> np.ndarray:
    """24-hour grid carbon-intensity profile with a preserved daily mean.

    ``c(h) = mean * (1 + a cos(2 pi (h - peak_hour) / 24))`` for hours
    ``h = 0..23`` (value for the hour starting at ``h``). The cosine sums to
    zero over 24 equally spaced hours, so the mean is exactly ``mean``.

    Parameters
    ----------
    mean_kg_per_kwh : float
        Daily mean intensity [kg CO2/kWh], >= 0.
    amplitude_fraction : float
        Relative amplitude [-], in [0, 1] (keeps values non-negative).
    peak_hour : float
        Hour of maximum intensity [h], in [0, 24).

    Returns
    -------
    numpy.ndarray
        Shape (24,), intensity per hour [kg CO2/kWh].
    """
    if not (math.isfinite(mean_kg_per_kwh) and mean_kg_per_kwh >= 0.0):
        raise ValueError("mean_kg_per_kwh: must be finite and >= 0")
    if not (0.0 <= amplitude_fraction <= 1.0):
        raise ValueError("amplitude_fraction: must be within [0, 1]")
    if not (0.0 <= peak_hour < 24.0):
        raise ValueError("peak_hour: must be within [0, 24)")
    hours = np.arange(24.0)
    return mean_kg_per_kwh * (1.0 + amplitude_fraction * np.cos(2.0 * np.pi * (hours - peak_hour) / 24.0))
