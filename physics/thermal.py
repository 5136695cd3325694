"""Lumped thermal network of a seabed data cabin, stepped exactly.

Three nodes per cabin, each a thermal mass:

- ``it``: servers and racks [C]
- ``gas``: the cabin's gas (nitrogen or air), the return side of the rack loop [C]
- ``wall``: the steel shell [C]

and two inputs, the heat the servers give off ``heat_w`` [W] and the sea temperature ``sea_temp_c`` [C]::

    C_it   dT_it/dt   = Q - g_it (T_it - T_gas)
    C_gas  dT_gas/dt  = g_it (T_it - T_gas) - G_hx (T_gas - T_sea) - UA_gw (T_gas - T_wall)
    C_wall dT_wall/dt = UA_gw (T_gas - T_wall) - UA_ws (T_wall - T_sea)

The fans move the gas through the racks with capacity rate ``C_a = m_a cp_a``; a share ``r`` of it bypasses the
air-to-seawater exchanger (recirculation). The exchanger sees ``C_hot = (1 - r) C_a`` and the seawater
``C_w = m_w cp_w``, and removes ``Q_hx = eps C_min (T_gas - T_sea)`` (effectiveness-NTU), so
``G_hx = eps C_min``. The rack inlet is the mix of exchanger outlet and bypass, which works out as
``T_in = T_gas - G_hx / C_a (T_gas - T_sea)``.

The coefficients depend on the fan and pump speeds, which the controls set; for a given pair of speeds the
network is linear and time-invariant, and one step of length ``dt`` is the exact zero-order-hold solution
``x[k+1] = Ad x[k] + Bd u[k]`` with ``[[Ad, Bd], [0, I]] = expm([[A, B], [0, 0]] dt)``: stable for any step.
``StepCache`` keeps the discretised matrices for fan speeds quantised to ``1 / SPEED_LEVELS`` and pump speeds to
``1 / PUMP_LEVELS``: the inlet is most sensitive to the pump at low flow (about 150 K per unit speed at a tenth of
design flow in cold water), so the pump needs the finer grid: the controller holds the setpoint to a median 0.1 K.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import expm

from physics.heat_transfer import effectiveness_ntu, hx_ua_scaled_w_k

__all__ = [
    "CabinThermal",
    "network_matrices",
    "discretise_zoh",
    "discretise_network",
    "step_coefficients",
    "inlet_row",
    "design_exchanger_ua_w_k",
    "ntu_counterflow_from_effectiveness",
    "StepCache",
    "SPEED_LEVELS",
    "PUMP_LEVELS",
    "fan_power_w",
    "pump_power_w",
    "steady_state",
    "step_many",
]

SPEED_LEVELS = 100
"""Fan speeds are quantised to 1/100 of full speed for the cache of discretised matrices."""
PUMP_LEVELS = 500
"""Pump speeds are quantised to 1/500 of full speed (see the module docstring for why finer than the fans)."""

GRAVITY_M_S2 = 9.80665


@dataclass(frozen=True)
class CabinThermal:
    """Parameters of one cabin's network at design flows.

    Attributes
    ----------
    c_it_j_k, c_gas_j_k, c_wall_j_k : thermal masses [J K-1]
    g_it_design_w_k : server-to-gas conductance at design gas flow [W K-1]
    ua_gas_wall_w_k : gas-to-wall conductance (natural convection inside) [W K-1]
    ua_wall_sea_w_k : wall-to-sea conductance (conduction and external convection) [W K-1]
    exchanger_ua_design_w_k : exchanger UA at design flows [W K-1]
    gas_capacity_design_w_k : design gas capacity rate m_a cp_a [W K-1]
    sea_capacity_design_w_k : design seawater capacity rate m_w cp_w [W K-1]
    recirculation_fraction : gas that bypasses the exchanger [-]
    arrangement : "counterflow" or "crossflow"
    exchanger_area_m2, fouling_resistance_m2k_w : seawater side area and extra fouling beyond design [m2], [m2 K W-1]
    """

    c_it_j_k: float
    c_gas_j_k: float
    c_wall_j_k: float
    g_it_design_w_k: float
    ua_gas_wall_w_k: float
    ua_wall_sea_w_k: float
    exchanger_ua_design_w_k: float
    gas_capacity_design_w_k: float
    sea_capacity_design_w_k: float
    recirculation_fraction: float = 0.0
    arrangement: str = "counterflow"
    exchanger_area_m2: float | None = None
    fouling_resistance_m2k_w: float = 0.0

    def __post_init__(self) -> None:
        for name in ("c_it_j_k", "c_gas_j_k", "c_wall_j_k", "g_it_design_w_k", "exchanger_ua_design_w_k",
                     "gas_capacity_design_w_k", "sea_capacity_design_w_k"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)}")
        for name in ("ua_gas_wall_w_k", "ua_wall_sea_w_k", "fouling_resistance_m2k_w"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not 0.0 <= self.recirculation_fraction < 1.0:
            raise ValueError("recirculation_fraction must be in [0, 1)")


def _conductances(p: CabinThermal, fan_speed: float, pump_speed: float) -> tuple[float, float, float]:
    """(g_it, G_hx, C_a) at the given speeds [W K-1]."""
    c_gas = p.gas_capacity_design_w_k * fan_speed
    c_sea = p.sea_capacity_design_w_k * pump_speed
    # server heat sinks: forced convection, h ~ velocity^0.8 (Dittus-Boelter / Colburn scaling)
    g_it = p.g_it_design_w_k * fan_speed ** 0.8
    if pump_speed <= 0.0:
        return g_it, 0.0, c_gas
    ua = float(hx_ua_scaled_w_k(p.exchanger_ua_design_w_k, fan_speed, pump_speed,
                                fouling_resistance_m2k_w=p.fouling_resistance_m2k_w,
                                area_m2=p.exchanger_area_m2))
    c_hot = (1.0 - p.recirculation_fraction) * c_gas
    c_min, c_max = min(c_hot, c_sea), max(c_hot, c_sea)
    eps = float(effectiveness_ntu(ua / c_min, c_min / c_max, p.arrangement))
    return g_it, eps * c_min, c_gas


def _checked_conductances(p: CabinThermal, fan_speed: float, pump_speed: float) -> tuple[float, float, float]:
    """``_conductances`` for speeds inside the network's range (fractions of design flow), else ValueError."""
    if not 0.0 < fan_speed <= 1.5:
        raise ValueError(f"fan_speed must be in (0, 1.5], got {fan_speed}")
    if not 0.0 <= pump_speed <= 1.5:
        raise ValueError(f"pump_speed must be in [0, 1.5], got {pump_speed}")
    return _conductances(p, fan_speed, pump_speed)


