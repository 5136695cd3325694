"""Off-screen rendering of scenes: PNG, GIF/MP4 animations, and vtk.js scene files for the browser.

Without a display, VTK must open its OpenGL context through EGL (Mesa's, or a GPU's): importing this module sets
``VTK_DEFAULT_OPENGL_WINDOW=vtkEGLRenderWindow`` before vtk is imported, unless a display or an explicit choice is
there. VTK is not thread-safe, so every render holds :data:`RENDER_LOCK`; a server renders in worker threads one
picture at a time.
"""

from __future__ import annotations

import io
import json
import os
import threading
import zipfile

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

import numpy as np  # noqa: E402
import pyvista as pv  # noqa: E402

__all__ = ["RENDER_LOCK", "build_plotter", "render_image", "render_png", "scene_vtksz", "write_animation", "legend",
           "DEFAULT_SIZE"]

RENDER_LOCK = threading.RLock()
DEFAULT_SIZE = (1200, 800)
BACKGROUND = "white"


def _camera(pl: pv.Plotter, scene, name: str | None, aspect: float, custom=None) -> None:
    name = name or scene.default_camera
    if custom is not None:
        pos, focal, up = custom
    else:
        if name not in scene.cameras:
            raise ValueError(f"camera: {name!r} is not a preset of the {scene.kind} scene "
                             f"({', '.join(scene.cameras)})")
        pos, focal, up = scene.cameras[name]
    pos, focal, up = (np.asarray(v, float) for v in (pos, focal, up))
    if custom is None and name in scene.parallel and scene.fit_points is not None:
        view = focal - pos
        dist = np.linalg.norm(view)
        view /= dist
        right = np.cross(view, up)
        right /= np.linalg.norm(right)
        upp = np.cross(right, view)
        u, v = scene.fit_points @ right, scene.fit_points @ upp
        shift = right * (u.max() + u.min()) / 2 + upp * (v.max() + v.min()) / 2 - right * (focal @ right) \
            - upp * (focal @ upp)
        focal, pos = focal + shift, pos + shift
        pl.enable_parallel_projection()
        pl.camera_position = [tuple(pos), tuple(focal), tuple(upp)]
        pl.camera.parallel_scale = 1.08 * max((v.max() - v.min()) / 2, (u.max() - u.min()) / 2 / aspect)
    else:
        pl.camera_position = [tuple(pos), tuple(focal), tuple(up)]
        pl.camera.view_angle = 30.0
    pl.renderer.ResetCameraClippingRange()


def legend(scene) -> list[dict]:
    """The scene's colour bars as data: title (with unit), range and nine colours from low to high."""
    import matplotlib

    out, seen = [], set()
    for layer in scene.layers:
        if layer.scalars is None or layer.bar is None or layer.bar in seen:
            continue
        seen.add(layer.bar)
        cmap = matplotlib.colormaps[layer.cmap]
        out.append({"title": layer.bar, "range": [float(layer.clim[0]), float(layer.clim[1])],
                    "colors": [matplotlib.colors.to_hex(cmap(f)) for f in np.linspace(0.0, 1.0, 9)]})
    return out


def build_plotter(scene, size=DEFAULT_SIZE, camera: str | None = None, text: bool = True,
                  custom_camera=None) -> pv.Plotter:
    """A pyvista off-screen plotter holding the scene, and with ``text`` its colour bars, title and time label."""
    pl = pv.Plotter(off_screen=True, window_size=tuple(int(s) for s in size))
    pl.set_background(BACKGROUND)
    bars = set()
    for layer in (x for x in scene.layers if x.mesh is not None and x.mesh.n_points):
        kw = dict(opacity=layer.opacity, ambient=layer.ambient, diffuse=1.0 - layer.ambient * 0.5, specular=0.0,
                  line_width=layer.line_width, name=layer.name)
        if layer.scalars is not None:
            show = text and layer.bar is not None and layer.bar not in bars
            kw.update(scalars=layer.scalars, cmap=layer.cmap, clim=layer.clim, show_scalar_bar=show,
                      )
            if show:
                bars.add(layer.bar)
                kw["scalar_bar_args"] = dict(title=layer.bar, vertical=True, position_x=0.88,
                                             position_y=0.08 + 0.45 * (len(bars) - 1), height=0.4, width=0.06,
                                             title_font_size=14, label_font_size=12, color="black", fmt="%.1f")
        else:
            kw["color"] = layer.color
        pl.add_mesh(layer.mesh, **kw)
    if text:
        pl.add_text(scene.title, position="upper_left", font_size=11, color="black", name="title")
        pl.add_text(scene.time_label, position="lower_left", font_size=11, color="black", name="time")
    _camera(pl, scene, camera, size[0] / size[1], custom_camera)
    return pl


