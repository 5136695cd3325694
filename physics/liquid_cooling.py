"""Direct-to-chip liquid cooling: cold plates, the technology cooling system (TCS) loop and the coolant distribution
unit (CDU) to the sea.

The heat path::

    chips --cold plates--> TCS coolant (its own pump, constant flow) --CDU plate exchanger--> seawater (FWS) -> sea

In a seabed cabin the facility water (FWS, the CDU's primary side) is the seawater itself, pumped through the CDU
by the CDU's primary pump; the controller sets that pump's speed (a valve on a constant-speed pump does the same to
the exchanger) to hold the coolant supply temperature at its setpoint.

One thermal node, the coolant loop, well mixed at its return temperature ``T_r`` (the CDU's hot-side inlet)::

    C_l dT_r/dt = Q_l - G (T_r - T_sea),      G = eps C_min          (effectiveness-NTU, Incropera Table 11.3)

with ``C_l`` the heat capacity of the coolant and wetted metal, ``Q_l`` the heat the cold plates collect (plus the
TCS pump's work) and ``eps`` the counterflow effectiveness of the CDU at the coolant capacity rate
``C_tcs = m cp`` and the seawater's ``C_sea``. The supply is the CDU's hot-side outlet::

    T_s = T_r - G (T_r - T_sea) / C_tcs

so at steady state ``T_r = T_sea + Q/G`` and ``T_s = T_r - Q/C_tcs``: the coolant rises ``Q/C_tcs`` across the cold
plates and the supply sits ``Q (1/G - 1/C_tcs)`` (the CDU's approach) above the sea. A chip's case sits
``q R_cp`` above the supply it is fed with (cold plates in parallel, each fed at supply: ASSUMPTION; in series
plates the later ones see warmer coolant).

The node is decoupled from the cabin gas network (``physics.thermal``): the coolant's exchange with the cabin gas
through insulated pipes and plate surfaces is neglected (ASSUMPTION), so the liquid path is a first-order system of
its own, stepped exactly (:func:`step_return_c`). Its time constant ``C_l / G`` (:func:`time_constant_s`), for
2 m3 of water on a CDU sized for 5.5 MW at a 3 K approach and 10 K rise: 20 s at full seawater flow, 26 s at half,
47 s at a fifth, 84 s at a tenth; a winter sea (8 C, 4.5 MW, supply held at 32 C) needs 15 % flow and gives 60 s.
That is the order of the 60 s control period, so the coolant is a state of its own, not an algebraic relation:
a quasi-steady path would hide the controller's overshoot and the loop's lag after a load step.

Limits: the ASHRAE TC 9.9 liquid-cooling classes bound the facility water supply (here the sea at the cabin);
the coolant supply (TCS) is bounded by what the IT maker allows (:data:`DEFAULT_TCS_SUPPLY_MAX_C`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from physics import thermal
from physics.heat_transfer import effectiveness_ntu, hx_ua_scaled_w_k

__all__ = [
    "FACILITY_WATER_CLASSES",
    "FACILITY_WATER_MIN_C",
    "DEFAULT_TCS_SUPPLY_MAX_C",
    "DEFAULT_COLD_PLATE_RESISTANCE_K_W",
    "WATER_CP_J_KGK",
    "WATER_DENSITY_KG_M3",
    "LiquidLoop",
    "LiquidState",
    "facility_class_limit_c",
    "facility_class_of",
    "coolant_capacity_w_k",
    "design_liquid_loop",
    "cdu_conductance_w_k",
    "supply_coefficient",
    "steady_state",
    "case_temp_c",
    "max_heat_w",
    "sea_speed_for_supply",
    "time_constant_s",
    "step_return_c",
    "pump_head_m",
]

#: ASHRAE TC 9.9 liquid-cooling classes of the facility water supply (FWS) temperature, upper limit [C]: "Thermal
#: Guidelines for Data Processing Environments", 5th ed. (2021), liquid cooling chapter, which named the classes by
#: their upper limit (W17, W27, W32, W40, W45, W+ above 45 C). They replace the 2011 white paper's W1-W5 ("2011
#: Thermal Guidelines for Liquid Cooled Data Processing Environments", W1 2-17 C, W2 2-27 C, W3 2-32 C, W4 2-45 C,
#: W5 above 45 C), and the second edition of "Liquid Cooling Guidelines for Datacom Equipment Centers" first gave
#: supply-water classes ("five water temperature classes with the highest temperature class being > 45 C", ASHRAE
#: press release, mechanical-hub.com). W40 is the 2021 split of the old W4; the limits are quoted as recalled from
#: the 2021 table (the excerpts read here confirm the 2011 classes and the > 45 C top class, not the whole 2021 table).
FACILITY_WATER_CLASSES = (("W17", 17.0), ("W27", 27.0), ("W32", 32.0), ("W40", 40.0), ("W45", 45.0),
                          ("W+", math.inf))

#: Lower facility water limit of the classes [C] (2011 white paper: every class from 2 C).
FACILITY_WATER_MIN_C = 2.0

#: Highest coolant (TCS) supply temperature the IT allows [C]. ASHRAE publishes no TCS class table that was found
#: (nautilusdt.com, 2026: "the formal standard does not yet include prescriptive thermal ranges for liquid cooling
#: supply"); the limit is the IT maker's: a GB300 compute tray's cold plates accept "supply liquid temperatures up to
#: 45 C" at about 8 L/min for 6.9 kW (dev.to, Zoey Lee, "GB300 Cold Plate Liquid Cooling"). Taken for GB200 too:
#: ASSUMPTION (no NVIDIA GB200 figure in the stored pages).
DEFAULT_TCS_SUPPLY_MAX_C = 45.0

#: Cold plate thermal resistance, case to coolant [K W-1]: the GB200 cold plate requirement "less than 0.03 C/W"
#: (Kenfa Tech, "Deep Dive into NVIDIA GB200 Liquid Cooling Plate Design"), taken at its bound.
DEFAULT_COLD_PLATE_RESISTANCE_K_W = 0.03

#: Water at 30 C and 1 atm: cp 4180 J kg-1 K-1, density 995.6 kg m-3 (NIST Chemistry WebBook, fluid properties).
WATER_CP_J_KGK = 4180.0
WATER_DENSITY_KG_M3 = 995.6


def facility_class_limit_c(name: str) -> float:
    """Upper facility water supply limit of an ASHRAE liquid-cooling class [C] (``W+``: no upper limit)."""
    for n, limit in FACILITY_WATER_CLASSES:
        if n == name:
            return limit
    raise ValueError(f"facility_class: unknown ASHRAE liquid class {name!r}; known: "
                     f"{', '.join(n for n, _ in FACILITY_WATER_CLASSES)}")


def facility_class_of(supply_c: float) -> str:
    """The lowest ASHRAE liquid class whose facility water limit a supply temperature meets [-]."""
    if not math.isfinite(supply_c):
        raise ValueError(f"supply_c: must be finite, got {supply_c}")
    for n, limit in FACILITY_WATER_CLASSES:
        if supply_c <= limit:
            return n
    return "W+"  # pragma: no cover - the last limit is infinite


def coolant_capacity_w_k(flow_l_min: float, cp_j_kgk: float = WATER_CP_J_KGK,
                         density_kg_m3: float = WATER_DENSITY_KG_M3) -> float:
    """Capacity rate ``m cp`` of a coolant flow given in litres per minute [W K-1]."""
    if not flow_l_min > 0:
        raise ValueError(f"flow_l_min: must be > 0, got {flow_l_min}")
    return flow_l_min / 60.0 / 1000.0 * density_kg_m3 * cp_j_kgk


def pump_head_m(pressure_rise_pa: float, density_kg_m3: float) -> float:
    """A pressure rise as a head of the pumped fluid [m]."""
    return pressure_rise_pa / (density_kg_m3 * thermal.GRAVITY_M_S2)


@dataclass(frozen=True)
class LiquidLoop:
    """One cabin's liquid path at design flows.

    Attributes
    ----------
    cdu_ua_design_w_k : CDU exchanger UA at design flows [W K-1]
    coolant_capacity_w_k : TCS capacity rate ``m cp`` (the TCS pump runs at constant flow) [W K-1]
    sea_capacity_design_w_k : seawater capacity rate through the CDU at full primary pump speed [W K-1]
    loop_heat_capacity_j_k : heat capacity of the coolant and the wetted metal [J K-1]
    arrangement : CDU flow arrangement (a plate exchanger is counterflow)
    hot_side_share : coolant side's share of the CDU's design thermal resistance [-]
    """

    cdu_ua_design_w_k: float
    coolant_capacity_w_k: float
    sea_capacity_design_w_k: float
    loop_heat_capacity_j_k: float
    arrangement: str = "counterflow"
    hot_side_share: float = 0.5

    def __post_init__(self) -> None:
        for name in ("cdu_ua_design_w_k", "coolant_capacity_w_k", "sea_capacity_design_w_k",
                     "loop_heat_capacity_j_k"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueError(f"{name}: must be finite and > 0, got {v!r}")
        if not 0.0 <= self.hot_side_share <= 1.0:
            raise ValueError(f"hot_side_share: must be in [0, 1], got {self.hot_side_share}")


@dataclass(frozen=True)
class LiquidState:
    """Steady temperatures of the liquid path [C]."""

    supply_c: float
    return_c: float
    sea_out_c: float


def design_liquid_loop(heat_w: float, coolant_rise_k: float, sea_rise_k: float, approach_k: float,
                       loop_heat_capacity_j_k: float, arrangement: str = "counterflow") -> LiquidLoop:
    """Size the CDU from its design point: at ``heat_w`` the coolant rises ``coolant_rise_k`` across the cold plates,
    the seawater ``sea_rise_k`` through the CDU, and the supply sits ``approach_k`` above the sea. The same sizing as
    the air exchanger (``physics.thermal.design_exchanger_ua_w_k``, no bypass): ``G = Q / (approach + rise)`` is
    ``eps C_min``, and the NTU that gives that effectiveness at the design capacity ratio, times ``C_min``, the UA."""
    ua, c_tcs, c_sea = thermal.design_exchanger_ua_w_k(heat_w, coolant_rise_k, sea_rise_k, approach_k, 0.0,
                                                       arrangement)
    return LiquidLoop(ua, c_tcs, c_sea, loop_heat_capacity_j_k, arrangement)


def cdu_conductance_w_k(loop: LiquidLoop, sea_speed: float, coolant_speed: float = 1.0) -> float:
    """``G = eps C_min`` of the CDU [W K-1] at the seawater and coolant flows given as fractions of design [-]:
    each side's film resistance scales as ``flow^-0.8`` (``physics.heat_transfer.hx_ua_scaled_w_k``)."""
    if not 0.0 <= sea_speed <= 1.5:
        raise ValueError(f"sea_speed: must be in [0, 1.5], got {sea_speed}")
    if not 0.0 < coolant_speed <= 1.5:
        raise ValueError(f"coolant_speed: must be in (0, 1.5], got {coolant_speed}")
    if sea_speed == 0.0:
        return 0.0
    ua = float(hx_ua_scaled_w_k(loop.cdu_ua_design_w_k, float(coolant_speed), float(sea_speed),
                                loop.hot_side_share))
    c_hot = loop.coolant_capacity_w_k * coolant_speed
    c_sea = loop.sea_capacity_design_w_k * sea_speed
    c_min, c_max = min(c_hot, c_sea), max(c_hot, c_sea)
    return float(effectiveness_ntu(ua / c_min, c_min / c_max, loop.arrangement)) * c_min


