"""Data-file fields (issue 13): which fields name files, who may name what, how a stored data set is read, and the
limits a data file is held to before it is parsed."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import typing

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import BaseModel

from physics.wind_resource import read_measured_wind_csv
from twin.scenario import Scenario, ScenarioError, apply_overrides, load_scenario, scenario_from_dict
from twin.scenario.datafiles import (
    DataFile,
    DataFileError,
    DatasetFiles,
    InlineDatasets,
    LocalFiles,
    TableLimits,
    data_fields,
    data_file_kinds,
    dataset_ref,
    tabular_text,
)
from twin.workload.trace import parse_trace

TRACE = b"submit_s,servers,duration_s\n0,1,600\n60,2,600\n"
PATHLIKE = ("_csv", "_file", "_path", "_parquet", "_dir", "_folder", "_url")


def _string_fields(model: type[BaseModel], prefix: str = ""):
    """(path, FieldInfo) of every field of a model type (recursively) that can hold a string."""
    for name, info in model.model_fields.items():
        stack = [info.annotation]
        while stack:
            t = stack.pop()
            if isinstance(t, type) and issubclass(t, BaseModel):
                yield from _string_fields(t, f"{prefix}{name}.")
            elif t is str:
                yield f"{prefix}{name}", info
            else:
                stack.extend(typing.get_args(t))


def test_every_field_that_names_a_file_is_a_data_file():
    """A field added later that names a file must be declared DataFile, or the API's rule would not cover it."""
    undeclared = []
    for path, info in _string_fields(Scenario):
        declared = any(isinstance(m, DataFile) for m in info.metadata)
        text = f"{path} {info.description or ''}".lower()
        looks = path.endswith(PATHLIKE) or " file" in text or " path" in text
        if looks and not declared:
            undeclared.append(path)
    assert undeclared == []
    assert data_file_kinds(Scenario) == {"wind.resource.measured_csv": "wind", "workload.trace_csv": "trace",
                                         "run.initial_state": "state", "run.weather.forecast": "forecast"}


def test_data_fields_lists_the_values_given(tmp_path):
    sc = load_scenario("lingang-phase1", ["workload.trace_csv=/tmp/jobs.csv",
                                          f"wind.resource.measured_csv={dataset_ref('a' * 64)}"])
    assert {(r.path, r.kind, r.value) for r in data_fields(sc)} == {
        ("workload.trace_csv", "trace", "/tmp/jobs.csv"), ("wind.resource.measured_csv", "wind", "dataset:" + "a" * 64)}
    assert data_fields(load_scenario("lingang-phase1")) == []


def _store(folder, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    (folder / sha).write_bytes(data)
    return sha


def test_a_dataset_access_refuses_paths_before_anything_is_opened(tmp_path):
    access = DatasetFiles(tmp_path)
    base = load_scenario("lingang-phase1").model_dump(mode="json")
    data = apply_overrides(base, ["workload.trace_csv=/etc/passwd", "wind.resource.measured_csv=../wind.csv"])
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(data, data_access=access)
    assert sorted(p for p, _ in err.value.problems) == ["wind.resource.measured_csv", "workload.trace_csv"]
    assert all("dataset:<id>" in why for _, why in err.value.problems)
    # without an access (a scenario from the user's own machine) a path is taken as it is
    assert scenario_from_dict(data).workload.trace_csv == "/etc/passwd"


def test_stored_data_sets_are_read_only_when_intact_and_regular(tmp_path):
    sha = _store(tmp_path, TRACE)
    access = DatasetFiles(tmp_path)
    assert access.read("trace", dataset_ref(sha)) == (TRACE, dataset_ref(sha))
    (tmp_path / sha).write_bytes(TRACE + b"120,1,600\n")  # changed on disk
    with pytest.raises(DataFileError, match="no longer has this hash"):
        access.read("trace", dataset_ref(sha))
    secret = tmp_path / "secret"
    secret.write_text("root:x:0:0")
    (tmp_path / sha).unlink()
    (tmp_path / sha).symlink_to(secret)
    with pytest.raises(DataFileError, match="symbolic link") as err:
        access.read("trace", dataset_ref(sha))
    assert "root:x" not in str(err.value)
    (tmp_path / sha).unlink()
    os.mkfifo(tmp_path / sha)  # opened without blocking, and refused as not a regular file
    with pytest.raises(DataFileError, match="not a regular file"):
        access.read("trace", dataset_ref(sha))
    with pytest.raises(DataFileError, match="no such data set"):
        access.read("trace", dataset_ref("b" * 64))
    assert "not a data set reference" in access.check("trace", str(secret))
    assert "not a data set reference" in access.check("trace", "dataset:" + "B" * 64)


def test_inline_and_local_access():
    sha = hashlib.sha256(TRACE).hexdigest()
    inline = InlineDatasets({sha: TRACE})
    assert inline.read("trace", dataset_ref(sha))[0] == TRACE
    assert "not shipped" in inline.check("trace", dataset_ref("c" * 64))
    assert "not a data set reference" in inline.check("trace", "/etc/passwd")
    local = LocalFiles()
    assert local.check("trace", "/any/path.csv") is None
    assert "no data-set folder" in local.check("trace", dataset_ref(sha))
    with pytest.raises(DataFileError, match="cannot read"):
        local.read("trace", "/no/such/file.csv")


def test_local_files_read_data_sets_from_a_folder(tmp_path):
    sha = _store(tmp_path, TRACE)
    assert LocalFiles(dataset_folder=tmp_path).read("trace", dataset_ref(sha))[0] == TRACE


def test_tabular_text_limits_and_formats():
    assert tabular_text(TRACE, "t") == TRACE.decode()
    with pytest.raises(DataFileError, match="empty"):
        tabular_text(b"", "t")
    with pytest.raises(DataFileError, match="gzip-compressed"):
        tabular_text(gzip.compress(TRACE), "t")
    with pytest.raises(DataFileError, match="not UTF-8"):
        tabular_text(b"a,b\n\xff\xfe\n", "t")
    with pytest.raises(DataFileError, match="65 columns, more than the limit of 64"):
        tabular_text((",".join(f"c{i}" for i in range(65)) + "\n").encode(), "t")
    with pytest.raises(DataFileError, match="more than the limit of 2 rows"):
        tabular_text(TRACE + b"120,1,600\n", "t", TableLimits(max_rows=2))


def _parquet(table: pa.Table, **kw) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, **kw)
    return buf.getvalue()


