"""Pictures of a completed run: the 3D snapshot, the plots beside it, and the interactive browser view.

Rendering is CPU work in the server process: the routes are plain ``def`` (FastAPI runs them in its thread pool,
so the event loop keeps answering), and VTK renders one picture at a time (``viz.render.RENDER_LOCK``). Runs
execute in the worker processes at a lower priority, so pictures and the view stay usable while runs execute.
Every bad request is a 4xx naming its field: a time outside the run, an unknown scene, field, camera or plot, a
run that has not completed or failed.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse

from api.deps import SettingsDep, StoreDep
from api.errors import RESPONSES, ApiError
from api.runs import get_row

router = APIRouter(prefix="/v1", tags=["views"])

PNG = {200: {"content": {"image/png": {}}, "description": "A PNG picture"}}
_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()
MAX_CACHED_RUNS = 4
MAX_FRAMES = 400
"""At most this many times on the view's slider (evenly spread over the run's steps)."""


def _errors(*codes: int) -> dict:
    return {c: RESPONSES[c] for c in sorted({401, 404, 409, 422, *codes})}


def _result(store, run_id: str):
    """The completed run's result, kept for the last few runs asked for."""
    row = get_row(store, run_id)
    if row["status"] == "failed":
        raise ApiError(409, f"run {run_id} failed, so there is nothing to draw: {row.get('error') or 'no reason'}",
                       [{"field": "run", "reason": "the run failed"}])
    if row["status"] != "completed":
        raise ApiError(409, f"run {run_id} is {row['status']}; its pictures are there once it has completed",
                       [{"field": "run", "reason": f"the run is {row['status']}"}])
    from viz.source import load_run

    with _CACHE_LOCK:
        hit = _CACHE.get(run_id)
        if hit is not None:
            _CACHE.move_to_end(run_id)
            return hit
    result = load_run(store.run_dir(run_id))
    with _CACHE_LOCK:
        _CACHE[run_id] = result
        while len(_CACHE) > MAX_CACHED_RUNS:
            _CACHE.popitem(last=False)
    return result


def _bad(exc: ValueError) -> ApiError:
    field = getattr(exc, "field", None) or str(exc).split(":", 1)[0]
    reason = getattr(exc, "reason", None) or str(exc).split(":", 1)[-1].strip()
    return ApiError(422, str(exc), [{"field": f"query.{field}", "reason": reason}])


def _scene(store, run_id, time, scene, field, fixed_range: bool):
    from viz.views import check_choice, make_scene

    result = _result(store, run_id)
    try:
        check_choice(scene, field)
        return make_scene(result, time, scene, field, fixed_range=fixed_range)
    except ValueError as exc:
        raise _bad(exc) from None


def _camera_check(scene_obj, camera: str | None) -> None:
    if camera is not None and camera not in scene_obj.cameras:
        raise ApiError(422, f"camera: {camera!r} is not a view of the {scene_obj.kind} scene",
                       [{"field": "query.camera", "reason": f"choose one of {', '.join(scene_obj.cameras)}"}])


TimeQ = Annotated[str | None, Query(max_length=64, description="ISO 8601 time (no offset: the run's), an offset "
                                    "from the start such as 36h, or none for the last step")]
SceneQ = Annotated[str, Query(max_length=32, description="cabin or site")]
FieldQ = Annotated[str | None, Query(max_length=32, description="cabin: temperature [C] or rise [K]; site: power "
                                     "[MW] or load [%]")]
CameraQ = Annotated[str | None, Query(max_length=32, description="a camera preset of the scene")]


@router.get("/runs/{run_id}/snapshot.png", responses={**PNG, **_errors()})
def snapshot(run_id: str, store: StoreDep, time: TimeQ = None, scene: SceneQ = "cabin", field: FieldQ = None,
             camera: CameraQ = None, width: Annotated[int, Query(ge=200, le=2400)] = 1200,
             height: Annotated[int, Query(ge=150, le=1600)] = 800):
    """The 3D picture of a completed run at a time: the cabin in cutaway or the site (the CLI's `render`)."""
    from viz.render import render_png

    sc = _scene(store, run_id, time, scene, field, fixed_range=False)
    _camera_check(sc, camera)
    return Response(render_png(sc, (width, height), camera), media_type="image/png")


@router.get("/runs/{run_id}/plots/{name}.png", responses={**PNG, **_errors()})
def plot(run_id: str, name: str, store: StoreDep):
    """A plot of a completed run: `power` (balance), `temperatures` (against the ASHRAE bands) or `ref`."""
    from viz.plots import PLOTS, plot_png

    if name not in PLOTS:
        raise ApiError(404, f"no plot {name!r}; the plots are {', '.join(PLOTS)}",
                       [{"field": "name", "reason": f"choose one of {', '.join(PLOTS)}"}])
    result = _result(store, run_id)
    return Response(plot_png(name, result.series, result.scenario), media_type="image/png")