def render_image(scene, size=DEFAULT_SIZE, camera: str | None = None, project=None, text: bool = True):
    """RGB image (h, w, 3) uint8; with ``project`` (n, 3) world points [m], also their pixel (row, column)."""
    with RENDER_LOCK:
        pl = build_plotter(scene, size, camera, text)
        try:
            img = pl.screenshot(return_img=True)
            rows_cols = None
            if project is not None:
                from vtkmodules.vtkRenderingCore import vtkCoordinate

                coord = vtkCoordinate()
                coord.SetCoordinateSystemToWorld()
                out = []
                for p in np.atleast_2d(project):
                    coord.SetValue(*map(float, p))
                    x, y = coord.GetComputedDoubleDisplayValue(pl.renderer)
                    out.append((img.shape[0] - 1 - y, x))
                rows_cols = np.array(out)
        finally:
            pl.close()
    return (img, rows_cols) if project is not None else img


def render_png(scene, size=DEFAULT_SIZE, camera: str | None = None) -> bytes:
    """The scene as PNG bytes."""
    import imageio.v3 as iio

    return iio.imwrite("<bytes>", render_image(scene, size, camera), extension=".png")


def write_animation(frames, path, fps: float = 4.0) -> int:
    """Write RGB frames (an iterable of (h, w, 3) uint8) as a GIF or an MP4 (by the suffix); returns the count."""
    import imageio.v2 as imageio

    path = str(path)
    if path.lower().endswith(".mp4"):
        writer = imageio.get_writer(path, fps=fps, codec="libx264", macro_block_size=8, quality=7)
    elif path.lower().endswith(".gif"):
        writer = imageio.get_writer(path, mode="I", duration=1000.0 / fps, loop=0)
    else:
        raise ValueError(f"out: {path} must end in .gif or .mp4")
    n = 0
    with writer:
        for frame in frames:
            writer.append_data(np.asarray(frame))
            n += 1
    return n


def scene_vtksz(scene, camera: str | None = None, custom_camera=None, size=(960, 640)) -> bytes:
    """The scene as a vtk.js OfflineLocalView file (``.vtksz``: a zip holding ``index.json``, the serialised render
    window with its arrays inline), the format ``Plotter.export_vtksz`` writes, read by the page's vtk.js viewer."""
    from trame_vtk.modules.vtk.serializers import (
        SynchronizationContext,
        extract_array_hash,
        initialize_serializers,
        reference_id,
        serialize,
    )

    with RENDER_LOCK:
        initialize_serializers()
        pl = build_plotter(scene, size, camera, text=False, custom_camera=custom_camera)
        try:
            pl.render()
            ctx = SynchronizationContext()
            rw = pl.ren_win
            state = serialize(None, rw, reference_id(rw), ctx, 1)
            cam = pl.renderer.GetActiveCamera()
            state["extra"] = {"vtkRefId": reference_id(rw), "centerOfRotation": cam.GetFocalPoint(),
                              "camera": reference_id(cam)}
            hashes = {e["hash"]: dict(**e, content=ctx.get_cached_data_array(e["hash"], False))
                      for e in extract_array_hash(state)}
        finally:
            pl.close()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("index.json", json.dumps({"scene": state, "hashes": hashes}))
    return buf.getvalue()
