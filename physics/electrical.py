"""Electrical balance of plant: cables, transformers, battery, bus dispatch.

Steady-state active-power models. The AC cable model is the short-line
model (series resistance only): cable charging current and reactive
compensation of long HVAC subsea cables are not modelled. Cable loss is
computed on the sending-end current, ``loss = k P_s^2`` with
``k = R / (V pf)^2``, so ``P_r = P_s - k P_s^2`` everywhere in this module.
Functions named ``*_scalar*`` (and ``battery_step``) are the hot-path twins,
called once per simulation step with Python floats; they use plain float
arithmetic and give the same numbers as the vectorised versions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from physics.checks import finite_array, finite_float

__all__ = [
    "COPPER_TEMP_COEFFICIENT_PER_K",
    "cable_resistance_ohm",
    "cable_loss_coefficient_per_w",
    "cable_sending_power_w",
    "cable_sending_power_scalar_w",
    "cable_received_power_w",
    "cable_current_a",
    "transformer_loss_w",
    "transformer_load_loss_coefficient_per_w2",
    "transformer_loss_scalar_w",
    "BatteryParams",
    "battery_step",
    "BusDispatch",
    "dispatch_bus",
    "dispatch_bus_scalar",
    "EAST_CHINA_GRID_CARBON_KG_PER_KWH",
    "CHINA_NATIONAL_GRID_CARBON_KG_PER_KWH",
    "hourly_carbon_profile",
]

#: Temperature coefficient of resistance of annealed copper at 20 degC [1/K]:
#: 3.93e-3, IEC 60287-1-1 Table 1 (copper); consistent with the IEC 60228
#: Annex B correction factor 254.5 / (234.5 + t), i.e. 1/254.5 = 0.003929/K.
COPPER_TEMP_COEFFICIENT_PER_K = 0.00393

_SQRT3 = math.sqrt(3.0)




def _check_power_factor(power_factor: float) -> float:
    pf = finite_float(power_factor, "power_factor")
    if not 0.0 < pf <= 1.0:
        raise ValueError(f"power_factor: must be within (0, 1], got {power_factor!r}")
    return pf


def cable_resistance_ohm(
    resistance_ohm_per_km: float,
    length_m: float,
    parallel_count: int = 1,
    conductor_temp_c: float | None = None,
    temp_coefficient_per_k: float = COPPER_TEMP_COEFFICIENT_PER_K,
) -> float:
    """Per-phase resistance of ``parallel_count`` identical cables in parallel.

    ``R = r_20 * L / n * (1 + alpha_20 (T - 20))``, the linear temperature
    correction of IEC 60287-1-1 (no correction when ``conductor_temp_c`` is
    None). Skin and proximity effects (AC/DC ratio) are not added: pass an
    AC resistance if they matter.

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
    resistance_ohm_per_km = finite_float(resistance_ohm_per_km, "resistance_ohm_per_km")
    if resistance_ohm_per_km <= 0.0:
        raise ValueError("resistance_ohm_per_km: must be finite and > 0")
    length_m = finite_float(length_m, "length_m")
    if length_m <= 0.0:
        raise ValueError("length_m: must be finite and > 0")
    if (
        isinstance(parallel_count, bool)
        or not isinstance(parallel_count, (int, np.integer))
        or parallel_count < 1
    ):
        raise ValueError(f"parallel_count: must be an integer >= 1, got {parallel_count!r}")
    temp_coefficient_per_k = finite_float(temp_coefficient_per_k, "temp_coefficient_per_k")
    if temp_coefficient_per_k < 0.0:
        raise ValueError("temp_coefficient_per_k: must be finite and >= 0")
    r = resistance_ohm_per_km * (length_m / 1000.0) / int(parallel_count)
    if conductor_temp_c is None:
        return r
    conductor_temp_c = finite_float(conductor_temp_c, "conductor_temp_c")
    if not -273.15 < conductor_temp_c <= 250.0:
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
    voltage_v = finite_float(voltage_v, "voltage_v")
    if voltage_v <= 0.0:
        raise ValueError("voltage_v: must be finite and > 0")
    resistance_ohm = finite_float(resistance_ohm, "resistance_ohm")
    if resistance_ohm < 0.0:
        raise ValueError("resistance_ohm: must be finite and >= 0")
    power_factor = _check_power_factor(power_factor)
    vp = voltage_v * power_factor
    return resistance_ohm / (vp * vp)


