"""Server power models: utilisation -> electrical power; the library of server types is looked up here by name.

A server's wall power is modelled as a piecewise-linear function of CPU (or
accelerator) utilisation, the approach of the SPECpower_ssj2008 benchmark
tables used by CloudSim (Beloglazov & Buyya, CCPE 24(13), 2012) and of the
linear model of Fan, Weber & Barroso, "Power provisioning for a
warehouse-sized computer", ISCA 2007.

Functions called once per simulation step (``busy_power_w``,
``fleet_power_w``) are plain-float scalar code; the others are vectorised
with numpy.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from physics.checks import finite_float
from physics.server_library import LIBRARY_ENTRIES

__all__ = [
    "ServerModel",
    "SERVER_MODELS",
    "server_model",
    "idle_power_w",
    "peak_power_w",
    "custom_server_model",
    "linear_server_model",
    "server_power_w",
    "busy_power_w",
    "fleet_power_w",
    "server_fan_power_fraction",
    "FAN_THRESHOLD_C",
    "FAN_SLOPE_PER_K",
    "DGX_H100_IDLE_POWER_W",
    "DGX_H100_PEAK_POWER_W",
    "ASHRAE_X_FACTOR",
    "NITROGEN_FAILURE_FACTOR",
    "failure_x_factor",
    "server_failure_rate_per_s",
    "capped_speed_fraction",
    "LLAMA3_GPUS",
    "LLAMA3_GPUS_PER_HOST",
    "LLAMA3_SNAPSHOT_DAYS",
    "LLAMA3_UNEXPECTED_INTERRUPTIONS",
    "LLAMA3_GPU_INTERRUPTIONS",
    "LLAMA3_HOST_INTERRUPTIONS",
    "LLAMA3_ASSUMED_INLET_C",
    "ACCELERATOR_FAILURES_PER_YEAR",
    "HOST_FAILURES_PER_YEAR",
    "annual_failure_rate",
]


@dataclass(frozen=True)
class ServerModel:
    """Piecewise-linear utilisation-to-power curve of one server.

    Parameters
    ----------
    name : str
        Identifier of the model.
    utilisation_points : tuple of float
        Utilisation breakpoints [-], strictly increasing, first 0, last 1.
    power_w_points : tuple of float
        Wall power at each breakpoint [W], non-decreasing, finite, >= 0.
    mass_kg : float
        Mass of the server [kg], used for its thermal capacity. > 0.
    accelerator : str, optional
        Accelerator model, e.g. ``"NVIDIA H100 SXM"``; empty for a CPU server.
    accelerator_count : int, optional
        Accelerators in the server [-], >= 0; 0 for a CPU server.
    accelerator_tdp_w : float, optional
        Board power limit (TDP/TGP/TBP) of one accelerator at its default setting [W]; 0 without accelerators.
    liquid_fraction : float, optional
        Share of the server's heat carried away by liquid (cold plates) at full load [-], in [0, 1]; 0 for an
        air-cooled server. The rest leaves through the air.
    source : str, optional
        Where each figure comes from, and which are assumptions.

    Raises
    ------
    ValueError
        If the table, the mass or the accelerator figures are invalid.
    """

    name: str
    utilisation_points: tuple[float, ...]
    power_w_points: tuple[float, ...]
    mass_kg: float
    accelerator: str = ""
    accelerator_count: int = 0
    accelerator_tdp_w: float = 0.0
    liquid_fraction: float = 0.0
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("name: must be a non-empty string")
        try:
            u = tuple(float(x) for x in self.utilisation_points)
        except (TypeError, ValueError):
            raise ValueError("utilisation_points: must be a sequence of numbers") from None
        try:
            p = tuple(float(x) for x in self.power_w_points)
        except (TypeError, ValueError):
            raise ValueError("power_w_points: must be a sequence of numbers") from None
        if len(u) < 2:
            raise ValueError("utilisation_points: need at least two points (0 and 1)")
        if len(p) != len(u):
            raise ValueError(
                f"power_w_points: length {len(p)} differs from utilisation_points length {len(u)}"
            )
        if not all(math.isfinite(x) for x in u):
            raise ValueError("utilisation_points: must be finite")
        if u[0] != 0.0 or u[-1] != 1.0:
            raise ValueError("utilisation_points: must start at 0 and end at 1")
        if any(b <= a for a, b in zip(u, u[1:])):
            raise ValueError("utilisation_points: must be strictly increasing")
        if not all(math.isfinite(x) and x >= 0.0 for x in p):
            raise ValueError("power_w_points: must be finite and >= 0")
        if any(b < a for a, b in zip(p, p[1:])):
            raise ValueError("power_w_points: must be non-decreasing")
        m = finite_float(self.mass_kg, "mass_kg")
        if not m > 0.0:
            raise ValueError("mass_kg: must be finite and > 0")
        object.__setattr__(self, "utilisation_points", u)
        object.__setattr__(self, "power_w_points", p)
        object.__setattr__(self, "mass_kg", m)
        if not isinstance(self.accelerator, str):
            raise ValueError("accelerator: must be a string")
        n = _count(self.accelerator_count, "accelerator_count")
        tdp = finite_float(self.accelerator_tdp_w, "accelerator_tdp_w")
        if n > 0 and not (tdp > 0.0 and self.accelerator):
            raise ValueError("accelerator_tdp_w: a server with accelerators needs their name and a TDP > 0")
        if n == 0 and (tdp != 0.0 or self.accelerator):
            raise ValueError("accelerator_count: an accelerator name or TDP is given but the count is 0")
        if n * tdp > p[-1]:
            raise ValueError(f"accelerator_tdp_w: {n} x {tdp:g} W exceeds the peak power {p[-1]:g} W")
        liquid = finite_float(self.liquid_fraction, "liquid_fraction")
        if not 0.0 <= liquid <= 1.0:
            raise ValueError("liquid_fraction: must be within [0, 1]")
        if not isinstance(self.source, str):
            raise ValueError("source: must be a string")
        object.__setattr__(self, "accelerator_count", n)
        object.__setattr__(self, "accelerator_tdp_w", tdp)
        object.__setattr__(self, "liquid_fraction", liquid)

    @property
    def idle_power_w(self) -> float:
        """Power at zero utilisation [W]."""
        return self.power_w_points[0]

    @property
    def peak_power_w(self) -> float:
        """Power at full utilisation [W]."""
        return self.power_w_points[-1]

    @property
    def is_accelerated(self) -> bool:
        """True for a server whose work runs on accelerators (GPUs, NPUs)."""
        return self.accelerator_count > 0


def _count(value, name: str) -> int:
    """A non-negative integer count, or ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name}: must be an integer >= 0, got {value!r}")
    return int(value)


