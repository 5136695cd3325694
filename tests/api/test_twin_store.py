"""The twins' registry tables (api/twin_store.py) without a server: telemetry keyed by (twin, signal, time), the
checks each write makes in its own transaction."""

from __future__ import annotations

import numpy as np
import pytest

from api.store import RunStore
from api.twin_store import CalibrationBusy

SHA = "a" * 64


@pytest.fixture
def store(tmp_path):
    return RunStore(tmp_path / "data")


def _twin(store, twin_id="t1", scenario=None, datasets=()):
    return store.twins.create_twin(twin_id, "twin", scenario or {"run": {}}, "hash", {}, ["a", "b"], datasets)


def _batch(*rows):
    signal, time_ns, value = zip(*rows)
    return np.array(signal, dtype=object), np.array(time_ns, np.int64), np.array(value, float)


def test_a_batch_again_changes_nothing_and_a_later_value_replaces(store):
    assert _twin(store) == []
    first = store.twins.add_telemetry("t1", *_batch(("a", 0, 1.0), ("a", 10, 2.0), ("b", 5, 3.0)))
    assert {k: (v["new"], v["replaced"], v["changed"]) for k, v in first.items()} == {"a": (2, 0, 0), "b": (1, 0, 0)}
    again = store.twins.add_telemetry("t1", *_batch(("a", 0, 1.0), ("a", 10, 2.0), ("b", 5, 3.0)))
    assert {k: (v["new"], v["replaced"], v["changed"]) for k, v in again.items()} == {"a": (0, 2, 0), "b": (0, 1, 0)}
    later = store.twins.add_telemetry("t1", *_batch(("a", 10, 2.5), ("a", 20, 4.0)))
    assert (later["a"]["new"], later["a"]["replaced"], later["a"]["changed"]) == (1, 1, 1)
    row = store.twins.get_twin("t1")
    assert (row["measurements"], row["batches"], row["first_ns"], row["last_ns"]) == (4, 3, 0, 20)
    stats = {s["signal"]: s for s in store.twins.signal_stats("t1")}
    assert (stats["a"]["measurements"], stats["a"]["first_ns"], stats["a"]["last_ns"]) == (3, 0, 20)
    signal, time_ns, value = store.twins.telemetry("t1", ["a"])
    assert signal == ["a"] * 3 and time_ns.tolist() == [0, 10, 20] and value.tolist() == [1.0, 2.5, 4.0]
    assert store.twins.count_telemetry("t1", ["a", "b"], 5, 20) == 2
    assert store.twins.add_telemetry("nobody", *_batch(("a", 0, 1.0))) is None


def test_calibrations_are_limited_and_hold_their_twin(store):
    _twin(store)
    _twin(store, "t2")
    assert store.twins.create_calibration("c1", "t1", {}, limit=1)
    with pytest.raises(CalibrationBusy):
        store.twins.create_calibration("c2", "t2", {}, limit=1)
    assert not store.twins.create_calibration("c3", "nobody", {}, limit=5)
    assert store.twins.delete_twin("t1") == ["c1"]  # not while its calibration runs
    assert store.twins.apply_calibration("t1", "c1", "h") == "running"
    assert store.twins.finish_calibration("c1", {"parameters": {}}, {"run": {"x": 1}})
    assert not store.twins.fail_calibration("c1", "too late")  # a finished calibration keeps its outcome
    assert store.twins.apply_calibration("t1", "c1", "h2") is None
    row = store.twins.get_twin("t1")
    assert (row["calibration_id"], row["scenario_hash"], row["scenario_json"]) == ("c1", "h2", '{"run": {"x": 1}}')
    assert store.twins.create_calibration("c4", "t2", {}, limit=1)
    assert store.twins.fail_running_calibrations("restart") == ["c4"]
    assert store.twins.get_calibration("t2", "c4")["status"] == "failed"
    store.twins.add_telemetry("t1", *_batch(("a", 0, 1.0)))
    assert store.twins.delete_twin("t1") == []
    assert store.twins.get_twin("t1") is None and store.twins.telemetry("t1")[0] == []
    assert store.twins.list_calibrations("t1") == [] and store.twins.delete_twin("t1") is None


def test_a_data_set_a_twin_names_stays_while_the_twin_does(store):
    assert _twin(store, datasets=[SHA]) == [SHA]  # not registered: no twin
    assert store.twins.get_twin("t1") is None
    store.add_dataset(SHA, "wind", "w.csv", 10, {"format": "csv", "rows": 1, "start": None, "end": None})
    assert _twin(store, scenario={"wind": {"resource": {"measured_csv": f"dataset:{SHA}"}}}, datasets=[SHA]) == []
    assert store.delete_dataset(SHA) == ["twin t1"]
    store.twins.delete_twin("t1")
    assert store.delete_dataset(SHA) == []