def cable_sending_power_w(
    received_power_w, voltage_v: float, resistance_ohm: float, power_factor: float = 0.95
) -> np.ndarray:
    """Power to send into a three-phase cable so that ``received_power_w`` arrives.

    Formulation (used by every cable function of this module): the current
    is set by the SENDING-end active power at the nominal line-to-line
    voltage, ``I = P_s / (sqrt(3) V pf)``, so ``loss = 3 I^2 R = k P_s^2``
    with ``k = R / (V pf)^2`` (:func:`cable_loss_coefficient_per_w`), and

        P_r = P_s - k P_s^2.

    Solving ``k P_s^2 - P_s + P_r = 0`` for the physical (smaller) root, in
    the cancellation-free form:

        P_s = 2 P_r / (1 + sqrt(1 - 4 k P_r)).

    Parameters
    ----------
    received_power_w : float or array_like
        Active power delivered at the far end [W], >= 0.
    voltage_v : float
        Line-to-line voltage [V], > 0.
    resistance_ohm : float
        Per-phase resistance [ohm], >= 0 (:func:`cable_resistance_ohm`).
    power_factor : float
        Power factor [-], in (0, 1].

    Returns
    -------
    numpy.ndarray
        Sending-end active power [W], same shape as ``received_power_w``.

    Raises
    ------
    ValueError
        If any received power is negative or not finite, or above ``1/(4k)``
        (the most this cable can deliver under this model).
    """
    k = cable_loss_coefficient_per_w(voltage_v, resistance_ohm, power_factor)
    p_r = finite_array(received_power_w, "received_power_w")
    if np.any(p_r < 0.0):
        raise ValueError("received_power_w: must be finite and >= 0")
    disc = 1.0 - 4.0 * k * p_r
    if np.any(disc < 0.0):
        raise ValueError(
            f"received_power_w: exceeds the cable's deliverable maximum 1/(4k) = {0.25 / k:.6g} W"
        )
    return 2.0 * p_r / (1.0 + np.sqrt(disc))


def cable_sending_power_scalar_w(received_power_w: float, loss_coefficient_per_w: float) -> float:
    """Scalar hot-path twin of :func:`cable_sending_power_w` (same formula, same result).

    ``P_s = 2 P_r / (1 + sqrt(1 - 4 k P_r))``, so that ``P_s - k P_s^2 = P_r``.

    Parameters
    ----------
    received_power_w : float
        Power delivered at the far end [W], finite, >= 0.
    loss_coefficient_per_w : float
        ``k = R / (V pf)^2`` [1/W] from :func:`cable_loss_coefficient_per_w`,
        finite, >= 0.

    Returns
    -------
    float
        Sending-end power [W].

    Raises
    ------
    ValueError
        If an argument is negative or not finite, or ``P_r > 1/(4k)``.
    """
    if not 0.0 <= received_power_w < math.inf:
        raise ValueError(f"received_power_w: must be finite and >= 0, got {received_power_w!r}")
    if not 0.0 <= loss_coefficient_per_w < math.inf:
        raise ValueError(
            f"loss_coefficient_per_w: must be finite and >= 0, got {loss_coefficient_per_w!r}"
        )
    disc = 1.0 - 4.0 * loss_coefficient_per_w * received_power_w
    if disc < 0.0:
        raise ValueError("received_power_w: exceeds the cable's deliverable maximum 1/(4k)")
    return 2.0 * received_power_w / (1.0 + math.sqrt(disc))