def custom_server_model(
    name: str,
    utilisation_points,
    power_w_points,
    mass_kg: float,
) -> ServerModel:
    """Build a validated server model from a utilisation/power table.

    Parameters
    ----------
    name : str
        Identifier.
    utilisation_points : sequence of float
        Breakpoints [-], strictly increasing from 0 to 1.
    power_w_points : sequence of float
        Power at each breakpoint [W], non-decreasing.
    mass_kg : float
        Server mass [kg].

    Returns
    -------
    ServerModel

    Raises
    ------
    ValueError
        If the table is not a valid power curve.
    """
    return ServerModel(name, tuple(utilisation_points), tuple(power_w_points), mass_kg)


def linear_server_model(
    name: str, idle_power_w: float, peak_power_w: float, mass_kg: float
) -> ServerModel:
    """Linear power model ``P(u) = P_idle + (P_peak - P_idle) u``.

    Fan, Weber & Barroso, ISCA 2007, eq. (1).

    Parameters
    ----------
    name : str
        Identifier.
    idle_power_w : float
        Power at zero utilisation [W], >= 0.
    peak_power_w : float
        Power at full utilisation [W], >= idle_power_w.
    mass_kg : float
        Server mass [kg].

    Returns
    -------
    ServerModel
    """
    idle_power_w = finite_float(idle_power_w, "idle_power_w")
    peak_power_w = finite_float(peak_power_w, "peak_power_w")
    if idle_power_w < 0.0:
        raise ValueError("idle_power_w: must be finite and >= 0")
    if peak_power_w < idle_power_w:
        raise ValueError("peak_power_w: must be finite and >= idle_power_w")
    return ServerModel(name, (0.0, 1.0), (idle_power_w, peak_power_w), mass_kg)


