"""The CLI's render, animate and plot commands on a saved run folder."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
from typer.testing import CliRunner

from twin.cli import app

runner = CliRunner()


def test_render_writes_the_picture_at_the_size_asked(saved_run, tmp_path):
    out = tmp_path / "site.png"
    r = runner.invoke(app, ["render", str(saved_run), "--scene", "site", "--time", "8h", "--size", "640x400",
                            "--out", str(out)])
    assert r.exit_code == 0, r.output
    img = iio.imread(out)
    assert img.shape[:2] == (400, 640)
    assert len(np.unique(img.reshape(-1, img.shape[-1]), axis=0)) > 50  # a drawn picture, not a blank one


def test_render_refuses_a_time_outside_the_run_and_unknown_choices(saved_run, tmp_path):
    out = tmp_path / "x.png"
    for args, text in ((["--time", "3d"], "time:"), (["--scene", "moon"], "scene:"),
                       (["--field", "power"], "field:"), (["--camera", "nowhere"], "camera:"),
                       (["--size", "10x10"], "--size:")):
        r = runner.invoke(app, ["render", str(saved_run), "--out", str(out), *args])
        assert r.exit_code == 2, (args, r.output)
        assert text in r.output, (args, r.output)
    assert not out.exists()


def test_animate_writes_a_frame_per_interval(saved_run, tmp_path):
    out = tmp_path / "site.gif"
    r = runner.invoke(app, ["animate", str(saved_run), "--scene", "site", "--start", "0h", "--end", "2h",
                            "--every", "1h", "--size", "320x208", "--out", str(out)])
    assert r.exit_code == 0, r.output
    frames = iio.imread(out, index=None)
    assert frames.shape[0] == 3
    r = runner.invoke(app, ["animate", str(saved_run), "--out", str(tmp_path / "a.avi")])
    assert r.exit_code == 2 and "--out" in r.output


def test_plot_writes_the_three_plots(saved_run, tmp_path):
    r = runner.invoke(app, ["plot", str(saved_run), "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    for name in ("power", "temperatures", "ref"):
        assert iio.imread(tmp_path / f"{name}.png").shape[0] > 300
    r = runner.invoke(app, ["plot", str(saved_run), "--name", "wind", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "--name" in r.output