def cable_received_power_w(
    sending_power_w, voltage_v: float, resistance_ohm: float, power_factor: float = 0.95
) -> np.ndarray:
    """Power arriving at the far end when ``sending_power_w`` is sent: ``P_s - k P_s^2``.

    Inverse of :func:`cable_sending_power_w` (same formulation, loss on the
    sending-end current).

    Parameters
    ----------
    sending_power_w : float or array_like
        Active power sent into the cable [W], in [0, 1/(2k)].
    voltage_v : float
        Line-to-line voltage [V], > 0.
    resistance_ohm : float
        Per-phase resistance [ohm], >= 0.
    power_factor : float
        Power factor [-], in (0, 1].

    Returns
    -------
    numpy.ndarray
        Received active power [W].

    Raises
    ------
    ValueError
        If any sending power is negative, not finite, or above ``1/(2k)``
        (beyond it the model's received power would fall as more is sent).
    """
    k = cable_loss_coefficient_per_w(voltage_v, resistance_ohm, power_factor)
    p_s = finite_array(sending_power_w, "sending_power_w")
    if np.any(p_s < 0.0):
        raise ValueError("sending_power_w: must be finite and >= 0")
    if np.any(2.0 * k * p_s > 1.0):
        raise ValueError(f"sending_power_w: exceeds the model's limit 1/(2k) = {0.5 / k:.6g} W")
    return p_s - k * p_s * p_s