def supply_coefficient(loop: LiquidLoop, sea_speed: float, coolant_speed: float = 1.0) -> float:
    """``k = G / C_tcs`` of ``T_s = (1 - k) T_r + k T_sea`` [-]."""
    return cdu_conductance_w_k(loop, sea_speed, coolant_speed) / (loop.coolant_capacity_w_k * coolant_speed)


def steady_state(loop: LiquidLoop, heat_w: float, sea_temp_c: float, sea_speed: float) -> LiquidState:
    """Steady supply, return and seawater outlet temperatures [C] for ``heat_w`` [W] into the coolant."""
    g = cdu_conductance_w_k(loop, sea_speed)
    if g <= 0.0:
        raise ValueError("sea_speed: no seawater flow, no steady state with heat")
    t_r = sea_temp_c + heat_w / g
    return LiquidState(t_r - heat_w / loop.coolant_capacity_w_k, t_r,
                       sea_temp_c + heat_w / (loop.sea_capacity_design_w_k * sea_speed))


def case_temp_c(supply_c: float, device_heat_w: float,
                resistance_k_w: float = DEFAULT_COLD_PLATE_RESISTANCE_K_W) -> float:
    """Case temperature of a chip on a cold plate fed at ``supply_c`` [C]: ``T_s + q R_cp``."""
    if resistance_k_w < 0 or device_heat_w < 0:
        raise ValueError("device_heat_w and resistance_k_w must be >= 0")
    return supply_c + device_heat_w * resistance_k_w