def network_matrices(p: CabinThermal, fan_speed: float, pump_speed: float) -> tuple[np.ndarray, np.ndarray]:
    """Continuous-time ``A`` (3x3) [s-1] and ``B`` (3x2) of ``dx/dt = A x + B u``, ``x = [T_it, T_gas, T_wall]``,
    ``u = [heat_w, sea_temp_c]``, at fan and pump speeds given as fractions of design flow [-]."""
    g_it, g_hx, _ = _checked_conductances(p, fan_speed, pump_speed)
    ci, cg, cw = p.c_it_j_k, p.c_gas_j_k, p.c_wall_j_k
    ugw, uws = p.ua_gas_wall_w_k, p.ua_wall_sea_w_k
    a = np.array([
        [-g_it / ci, g_it / ci, 0.0],
        [g_it / cg, -(g_it + g_hx + ugw) / cg, ugw / cg],
        [0.0, ugw / cw, -(ugw + uws) / cw],
    ])
    b = np.array([
        [1.0 / ci, 0.0],
        [0.0, g_hx / cg],
        [0.0, uws / cw],
    ])
    return a, b


def inlet_row(p: CabinThermal, fan_speed: float, pump_speed: float) -> tuple[float, float]:
    """Rack inlet as ``T_in = k_gas T_gas + k_sea T_sea``; returns ``(k_gas, k_sea)`` [-]."""
    _, g_hx, c_a = _conductances(p, fan_speed, pump_speed)
    k = g_hx / c_a
    return 1.0 - k, k