def cable_current_a(power_w, voltage_v: float, power_factor: float = 0.95) -> np.ndarray:
    """Line current of a balanced three-phase circuit, ``I = |P| / (sqrt(3) V pf)``.

    Parameters
    ----------
    power_w : float or array_like
        Active power [W] (sign ignored).
    voltage_v : float
        Line-to-line voltage [V], > 0.
    power_factor : float
        Power factor [-], in (0, 1].

    Returns
    -------
    numpy.ndarray
        Current per phase [A].
    """
    voltage_v = finite_float(voltage_v, "voltage_v")
    if voltage_v <= 0.0:
        raise ValueError("voltage_v: must be finite and > 0")
    power_factor = _check_power_factor(power_factor)
    p = finite_array(power_w, "power_w")
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

    Returns
    -------
    float
        ``c`` [1/W].
    """
    rated_power_va = finite_float(rated_power_va, "rated_power_va")
    if rated_power_va <= 0.0:
        raise ValueError("rated_power_va: must be finite and > 0")
    load_loss_rated_w = finite_float(load_loss_rated_w, "load_loss_rated_w")
    if load_loss_rated_w < 0.0:
        raise ValueError("load_loss_rated_w: must be finite and >= 0")
    power_factor = _check_power_factor(power_factor)
    s = rated_power_va * power_factor
    return load_loss_rated_w / (s * s)


def transformer_loss_w(
    load_w,
    rated_power_va: float,
    no_load_loss_w: float,
    load_loss_rated_w: float,
    power_factor: float = 0.95,
) -> np.ndarray:
    """Transformer loss ``P_0 + P_k (S / S_r)^2`` with ``S = |P| / pf``.

    The usual two-term loss model of a power transformer: no-load (iron)
    loss ``P_0`` and load (winding) loss ``P_k`` as measured in the IEC
    60076-1 no-load and short-circuit tests, the latter scaling with the
    square of the current. The no-load loss is drawn whenever the
    transformer is energised, including at zero load. Overload (S > S_r) is
    allowed and follows the same square law; winding-temperature effects on
    ``P_k`` are not modelled.

    Parameters
    ----------
    load_w : float or array_like
        Active power through the transformer [W] (sign ignored).
    rated_power_va : float
        Rated apparent power [VA], > 0.
    no_load_loss_w : float
        No-load loss P_0 [W], >= 0.
    load_loss_rated_w : float
        Load loss at rated power P_k [W], >= 0.
    power_factor : float
        Power factor [-], in (0, 1].

    Returns
    -------
    numpy.ndarray
        Total loss [W].
    """
    no_load_loss_w = finite_float(no_load_loss_w, "no_load_loss_w")
    if no_load_loss_w < 0.0:
        raise ValueError("no_load_loss_w: must be finite and >= 0")
    c = transformer_load_loss_coefficient_per_w2(rated_power_va, load_loss_rated_w, power_factor)
    p = finite_array(load_w, "load_w")
    return no_load_loss_w + c * p * p


def transformer_loss_scalar_w(
    load_w: float, no_load_loss_w: float, load_loss_coefficient_per_w2: float
) -> float:
    """Scalar hot-path twin of :func:`transformer_loss_w`: ``P_0 + c P^2`` [W].

    No validation (hot path): ``no_load_loss_w`` and
    ``load_loss_coefficient_per_w2`` (from
    :func:`transformer_load_loss_coefficient_per_w2`, [1/W]) are expected to
    have been validated once, when the component was built.
    """
    return no_load_loss_w + load_loss_coefficient_per_w2 * load_w * load_w


@dataclass(frozen=True)
class BatteryParams:
    """Battery energy storage parameters (validated).

    Field names match the scenario's ``Battery`` model, so
    ``BatteryParams(**battery.model_dump(exclude={"policy"}))`` works.

    Parameters
    ----------
    energy_capacity_wh : float
        Nameplate energy [Wh], > 0.
    max_charge_power_w : float
        Maximum power taken from the bus while charging [W], >= 0.
    max_discharge_power_w : float
        Maximum power delivered to the bus while discharging [W], >= 0.
    round_trip_efficiency : float
        AC-to-AC round-trip efficiency [-], in (0, 1]. Applied as
        ``sqrt(round_trip_efficiency)`` on charge and again on discharge.
    soc_min_fraction, soc_max_fraction : float
        Usable state-of-charge window [-], 0 <= min < max <= 1.
    initial_soc_fraction : float
        State of charge at the start of a run [-], in [0, 1]; a value
        outside the usable window is clipped into it by
        :attr:`initial_energy_wh` (the scenario allows any value in [0, 1]).

    Raises
    ------
    ValueError
        Naming the first invalid field.
    """

    energy_capacity_wh: float
    max_charge_power_w: float
    max_discharge_power_w: float
    round_trip_efficiency: float
    soc_min_fraction: float = 0.1
    soc_max_fraction: float = 0.9
    initial_soc_fraction: float = 0.5

    def __post_init__(self) -> None:
        for name in (
            "energy_capacity_wh",
            "max_charge_power_w",
            "max_discharge_power_w",
            "round_trip_efficiency",
            "soc_min_fraction",
            "soc_max_fraction",
            "initial_soc_fraction",
        ):
            object.__setattr__(self, name, finite_float(getattr(self, name), name))
        if not self.energy_capacity_wh > 0.0:
            raise ValueError("energy_capacity_wh: must be finite and > 0")
        if not self.max_charge_power_w >= 0.0:
            raise ValueError("max_charge_power_w: must be finite and >= 0")
        if not self.max_discharge_power_w >= 0.0:
            raise ValueError("max_discharge_power_w: must be finite and >= 0")
        if not 0.0 < self.round_trip_efficiency <= 1.0:
            raise ValueError("round_trip_efficiency: must be within (0, 1]")
        if not 0.0 <= self.soc_min_fraction < 1.0:
            raise ValueError("soc_min_fraction: must be within [0, 1)")
        if not self.soc_min_fraction < self.soc_max_fraction <= 1.0:
            raise ValueError("soc_max_fraction: must be within (soc_min_fraction, 1]")
        if not 0.0 <= self.initial_soc_fraction <= 1.0:
            raise ValueError("initial_soc_fraction: must be within [0, 1]")

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

    @property
    def initial_energy_wh(self) -> float:
        """Stored energy at the start of a run [Wh], clipped into the SoC window."""
        soc = min(max(self.initial_soc_fraction, self.soc_min_fraction), self.soc_max_fraction)
        return self.energy_capacity_wh * soc


def battery_step(
    energy_wh: float, request_w: float, step_s: float, p: BatteryParams
) -> tuple[float, float, float]:
    """Advance a battery by one step at constant power (hot path, scalar).

    Charge: bus power ``P_b`` stores ``P_b eta dt``; discharge: delivering
    ``P_b`` to the bus draws ``P_b dt / eta`` from storage; ``eta =
    sqrt(round_trip_efficiency)`` on each leg, so a full cycle returns
    ``round_trip_efficiency`` of the energy taken. The request is clipped
    to the power limit, then so that the stored energy stays within
    ``[energy_min_wh, energy_max_wh]`` (the last step to a limit lands on it
    exactly). The loss is the residual, so per step::

        bus_w * dt / 3600 == (new_energy_wh - energy_wh) + loss_w * dt / 3600

    to rounding (a few ulp of the energies involved).

    Parameters
    ----------
    energy_wh : float
        Stored energy at the start of the step [Wh], in [0, capacity].
    request_w : float
        Requested bus power [W], finite: > 0 charge (taken from the bus),
        < 0 discharge (delivered to the bus).
    step_s : float
        Step length [s], finite, > 0.
    p : BatteryParams

    Returns
    -------
    tuple of float
        ``(new_energy_wh, bus_power_w, loss_w)``: stored energy after the
        step [Wh]; bus power actually exchanged [W] (+ taken while charging,
        - given while discharging), ``|bus_power_w| <= |request_w|`` and
        within the power limit; mean conversion loss over the step [W], >= 0.

    Raises
    ------
    ValueError
        If ``energy_wh``, ``request_w`` or ``step_s`` is out of range.
    """
    if not 0.0 <= energy_wh <= p.energy_capacity_wh:
        raise ValueError(f"energy_wh: must be within [0, energy_capacity_wh], got {energy_wh!r}")
    if not 0.0 < step_s < math.inf:
        raise ValueError(f"step_s: must be finite and > 0, got {step_s!r}")
    if not -math.inf < request_w < math.inf:
        raise ValueError(f"request_w: must be finite, got {request_w!r}")
    hours = step_s / 3600.0
    eta = math.sqrt(p.round_trip_efficiency)
    if request_w > 0.0:
        bus_w = min(request_w, p.max_charge_power_w)
        e_max = p.energy_capacity_wh * p.soc_max_fraction
        headroom_wh = e_max - energy_wh
        if headroom_wh <= 0.0 or bus_w <= 0.0:
            return energy_wh, 0.0, 0.0
        if bus_w * eta * hours >= headroom_wh:
            new_energy_wh = e_max
            bus_w = min(bus_w, headroom_wh / (eta * hours))
        else:
            new_energy_wh = min(energy_wh + bus_w * eta * hours, e_max)
        loss_w = bus_w - (new_energy_wh - energy_wh) / hours
        return new_energy_wh, bus_w, (loss_w if loss_w > 0.0 else 0.0)
    if request_w < 0.0:
        bus_w = min(-request_w, p.max_discharge_power_w)
        e_min = p.energy_capacity_wh * p.soc_min_fraction
        available_wh = energy_wh - e_min
        if available_wh <= 0.0 or bus_w <= 0.0:
            return energy_wh, 0.0, 0.0
        if bus_w / eta * hours >= available_wh:
            new_energy_wh = e_min
            bus_w = min(bus_w, available_wh * eta / hours)
        else:
            new_energy_wh = max(energy_wh - bus_w / eta * hours, e_min)
        loss_w = (energy_wh - new_energy_wh) / hours - bus_w
        return new_energy_wh, -bus_w, (loss_w if loss_w > 0.0 else 0.0)
    return energy_wh, 0.0, 0.0


class BusDispatch(NamedTuple):
    """Result of :func:`dispatch_bus`; all [W], arrays of the broadcast shape."""

    wind_used_w: np.ndarray
    grid_import_w: np.ndarray
    export_w: np.ndarray
    curtailed_w: np.ndarray
    unserved_w: np.ndarray


def _limit_array(value, name: str) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be numeric") from None
    if np.any(np.isnan(a)) or np.any(a < 0.0):
        raise ValueError(f"{name}: must be >= 0 (inf allowed)")
    return a


def dispatch_bus(
    wind_available_w,
    demand_w,
    export_limit_w=0.0,
    grid_import_limit_w=math.inf,
    grid_available=True,
) -> BusDispatch:
    """Merit-order balance of the data-centre bus (vectorised).

    Wind serves the demand first; the shortfall is imported from the grid up
    to ``grid_import_limit_w`` and any remainder is unserved. The wind
    surplus is exported up to ``export_limit_w`` and the rest curtailed.
    Where ``grid_available`` is False (shore link out) there is neither
    import nor export. The battery is dispatched by the caller (for example
    on the surplus or the shortfall before calling this), not here.

    Parameters
    ----------
    wind_available_w : float or array_like
        Wind power available at the bus [W], finite, >= 0.
    demand_w : float or array_like
        Bus demand [W], finite, >= 0.
    export_limit_w : float or array_like
        Most that can be exported to shore [W], >= 0 (inf allowed).
    grid_import_limit_w : float or array_like
        Most that can be imported from shore [W], >= 0 (inf allowed).
    grid_available : bool or array_like of bool
        Whether the shore connection is in service.

    Returns
    -------
    BusDispatch
        ``(wind_used_w, grid_import_w, export_w, curtailed_w, unserved_w)``
        [W], each >= 0, with ``wind_used + export + curtailed ==
        wind_available`` and ``wind_used + grid_import + unserved ==
        demand`` (to rounding).

    Raises
    ------
    ValueError
        Naming the first invalid argument.
    """
    wind = finite_array(wind_available_w, "wind_available_w")
    if np.any(wind < 0.0):
        raise ValueError("wind_available_w: must be finite and >= 0")
    demand = finite_array(demand_w, "demand_w")
    if np.any(demand < 0.0):
        raise ValueError("demand_w: must be finite and >= 0")
    export_limit = _limit_array(export_limit_w, "export_limit_w")
    import_limit = _limit_array(grid_import_limit_w, "grid_import_limit_w")
    grid_ok = np.asarray(grid_available)
    if grid_ok.dtype != np.bool_:
        raise ValueError("grid_available: must be a bool or an array of bools")
    try:
        wind, demand, export_limit, import_limit, grid_ok = np.broadcast_arrays(
            wind, demand, export_limit, import_limit, grid_ok
        )
    except ValueError:
        raise ValueError(
            "wind_available_w, demand_w, export_limit_w, grid_import_limit_w, grid_available: "
            "shapes do not broadcast"
        ) from None
    wind_used = np.minimum(wind, demand)
    surplus = wind - wind_used
    shortfall = demand - wind_used
    export = np.where(grid_ok, np.minimum(surplus, export_limit), 0.0)
    grid_import = np.where(grid_ok, np.minimum(shortfall, import_limit), 0.0)
    return BusDispatch(wind_used, grid_import, export, surplus - export, shortfall - grid_import)


def dispatch_bus_scalar(
    wind_available_w: float,
    demand_w: float,
    export_limit_w: float,
    grid_import_limit_w: float,
    grid_available: bool,
) -> tuple[float, float, float, float, float]:
    """Scalar hot-path twin of :func:`dispatch_bus` (same arithmetic, same result).

    Returns
    -------
    tuple of float
        ``(wind_used_w, grid_import_w, export_w, curtailed_w, unserved_w)`` [W].
    """
    if not 0.0 <= wind_available_w < math.inf:
        raise ValueError(f"wind_available_w: must be finite and >= 0, got {wind_available_w!r}")
    if not 0.0 <= demand_w < math.inf:
        raise ValueError(f"demand_w: must be finite and >= 0, got {demand_w!r}")
    if not export_limit_w >= 0.0:
        raise ValueError(f"export_limit_w: must be >= 0, got {export_limit_w!r}")
    if not grid_import_limit_w >= 0.0:
        raise ValueError(f"grid_import_limit_w: must be >= 0, got {grid_import_limit_w!r}")
    wind_used_w = min(wind_available_w, demand_w)
    surplus_w = wind_available_w - wind_used_w
    shortfall_w = demand_w - wind_used_w
    if grid_available:
        export_w = min(surplus_w, export_limit_w)
        grid_w = min(shortfall_w, grid_import_limit_w)
    else:
        export_w = 0.0
        grid_w = 0.0
    return wind_used_w, grid_w, export_w, surplus_w - export_w, shortfall_w - grid_w


#: Default grid emission factor for the shore supply [kg CO2/kWh]: 0.5617,
#: the 2022 average electricity CO2 emission factor of the East China (华东)
#: regional grid, which supplies Shanghai, from the Ministry of Ecology and
#: Environment and National Bureau of Statistics announcement on 2022
#: electricity CO2 emission factors (dated 2024-12-20, published 2024-12-26).
#: Figure as reported by Beijing News (新京报), 2024-12-27, alongside the
#: national 0.5366; the primary table was not read directly when this was
#: written. It is a yearly average (location-based, consumption side), not
#: a marginal factor. Override it in the scenario for other years or data.
EAST_CHINA_GRID_CARBON_KG_PER_KWH: float = 0.5617

#: China's national average electricity CO2 emission factor for 2022
#: [kg CO2/kWh], same MEE/NBS announcement and report as above.
CHINA_NATIONAL_GRID_CARBON_KG_PER_KWH: float = 0.5366


def hourly_carbon_profile(
    mean_kg_per_kwh: float, amplitude_fraction: float = 0.0, peak_hour: float = 19.0
) -> np.ndarray:
    """24-hour grid carbon-intensity profile with a preserved daily mean.

    ``c(h) = mean * (1 + a cos(2 pi (h - peak_hour) / 24))`` for hours
    ``h = 0..23`` (value for the hour starting at ``h``). The cosine sums to
    zero over 24 equally spaced hours, so the mean is exactly ``mean`` (to
    rounding). The shape is a modelling assumption, not fitted to data: the
    default ``amplitude_fraction = 0`` gives a flat profile, and the default
    ``peak_hour`` (19 h, evening peak) only matters when an amplitude is set.

    Parameters
    ----------
    mean_kg_per_kwh : float
        Daily mean intensity [kg CO2/kWh], finite, >= 0.
    amplitude_fraction : float
        Relative amplitude [-], in [0, 1] (keeps values non-negative).
    peak_hour : float
        Hour of maximum intensity [h], in [0, 24).

    Returns
    -------
    numpy.ndarray
        Shape (24,), intensity per hour [kg CO2/kWh].
    """
    mean_kg_per_kwh = finite_float(mean_kg_per_kwh, "mean_kg_per_kwh")
    if mean_kg_per_kwh < 0.0:
        raise ValueError("mean_kg_per_kwh: must be finite and >= 0")
    amplitude_fraction = finite_float(amplitude_fraction, "amplitude_fraction")
    if not 0.0 <= amplitude_fraction <= 1.0:
        raise ValueError("amplitude_fraction: must be within [0, 1]")
    peak_hour = finite_float(peak_hour, "peak_hour")
    if not 0.0 <= peak_hour < 24.0:
        raise ValueError("peak_hour: must be within [0, 24)")
    hours = np.arange(24.0)
    return mean_kg_per_kwh * (
        1.0 + amplitude_fraction * np.cos(2.0 * np.pi * (hours - peak_hour) / 24.0)
    )
