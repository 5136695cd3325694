"""Scenes: a state of the twin as pyvista meshes with their colours, colour bars and camera presets.

Two scenes, built by pure functions (arrays in, meshes out; nothing is rendered here, see ``viz/render.py``):

- :func:`cabin_scene`: a cabin in cutaway. The front half of the shell is removed; racks and exchangers are drawn
  as the surfaces of their own cells of the 3D field, each face coloured by the temperature of the cell behind it
  (so a rack shows its cold inlet at the bottom and its hot outlet at the top); the gas field is drawn in the back
  half as a vertical section through the axis, a horizontal section through every deck's plenum and
  translucent iso-surfaces; the water around it has the seabed, the sea surface and the warm-water plume.
- :func:`site_scene`: the wind farm by its layout, rotors at their true diameter facing the wind and coloured by
  their power at that step, the export cable from the farm to the cabin and the shore cable, the cabin on the
  seabed or on a jacket, the sea surface and the seabed.

A liquid-cooled cabin also shows its liquid path (:func:`cabin_scene`'s ``liquid``): the CDU, the coolant supply and
return headers of every deck with their risers, and the CDU's seawater pipes, coloured by their temperatures.

Coordinates are metres. Cabin scene: the cabin's own frame (x, y across a vertical cabin, z up from its bottom).
Site scene: x east, y north from the farm's first turbine, z up from the sea surface.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyvista as pv  # noqa: E402

from viz import render as _render  # noqa: F401  (sets the off-screen OpenGL window before vtk is imported)

__all__ = ["Layer", "Scene", "SCENES", "FIELDS", "CAMERAS", "cabin_scene", "site_scene", "field_values"]

SCENES = ("cabin", "site")
FIELDS = {
    "cabin": {"temperature": ("gas temperature [C]", "coolwarm"),
              "rise": ("temperature above the sea [K]", "coolwarm")},
    "site": {"power": ("turbine power [MW]", "viridis"),
             "load": ("turbine load [% of rated]", "viridis")},
}
"""Fields each scene can colour by: name -> (colour bar title with unit, colour map)."""
CAMERAS = {"cabin": ("cutaway", "front", "top", "water"), "site": ("overview", "plan", "cabin")}
"""Camera presets of each scene, the default first."""
PLUME_CMAP = "YlOrRd"
DOWN_COLOUR = "#9a9a9a"
SEA_COLOUR = "#2f6f9f"
SEABED_COLOUR = "#c2b280"
STEEL_COLOUR = "#8c9196"


@dataclass
class Layer:
    """One mesh and how to draw it: by ``scalars`` through ``cmap`` within ``clim``, or one ``color``."""

    name: str
    mesh: pv.DataSet
    scalars: str | None = None
    cmap: str | None = None
    clim: tuple[float, float] | None = None
    color: str | None = None
    opacity: float = 1.0
    bar: str | None = None
    """Title of this layer's colour bar (with its unit); None: no bar (or it shares another layer's)."""
    line_width: float = 1.0
    ambient: float = 0.35


@dataclass
class Scene:
    kind: str
    field: str
    title: str
    time_label: str
    layers: list[Layer]
    cameras: dict[str, tuple[tuple, tuple, tuple]]
    """Presets: name -> (position, focal point, view up) [m]."""
    default_camera: str
    parallel: tuple[str, ...] = ()
    """Presets drawn in parallel projection, framed to ``fit_points``."""
    fit_points: np.ndarray | None = None
    info: dict = field(default_factory=dict)


def field_values(temps_c: np.ndarray, sea_temp_c: float, name: str) -> np.ndarray:
    """The cabin field to colour by: ``temperature`` [C] as solved, or ``rise`` above the sea [K]."""
    if name == "temperature":
        return temps_c
    if name == "rise":
        return temps_c - sea_temp_c
    raise ValueError(f"field: {name!r} is not a cabin field ({', '.join(FIELDS['cabin'])})")


# ------------------------------------------------------------------------------------------------------- cabin


def _cell_grid(problem, values: np.ndarray) -> pv.ImageData:
    g = problem.grid
    img = pv.ImageData(dimensions=tuple(n + 1 for n in g.shape), spacing=g.spacing_m, origin=(0.0, 0.0, 0.0))
    img.cell_data["value"] = np.nan_to_num(values, nan=0.0).ravel(order="F")
    kind = np.full(g.shape, -1, dtype=np.int32)
    kind[g.active] = problem.cell_kind
    img.cell_data["kind"] = kind.ravel(order="F")
    return img


def _cells_of_kind(img: pv.ImageData, kind: int) -> pv.PolyData:
    part = img.threshold((kind - 0.5, kind + 0.5), scalars="kind", preference="cell")
    return part.extract_surface(algorithm=None) if part.n_cells else pv.PolyData()


def _half(mesh: pv.DataSet, centre: tuple, keep_back: bool = True) -> pv.DataSet:
    """Keep the back half (y >= axis) of a mesh: the front half is cut away towards the camera."""
    return mesh.clip(normal=(0.0, -1.0, 0.0), origin=centre, invert=keep_back) if mesh.n_points else mesh


COOLANT_CMAP = "plasma"


def _liquid_loop(problem, centre, liquid: dict) -> list[Layer]:
    """The liquid path of a liquid-cooled cabin: the CDU on the lowest deck, a supply and a return header under and
    over every deck's racks, the risers between them, the seawater pipe from the CDU to the shell; each coloured by
    its temperature (supply, return, seawater in and out) on one coolant colour bar. Back half only, as the rest."""
    geo = problem.geometry
    r = geo.diameter_m / 2.0
    sup, ret = float(liquid["supply_c"]), float(liquid["return_c"])
    sea_in, sea_out = float(liquid["sea_c"]), float(liquid.get("sea_out_c", liquid["sea_c"]))
    clim = (min(sea_in, sup), max(ret, sea_out, sup + 0.1))
    tubes = []

    def pipe(points, temp, radius):
        line = pv.lines_from_points(np.asarray(points, float))
        line.point_data["coolant_c"] = np.full(line.n_points, temp)
        tubes.append(line.tube(radius=radius, n_sides=12))

    decks = problem.layout.decks
    ring = 0.82 * r
    angles = np.linspace(0.0, np.pi, 25)  # the back half (y >= axis)
    for _bottom, floor, top in decks:
        for z, temp in ((floor + 0.15, sup), (top - 0.25, ret)):
            if geo.orientation == "vertical":  # a half ring round the deck's racks
                pts = np.c_[centre[0] + ring * np.cos(angles), centre[1] + ring * np.sin(angles), np.full(25, z)]
            else:  # a header along the cabin
                pts = [(0.1 * geo.length_m, centre[1] + 0.5 * r, z), (0.9 * geo.length_m, centre[1] + 0.5 * r, z)]
            pipe(pts, temp, 0.08)
    z_lo = decks[0][1] + 0.15
    z_hi = decks[-1][2] - 0.25
    x_riser = centre[0] + ring
    pipe([(x_riser, centre[1] + 0.05, z_lo), (x_riser, centre[1] + 0.05, z_hi)], sup, 0.1)
    pipe([(centre[0] - ring, centre[1] + 0.05, z_lo), (centre[0] - ring, centre[1] + 0.05, z_hi)], ret, 0.1)
    cdu_c = (centre[0], centre[1] + 0.5 * r, decks[0][1] + 0.6)
    cdu = pv.Box(bounds=(cdu_c[0] - 0.6, cdu_c[0] + 0.6, cdu_c[1] - 0.4, cdu_c[1] + 0.4, cdu_c[2] - 0.5,
                         cdu_c[2] + 0.5))
    cdu.point_data["coolant_c"] = np.full(cdu.n_points, 0.5 * (sup + ret))
    pipe([(cdu_c[0] + 0.6, cdu_c[1], cdu_c[2]), (x_riser, cdu_c[1], cdu_c[2]), (x_riser, centre[1] + 0.05, z_lo)],
         sup, 0.1)
    pipe([(cdu_c[0] - 0.6, cdu_c[1], cdu_c[2]), (centre[0] - ring, cdu_c[1], cdu_c[2]),
          (centre[0] - ring, centre[1] + 0.05, z_lo)], ret, 0.1)
    pipe([(cdu_c[0] - 0.2, cdu_c[1] + 0.4, cdu_c[2]), (cdu_c[0] - 0.2, centre[1] + r * 0.99, cdu_c[2])], sea_in, 0.12)
    pipe([(cdu_c[0] + 0.2, cdu_c[1] + 0.4, cdu_c[2] + 0.3), (cdu_c[0] + 0.2, centre[1] + r * 0.99, cdu_c[2] + 0.3)],
         sea_out, 0.12)
    common = dict(scalars="coolant_c", cmap=COOLANT_CMAP, clim=clim, ambient=0.5)
    return [Layer("coolant pipes", pv.merge(tubes), bar="coolant and CDU seawater [C]", **common),
            Layer("CDU", cdu, **common)]


def cabin_scene(temps_c: np.ndarray, problem, sea_temp_c: float, time_label: str, field_name: str = "temperature",
                clim: tuple[float, float] | None = None, plume: dict | None = None, title: str = "cabin",
                water: dict | None = None, liquid: dict | None = None) -> Scene:
    """The cabin in cutaway (see the module docstring).

    ``temps_c``: the field (nx, ny, nz) [C], NaN outside the cylinder; ``problem``: its
    :class:`physics.field.FieldProblem` (grid, cell kinds, layout); ``clim``: colour range of the field (default
    its range at this step); ``plume``: ``distance_m``, ``rise_k``, ``radius_m`` arrays from the discharge port
    downstream; ``water``: ``seabed_gap_m`` (cabin bottom above the seabed) and ``surface_gap_m`` (cabin top below
    the surface) [m]; ``liquid``: for a liquid-cooled cabin, ``supply_c``, ``return_c``, ``sea_c`` and ``sea_out_c``
    [C], drawn as the CDU and its coolant and seawater pipes on a colour bar of their own.
    """
    from physics.field import KIND_EXCHANGER, KIND_PLENUM, KIND_RACK

    if field_name not in FIELDS["cabin"]:
        raise ValueError(f"field: {field_name!r} is not a cabin field ({', '.join(FIELDS['cabin'])})")
    bar, cmap = FIELDS["cabin"][field_name]
    values = field_values(np.asarray(temps_c, float), sea_temp_c, field_name)
    finite = values[np.isfinite(values)]
    if clim is None:
        clim = (float(finite.min()), float(finite.max()))
    if not clim[1] > clim[0]:
        clim = (clim[0] - 0.5, clim[1] + 0.5)
    geo = problem.geometry
    ex, ey, ez = geo.extent_m
    centre = (ex / 2.0, ey / 2.0, ez / 2.0)
    img = _cell_grid(problem, values)
    gas = img.threshold(-0.5, scalars="kind", preference="cell")
    layers: list[Layer] = []
    common = dict(scalars="value", cmap=cmap, clim=clim)
    racks = _cells_of_kind(img, KIND_RACK)
    layers.append(Layer("racks", racks, bar=bar, ambient=0.5, **common))
    layers.append(Layer("exchangers", _cells_of_kind(img, KIND_EXCHANGER), ambient=0.5, **common))
    # sections of the gas in the back half: through the axis across the rows, and through every plenum
    point_gas = gas.cell_data_to_point_data()
    axis_normal = (1.0, 0.0, 0.0) if geo.orientation == "vertical" else (0.0, 0.0, 1.0)
    section = _half(gas.slice(normal=axis_normal, origin=centre), centre)
    layers.append(Layer("section", section, **common))
    for d, (bottom, floor, _top) in enumerate(problem.layout.decks):
        z = (bottom + floor) / 2.0
        plenum = gas.threshold((KIND_PLENUM - 0.5, KIND_PLENUM + 0.5), scalars="kind", preference="cell")
        if plenum.n_cells and geo.orientation == "vertical":
            cut = _half(plenum.slice(normal=(0, 0, 1), origin=(centre[0], centre[1], z)), centre)
            if cut.n_points:
                layers.append(Layer(f"plenum{d}", cut, **common))
    span = clim[1] - clim[0]
    levels = [clim[0] + f * span for f in (0.7, 0.9) if finite.min() < clim[0] + f * span < finite.max()]
    if levels:
        iso = _half(point_gas.contour(levels, scalars="value"), centre)
        if iso.n_points:
            layers.append(Layer("iso", iso, opacity=0.3, **common))
    # the shell: back half of the cylinder, and the outline of the cut
    r = geo.diameter_m / 2.0
    direction = (0, 0, 1) if geo.orientation == "vertical" else (1, 0, 0)
    shell = pv.Cylinder(center=centre, direction=direction, radius=r, height=geo.length_m, resolution=120,
                        capping=True).triangulate()
    layers.append(Layer("shell", _half(shell, centre), color=STEEL_COLOUR, opacity=1.0, ambient=0.3))
    layers.append(Layer("cut", shell.slice(normal=(0, 1, 0), origin=centre), color="#303030", line_width=3))
    info = {"clim": clim, "rack_count": len(problem.layout.racks)}
    if liquid is not None:
        layers += _liquid_loop(problem, centre, liquid)
        info["coolant_clim"] = layers[-1].clim
    # the water: seabed under the cabin, the sea surface above it, the plume downstream of the port
    w = water or {}
    reach = max(3.0 * max(ex, ey), 30.0)
    bed_z = -float(w.get("seabed_gap_m", 0.0))
    top_z = ez + float(w.get("surface_gap_m", 4.0))
    layers.append(Layer("seabed", pv.Plane(center=(centre[0] + reach / 3, centre[1], bed_z), direction=(0, 0, 1),
                                           i_size=reach * 1.6, j_size=reach), color=SEABED_COLOUR, ambient=0.5))
    layers.append(Layer("sea surface", pv.Plane(center=(centre[0] + reach / 3, centre[1], top_z), direction=(0, 0, 1),
                                                i_size=reach * 1.6, j_size=reach), color=SEA_COLOUR, opacity=0.18))
    if bed_z < -0.05 and geo.orientation == "vertical":
        for dx, dy in ((-1, -1), (-1, 1), (1, -1), (1, 1)):
            leg = pv.Line((centre[0] + dx * r * 0.8, centre[1] + dy * r * 0.8, bed_z),
                          (centre[0] + dx * r * 0.7, centre[1] + dy * r * 0.7, 0.0))
            layers.append(Layer("jacket", leg.tube(radius=0.25), color=STEEL_COLOUR))
    if plume is not None and len(plume["distance_m"]) > 1:
        dist = np.asarray(plume["distance_m"], float)
        keep = dist <= reach
        port = np.array([ex, centre[1], ez * 0.8]) if geo.orientation == "vertical" else np.array([ex, centre[1], ez])
        pts = port[None, :] + np.c_[dist[keep], np.zeros(keep.sum()), np.zeros(keep.sum())]
        line = pv.lines_from_points(pts)
        line.point_data["rise_k"] = np.asarray(plume["rise_k"], float)[keep]
        line.point_data["radius_m"] = np.asarray(plume["radius_m"], float)[keep]
        tube = line.tube(scalars="radius_m", absolute=True, n_sides=24)
        hi = float(max(np.max(plume["rise_k"]), 1e-3))
        layers.append(Layer("plume", tube, scalars="rise_k", cmap=PLUME_CMAP, clim=(0.0, hi), opacity=0.55,
                            bar="plume rise above the sea [K]"))
        info["plume_reach_m"] = float(dist[keep][-1])
    size = max(ex, ey, ez)
    look = (centre[0], centre[1], centre[2])
    cams = {
        "cutaway": ((centre[0] - 1.0 * size, centre[1] - 2.3 * size, min(centre[2] + 0.9 * size, top_z - 0.3)),
                    look, (0, 0, 1)),
        "front": ((centre[0], centre[1] - 3.0 * size, centre[2] + 0.2 * size), look, (0, 0, 1)),
        "top": ((centre[0], centre[1] - 0.01, top_z - 0.3), look, (0, 1, 0)),
        "water": ((centre[0] + reach / 3, centre[1] - 2.4 * reach, centre[2] + 0.9 * reach),
                  (centre[0] + reach / 3, centre[1], centre[2]), (0, 0, 1)),
    }
    return Scene("cabin", field_name, title, time_label, layers, cams, "cutaway", info=info)


# -------------------------------------------------------------------------------------------------------- site


def _rotor(centre, diameter_m: float, normal) -> pv.PolyData:
    return pv.Disc(center=centre, inner=0.06 * diameter_m, outer=diameter_m / 2.0, normal=normal, c_res=36)


def site_scene(turbines, water_depth_m: float, cabin: dict, cables: dict, time_label: str,
               field_name: str = "power", title: str = "site") -> Scene:
    """The site (see the module docstring).

    ``turbines``: a :class:`viz.source.TurbineState`; ``cabin``: ``diameter_m``, ``length_m``, ``orientation``,
    ``depth_m`` (of its centre below the surface); ``cables``: ``wind_link_m`` and ``shore_link_m`` lengths [m].
    """
    if field_name not in FIELDS["site"]:
        raise ValueError(f"field: {field_name!r} is not a site field ({', '.join(FIELDS['site'])})")
    bar, cmap = FIELDS["site"][field_name]
    t = turbines
    d, hub = t.rotor_diameter_m, t.hub_height_m
    if field_name == "power":
        values, clim = t.power_w / 1e6, (0.0, t.rated_power_w / 1e6)
    else:
        values, clim = 100.0 * t.power_w / t.rated_power_w, (0.0, 100.0)
    theta = np.deg2rad(t.wind_direction_deg)
    upwind = np.array([np.sin(theta), np.cos(theta), 0.0])  # towards where the wind comes from
    rotors, down_rotors, towers = [], [], []
    for k in range(t.count):
        base = (t.x_m[k], t.y_m[k])
        towers.append(pv.Cylinder(center=(base[0], base[1], (hub - water_depth_m) / 2.0), direction=(0, 0, 1),
                                  radius=max(0.025 * d, 2.0), height=hub + water_depth_m, resolution=12))
        centre = (base[0] + 0.05 * d * upwind[0], base[1] + 0.05 * d * upwind[1], hub)
        disc = _rotor(centre, d, upwind)
        disc.cell_data["value"] = np.full(disc.n_cells, values[k])
        (rotors if t.available[k] else down_rotors).append(disc)
    layers = [Layer("towers", pv.merge(towers), color="#e8e8e8", ambient=0.4)]
    if rotors:
        layers.append(Layer("rotors", pv.merge(rotors), scalars="value", cmap=cmap, clim=clim, bar=bar, ambient=0.6))
    if down_rotors:
        layers.append(Layer("rotors down", pv.merge(down_rotors), color=DOWN_COLOUR, ambient=0.6))
    # cabin south of the farm's first row by the wind link's length, on the seabed or on a jacket
    x_mid = float((t.x_m.min() + t.x_m.max()) / 2.0)
    link = float(cables["wind_link_m"])
    cx, cy = x_mid, float(t.y_m.min()) - link
    length, diam = float(cabin["length_m"]), float(cabin["diameter_m"])
    vertical = cabin.get("orientation", "vertical") == "vertical"
    half = length / 2.0 if vertical else diam / 2.0
    bottom = -float(cabin["depth_m"]) - half
    on_seabed = bottom <= -water_depth_m + 0.5
    if on_seabed:
        bottom = -water_depth_m
    body = pv.Cylinder(center=(cx, cy, bottom + half), direction=(0, 0, 1) if vertical else (1, 0, 0),
                       radius=diam / 2.0, height=length, resolution=48)
    layers.append(Layer("cabin", body, color="#f2a900", ambient=0.5))
    if not on_seabed:
        legs = [pv.Line((cx + sx * diam * 0.6, cy + sy * diam * 0.6, -water_depth_m),
                        (cx + sx * diam * 0.4, cy + sy * diam * 0.4, bottom)).tube(radius=0.3)
                for sx in (-1, 1) for sy in (-1, 1)]
        layers.append(Layer("jacket", pv.merge(legs), color=STEEL_COLOUR))
    bed = -water_depth_m + 0.3
    near = int(np.argmin(np.hypot(t.x_m - cx, t.y_m - cy)))
    export = pv.lines_from_points(np.array([[t.x_m[near], t.y_m[near], bed], [cx, cy, bed]]))
    shore_len = float(cables["shore_link_m"])
    farm_w = float(t.x_m.max() - t.x_m.min()) + 2 * d
    shown = min(shore_len, farm_w * 0.6 + 2000.0)
    shore = pv.lines_from_points(np.array([[cx, cy, bed], [cx - shown, cy - 0.25 * shown, bed]]))
    layers.append(Layer("export cable", export, color="#d62728", line_width=4))
    layers.append(Layer("shore cable", shore, color="#7f3fbf", line_width=4))
    strings = []
    for y_row in np.unique(np.round(t.y_m, 3)):
        on = np.isclose(t.y_m, y_row)
        xs = np.sort(t.x_m[on])
        if xs.size > 1:
            strings.append(pv.lines_from_points(np.c_[xs, np.full(xs.size, y_row), np.full(xs.size, bed)]))
    if strings:
        layers.append(Layer("array cables", pv.merge(strings), color="#444444", line_width=2))
    # sea surface and seabed over the whole picture
    x0, x1 = min(t.x_m.min(), cx - shown) - d, max(t.x_m.max(), cx) + d
    y0, y1 = min(t.y_m.min(), cy - 0.25 * shown) - d, t.y_m.max() + d
    pad = 0.08 * max(x1 - x0, y1 - y0)
    mid = ((x0 + x1) / 2, (y0 + y1) / 2)
    size = (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
    layers.append(Layer("seabed", pv.Plane(center=(mid[0], mid[1], -water_depth_m), direction=(0, 0, 1),
                                           i_size=size[0], j_size=size[1]), color=SEABED_COLOUR, ambient=0.6))
    layers.append(Layer("sea surface", pv.Plane(center=(mid[0], mid[1], 0.0), direction=(0, 0, 1), i_size=size[0],
                                                j_size=size[1]), color=SEA_COLOUR, opacity=0.35, ambient=0.6))
    farm_mid = (float(t.x_m.mean()), float(t.y_m.mean()), hub / 2)
    extent = max(size)
    # overview: from upwind, 45 degrees up, so every rotor faces the camera; parallel projection
    dist = 2.0 * extent
    pos = (farm_mid[0] + upwind[0] * dist * 0.7071, farm_mid[1] + upwind[1] * dist * 0.7071, dist * 0.7071)
    cams = {
        "overview": (pos, farm_mid, (0, 0, 1)),
        "plan": ((mid[0], mid[1], 3.0 * extent), (mid[0], mid[1], 0.0), (0, 1, 0)),
        "cabin": ((cx - 4 * length, cy - 6 * length, 3 * length), (cx, cy, bottom + half), (0, 0, 1)),
    }
    tips = np.r_[np.c_[t.x_m, t.y_m, np.full(t.count, hub + d / 2)], np.c_[t.x_m, t.y_m, np.full(t.count, -2.0)],
                 [[cx, cy, bottom]]]
    info = {"turbine_count": t.count, "turbines_available": int(t.available.sum()), "on_seabed": on_seabed,
            "clim": clim, "cabin_xy_m": (cx, cy)}
    return Scene("site", field_name, title, time_label, layers, cams, "overview", parallel=("overview", "plan"),
                 fit_points=tips, info=info)
