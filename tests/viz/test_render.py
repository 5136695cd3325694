"""What the pictures draw: the hottest rack in the hot end of the colour map and its inlet in the cold end; every
turbine of the layout in the site picture; colour bars with units; bad choices refused by name."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from scipy import ndimage

from physics import field
from twin.sim.cabin import build_cabin
from viz.render import render_image, render_png
from viz.scene import cabin_scene
from viz.source import ViewInputError, load_run, time_index
from viz.views import make_scene

SIZE = (900, 640)


def _lut_position(rgb: np.ndarray, cmap: str) -> float:
    """Where a drawn colour sits in a colour map [0 = cold end, 1 = hot end], by chromaticity (shading scales a
    colour's brightness, not its hue)."""
    lut = matplotlib.colormaps[cmap](np.linspace(0, 1, 256))[:, :3] * 255.0
    chroma = lut / lut.sum(axis=1, keepdims=True)
    c = np.asarray(rgb, float)
    c = c / c.sum()
    return float(np.argmin(((chroma - c) ** 2).sum(axis=1)) / 255.0)


@pytest.fixture(scope="module")
def hot_rack_scene(short_run):
    """The reference cabin's field with one front-row rack on the top deck given three times its share of heat."""
    sc = short_run.scenario
    group = sc.cabins[0]
    plant = build_cabin(sc, group)
    geo = field.CylinderGeometry(group.geometry.diameter_m, group.geometry.length_m, group.geometry.orientation)
    layout = field.rack_layout(geo, group.racks.rack_count)
    top = max(layout.rack_deck)
    front_y = min(b.origin_m[1] for b in layout.racks)
    candidates = [k for k, b in enumerate(layout.racks) if layout.rack_deck[k] == top and b.origin_m[1] == front_y]
    hot = min(candidates, key=lambda k: abs(layout.racks[k].origin_m[0] + 0.3 - geo.diameter_m / 2))
    heat = np.full(len(layout.racks), 2.0e6 / len(layout.racks))
    heat[hot] *= 3.0
    temps, diag, problem = field.cabin_field(plant.thermal, geo, len(layout.racks), heat, 20.0, resolution_m=0.5)
    assert int(np.argmax(diag["rack_peak_c"])) == hot  # the picture's subject: this rack is the hottest
    scene = cabin_scene(temps, problem, 20.0, "test time", "temperature")
    return scene, layout.racks[hot], diag


def test_hottest_rack_is_drawn_in_the_hot_end_and_its_inlet_in_the_cold_end(hot_rack_scene):
    scene, box, diag = hot_rack_scene
    (x0, y0, z0), (w, _, h) = box.origin_m, box.size_m
    face_y = y0 - 0.02  # the rack's front face, towards the camera
    points = np.array([[x0 + w / 2, face_y, z0 + h - 0.25], [x0 + w / 2, face_y, z0 + 0.25]])
    img, rc = render_image(scene, SIZE, "cutaway", project=points, text=False)
    (rt, ct), (rb, cb) = np.round(rc).astype(int)
    assert 0 <= rt < SIZE[1] and 0 <= ct < SIZE[0] and 0 <= rb < SIZE[1]
    top = img[rt - 2:rt + 3, ct - 2:ct + 3].reshape(-1, 3).mean(axis=0)
    bottom = img[rb - 2:rb + 3, cb - 2:cb + 3].reshape(-1, 3).mean(axis=0)
    assert _lut_position(top, "coolwarm") > 0.85, top
    assert _lut_position(bottom, "coolwarm") < 0.3, bottom
    # and a rack of ordinary heat beside it is not drawn as hot as it
    lo, hi = scene.info["clim"]
    assert hi == pytest.approx(diag["peak_c"])


def test_the_hot_rack_changes_the_picture_where_it_is_drawn(hot_rack_scene, short_run):
    """Swapping the hot rack's field for an even one cools exactly the pixels of that rack's top."""
    scene, box, _ = hot_rack_scene
    (x0, y0, z0), (w, _, h) = box.origin_m, box.size_m
    img, rc = render_image(scene, SIZE, "cutaway", project=[[x0 + w / 2, y0 - 0.02, z0 + h - 0.25]], text=False)
    r, c = np.round(rc[0]).astype(int)
    sc = short_run.scenario
    group = sc.cabins[0]
    geo = field.CylinderGeometry(group.geometry.diameter_m, group.geometry.length_m, group.geometry.orientation)
    temps, _, problem = field.cabin_field(build_cabin(sc, group).thermal, geo, group.racks.rack_count, 2.0e6, 20.0,
                                          resolution_m=0.5)
    even = cabin_scene(temps, problem, 20.0, "test time", "temperature", clim=scene.info["clim"])
    img2 = render_image(even, SIZE, "cutaway", text=False)
    assert _lut_position(img2[r, c], "coolwarm") < _lut_position(img[r, c], "coolwarm") - 0.2


def test_site_picture_shows_every_turbine_of_the_layout(short_run):
    """Turbines are what differs between the picture and the same picture without its turbines: one blob each."""
    i = time_index(short_run.series, "12h")
    scene = make_scene(short_run, "12h", "site")
    img = render_image(scene, (1600, 1000), "overview", text=False)
    bare = make_scene(short_run, "12h", "site")
    bare.layers = [x for x in bare.layers if x.name not in ("rotors", "rotors down", "towers")]
    img0 = render_image(bare, (1600, 1000), "overview", text=False)
    diff = np.abs(img.astype(int) - img0.astype(int)).sum(axis=2) > 30
    labels, n = ndimage.label(ndimage.binary_dilation(diff, iterations=4))
    sizes = np.bincount(labels.ravel())[1:]
    # a turbine is a rotor on its tower; a few pixels of a tower's foot seen through the sea are not a turbine
    blobs = sizes[sizes >= 0.2 * np.median(sizes)]
    n_turbines = short_run.scenario.wind.farm.turbine_count
    assert blobs.size == n_turbines, (n, sorted(sizes)[:5])
    assert blobs.max() < 1.6 * np.median(blobs)  # no two turbines drawn into one blob
    assert scene.info["turbine_count"] == n_turbines
    assert scene.info["turbines_available"] == round(float(short_run.series["turbines_available"].iloc[i]))


def test_site_turbine_powers_add_up_to_the_farm(short_run):
    from viz.source import turbine_powers_w

    i = time_index(short_run.series, "6h")
    t = turbine_powers_w(short_run, i)
    assert t.power_w.sum() == pytest.approx(float(short_run.series["wind_available_w"].iloc[i]), rel=1e-9)
    assert np.all(t.power_w[~t.available] == 0)
    assert np.all(t.power_w <= t.rated_power_w * 1.2)


def test_pictures_have_colour_bars_with_units_and_a_time_label(short_run):
    scene = make_scene(short_run, "6h", "cabin")
    bars = [x.bar for x in scene.layers if x.bar]
    assert "gas temperature [C]" in bars and "plume rise above the sea [K]" in bars
    assert scene.time_label.startswith("2026-01-01 06:00")
    png = render_png(scene, (600, 400))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_saved_run_loads_and_bad_choices_are_refused_by_name(saved_run):
    result = load_run(saved_run)
    with pytest.raises(ViewInputError, match="^time: .* is outside the run"):
        make_scene(result, "5d", "cabin")
    with pytest.raises(ViewInputError, match="^scene: 'moon' is not a scene"):
        make_scene(result, None, "moon")
    with pytest.raises(ViewInputError, match="^field: 'power' is not a field of the cabin scene"):
        make_scene(result, None, "cabin", "power")
    with pytest.raises(ViewInputError, match="^time: 'yesterday'"):
        make_scene(result, "yesterday", "site")
    with pytest.raises(ViewInputError, match="^run: "):
        load_run(saved_run / "nowhere")


def test_a_liquid_cooled_cabin_shows_its_coolant_loop_coloured_by_temperature(tmp_path):
    from twin.scenario import load_scenario
    from twin.sim.engine import simulate

    run = simulate(load_scenario("lingang-ai-liquid", ["run.horizon_s=6h"]))
    scene = make_scene(run, "3h", "cabin")
    layers = {x.name: x for x in scene.layers}
    assert {"coolant pipes", "CDU"} <= set(layers)
    pipes = layers["coolant pipes"]
    s = run.series
    i = scene.info["step"]
    supply, ret = float(s.cabin0_coolant_supply_c.iloc[i]), float(s.cabin0_coolant_return_c.iloc[i])
    temps = np.unique(np.round(pipes.mesh.point_data["coolant_c"], 4))
    # the headers and risers carry the supply and the return, the CDU's seawater pipes the sea in and out
    assert np.isclose(temps, supply, atol=1e-3).any() and np.isclose(temps, ret, atol=1e-3).any()
    assert pipes.clim[0] <= supply < ret <= pipes.clim[1] and pipes.bar and "[C]" in pipes.bar
    # drawn: the picture differs from the same scene without the loop
    img = render_image(scene, SIZE, "cutaway", text=False)
    bare = make_scene(run, "3h", "cabin")
    bare.layers = [x for x in bare.layers if x.name not in ("coolant pipes", "CDU")]
    assert (np.abs(img.astype(int) - render_image(bare, SIZE, "cutaway", text=False).astype(int)).sum(axis=2)
            > 30).sum() > 500
    # and the gas field carries only the gas path's heat: far cooler than 6 MW of racks in the gas would make it
    assert float(s.cabin0_gas_temp_c.iloc[i]) < 40.0