def _meta(run_id: str, result) -> dict:
    from viz.scene import CAMERAS, FIELDS, SCENES
    from viz.source import time_label
    from viz.views import DEFAULT_FIELD

    idx = result.series.index
    step = max(1, -(-len(idx) // MAX_FRAMES))
    rows = list(range(0, len(idx), step))
    if rows[-1] != len(idx) - 1:
        rows.append(len(idx) - 1)
    return {"run_id": run_id, "times": [idx[i].isoformat() for i in rows],
            "labels": [time_label(result.series, i) for i in rows], "scenes": list(SCENES),
            "scene": "cabin", "fields": {k: list(v) for k, v in FIELDS.items()}, "default_field": DEFAULT_FIELD,
            "cameras": {k: list(v) for k, v in CAMERAS.items()},
            "frame_url": f"/v1/runs/{run_id}/view/frame.vtksz", "script_url": "/v1/view/vtk-viewer.js"}


@router.get("/runs/{run_id}/view", responses={
    200: {"content": {"text/html": {}}, "description": "The page"}, **_errors()})
def view(run_id: str, store: StoreDep):
    """The interactive 3D view in the browser: rotate and zoom, a time slider, a choice of scene, field and view.
    vtk.js is served by this server (`/v1/view/vtk-viewer.js`); nothing is loaded from elsewhere."""
    from viz.web import view_page

    result = _result(store, run_id)
    meta = _meta(run_id, result)
    return HTMLResponse(view_page(f"{result.scenario.name} ({run_id[:8]})", meta, meta["script_url"]))


@router.get("/runs/{run_id}/view/meta", responses=_errors())
def view_meta(run_id: str, store: StoreDep):
    """What the view offers: the slider's times and labels, scenes, fields and camera presets."""
    return _meta(run_id, _result(store, run_id))


def _custom_camera(text: str | None):
    if text is None:
        return None
    try:
        v = [float(x) for x in text.split(",")]
    except ValueError:
        v = []
    if len(v) != 9 or not all(abs(x) < 1e9 for x in v):
        raise ApiError(422, "camera_at: need 9 numbers: position, focal point and view up [m]",
                       [{"field": "query.camera_at", "reason": "9 comma-separated numbers"}])
    return (tuple(v[0:3]), tuple(v[3:6]), tuple(v[6:9]))


@router.get("/runs/{run_id}/view/frame.vtksz", responses={
    200: {"content": {"application/zip": {}}, "description": "A vtk.js OfflineLocalView scene (.vtksz)"},
    **_errors()})
def view_frame(run_id: str, store: StoreDep, time: TimeQ = None, scene: SceneQ = "cabin", field: FieldQ = None,
               camera: CameraQ = None, camera_at: Annotated[str | None, Query(
                   max_length=400, description="position, focal point, view up: 9 numbers [m]")] = None):
    """One frame of the view as a vtk.js scene; colours keep one range over the whole run."""
    from viz.render import legend, scene_vtksz

    custom = _custom_camera(camera_at)
    sc = _scene(store, run_id, time, scene, field, fixed_range=True)
    _camera_check(sc, camera)
    body = scene_vtksz(sc, camera, custom_camera=custom)
    return Response(body, media_type="application/zip",
                    headers={"X-Scene-Info": json.dumps({"step": sc.info.get("step"), "time": sc.time_label,
                                                         "title": sc.title, "legend": legend(sc)})})


@router.get("/view/vtk-viewer.js", responses={
    200: {"content": {"text/javascript": {}}, "description": "vtk.js OfflineLocalView, from trame-vtk"}})
def vtk_viewer():
    """vtk.js's scene viewer, served from the installed trame-vtk package."""
    from viz.web import vtk_viewer_js

    return Response(vtk_viewer_js(), media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=86400"})


# ----------------------------------------------------------------------------------------------- a twin's present

_TWIN_CACHE: OrderedDict = OrderedDict()
MAX_CACHED_TWINS = 4


def _twin_present(store, settings, twin_id: str):
    """The twin's present as a one-step result and its saved state (``api.twin_state.twin_present_result``), kept
    for the last few twins until their telemetry or calibration changes."""
    from api.twin_state import twin_present_result
    from api.uploads import upload_slot

    row = store.twins.get_twin(twin_id) if len(twin_id) <= 64 else None
    if row is None:
        raise ApiError(404, f"no twin {twin_id[:80]!r}")
    key = (twin_id, row["updated_at"], row["measurements"], row.get("calibration_id"), row["scenario_hash"])
    with _CACHE_LOCK:
        hit = _TWIN_CACHE.get(twin_id)
        if hit is not None and hit[0] == key:
            return hit[1]
    with upload_slot(settings.max_concurrent_states, "state estimate"):
        try:
            value = twin_present_result(store.twins, row, settings.max_state_steps)
        except ValueError as exc:
            raise ApiError(409, "the present cannot be drawn from this telemetry",
                           [{"field": "telemetry", "reason": str(exc)}]) from None
    with _CACHE_LOCK:
        _TWIN_CACHE[twin_id] = (key, value)
        while len(_TWIN_CACHE) > MAX_CACHED_TWINS:
            _TWIN_CACHE.popitem(last=False)
    return value


def _twin_scene(store, settings, twin_id: str, field: str | None, cabin: int):
    from viz.views import check_choice, make_scene

    result, state = _twin_present(store, settings, twin_id)
    try:
        check_choice("cabin", field)
        sc = make_scene(result, None, "cabin", field, cabin=cabin)
    except ValueError as exc:
        raise _bad(exc) from None
    row = result.series.iloc[0]  # what the field was solved on (viz.fieldview.field_at)
    sc.info["state_time"] = state.time.isoformat()
    sc.info["lumped_state_c"] = [float(row[f"cabin{cabin}_{k}"]) for k in ("it_temp_c", "gas_temp_c", "wall_temp_c")]
    return sc, state


CabinQ = Annotated[int, Query(ge=0, le=1000, description="Cabin group")]
CameraAtQ = Annotated[str | None, Query(max_length=400, description="position, focal point, view up: 9 numbers [m]")]


def _twin_info(sc) -> str:
    from viz.render import legend

    return json.dumps({"time": sc.time_label, "title": sc.title, "legend": legend(sc),
                       "state_time": sc.info["state_time"], "lumped_state_c": sc.info["lumped_state_c"]})


@router.get("/twins/{twin_id}/snapshot.png", responses={**PNG, **_errors(429)})
def twin_snapshot(twin_id: str, store: StoreDep, settings: SettingsDep, field: FieldQ = None, cabin: CabinQ = 0,
                  camera: CameraQ = None, width: Annotated[int, Query(ge=200, le=2400)] = 1200,
                  height: Annotated[int, Query(ge=150, le=1600)] = 800):
    """The 3D picture of the twin's present: the cabin in cutaway, its field solved on the synchronised state (the
    filter's node temperatures, GET /v1/twins/{id}/state). `X-Scene-Info` gives the state's time and the node
    temperatures drawn."""
    from viz.render import render_png

    sc, _ = _twin_scene(store, settings, twin_id, field, cabin)
    _camera_check(sc, camera)
    return Response(render_png(sc, (width, height), camera), media_type="image/png",
                    headers={"X-Scene-Info": _twin_info(sc)})


def _twin_meta(twin_id: str, result, state) -> dict:
    from viz.scene import CAMERAS, FIELDS
    from viz.source import time_label
    from viz.views import DEFAULT_FIELD

    idx = result.series.index
    return {"twin_id": twin_id, "times": [idx[0].isoformat()], "labels": [time_label(result.series, 0)],
            "scenes": ["cabin"], "scene": "cabin", "fields": {"cabin": list(FIELDS["cabin"])},
            "default_field": {"cabin": DEFAULT_FIELD["cabin"]}, "cameras": {"cabin": list(CAMERAS["cabin"])},
            "frame_url": f"/v1/twins/{twin_id}/view/frame.vtksz", "script_url": "/v1/view/vtk-viewer.js",
            "state": json.loads(state.model_dump_json())}


@router.get("/twins/{twin_id}/view", responses={
    200: {"content": {"text/html": {}}, "description": "The page"}, **_errors(429)})
def twin_view(twin_id: str, store: StoreDep, settings: SettingsDep):
    """The interactive 3D view of the twin's present in the browser (the run view's page, one time: now)."""
    from viz.web import view_page

    result, state = _twin_present(store, settings, twin_id)
    meta = _twin_meta(twin_id, result, state)
    return HTMLResponse(view_page(f"{result.scenario.name}: the present ({twin_id[:8]})", meta, meta["script_url"]))


@router.get("/twins/{twin_id}/view/meta", responses=_errors(429))
def twin_view_meta(twin_id: str, store: StoreDep, settings: SettingsDep):
    """What the twin's view offers, and the saved state it draws."""
    return _twin_meta(twin_id, *_twin_present(store, settings, twin_id))


@router.get("/twins/{twin_id}/view/frame.vtksz", responses={
    200: {"content": {"application/zip": {}}, "description": "A vtk.js OfflineLocalView scene (.vtksz)"},
    **_errors(429)})
def twin_view_frame(twin_id: str, store: StoreDep, settings: SettingsDep, time: TimeQ = None,
                    scene: SceneQ = "cabin", field: FieldQ = None, cabin: CabinQ = 0, camera: CameraQ = None,
                    camera_at: CameraAtQ = None):
    """The twin's present as a vtk.js scene (`time` is ignored: there is one, now; `scene` must be cabin)."""
    from viz.render import scene_vtksz

    if scene != "cabin":
        raise ApiError(422, f"scene: the twin's present is drawn as the cabin scene, not {scene[:32]!r}",
                       [{"field": "query.scene", "reason": "choose cabin"}])
    custom = _custom_camera(camera_at)
    sc, _ = _twin_scene(store, settings, twin_id, field, cabin)
    _camera_check(sc, camera)
    return Response(scene_vtksz(sc, camera, custom_camera=custom), media_type="application/zip",
                    headers={"X-Scene-Info": _twin_info(sc)})