def test_parquet_becomes_the_csv_its_readers_know():
    frame = pd.read_csv(io.BytesIO(TRACE))
    text = tabular_text(_parquet(pa.Table.from_pandas(frame, preserve_index=False)), "p")
    table = parse_trace(text, "p")
    assert table.submit_s.tolist() == [0.0, 60.0] and table.servers.tolist() == [1, 2]
    stamps = pa.table({"timestamp": pd.date_range("2026-01-01", periods=2, freq="h", tz="Asia/Shanghai"),
                       "wind_speed_m_s": [5.0, None]})
    series = read_measured_wind_csv(io.StringIO(tabular_text(_parquet(stamps), "p")), height_m=10.0, label="p")
    assert series.time[0] == pd.Timestamp("2025-12-31T16:00:00Z")  # the same instant, offset kept
    assert series.wind_speed_m_s[0] == 5.0 and np.isnan(series.wind_speed_m_s[1])  # a null is a missing value
    # a column of one long text value repeated (dictionary-encoded: tiny on disk, huge once expanded)
    repeated = _parquet(pa.table({"class": ["x" * 100_000] * 2000}))
    assert len(repeated) < 200_000
    with pytest.raises(DataFileError, match="once read, more than the limit"):
        tabular_text(repeated, "p", TableLimits(max_uncompressed_bytes=50_000_000))
    bomb = _parquet(pa.table({"x": pa.array([0] * 200_000, pa.int64())}), compression="zstd")
    with pytest.raises(DataFileError, match="200000 rows, more than the limit of 1000"):
        tabular_text(bomb, "p", TableLimits(max_rows=1000))
    with pytest.raises(DataFileError, match="once read, more than the limit"):
        tabular_text(bomb, "p", TableLimits(max_uncompressed_bytes=100_000))
    with pytest.raises(DataFileError, match="not a readable Parquet file"):
        tabular_text(bomb[:4] + bomb[-200:], "p")


def test_relative_data_paths_of_a_scenario_file_are_taken_from_its_folder(tmp_path):
    (tmp_path / "jobs.csv").write_bytes(TRACE)
    base = load_scenario("lingang-phase1").model_dump(mode="json")
    base["workload"]["trace_csv"] = "jobs.csv"
    (tmp_path / "sc.json").write_text(json.dumps(base))
    assert load_scenario(tmp_path / "sc.json").workload.trace_csv == str(tmp_path / "jobs.csv")
    base["workload"]["trace_csv"] = dataset_ref("d" * 64)
    (tmp_path / "sc.json").write_text(json.dumps(base))
    assert load_scenario(tmp_path / "sc.json").workload.trace_csv == dataset_ref("d" * 64)


@pytest.mark.parametrize("value, reason", [
    ("&a [1]", "anchors and aliases"),
    ("[*a]", "anchors and aliases"),
    ("[" * 40 + "]" * 40, "nested deeper than 32"),
    ("9" * 5000, "more than 4300 digits"),
])
def test_override_values_refuse_yaml_bombs(value, reason):
    with pytest.raises(ScenarioError) as err:
        apply_overrides({"cabins": [{"count": 1}]}, [f"cabins.0.count={value}"])
    assert err.value.problems == [("cabins.0.count", err.value.problems[0][1])]
    assert reason in err.value.problems[0][1]


def test_floats_must_be_finite():
    with pytest.raises(ScenarioError) as err:
        load_scenario("lingang-phase1", ["cabins.0.cooling.design_heat_w=.nan", "run.step_s=.inf"])
    assert {p for p, _ in err.value.problems} == {"cabins.0.cooling.design_heat_w", "run.step_s"}
