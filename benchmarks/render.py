"""The 3D view: time to render a cabin and a site picture, and the size and load time of the interactive page.

Run: ``.venv/bin/python benchmarks/render.py``. Runs the reference design for two days at 600 s steps, then prints
in one process:

- the baseline: an empty pyvista scene rendered off-screen (EGL) at the same size, and a sphere;
- the cabin picture (3D field solve + meshes + render) and the site picture (per-turbine wake shares + meshes +
  render), each as the median of 3, and their ratio to the baseline;
- the interactive page: the bytes of the HTML, the vtk.js viewer and the first frame, and, with chromium, the time
  from navigation to the first frame handed to vtk.js (a live ``seabed-twin serve`` on a temporary registry).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyvista as pv  # noqa: E402

from viz import render  # noqa: E402  (sets the EGL window before vtk)

SIZE = (1200, 800)


def timed(fn, n=3) -> float:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def baseline(mesh=None) -> None:
    with render.RENDER_LOCK:
        pl = pv.Plotter(off_screen=True, window_size=SIZE)
        if mesh is not None:
            pl.add_mesh(mesh)
        pl.screenshot(return_img=True)
        pl.close()


def main() -> None:
    from twin.scenario import load_scenario
    from twin.sim.engine import simulate
    from viz.views import make_scene

    result = simulate(load_scenario("lingang-phase1", ["run.horizon_s=2d", "run.step_s=600"]))
    baseline()  # first context creation is not what we time
    t_empty = timed(baseline)
    t_sphere = timed(lambda: baseline(pv.Sphere()))
    t_cabin = timed(lambda: render.render_png(make_scene(result, "30h", "cabin"), SIZE))
    t_site = timed(lambda: render.render_png(make_scene(result, "30h", "site"), SIZE))
    print(f"baseline: empty pyvista scene {t_empty * 1e3:.0f} ms, a sphere {t_sphere * 1e3:.0f} ms "
          f"({SIZE[0]}x{SIZE[1]})")
    print(f"cabin picture: {t_cabin:.2f} s ({t_cabin / t_empty:.0f} x the empty scene)")
    print(f"site picture:  {t_site:.2f} s ({t_site / t_empty:.0f} x the empty scene)")
    page(result)


def page(result) -> None:
    import httpx

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "api"))
    from api_support import ServerProcess

    from api.store import RunStore

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        store = RunStore(data)
        rid = uuid.uuid4().hex
        store.create_run(rid, "bench", result.scenario.model_dump(mode="json"), {})
        attempt = store.new_attempt(rid)
        store.mark_running(rid, attempt)
        paths = result.save(store.run_dir(rid))
        store.mark_completed(rid, attempt, result.kpis, {k: p.name for k, p in paths.items()}, {})
        srv = ServerProcess(data, workers=1).start()
        try:
            with httpx.Client(base_url=srv.url, timeout=120) as c:
                html = c.get(f"/v1/runs/{rid}/view").content
                js = c.get("/v1/view/vtk-viewer.js").content
                t0 = time.perf_counter()
                frame = c.get(f"/v1/runs/{rid}/view/frame.vtksz").content
                t_frame = time.perf_counter() - t0
                t0 = time.perf_counter()
                site = c.get(f"/v1/runs/{rid}/view/frame.vtksz", params={"scene": "site"}).content
                t_site = time.perf_counter() - t0
            total = len(html) + len(js) + len(frame)
            print(f"interactive page: HTML {len(html) / 1e3:.1f} kB, vtk.js viewer {len(js) / 1e6:.2f} MB, first "
                  f"cabin frame {len(frame) / 1e3:.0f} kB (served in {t_frame:.2f} s), site frame "
                  f"{len(site) / 1e3:.0f} kB ({t_site:.2f} s); total {total / 1e6:.2f} MB")
            if not Path("/usr/bin/chromium").exists():
                print("page load time: skipped, no /usr/bin/chromium")
                return
            from playwright.sync_api import sync_playwright

            args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync"]
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
                pg = browser.new_page(viewport={"width": 1000, "height": 700})
                t0 = time.perf_counter()
                pg.goto(f"{srv.url}/v1/runs/{rid}/view")
                t_dom = time.perf_counter() - t0
                pg.wait_for_function("document.body.dataset.frame === '1'", timeout=120_000)
                t_first = time.perf_counter() - t0
                browser.close()
            print(f"page load (headless chromium, SwiftShader WebGL): page and viewer {t_dom:.2f} s, first frame "
                  f"drawn by vtk.js {t_first:.2f} s")
        finally:
            srv.stop()


if __name__ == "__main__":
    main()
