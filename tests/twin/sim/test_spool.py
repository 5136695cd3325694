"""The recorded series go through a spool on disk a chunk of output steps at a time (twin.sim.spool): a run in many
chunks gives the numbers a run in one chunk gives, and the result's series and series.parquet read back from it."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from twin.scenario import load_scenario
from twin.sim import spool as spool_module
from twin.sim.engine import build_run, simulate
from twin.sim.results import RunResult, write_series
from twin.sim.spool import SeriesSpool, chunk_rows

TWO_DAYS = ["run.horizon_s=2d", "run.start=2026-07-20T00:00:00+08:00", "cabins.0.racks.failure_rate_per_year=1.0"]


def test_chunks_are_about_a_week_of_whole_blocks_of_the_rack_record():
    assert chunk_rows(60.0, 3600.0, 525_600) == 10_080
    assert chunk_rows(3600.0, 7200.0, 8760) == 168  # two-hour blocks: an even number of hourly steps
    assert chunk_rows(420.0, 3600.0, 75_000) == 1440  # steps that do not divide a block: about a week of them
    assert chunk_rows(60.0, 3600.0, 500) == 500  # a short run is one chunk
    assert chunk_rows(60.0, 3600.0, 10_000, span_s=5 * 3600.0) == 300


def test_spool_reads_back_what_was_appended_across_chunks():
    s = SeriesSpool(10)
    a, b = np.arange(10.0), np.arange(10, dtype=np.float32) * 0.5
    for lo, hi in ((0, 4), (4, 7), (7, 10)):
        s.append({"a_w": a[lo:hi], "b_c": b[lo:hi]})
    s.add("c", np.linspace(0.0, 1.0, 10))
    assert s.columns == ["a_w", "b_c", "c"] and s.rows == 10
    assert np.array_equal(s.read("a_w"), a) and s.read("a_w").dtype == np.float64
    assert np.array_equal(s.read("b_c", 3, 8), b[3:8]) and s.read("b_c").dtype == np.float32
    assert np.array_equal(s.read("c", 9), [1.0])
    with pytest.raises(ValueError, match="rows spooled of 10"):
        s.append({"a_w": a[:1], "b_c": b[:1]})
    t = SeriesSpool(2)
    t.append({"x": a[:1]})
    with pytest.raises(TypeError, match="float32 after float64"):
        t.append({"x": b[:1]})
    with pytest.raises(ValueError, match="differ in length"):
        SeriesSpool(5).append({"x": a[:2], "y": a[:3]})


@pytest.mark.parametrize("step", ["60s", "420s"])
def test_a_run_in_many_chunks_gives_the_numbers_of_a_run_in_one(monkeypatch, step):
    overrides = [*TWO_DAYS, f"run.step_s={step}"]
    one = simulate(load_scenario("lingang-phase1", overrides))
    monkeypatch.setattr(spool_module, "CHUNK_SPAN_S", 5 * 3600.0)
    setup = build_run(load_scenario("lingang-phase1", overrides))
    assert setup.arrays.out64.shape[0] < setup.exo.n / 8  # the buffers hold a few hours: many chunks
    many = simulate(load_scenario("lingang-phase1", overrides))
    assert many.timings["kernel_calls"] > one.timings["kernel_calls"]
    assert many.kpis == one.kpis and many.ledger == one.ledger and many.classes == one.classes
    assert list(many.series.columns) == list(one.series.columns)
    for name in one.series.columns:
        assert np.array_equal(many.series[name].to_numpy(), one.series[name].to_numpy()), name
    if step == "60s":  # the chunks end on ends of the racks' hourly record
        assert np.array_equal(many.racks.to_numpy(), one.racks.to_numpy())


def test_series_and_parquet_read_from_the_spool_are_those_written_from_memory(tmp_path):
    r = simulate(load_scenario("lingang-phase1", ["run.horizon_s=6h"]))
    assert r.spool is not None
    paths = r.save(tmp_path / "spooled")  # written from the spool, the series not read yet
    frame = r.series
    assert frame.index.freq is not None and (frame.dtypes == np.float32).all()
    write_series(frame, tmp_path / "memory.parquet")
    assert paths["series"].read_bytes() == (tmp_path / "memory.parquet").read_bytes()
    loaded = RunResult.load(tmp_path / "spooled")
    assert np.array_equal(loaded.series.to_numpy(), frame.to_numpy()) and loaded.series.index.equals(frame.index)
    copy = pickle.loads(pickle.dumps(r))  # a pickled result carries its series, not the spool's open file
    assert copy.spool is None and copy.series.equals(frame)


def test_a_failed_drain_fails_the_run_and_leaves_no_thread(monkeypatch):
    """A thread drains each full chunk into the spool while the kernel fills the other set of buffers: an error
    there ends the run with that error, and the thread is gone."""
    import threading

    real = SeriesSpool.append
    calls = []

    def failing(self, columns):
        calls.append(len(columns))
        if len(calls) == 2:
            raise OSError("no space left on the device (test)")
        return real(self, columns)

    monkeypatch.setattr(spool_module, "CHUNK_SPAN_S", 6 * 3600.0)  # chunks of six hours: eight in two days
    monkeypatch.setattr(SeriesSpool, "append", failing)
    before = {t.name for t in threading.enumerate()}
    with pytest.raises(OSError, match="no space left"):
        simulate(load_scenario("lingang-phase1", TWO_DAYS))
    assert len(calls) == 2  # the run stopped at the next chunk's end, not the horizon
    assert {t.name for t in threading.enumerate()} - before == set()


def test_drained_columns_are_the_groups_integrals_over_the_step_rounded_once():
    """The kernel writes each group's integrals over a step as they are and the drain divides them by the step (in
    float64, then the one rounding to float32, as a division in the kernel gave); maxima and the protective action
    are written as kept, an empty maximum (-inf) included."""
    from twin.sim.recorder import (
        AC_COUNT,
        AC_HOT_MAX,
        AC_INLET,
        AC_INLET_MAX,
        AC_IT_W,
        AC_LQ_SUPPLY,
        AC_LQ_SUPPLY_MAX,
        AC_PROTECT,
        AG_COUNT,
        F_COUNT,
        O64_COUNT,
        series_columns,
    )
    rng = np.random.default_rng(7)
    steps, n_cab, step_s = 1000, 2, 60.0
    out_c = rng.uniform(1.0, 3e7, (steps, n_cab, AC_COUNT))
    out_c[:, :, AC_PROTECT] = rng.integers(0, 3, (steps, n_cab))
    out_c[:5, 1, AC_LQ_SUPPLY_MAX] = -np.inf
    cols = series_columns(np.zeros((steps, O64_COUNT)), np.zeros((steps, AG_COUNT - F_COUNT)), out_c, step_s,
                          liquid_rows=(1,))
    for c in range(n_cab):
        for j, name in ((AC_INLET, "inlet_temp_c"), (AC_IT_W, "it_power_w")):
            assert np.array_equal(cols[f"cabin{c}_{name}"], (out_c[:, c, j] / step_s).astype(np.float32)), name
        for j, name in ((AC_INLET_MAX, "inlet_temp_max_c"), (AC_HOT_MAX, "hottest_inlet_max_c"),
                        (AC_PROTECT, "protective_action")):
            assert np.array_equal(cols[f"cabin{c}_{name}"], out_c[:, c, j].astype(np.float32)), name
    assert np.array_equal(cols["cabin1_coolant_supply_c"], (out_c[:, 1, AC_LQ_SUPPLY] / step_s).astype(np.float32))
    assert np.isneginf(cols["cabin1_coolant_supply_max_c"][:5]).all()
    assert "cabin0_coolant_supply_c" not in cols
    # rounding the integral first and dividing after would give other values: the test can tell the two apart
    once = (out_c[:, 0, AC_IT_W] / step_s).astype(np.float32)
    twice = (out_c[:, 0, AC_IT_W].astype(np.float32) / np.float32(step_s)).astype(np.float32)
    assert (once != twice).any()
