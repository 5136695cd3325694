"""From a run and a time to a scene: the cabin's field and plume at that step, or the farm's turbines.

:func:`make_scene` is what the CLI, the API and the browser view call. Colour ranges: a picture of one time uses
the field's range at that time unless told otherwise; animations and the browser view fix the range over the run
(:func:`run_colour_range`), so that a colour means the same temperature in every frame.
"""

from __future__ import annotations

import math

import numpy as np

from viz.scene import FIELDS, SCENES, cabin_scene, site_scene
from viz.source import ViewInputError, time_index, time_label, turbine_powers_w

__all__ = ["make_scene", "check_choice", "run_colour_range", "plume_profile", "DEFAULT_FIELD"]

DEFAULT_FIELD = {"cabin": "temperature", "site": "power"}
SEAWATER_DENSITY_KG_M3 = 1025.0


def check_choice(scene: str, field: str | None) -> str:
    """The field to draw (the scene's default when None); :class:`ViewInputError` for an unknown scene or field."""
    if scene not in SCENES:
        raise ViewInputError("scene", f"{scene!r} is not a scene; choose one of {', '.join(SCENES)}")
    field = field or DEFAULT_FIELD[scene]
    if field not in FIELDS[scene]:
        raise ViewInputError("field", f"{field!r} is not a field of the {scene} scene; choose one of "
                                      f"{', '.join(FIELDS[scene])}")
    return field


def plume_profile(result, i: int, cabin: int = 0, reach_m: float = 40.0, points: int = 40) -> dict | None:
    """Centreline rise [K] and equivalent radius [m] of the warm-water plume downstream of the port at step ``i``.

    Rise from ``physics.plume.plume_centreline_rise_k``; the radius is that of a disc carrying the diluted flow
    ``S Q`` at the current speed, ``sqrt(S Q / (pi u_a))``, with the dilution ``S = dT0 / rise``.
    """
    from physics import plume
    from twin.sim.cabin import build_cabin

    sc = result.scenario
    group = sc.cabins[cabin]
    plant = build_cabin(sc, group)
    row = result.series.iloc[i]
    p = f"cabin{cabin}_"
    heat = float(row[p + "heat_w"]) if p + "heat_w" in row.index else (  # runs recorded before the power chain
        float(row[p + "it_power_w"]) + float(plant.fan_power_w(float(row[p + "fan_speed"]))))
    flow = plant.pump_design_flow_kg_s * float(row[p + "pump_speed"])
    current = max(float(row.get("current_speed_m_s", 0.0)), plume.MIN_CURRENT_M_S)
    if not (heat > 0 and flow > 0):
        return None
    dist = np.linspace(0.0, reach_m, points)
    rise = np.asarray(plume.plume_centreline_rise_k(dist, heat, flow, current, group.cooling.discharge_port_diameter_m,
                                                    water_depth_m=sc.site.water_depth_m), float)
    d_t0 = float(plume.discharge_temperature_rise_k(heat, flow))
    dilution = np.maximum(d_t0 / np.maximum(rise, 1e-9), 1.0)
    q = flow / SEAWATER_DENSITY_KG_M3
    radius = np.sqrt(dilution * q / (math.pi * current))
    radius = np.maximum(radius, group.cooling.discharge_port_diameter_m / 2.0)
    return {"distance_m": dist, "rise_k": rise, "radius_m": radius}


def _field(result, i: int, cabin: int, resolution_m: float):
    from viz.fieldview import field_at

    return field_at(result, result.series.index[i], cabin=cabin, resolution_m=resolution_m)


