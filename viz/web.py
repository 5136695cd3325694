"""The browser view: a static page that shows vtk.js scenes the server makes, one per time, scene and field.

vtk.js comes from an installed Python package, never a CDN: trame-vtk ships vtk.js's OfflineLocalView viewer
(``trame_vtk/tools/static_viewer.html``, the viewer of ``.vtksz`` scene files that ``Plotter.export_vtksz``
writes). :func:`vtk_viewer_js` takes its module script out of that page and removes the one thing it would fetch
from the network (favicons from the vtk.js web site). The page (:func:`view_page`) asks the server for a
``.vtksz`` frame whenever the time, scene, field or camera preset changes and hands it to
``OfflineLocalView.load``; the current camera goes with the request, so a rotated or zoomed view stays where the
user left it. Rotating and zooming happen in the browser (vtk.js's trackball interactor) without the server.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["vtk_viewer_js", "view_page", "VIEWER_SOURCE"]

_NETWORK_ICONS = "https://kitware.github.io/vtk-js/icon/favicon-"


def _viewer_html() -> Path:
    import trame_vtk

    return Path(trame_vtk.__file__).parent / "tools" / "static_viewer.html"


VIEWER_SOURCE = "trame_vtk/tools/static_viewer.html (vtk.js OfflineLocalView)"


@lru_cache(maxsize=1)
def vtk_viewer_js() -> bytes:
    """vtk.js's OfflineLocalView viewer as one JavaScript module that loads nothing from the network."""
    text = _viewer_html().read_text(encoding="utf-8")
    found = re.search(r'<script type="module">(.*)</script>', text, re.S)
    if found is None or "OfflineLocalView" not in found.group(1):
        raise RuntimeError(f"{_viewer_html()}: no OfflineLocalView module script (trame-vtk changed its viewer)")
    script = found.group(1).replace(_NETWORK_ICONS, "data:,")
    if re.search(r"""(href|src)\s*[,=:]\s*["'`]https?://""", script):
        raise RuntimeError("the vtk.js viewer still names a network resource to load")
    return _scene_per_load(script).encode("utf-8")


# In OfflineLocalView.load: the synchronizer context it takes, and the synchronisation of a loaded scene
_CONTEXT = re.compile(r"(\w+)=(\w+)\.getSynchronizerContext\(\),(\w+)=\2\.decorate\((\w+)\);")
_SYNC = re.compile(r"(\w+)\.synchronize\((\w+)\.scene\),\1\.render\(\)")


def _scene_per_load(script: str) -> str:
    """``OfflineLocalView.load`` made to show each scene it is given in full, whatever came before it.

    - vtk.js applies some instances' state (the camera's) only the first time it meets their id, in a map global to
      the page; each load makes a new render window, but the server's ids can repeat from one frame to the next (an
      address reused), and then the new window kept vtk.js's default camera, at (0, 0, 1) looking at the origin:
      the seabed filled the view. It happened to 1 of 8 sequences of five moves of the time slider, and twice in a
      clean-clone suite (tests/api/test_views.py; the canvas 1.5 % drawn). Each load now clears that map first.
    - Every load shared vtk.js's default synchronizer context: one function that fetches arrays (each load sets its
      own file's), one count of pending fetches, one cache of arrays. Each load now takes a context of its own, and
      lets the previous one go.
    - When a load's scene is complete (its arrays fetched), it is rendered and ``seabed-scene-drawn`` fires on the
      window; the page (:func:`view_page`) waits for it before it loads the next scene, so two never overlap."""
    contexts, syncs = _CONTEXT.findall(script), _SYNC.findall(script)
    managed = "vtkObjectManager:" in script and "clearOneTimeUpdaters:" in script
    if len(contexts) != 1 or len(syncs) != 1 or not managed:
        raise RuntimeError(f"{_viewer_html()}: OfflineLocalView.load is not as expected (synchronizer context "
                           f"{len(contexts)} times, scene synchronisation {len(syncs)} times, object manager's "
                           f"one-time updaters {'found' if managed else 'missing'}; trame-vtk changed it)")
    # the context is let go by name and made afresh under it: a previous window keeps the one it was given
    script = _CONTEXT.sub(
        lambda m: (f"{m[1]}=({m[2]}.vtkObjectManager.clearOneTimeUpdaters(),"
                   f"{m[2]}.clearSynchronizerContext(\"seabed\"),{m[2]}.getSynchronizerContext(\"seabed\")),"
                   f"{m[3]}={m[2]}.decorate({m[4]},\"seabed\");"), script)
    return _SYNC.sub(
        lambda m: (f"{m[1]}.synchronize({m[2]}.scene).then(()=>{{{m[1]}.render();"
                   f"window.dispatchEvent(new Event(\"seabed-scene-drawn\"))}}),{m[1]}.render()"), script)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script>window.global = window.global || {};</script>
<style>
 html, body { margin: 0; height: 100%; font-family: sans-serif; font-size: 14px; }
 #bar { position: absolute; top: 0; left: 0; right: 0; height: 74px; padding: 6px 10px; box-sizing: border-box;
        background: #f4f4f4; border-bottom: 1px solid #ccc; }
 #bar label { margin-right: 14px; }
 #slider { width: 50%; vertical-align: middle; }
 #view { position: absolute; top: 74px; left: 0; right: 0; bottom: 0; }
 #status { color: #555; margin-left: 10px; }
 #error { color: #b00; }
 #legend { position: absolute; right: 10px; bottom: 10px; background: rgba(255,255,255,0.85); padding: 6px 8px;
           font-size: 12px; border: 1px solid #ccc; }
 #legend .ramp { width: 180px; height: 12px; margin: 2px 0 6px 0; }
 #caption { position: absolute; left: 10px; bottom: 10px; background: rgba(255,255,255,0.85); padding: 4px 8px; }
