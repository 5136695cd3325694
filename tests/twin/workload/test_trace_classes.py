"""Job classes with daily and weekly rhythms, and the replay of a job trace from CSV (issue 5)."""

from __future__ import annotations

import numpy as np
import pytest

from twin.scenario import JobClass, ScenarioError, load_scenario
from twin.sim.engine import simulate
from twin.workload.jobs import draw_jobs, rate_shape
from twin.workload.trace import TraceError, read_trace


def test_weekend_factor_sets_the_weekend_rate_and_keeps_the_weekly_mean():
    cls = JobClass(name="web", arrival_rate_per_h=60.0, weekend_factor=0.4)
    arrivals, _ = draw_jobs(cls, 100, 52 * 7 * 86400.0, 0.0, np.random.default_rng(2), start_weekday=0)
    day = (arrivals.submit_s // 86400).astype(int) % 7
    per_day = np.bincount(day, minlength=7) / 52
    # weekday rate 60 / ((5 + 2 * 0.4) / 7) per hour, weekend 0.4 of it (Poisson: sd of a 52-day mean ~ 0.5 %)
    weekday = 60 * 24 / (5.8 / 7)
    assert per_day[:5].mean() == pytest.approx(weekday, rel=0.02)
    assert per_day[5:].mean() == pytest.approx(0.4 * weekday, rel=0.03)
    assert arrivals.submit_s.size / (52 * 7 * 24) == pytest.approx(60.0, rel=0.01)
    hours = np.linspace(0, 24, 97)[:-1]
    assert rate_shape(cls, hours, np.zeros_like(hours)).mean() == pytest.approx(7 / 5.8)


def test_a_class_needs_exactly_one_way_to_set_its_load():
    with pytest.raises(ValueError, match="exactly one"):
        JobClass(name="x")
    with pytest.raises(ValueError, match="exactly one"):
        JobClass(name="x", target_utilisation=0.3, arrival_rate_per_h=3.0)


def _write(tmp_path, text):
    p = tmp_path / "trace.csv"
    p.write_text(text)
    return p


def test_bad_rows_are_named_with_row_line_and_column(tmp_path):
    p = _write(tmp_path, "submit_s,servers,duration_s,class,deadline_s\n"
                         "0,1,600,,\n"
                         "10,2,-5,,\n"          # negative duration
                         "5,1,600,,\n"          # earlier than the row before
                         "20,1.5,600,,\n"       # not whole servers
                         "30,1,abc,,\n"         # not a number
                         "40,1,600,gpu,\n"      # unknown class
                         "50,1,600,,45\n")      # deadline before submit
    with pytest.raises(TraceError) as exc:
        read_trace(p, ["default"], 1)
    msg = str(exc.value)
    for needle in ("row 2 (line 3), column duration_s", "row 3 (line 4), column submit_s", "submit order",
                   "row 4 (line 5), column servers", "row 5 (line 6), column duration_s", "'abc'",
                   "row 6 (line 7), column class", "row 7 (line 8), column deadline_s"):
        assert needle in msg, needle
    assert len(exc.value.problems) == 6  # every bad row once
    with pytest.raises(TraceError, match="missing column"):
        read_trace(_write(tmp_path, "time,servers\n1,1\n"), ["default"], 1)


def test_a_bad_trace_fails_the_run_as_bad_input_naming_the_field(tmp_path):
    p = _write(tmp_path, "submit_s,servers,duration_s\n0,1,-1\n")
    sc = load_scenario("lingang-phase1", ["run.horizon_s=1d", f"workload.trace_csv={p}"])
    with pytest.raises(ScenarioError, match=r"workload.trace_csv.*row 1"):
        simulate(sc)


def test_a_trace_replays_job_by_job_and_oversized_jobs_are_counted_as_rejected(tmp_path):
    # 224 DGX servers; jobs: two fill the cabin one after the other, one asks for more than the cabin has
    p = _write(tmp_path, "submit_s,servers,duration_s,deadline_s\n"
                         "0,224,3600,\n"
                         "60,224,3600,7300\n"
                         "120,500,60,\n"
                         "90000,1,60,\n")  # after the run's end: not replayed
    sc = load_scenario("lingang-phase1", ["run.horizon_s=1d", "run.step_s=60", "wind.farm.mttr_h=0",
                                          f"workload.trace_csv={p}"])
    r = simulate(sc)
    c = r.classes["default"]
    assert c["jobs_completed"] == 2 and c["jobs_rejected"] == 1
    # the second waits for the first to end at 3600 s: waits 0 and 3540 s; it ends at 7200 s, inside its deadline
    assert sorted(r.job_waits_s.tolist()) == pytest.approx([0.0, 3540.0])
    assert c["deadline_misses"] == 0
    assert c["work_done_server_h"] == pytest.approx(2 * 224.0)
    assert r.kpis["mean_utilisation"] == pytest.approx(2 * 3600 / 86400, abs=0.002)