def run_colour_range(result, field: str, cabin: int = 0, resolution_m: float = 0.5) -> tuple[float, float]:
    """A colour range for every step of the run: the field at the coldest-sea step and at the step of the
    hottest cabin gas, their lowest and highest values (cabin fields); 0 to rated (site fields)."""
    key = (id(result), field, cabin, resolution_m)
    hit = _RANGES.get(key)
    if hit is not None:
        return hit
    s = result.series
    p = f"cabin{cabin}_"
    steps = {int(np.argmin(s["sea_temp_c"].to_numpy())), int(np.argmax(s[p + "gas_temp_c"].to_numpy())),
             int(np.argmax(s[p + "it_power_w"].to_numpy()))}
    lo, hi = math.inf, -math.inf
    for i in steps:
        temps, _, _ = _field(result, i, cabin, resolution_m)
        vals = temps - float(s["sea_temp_c"].iloc[i]) if field == "rise" else temps
        lo, hi = min(lo, float(np.nanmin(vals))), max(hi, float(np.nanmax(vals)))
    _RANGES[key] = (lo, hi)
    return lo, hi


_RANGES: dict = {}


def make_scene(result, when=None, scene: str = "cabin", field: str | None = None, cabin: int = 0,
               resolution_m: float = 0.5, clim: tuple[float, float] | None = None, fixed_range: bool = False):
    """The scene ``scene`` of ``result`` at the step nearest ``when`` (see :func:`viz.source.time_index`)."""
    field = check_choice(scene, field)
    s = result.series
    i = time_index(s, when)
    label = time_label(s, i)
    name = result.scenario.name
    if scene == "cabin":
        if not 0 <= cabin < len(result.scenario.cabins):
            raise ViewInputError("cabin", f"{cabin} is not a cabin group of this run "
                                          f"(0..{len(result.scenario.cabins) - 1})")
        temps, diag, problem = _field(result, i, cabin, resolution_m)
        if clim is None and fixed_range:
            clim = run_colour_range(result, field, cabin, resolution_m)
        site = result.scenario.site
        group = result.scenario.cabins[cabin]
        geometry = group.geometry
        half = geometry.length_m / 2 if geometry.orientation == "vertical" else geometry.diameter_m / 2
        water = {"seabed_gap_m": max(site.water_depth_m - site.cabin_depth_m - half, 0.0),
                 "surface_gap_m": max(site.cabin_depth_m - half, 0.0)}
        liquid = None
        if f"cabin{cabin}_coolant_supply_c" in s.columns:
            from twin.sim.cabin import build_cabin

            plant = build_cabin(result.scenario, group)
            speed = float(s[f"cabin{cabin}_cdu_pump_speed"].iloc[i])
            heat = float(s[f"cabin{cabin}_liquid_heat_w"].iloc[i])
            sea = float(s["sea_temp_c"].iloc[i])
            liquid = {"supply_c": float(s[f"cabin{cabin}_coolant_supply_c"].iloc[i]),
                      "return_c": float(s[f"cabin{cabin}_coolant_return_c"].iloc[i]), "sea_c": sea,
                      "sea_out_c": sea + heat / (plant.liquid.sea_capacity_design_w_k * max(speed, 1e-3))}
        sc = cabin_scene(temps, problem, float(s["sea_temp_c"].iloc[i]), label, field, clim=clim,
                         plume=plume_profile(result, i, cabin), title=f"{name}: cabin {group.name} in cutaway",
                         water=water, liquid=liquid)
        sc.info["rack_peak_c"] = np.asarray(diag["rack_peak_c"]).tolist()
        sc.info["step"] = i
        return sc
    turbines = turbine_powers_w(result, i)
    sc_ = result.scenario
    g = sc_.cabins[0]
    cab = {"diameter_m": g.geometry.diameter_m, "length_m": g.geometry.length_m,
           "orientation": g.geometry.orientation, "depth_m": sc_.site.cabin_depth_m}
    cables = {"wind_link_m": sc_.electrical.wind_link.length_m, "shore_link_m": sc_.electrical.shore_link.length_m}
    title = (f"{name}: {turbines.count} turbines, {turbines.available.sum()} available, wind "
             f"{turbines.wind_speed_m_s:.1f} m/s from {turbines.wind_direction_deg:.0f} deg, farm "
             f"{turbines.power_w.sum() / 1e6:.1f} MW")
    out = site_scene(turbines, sc_.site.water_depth_m, cab, cables, label, field, title=title)
    out.info["step"] = i
    return out