_TEN_PERCENT_STEPS = tuple(i / 10.0 for i in range(11))

#: DGX H100 idle power [W] -- ENGINEERING ASSUMPTION, not a published figure.
#: NVIDIA publishes only the maximum (10.2 kW) for the system. Reasoning: 8
#: idle H100 SXM GPUs at roughly 70-90 W each (~0.65 kW), 2 Xeon Platinum
#: 8480C near idle (~0.2 kW), 2 TB DDR5 in 32 DIMMs (~0.1-0.15 kW), NVSwitch
#: chips, NICs and NVMe drives (~0.3 kW), fans near minimum speed and PSU
#: losses (~0.4-0.6 kW): about 1.8-2.1 kW, rounded to 2.0 kW. About 20 % of
#: peak, far below the "idle near half of peak" of Barroso & Hoelzle 2007
#: (CPU servers of that era); override it with measured data when available.
DGX_H100_IDLE_POWER_W = 2000.0
#: DGX H100 maximum system power [W]: "10.2 kW max" (NVIDIA DGX H100 user
#: guide, system specifications; 8 H100 SXM GPUs at 700 W each). Source as
#: listed in the project's VALIDATION.md (Servers table).
DGX_H100_PEAK_POWER_W = 10200.0

SERVER_MODELS: dict[str, ServerModel] = {
    # Power: SPECpower_ssj2008 result
    # http://www.spec.org/power_ssj2008/results/res2010q2/power_ssj2008-20100315-00239.html
    # (IBM x3550, 2 x Xeon X5670 2933 MHz 6 cores, 12 GB), watts at 0 (active
    # idle), 10, ..., 100 % target load, as tabulated in CloudSim
    # PowerModelSpecPowerIbmX3550XeonX5670 (Beloglazov & Buyya, CCPE 2012).
    # Mass 16 kg: ASSUMPTION (typical fully configured 1U two-socket server),
    # not taken from an IBM datasheet.
    "ibm-x3550-x5670": ServerModel(
        "ibm-x3550-x5670",
        _TEN_PERCENT_STEPS,
        (66.0, 107.0, 120.0, 131.0, 143.0, 156.0, 173.0, 191.0, 211.0, 229.0, 247.0),
        16.0,
    ),
    # Power: SPECpower_ssj2008 result
    # http://www.spec.org/power_ssj2008/results/res2011q1/power_ssj2008-20110124-00339.html
    # (HP ProLiant ML110 G5, 1 x Xeon 3075 2660 MHz 2 cores, 4 GB), as
    # tabulated in CloudSim PowerModelSpecPowerHpProLiantMl110G5Xeon3075.
    # Mass 12 kg: ASSUMPTION (micro-tower order of magnitude), not taken from
    # an HP datasheet.
    "hp-ml110-g5": ServerModel(
        "hp-ml110-g5",
        _TEN_PERCENT_STEPS,
        (93.7, 97.0, 101.0, 105.0, 110.0, 116.0, 121.0, 125.0, 129.0, 133.0, 135.0),
        12.0,
    ),
    # NVIDIA DGX H100: linear model (Fan, Weber & Barroso, ISCA 2007) from the
    # ASSUMED idle power above to the published 10.2 kW maximum.
    # Mass 130.45 kg (287.6 lb): DGX H100 user guide, system specifications,
    # as recalled when drafting; not re-checked against the current guide.
    "dgx-h100": ServerModel(
        "dgx-h100",
        (0.0, 1.0),
        (DGX_H100_IDLE_POWER_W, DGX_H100_PEAK_POWER_W),
        130.45,
        accelerator="NVIDIA H100 SXM",
        accelerator_count=8,
        accelerator_tdp_w=700.0,
        liquid_fraction=0.0,
        source=(
            "peak 10.2 kW and 8 GPUs at 700 W: NVIDIA DGX H100 user guide (VALIDATION.md, Servers); an HGX H100 "
            "8-GPU server of another maker has the same baseboard and is modelled by this type; "
            "idle 2.0 kW: ASSUMPTION (component estimate, DGX_H100_IDLE_POWER_W); no measured idle of an 8-GPU "
            "H100 node was found; mass 130.45 kg: DGX H100 user guide as recalled, not re-checked; air-cooled"),
    ),
}

