"""``seabed-twin render | animate | plot``: pictures of a run, off-screen (docs/view.md).

RUN_OR_DESIGN is a saved run folder (``seabed-twin run --out DIR``), a run id with ``--data`` (the API's data
folder), or a design name / scenario file, which is run first (``--horizon``, ``--step``, ``--seed``, ``--set``).
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from twin.cli.common import app


def _result(run_or_design: str, data: Optional[Path], horizon, step, seed, sets):
    from twin.cli.common import err, fail_input, resolve
    from twin.scenario import ScenarioError
    from viz.source import ViewInputError, load_run

    folder = Path(run_or_design)
    if data is not None:
        folder = Path(data) / "runs" / run_or_design
        if not folder.is_dir():
            fail_input(f"RUN_OR_DESIGN: no run {run_or_design!r} in {data}/runs")
    if folder.is_dir():
        try:
            return load_run(folder)
        except ViewInputError as exc:
            fail_input(str(exc))
    try:
        scenario = resolve(run_or_design, horizon, step, seed, sets)
    except ScenarioError as exc:
        fail_input(str(exc))
    from twin.sim.engine import simulate

    with err.status(f"running {scenario.name}"):
        try:
            return simulate(scenario)
        except ValueError as exc:
            err.print(f"[bold red]run failed:[/] {exc}")
            raise typer.Exit(1) from None


def _size(text: str) -> tuple[int, int]:
    from twin.cli.common import fail_input

    try:
        w, h = (int(v) for v in text.lower().split("x"))
        if not (200 <= w <= 4000 and 150 <= h <= 4000):
            raise ValueError
        return w, h
    except ValueError:
        fail_input(f"--size: {text!r} must be WIDTHxHEIGHT in pixels, e.g. 1200x800 (200-4000 by 150-4000)")


RUN_ARG = typer.Argument(..., help="A saved run folder, a run id (with --data), or a design name / scenario file")


def render(run_or_design: str = RUN_ARG,
           time: Optional[str] = typer.Option(None, "--time", help="ISO time or offset such as 36h; default: "
                                                                 "the last step"),
           scene: str = typer.Option("cabin", help="cabin or site"),
           field: Optional[str] = typer.Option(None, help="cabin: temperature | rise; site: power | load"),
           camera: Optional[str] = typer.Option(None, help="Camera preset (cabin: cutaway, front, top, water; "
                                                           "site: overview, plan, cabin)"),
           out: Path = typer.Option(Path("snapshot.png"), "--out", help="PNG file to write"),
           size: str = typer.Option("1200x800", help="WIDTHxHEIGHT [px]"),
           resolution: float = typer.Option(0.5, help="Cell size of the cabin's 3D field [m]"),
           data: Optional[Path] = typer.Option(None, help="The API's data folder, when RUN_OR_DESIGN is a run id"),
           horizon: Optional[str] = typer.Option(None, help="When running a design: simulated time, e.g. 2d"),
           step: Optional[str] = typer.Option(None, help="When running a design: step, e.g. 600s"),
           seed: Optional[int] = typer.Option(None, help="When running a design: random seed"),
           set_: List[str] = typer.Option([], "--set", help="When running a design: dotted.path=value")) -> None:
    """Render the cabin in cutaway or the site at a time, off-screen, to a PNG."""
    from twin.cli.common import fail_input

    wh = _size(size)
    result = _result(run_or_design, data, horizon, step, seed, set_)
    from viz.render import render_png
    from viz.scene import CAMERAS
    from viz.views import make_scene

    try:
        sc = make_scene(result, time, scene, field, resolution_m=resolution)
        if camera is not None and camera not in CAMERAS[scene]:
            raise ValueError(f"camera: {camera!r} is not a preset of the {scene} scene ({', '.join(CAMERAS[scene])})")
    except ValueError as exc:
        fail_input(str(exc))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render_png(sc, wh, camera))
    typer.echo(f"{scene}: {out}")


def animate(run_or_design: str = RUN_ARG,
            start: Optional[str] = typer.Option(None, help="First frame: ISO time or offset; default the start"),
            end: Optional[str] = typer.Option(None, help="Last frame: ISO time or offset; default the end"),
            every: str = typer.Option("1h", help="Time between frames, e.g. 1h, 30min, 600s"),
            scene: str = typer.Option("cabin", help="cabin or site"),
            field: Optional[str] = typer.Option(None, help="cabin: temperature | rise; site: power | load"),
            camera: Optional[str] = typer.Option(None, help="Camera preset"),
            out: Path = typer.Option(Path("animation.gif"), "--out", help=".gif or .mp4"),
            fps: float = typer.Option(4.0, help="Frames per second"),
            size: str = typer.Option("800x544", help="WIDTHxHEIGHT [px] (multiples of 16 for MP4)"),
            resolution: float = typer.Option(0.5, help="Cell size of the cabin's 3D field [m]"),
            max_frames: int = typer.Option(500, help="Refuse more frames than this"),
            data: Optional[Path] = typer.Option(None, help="The API's data folder, when RUN_OR_DESIGN is a run id"),
            horizon: Optional[str] = typer.Option(None, help="When running a design: simulated time"),
            step: Optional[str] = typer.Option(None, help="When running a design: step"),
            seed: Optional[int] = typer.Option(None, help="When running a design: random seed"),
            set_: List[str] = typer.Option([], "--set", help="When running a design: dotted.path=value")) -> None:
    """A frame every EVERY from START to END, as a GIF or MP4; colours keep one range over the run."""
    from twin.cli.common import fail_input
    from twin.scenario import parse_duration_s

    if out.suffix.lower() not in (".gif", ".mp4"):
        fail_input(f"--out: {out} must end in .gif or .mp4")
    try:
        every_s = parse_duration_s(every)
    except ValueError as exc:
        fail_input(f"--every: {exc}")
    if not every_s > 0:
        fail_input("--every: must be > 0")
    wh = _size(size)
    result = _result(run_or_design, data, horizon, step, seed, set_)
    import pandas as pd

    from viz.render import render_image, write_animation
    from viz.source import ViewInputError, time_index
    from viz.views import check_choice, make_scene

    s = result.series
    try:
        field = check_choice(scene, field)
        i0 = time_index(s, start if start is not None else "start")
        i1 = time_index(s, end)
    except ViewInputError as exc:
        fail_input(str(exc))
    if i1 < i0:
        fail_input(f"--end: {s.index[i1].isoformat()} is before --start {s.index[i0].isoformat()}")
    times = pd.date_range(s.index[i0], s.index[i1], freq=pd.Timedelta(seconds=every_s))
    if len(times) > max_frames:
        fail_input(f"--every: {len(times)} frames is more than --max-frames {max_frames}")

    def frames():
        for t in times:
            sc = make_scene(result, t, scene, field, resolution_m=resolution, fixed_range=True)
            yield render_image(sc, wh, camera)

    try:
        n = write_animation(frames(), out, fps)
    except ValueError as exc:
        fail_input(str(exc))
    typer.echo(f"{n} frames: {out}")


def plot(run_or_design: str = RUN_ARG,
         name: List[str] = typer.Option(["power", "temperatures", "ref"], "--name",
                                        help="power, temperatures, ref (repeatable)"),
         out: Path = typer.Option(Path("."), "--out", help="Folder for <name>.png"),
         data: Optional[Path] = typer.Option(None, help="The API's data folder, when RUN_OR_DESIGN is a run id"),
         horizon: Optional[str] = typer.Option(None, help="When running a design: simulated time"),
         step: Optional[str] = typer.Option(None, help="When running a design: step"),
         seed: Optional[int] = typer.Option(None, help="When running a design: random seed"),
         set_: List[str] = typer.Option([], "--set", help="When running a design: dotted.path=value")) -> None:
    """The plots beside the 3D view as PNG: power balance, temperatures against ASHRAE, REF over time."""
    from twin.cli.common import fail_input
    from viz.plots import PLOTS, plot_png

    bad = [n for n in name if n not in PLOTS]
    if bad:
        fail_input(f"--name: {', '.join(bad)} is not a plot; choose from {', '.join(PLOTS)}")
    result = _result(run_or_design, data, horizon, step, seed, set_)
    for n in name:
        typer.echo(f"{n}: {plot_png(n, result.series, result.scenario, out / f'{n}.png')}")


app.command()(render)
app.command()(animate)
app.command()(plot)