</style></head>
<body>
<div id="bar">
 <b>__TITLE__</b>
 <label>scene <select id="scene"></select></label>
 <label>field <select id="field"></select></label>
 <label>view <select id="camera"></select></label>
 <span id="status"></span> <span id="error"></span><br>
 <label>time <input id="slider" type="range" min="0" max="0" value="0" step="1"></label>
 <span id="time"></span>
</div>
<div id="view"></div>
<div id="caption"></div>
<div id="legend"></div>
<script>
const META = __META__;
const state = { frame: 0, pending: null, busy: false, keepCamera: false };
const $ = (id) => document.getElementById(id);
function options(sel, names, chosen) {
  sel.innerHTML = "";
  for (const n of names) { const o = document.createElement("option"); o.value = o.textContent = n;
    if (n === chosen) o.selected = true; sel.appendChild(o); }
}
function cameraParam() {
  if (!state.keepCamera || !window.global.renderWindow) return "";
  const r = window.global.renderWindow.getRenderers().find((x) => x.getActors().length > 0);
  if (!r) return "";
  const c = r.getActiveCamera();
  const v = [...c.getPosition(), ...c.getFocalPoint(), ...c.getViewUp()].map((x) => x.toPrecision(8));
  return "&camera_at=" + v.join(",");
}
function query() {
  const i = Number($("slider").value);
  return "time=" + encodeURIComponent(META.times[i]) + "&scene=" + $("scene").value + "&field=" +
         $("field").value + "&camera=" + $("camera").value;
}
function drawn(start) {
  // the viewer fires seabed-scene-drawn when a loaded scene is complete (viz/web.py): the next load waits for it
  return new Promise((resolve, reject) => {
    const done = () => { clearTimeout(timer); window.removeEventListener("seabed-scene-drawn", done); resolve(); };
    const timer = setTimeout(() => { window.removeEventListener("seabed-scene-drawn", done);
                                     reject(new Error("the view did not finish drawing the scene in 60 s")); }, 60000);
    window.addEventListener("seabed-scene-drawn", done);
    start();
  });
}
async function load() {
  if (state.busy) { state.pending = true; return; }
  state.busy = true; state.pending = false; document.body.dataset.busy = "1";
  const i = Number($("slider").value);
  $("time").textContent = META.labels[i];
  $("status").textContent = "loading...";
  $("error").textContent = "";
  try {
    const r = await fetch(META.frame_url + "?" + query() + cameraParam());
    if (!r.ok) { const body = await r.json().catch(() => ({detail: r.statusText}));
                 throw new Error(body.detail || r.statusText); }
    const buf = await r.arrayBuffer();
    const info = JSON.parse(r.headers.get("X-Scene-Info") || "{}");
    $("caption").textContent = (info.title || "") + " | " + (info.time || "");
    $("legend").innerHTML = "";
    for (const bar of info.legend || []) {
      const d = document.createElement("div");
      d.innerHTML = "<div></div><div class='ramp'></div><div></div>";
      d.children[0].textContent = bar.title;
      d.children[1].style.background = "linear-gradient(to right, " + bar.colors.join(", ") + ")";
      d.children[2].textContent = bar.range[0].toFixed(1) + " ... " + bar.range[1].toFixed(1);
      $("legend").appendChild(d);
    }
    await drawn(() => window.OfflineLocalView.load($("view"), { file: buf }));
    state.frame += 1;
    document.body.dataset.frame = String(state.frame);
    document.body.dataset.time = META.times[i];
    $("status").textContent = "";
  } catch (e) { $("error").textContent = String(e.message || e); $("status").textContent = ""; }
  state.busy = false;
  if (state.pending) load(); else document.body.dataset.busy = "0";
}
function fields() { options($("field"), META.fields[$("scene").value], META.default_field[$("scene").value]);
                    options($("camera"), META.cameras[$("scene").value], META.cameras[$("scene").value][0]); }
window.loadDataSet = function () {
  // called by the viewer module when it has loaded (and again by its timer): start once, and open an empty view
  // at once so that the viewer does not show its file-drop page
  if (state.started) return;
  state.started = true;
  window.OfflineLocalView.load($("view"), {});
  options($("scene"), META.scenes, META.scene);
  fields();
  $("slider").max = String(META.times.length - 1);
  $("slider").value = String(META.times.length - 1);
  $("scene").addEventListener("change", () => { state.keepCamera = false; fields(); load(); });
  $("field").addEventListener("change", () => { state.keepCamera = true; load(); });
  $("camera").addEventListener("change", () => { state.keepCamera = false; load(); });
  $("slider").addEventListener("input", () => { $("time").textContent = META.labels[Number($("slider").value)]; });
  $("slider").addEventListener("change", () => { state.keepCamera = true; load(); });
  load();
};
</script>
<script type="module" src="__JS__"></script>
</body></html>
"""


def view_page(title: str, meta: dict, js_url: str) -> str:
    """The page: controls, the vtk.js view, and ``meta`` (times, labels, scenes, fields, cameras, frame URL)."""
    return (_PAGE.replace("__TITLE__", html.escape(title)).replace("__JS__", html.escape(js_url))
            .replace("__META__", json.dumps(meta).replace("</", "<\\/")))