# The newer servers and accelerators, each with its sources: physics/server_library.py.
SERVER_MODELS.update({entry["name"]: ServerModel(**entry) for entry in LIBRARY_ENTRIES})


def server_model(name: str) -> ServerModel:
    """Look up a built-in server model by name.

    Raises
    ------
    ValueError
        If ``name`` is unknown; the message lists the known names.
    """
    try:
        return SERVER_MODELS[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(SERVER_MODELS))
        raise ValueError(f"name: unknown server model {name!r}; known: {known}") from None


def _check_model(model) -> ServerModel:
    if not isinstance(model, ServerModel):
        raise ValueError(f"model: must be a ServerModel, got {type(model).__name__}")
    return model


def idle_power_w(model: ServerModel) -> float:
    """Power of a switched-on server at zero utilisation [W].

    Parameters
    ----------
    model : ServerModel

    Returns
    -------
    float
        ``P(0)`` [W].
    """
    return _check_model(model).power_w_points[0]


def peak_power_w(model: ServerModel) -> float:
    """Power of a server at full utilisation [W].

    Parameters
    ----------
    model : ServerModel

    Returns
    -------
    float
        ``P(1)`` [W].
    """
    return _check_model(model).power_w_points[-1]


def server_power_w(model: ServerModel, utilisation) -> np.ndarray:
    """Wall power of one active server at the given utilisation.

    Piecewise-linear interpolation of the model's table.

    Parameters
    ----------
    model : ServerModel
    utilisation : float or array_like
        Utilisation [-] in [0, 1].

    Returns
    -------
    numpy.ndarray
        Power [W], same shape as ``utilisation``.

    Raises
    ------
    ValueError
        If any utilisation is outside [0, 1] or not finite.
    """
    _check_model(model)
    try:
        u = np.asarray(utilisation, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("utilisation: must be numeric") from None
    if not np.all(np.isfinite(u)) or np.any(u < 0.0) or np.any(u > 1.0):
        raise ValueError("utilisation: must be finite and within [0, 1]")
    return np.interp(u, model.utilisation_points, model.power_w_points)


def busy_power_w(model: ServerModel, utilisation: float, speed_fraction: float) -> float:
    """Power of one busy server, possibly throttled (hot path, scalar).

    The dynamic part of the power (above idle) scales linearly with the clock
    (speed) fraction; the static (idle) part does not::

        P = P_idle + (P(u) - P_idle) * speed_fraction

    so ``speed_fraction = 1`` gives the table value ``P(u)`` and
    ``speed_fraction = 0`` (fully stalled) gives ``P_idle``.

    Modelling choice: CMOS dynamic power is ``C V^2 f``; with DVFS the
    voltage also drops with frequency, which would give a steeper (up to
    cubic) fall. Linear in ``f`` is the constant-voltage case (clock
    modulation, or DVFS once the voltage floor is reached). It is the
    conservative choice: for any ``s`` in [0, 1], ``s >= s^3``, so it never
    credits throttling with more saving than the cubic law would.

    Parameters
    ----------
    model : ServerModel
    utilisation : float
        Utilisation of the job [-], in [0, 1].
    speed_fraction : float
        Clock fraction [-], in [0, 1]; 1 is unthrottled.

    Returns
    -------
    float
        Power [W].

    Raises
    ------
    ValueError
        If ``utilisation`` or ``speed_fraction`` is outside [0, 1] or NaN.
    """
    if not 0.0 <= utilisation <= 1.0:
        raise ValueError(f"utilisation: must be within [0, 1], got {utilisation!r}")
    if not 0.0 <= speed_fraction <= 1.0:
        raise ValueError(f"speed_fraction: must be within [0, 1], got {speed_fraction!r}")
    us = model.utilisation_points
    ps = model.power_w_points
    i = bisect_right(us, utilisation)
    if i >= len(us):
        p = ps[-1]
    else:
        u0 = us[i - 1]
        p0 = ps[i - 1]
        p = p0 + (ps[i] - p0) * (utilisation - u0) / (us[i] - u0)
    idle = ps[0]
    return idle + (p - idle) * speed_fraction


def capped_speed_fraction(model: ServerModel, utilisation: float, cap_w: float | None) -> float:
    """Highest clock fraction at which a busy server stays within a power cap [-] (1 when uncapped).

    With ``busy_power_w``'s law ``P = P_idle + (P(u) - P_idle) s``, the cap ``P <= cap`` gives
    ``s = (cap - P_idle) / (P(u) - P_idle)``, clipped to [0, 1]. This is how GPU and CPU power limits act
    (nvidia-smi -pl, RAPL): the clock falls until the power meets the limit, and the job runs slower.

    Raises
    ------
    ValueError
        If the cap is not above the idle power (the server could not run at all) or is not finite.
    """
    if cap_w is None:
        return 1.0
    cap = finite_float(cap_w, "cap_w")
    idle = model.power_w_points[0]
    if not cap > idle:
        raise ValueError(f"cap_w: {cap:g} W is not above the idle power of {model.name} ({idle:g} W)")
    dyn = busy_power_w(model, utilisation, 1.0) - idle
    if dyn <= 0.0:
        return 1.0
    return min(1.0, (cap - idle) / dyn)


def fleet_power_w(
    model: ServerModel,
    busy_servers: int,
    idle_servers: int,
    off_servers: int,
    job_utilisation: float,
    speed_fraction: float,
) -> float:
    """Total power of a homogeneous fleet (hot path, scalar).

    ``busy * busy_power_w(u, s) + idle * P_idle + off * 0``.

    Parameters
    ----------
    model : ServerModel
    busy_servers, idle_servers, off_servers : int
        Server counts [-], integers >= 0. Off servers draw nothing (BMC
        standby power, a few watts, is neglected).
    job_utilisation : float
        Utilisation of a busy server [-], in [0, 1].
    speed_fraction : float
        Clock fraction of busy servers [-], in [0, 1].

    Returns
    -------
    float
        Power [W].

    Raises
    ------
    ValueError
        If a count is negative or not an integer, or a fraction is outside
        [0, 1] (checked even when no server is busy).
    """
    busy_servers = _count(busy_servers, "busy_servers")
    idle_servers = _count(idle_servers, "idle_servers")
    _count(off_servers, "off_servers")
    busy = busy_power_w(model, job_utilisation, speed_fraction)
    return busy_servers * busy + idle_servers * model.power_w_points[0]


#: Inlet temperature above which server fans ramp [degC]: the upper bound of
#: the ASHRAE TC 9.9 recommended envelope, 18-27 degC (ASHRAE thermal
#: guidelines reference card; VALIDATION.md, Servers). Real servers start to
#: ramp fans anywhere from about 23 to 27 degC depending on the design.
FAN_THRESHOLD_C = 27.0
#: Rise of server power per kelvin above the threshold [1/K] -- ENGINEERING
#: ASSUMPTION, not a manufacturer or ASHRAE curve. 0.00625/K gives +5 % at
#: 35 degC (8 K above the threshold). The ASHRAE TC 9.9 white paper "2011
#: Thermal Guidelines for Data Processing Environments - Expanded Data
#: Center Classes" shows a figure of server power rise with inlet
#: temperature that is of this order (a few per cent by 35 degC, more above);
#: the value here was not read off that figure and has not been verified
#: against it. Replace it with measured data for the hardware being modelled.
FAN_SLOPE_PER_K = 0.00625


def server_fan_power_fraction(
    inlet_temp_c, threshold_c: float = FAN_THRESHOLD_C, slope_per_k: float = FAN_SLOPE_PER_K
) -> np.ndarray:
    """Fractional rise of server power due to fans at a given inlet temperature.

    ``f = slope_per_k * max(0, T_inlet - threshold_c)``; multiply IT power by
    ``1 + f``. Below the threshold fans run at their base speed (f = 0).

    Parameters
    ----------
    inlet_temp_c : float or array_like
        Server inlet air temperature [degC], finite, in [-50, 100].
    threshold_c : float
        Inlet temperature at which fans start to ramp [degC].
    slope_per_k : float
        Rise per kelvin above the threshold [1/K], >= 0.

    Returns
    -------
    numpy.ndarray
        Fraction of IT power added [-], same shape as ``inlet_temp_c``.
    """
    try:
        t = np.asarray(inlet_temp_c, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("inlet_temp_c: must be numeric") from None
    if not np.all(np.isfinite(t)) or np.any(t < -50.0) or np.any(t > 100.0):
        raise ValueError("inlet_temp_c: must be finite and within [-50, 100] degC")
    threshold_c = finite_float(threshold_c, "threshold_c")
    slope_per_k = finite_float(slope_per_k, "slope_per_k")
    if slope_per_k < 0.0:
        raise ValueError("slope_per_k: must be finite and >= 0")
    return slope_per_k * np.maximum(t - threshold_c, 0.0)


#: ASHRAE TC 9.9 (2011), "2011 Thermal Guidelines for Data Processing Environments - Expanded Data Center Classes
#: and Usage Guidance", the relative failure rate ("x-factor") of volume servers against inlet temperature,
#: average curve, normalised to 1.00 at 20 C: (inlet [C], x-factor [-]).
ASHRAE_X_FACTOR = (
    (15.0, 0.72), (17.5, 0.87), (20.0, 1.00), (22.5, 1.13), (25.0, 1.24), (27.5, 1.34), (30.0, 1.42),
    (32.5, 1.48), (35.0, 1.55), (37.5, 1.61), (40.0, 1.66), (42.5, 1.71), (45.0, 1.76),
)

#: Failure rate of servers in a sealed nitrogen-filled vessel relative to a land control group: 8 of 855 servers
#: lost in about two years, one eighth of the land rate (Microsoft Project Natick; VALIDATION.md).
NITROGEN_FAILURE_FACTOR = 1.0 / 8.0

SECONDS_PER_YEAR = 365.25 * 86400.0


def failure_x_factor(inlet_temp_c: float) -> float:
    """ASHRAE x-factor at an inlet temperature (linear between the table's points, held beyond its ends) [-]
    (hot path, scalar)."""
    pts = ASHRAE_X_FACTOR
    if inlet_temp_c <= pts[0][0]:
        return pts[0][1]
    if inlet_temp_c >= pts[-1][0]:
        return pts[-1][1]
    k = int((inlet_temp_c - pts[0][0]) / 2.5)
    (t0, x0), (t1, x1) = pts[k], pts[k + 1]
    return x0 + (x1 - x0) * (inlet_temp_c - t0) / (t1 - t0)


def server_failure_rate_per_s(annual_failure_rate: float, inlet_temp_c: float, atmosphere: str = "air") -> float:
    """Failure rate of one server [s-1]: the annual failure rate at 20 C on land, times the ASHRAE x-factor of
    the inlet, times one eighth in a sealed nitrogen atmosphere."""
    if not annual_failure_rate >= 0:
        raise ValueError("annual_failure_rate: must be >= 0")
    if atmosphere not in ("air", "nitrogen"):
        raise ValueError(f"atmosphere: {atmosphere!r} is neither 'air' nor 'nitrogen'")
    factor = NITROGEN_FAILURE_FACTOR if atmosphere == "nitrogen" else 1.0
    return annual_failure_rate / SECONDS_PER_YEAR * failure_x_factor(inlet_temp_c) * factor


# ---------------------------------------------------------------------------------------------------------------
# Failure rates of accelerator servers, from the Llama 3 405B pre-training run (Dubey et al. 2024, "The Llama 3 Herd
# of Models", arXiv 2407.21783, section 3.3.4 and Table 5): in a 54-day snapshot on 16,384 H100 GPUs (8 per host),
# 466 job interruptions, 47 planned and 419 unexpected, with their root causes. Table 5 as reproduced by
# G. Lockwood (glennklockwood.com/garden/component-reliability) and, for the GPU rows and the CPU count, by
# DatacenterDynamics ("Meta report details hundreds of GPU and HBM3-related interruptions", 2024). The counts are
# used; the table's percentages do not match them over 419 (148 faulty GPUs are printed as 30.1 %, 148/419 is
# 35.3 %), and the 58.7 % the text gives the GPU category is the sum of the printed percentages.

#: GPUs of the run, GPUs per host and days of the snapshot [-], [-], [d].
LLAMA3_GPUS = 16384
LLAMA3_GPUS_PER_HOST = 8
LLAMA3_SNAPSHOT_DAYS = 54.0
LLAMA3_UNEXPECTED_INTERRUPTIONS = 419
#: Unexpected interruptions by root cause, category GPU of Table 5 [-].
LLAMA3_GPU_INTERRUPTIONS = {
    "faulty GPU": 148, "GPU HBM3 memory": 72, "GPU SRAM memory": 19, "GPU system processor": 17,
    "silent data corruption": 6, "GPU thermal interface + sensor": 6,
}
#: Unexpected interruptions by root cause, category Host of Table 5 [-]. Left out as not a failure of a server:
#: software bug (54) and dependency (2), network switch/cable (35, outside the servers), unplanned host maintenance
#: (32) and NCCL watchdog timeouts (7, cause unknown).
LLAMA3_HOST_INTERRUPTIONS = {
    "NIC": 7, "SSD": 3, "power supply": 3, "server chassis": 2, "IO expansion board": 2, "CPU": 2,
    "system memory": 2,
}
#: Inlet at which the run's failure rates are taken to hold [C] -- ASSUMPTION: Meta publishes none; the land inlet
#: the project's Natick-derived land rate assumes (twin.scenario.cabins.LAND_FAILURE_RATE_PER_YEAR), so both rates
#: are referred to 20 C by the same x-factor.
LLAMA3_ASSUMED_INLET_C = 22.5

_LLAMA3_GPU_YEARS = LLAMA3_GPUS * LLAMA3_SNAPSHOT_DAYS / 365.25  # 16,384 x 54 / 365.25 = 2,422.3 GPU-years
_LLAMA3_HOST_YEARS = _LLAMA3_GPU_YEARS / LLAMA3_GPUS_PER_HOST  # 2,048 hosts x 0.1478 years = 302.8 host-years

#: Failures per accelerator-year at a 20 C inlet on land [-]: 268 GPU-category interruptions / 2,422.3 GPU-years
#: = 0.1106 at the run's inlet, / x-factor 1.13 (22.5 C) = 0.0979.
ACCELERATOR_FAILURES_PER_YEAR = sum(LLAMA3_GPU_INTERRUPTIONS.values()) / _LLAMA3_GPU_YEARS \
    / failure_x_factor(LLAMA3_ASSUMED_INLET_C)
#: Failures of the host parts per host-year of 8 GPUs at a 20 C inlet on land [-]: 21 / 302.8 = 0.0694, / 1.13 =
#: 0.0614.
HOST_FAILURES_PER_YEAR = sum(LLAMA3_HOST_INTERRUPTIONS.values()) / _LLAMA3_HOST_YEARS \
    / failure_x_factor(LLAMA3_ASSUMED_INLET_C)


def annual_failure_rate(model: ServerModel, cpu_server_rate_per_year: float) -> float:
    """Failures per server-year at a 20 C inlet on land [-] by server type: for an accelerator server,
    ``n x ACCELERATOR_FAILURES_PER_YEAR + (n / 8) x HOST_FAILURES_PER_YEAR`` (an 8-GPU server: 8 x 0.0979 +
    0.0614 = 0.845); for a CPU server, ``cpu_server_rate_per_year`` (the cabin's land rate).

    Every GPU- and host-category interruption of the Llama 3 run is taken as the loss of its server, which in a
    sealed cabin is not repaired -- ASSUMPTION, an upper bound: some were cleared by a reset or a reboot (Crusoe's
    H200 cluster, GTC 2025 as quoted by Lockwood: 19.5 % of faults GPU-recoverable, 41.5 % a host replacement).
    The host parts scale with the accelerators (a server of 72 GPUs has the host parts of nine 8-GPU hosts) --
    ASSUMPTION. The failure of one accelerator takes its whole server out, as a training job on it stops.
    Scaled by ``server_failure_rate_per_s`` with the inlet's x-factor and the nitrogen factor like any server.
    """
    _check_model(model)
    rate = finite_float(cpu_server_rate_per_year, "cpu_server_rate_per_year")
    if not rate >= 0.0:
        raise ValueError("cpu_server_rate_per_year: must be >= 0")
    if not model.is_accelerated:
        return rate
    n = model.accelerator_count
    return n * ACCELERATOR_FAILURES_PER_YEAR + n / LLAMA3_GPUS_PER_HOST * HOST_FAILURES_PER_YEAR