def discretise_zoh(a: np.ndarray, b: np.ndarray, step_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact zero-order-hold discretisation of ``dx/dt = A x + B u`` over ``step_s`` [s]."""
    if not step_s > 0:
        raise ValueError(f"step_s must be > 0, got {step_s}")
    n, m = b.shape
    aug = np.zeros((n + m, n + m))
    aug[:n, :n] = a
    aug[:n, n:] = b
    e = expm(aug * step_s)
    return e[:n, :n], e[:n, n:]


def discretise_network(p: CabinThermal, fan_speed: float, pump_speed: float,
                       step_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact ZOH discretisation of the cabin network by its symmetric eigendecomposition: ``(Ad 3x3, Bd 3x2)``.

    The network is ``C dx/dt = -K x + E u`` with diagonal capacities ``C`` and a symmetric conductance matrix
    ``K``, so ``M = C^(1/2) A C^(-1/2)`` is symmetric with real eigenvalues ``l_i <= 0`` and orthonormal
    eigenvectors ``Q``. Then ``Ad = C^(-1/2) Q diag(exp(l dt)) Q^T C^(1/2)`` and
    ``Bd = C^(-1/2) Q diag(phi(l)) Q^T C^(1/2) B`` with ``phi(l) = (exp(l dt) - 1) / l`` (``dt`` at ``l = 0``).
    Same result as :func:`discretise_zoh` (tested to 1e-10) at a fraction of the cost of a general ``expm``.
    """
    ad, bd, _, _ = step_coefficients(p, fan_speed, pump_speed, step_s)
    return np.array(ad).reshape(3, 3), np.array(bd).reshape(3, 2)


def step_coefficients(p: CabinThermal, fan_speed: float, pump_speed: float,
                      step_s: float) -> tuple[tuple, tuple, float, float]:
    """What one exact step needs, as plain floats: ``Ad`` row-major (9), ``Bd`` row-major (6) and the inlet's
    ``(k_gas, k_sea)``; the maths of :func:`discretise_network`, with one LAPACK call (the 3x3 eigenproblem) and the
    rest in scalar arithmetic, where numpy's per-call cost on 3x3 arrays was most of the time: a new fan and pump
    level cost 142 us with ``discretise_network``'s numpy steps and ``inlet_row``, 33-41 us this way (measured
    here); the engine meets some 30,000 new levels in a reference year."""
    if not step_s > 0:
        raise ValueError(f"step_s must be > 0, got {step_s}")
    g_it, g_hx, c_a = _checked_conductances(p, fan_speed, pump_speed)
    ci, cg, cw = p.c_it_j_k, p.c_gas_j_k, p.c_wall_j_k
    ugw, uws = p.ua_gas_wall_w_k, p.ua_wall_sea_w_k
    sq = (math.sqrt(ci), math.sqrt(cg), math.sqrt(cw))
    m01 = g_it / (sq[0] * sq[1])
    m12 = ugw / (sq[1] * sq[2])
    lam, q = np.linalg.eigh(np.array([
        [-g_it / ci, m01, 0.0],
        [m01, -(g_it + g_hx + ugw) / cg, m12],
        [0.0, m12, -(ugw + uws) / cw],
    ]))
    (l0, l1, l2), ((q00, q01, q02), (q10, q11, q12), (q20, q21, q22)) = lam.tolist(), q.tolist()
    e0, e1, e2 = math.exp(l0 * step_s), math.exp(l1 * step_s), math.exp(l2 * step_s)
    p0, p1, p2 = (step_s * (1.0 + 0.5 * v * step_s) if abs(v * step_s) < 1e-8 else (ev - 1.0) / v
                  for v, ev in ((l0, e0), (l1, e1), (l2, e2)))
    # (C^(-1/2) Q diag(w) Q^T C^(1/2))_ij = sum_k q_ik q_jk w_k * sqrt(c_j / c_i): symmetric sums, then scaled
    rows = ((q00, q01, q02), (q10, q11, q12), (q20, q21, q22))
    r = (1.0, sq[1] / sq[0], sq[2] / sq[0])  # sqrt(c_j / c_0)
    ad = []
    pm = []
    for i, (a0, a1, a2) in enumerate(rows):
        for j, (b0, b1, b2) in enumerate(rows):
            scale = r[j] / r[i]
            ad.append((a0 * b0 * e0 + a1 * b1 * e1 + a2 * b2 * e2) * scale)
            pm.append((a0 * b0 * p0 + a1 * b1 * p1 + a2 * b2 * p2) * scale)
    # Bd = P B with B = [[1/ci, 0], [0, g_hx/cg], [0, uws/cw]]
    b00, b11, b21 = 1.0 / ci, g_hx / cg, uws / cw
    bd = (pm[0] * b00, pm[1] * b11 + pm[2] * b21,
          pm[3] * b00, pm[4] * b11 + pm[5] * b21,
          pm[6] * b00, pm[7] * b11 + pm[8] * b21)
    k = g_hx / c_a
    return tuple(ad), bd, 1.0 - k, k


def steady_state(p: CabinThermal, fan_speed: float, pump_speed: float, heat_w: float, sea_temp_c: float) -> np.ndarray:
    """Node temperatures at steady state [C]: ``x = -A^-1 B u``."""
    a, b = network_matrices(p, fan_speed, pump_speed)
    return -np.linalg.solve(a, b @ np.array([heat_w, sea_temp_c]))


def ntu_counterflow_from_effectiveness(effectiveness: float, capacity_ratio: float) -> float:
    """NTU of a counterflow exchanger that reaches ``effectiveness`` at ``capacity_ratio`` (Incropera eq. 11.30b)."""
    e, cr = effectiveness, capacity_ratio
    if not 0.0 < e < 1.0:
        raise ValueError(f"effectiveness must be in (0, 1), got {e}: the design approach is not reachable")
    if cr >= 1.0 - 1e-12:
        return e / (1.0 - e)
    return float(np.log((e - 1.0) / (e * cr - 1.0)) / (cr - 1.0))


def design_exchanger_ua_w_k(heat_w: float, gas_temp_rise_k: float, sea_temp_rise_k: float, approach_k: float,
                            recirculation_fraction: float, arrangement: str = "counterflow"
                            ) -> tuple[float, float, float]:
    """Size the exchanger from the design point.

    At design heat ``Q`` the racks warm the gas by ``gas_temp_rise_k`` and the inlet sits ``approach_k`` above the
    sea: ``T_gas - T_sea = approach + rise``, so ``G_hx = Q / (approach + rise) = eps C_min``; the NTU that gives
    that effectiveness at the design capacity ratio, times ``C_min``, is the UA.

    Returns
    -------
    (exchanger_ua_w_k, gas_capacity_w_k, sea_capacity_w_k) : [W K-1]
    """
    c_gas = heat_w / gas_temp_rise_k
    c_sea = heat_w / sea_temp_rise_k
    c_hot = (1.0 - recirculation_fraction) * c_gas
    c_min, c_max = min(c_hot, c_sea), max(c_hot, c_sea)
    g_hx = heat_w / (approach_k + gas_temp_rise_k)
    eps = g_hx / c_min
    cr = c_min / c_max
    if arrangement == "counterflow":
        ntu = ntu_counterflow_from_effectiveness(eps, cr)
    else:
        from scipy.optimize import brentq

        if eps >= float(effectiveness_ntu(50.0, cr, arrangement)):
            raise ValueError(f"a {arrangement} exchanger cannot reach effectiveness {eps:.3f}: raise the approach")
        ntu = brentq(lambda n: float(effectiveness_ntu(n, cr, arrangement)) - eps, 1e-6, 50.0)
    return ntu * c_min, c_gas, c_sea


class StepCache:
    """Discretised matrices and inlet coefficients by quantised (fan, pump) speed.

    ``get(fan_level, pump_level)`` returns plain tuples (row-major ``Ad`` 3x3, ``Bd`` 3x2, inlet ``(k_gas, k_sea)``)
    for scalar arithmetic in the engine's step loop, where a numpy call per element would cost more than the maths.
    ``inlet(fan_level, pump_level)`` returns the inlet coefficients alone, for a level the engine only looks at
    (the pump controller's sensitivity to the next pump level) without stepping with it: the same numbers as
    ``get(...)[2:]`` without the discretisation.
    """

    def __init__(self, params: CabinThermal, step_s: float):
        self.params = params
        self.step_s = step_s
        self._cache: dict[tuple[int, int], tuple] = {}
        self._inlets: dict[tuple[int, int], tuple[float, float]] = {}

    def get(self, fan_level: int, pump_level: int) -> tuple:
        key = (fan_level, pump_level)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = step_coefficients(self.params, fan_level / SPEED_LEVELS,
                                                       pump_level / PUMP_LEVELS, self.step_s)
        return hit

    def inlet(self, fan_level: int, pump_level: int) -> tuple[float, float]:
        key = (fan_level, pump_level)
        hit = self._cache.get(key)
        if hit is not None:
            return hit[2], hit[3]
        row = self._inlets.get(key)
        if row is None:
            row = self._inlets[key] = inlet_row(self.params, fan_level / SPEED_LEVELS, pump_level / PUMP_LEVELS)
        return row

    def __len__(self) -> int:
        return len(self._cache)


def step_many(ad: np.ndarray, bd: np.ndarray, x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One exact step of ``n`` cabins at once: ``x' = Ad x + Bd u`` with stacked ``Ad`` (n, 3, 3), ``Bd`` (n, 3, 2),
    states ``x`` (n, 3) [C] and inputs ``u`` (n, 2) ``[heat_w, sea_temp_c]``; returns (n, 3) [C]."""
    return np.einsum("nij,nj->ni", ad, x) + np.einsum("nij,nj->ni", bd, u)


def pump_power_w(design_flow_kg_s: float, head_m: float, efficiency: float, speed: float,
                 density_kg_m3: float = 1025.0) -> float:
    """Pump shaft power by the affinity laws: ``P = rho g Q H / eta`` at design, times ``speed^3`` [W]."""
    return density_kg_m3 * GRAVITY_M_S2 * (design_flow_kg_s / density_kg_m3) * head_m / efficiency * speed ** 3


def fan_power_w(design_volume_flow_m3_s: float, pressure_rise_pa: float, efficiency: float, speed: float) -> float:
    """Fan power by the affinity laws: ``P = V dp / eta`` at design, times ``speed^3`` [W]."""
    return design_volume_flow_m3_s * pressure_rise_pa / efficiency * speed ** 3