def max_heat_w(loop: LiquidLoop, sea_temp_c: float, supply_limit_c: float, sea_speed: float = 1.0) -> float:
    """Most heat the liquid path carries with its supply at ``supply_limit_c`` [W]:
    ``(T_lim - T_sea) / (1/G - 1/C_tcs)``; 0 when the sea is at or above the limit."""
    g = cdu_conductance_w_k(loop, sea_speed)
    return max(0.0, (supply_limit_c - sea_temp_c) / (1.0 / g - 1.0 / loop.coolant_capacity_w_k))


def sea_speed_for_supply(loop: LiquidLoop, heat_w: float, sea_temp_c: float, setpoint_c: float,
                         min_speed: float, max_speed: float = 1.0) -> float:
    """Lowest seawater pump speed whose steady state holds the supply at or below ``setpoint_c`` [-]
    (``max_speed`` when none does, ``min_speed`` when that one already does)."""
    from scipy.optimize import brentq

    def excess(s: float) -> float:
        return steady_state(loop, heat_w, sea_temp_c, s).supply_c - setpoint_c

    if heat_w <= 0.0 or excess(min_speed) <= 0.0:
        return min_speed
    if excess(max_speed) > 0.0:
        return max_speed
    return float(brentq(excess, min_speed, max_speed, xtol=1e-10))


def time_constant_s(loop: LiquidLoop, sea_speed: float) -> float:
    """Time constant of the coolant node ``C_l / G`` [s]."""
    g = cdu_conductance_w_k(loop, sea_speed)
    return math.inf if g <= 0.0 else loop.loop_heat_capacity_j_k / g


def step_return_c(loop: LiquidLoop, return_c: float, heat_w: float, sea_temp_c: float, sea_speed: float,
                  dt_s: float) -> float:
    """Return temperature after ``dt_s`` [s] with constant heat, sea and pump speed: the exact solution
    ``T_inf + (T_0 - T_inf) exp(-dt G / C_l)``, ``T_inf = T_sea + Q/G`` [C]."""
    if not dt_s >= 0:
        raise ValueError(f"dt_s: must be >= 0, got {dt_s}")
    g = cdu_conductance_w_k(loop, sea_speed)
    if g <= 0.0:
        return return_c + heat_w * dt_s / loop.loop_heat_capacity_j_k
    t_inf = sea_temp_c + heat_w / g
    return t_inf + (return_c - t_inf) * math.exp(-dt_s * g / loop.loop_heat_capacity_j_k)
