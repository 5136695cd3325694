"""A run's results: the time-indexed series, the energy ledger, the KPIs, saved as Parquet and JSON."""

from __future__ import annotations

import json
import math
from dataclasses import InitVar, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from physics import servers
from twin.scenario import Scenario
from twin.sim.kpis import compute_kpis, energy_ledger
from twin.sim.recorder import FLOW_COLUMNS, GLOBAL_COLUMNS
from twin.sim.spool import SeriesSpool, SpooledFrame

__all__ = ["RunResult", "RunFolderError", "SERIES_COLUMNS", "build_result", "series_index", "write_series"]

SERIES_COLUMNS = (*FLOW_COLUMNS, "battery_energy_wh", *GLOBAL_COLUMNS)
"""Whole-site series columns (``twin.sim.recorder``): power flows [W] as exact means over the step that starts at
the row's time, the battery's energy at the step's end [Wh], then state means, maxima and shares; each cabin
group adds ``cabin{i}_<name>`` for ``recorder.CABIN_COLUMNS``, and the environment its step means."""


@dataclass
class RunResult:
    scenario: Scenario
    series_frame: InitVar[pd.DataFrame | None]
    """The series (:attr:`series`); None with a ``spool`` to read it from when first asked for."""
    kpis: dict
    ledger: dict
    job_waits_s: np.ndarray
    timings: dict = field(default_factory=dict)
    classes: dict = field(default_factory=dict)
    """Per job class: completed, throughput, waits, deadline misses, rejected, energy per job (``class_kpis``)."""
    rack_inlet_models: list = field(default_factory=list)
    """Per cabin group: how rack inlets were obtained (``field``, or ``uniform`` and why)."""
    racks: pd.DataFrame | None = None
    """Mean electrical power of every rack [W] per block (an hour, or longer for very long runs or many racks),
    columns ``cabin{i}_rack{r}_w``, indexed by the block's start; the load each rack carried, at step ends."""
    turbine_outages: pd.DataFrame | None = None
    """Each turbine's stops: ``turbine`` (its index in the layout), ``start_s``, ``end_s`` (the horizon when it was
    still down at the end) from the run's start [s], ``cause`` (failure, maintenance, event, state)."""
    end_state: object = None
    """The plant at the run's last instant (``twin.sim.saved_state.SavedState``), to start another run from; None
    for a result loaded from files without one."""
    spool: SeriesSpool | None = field(default=None, repr=False)
    """The run's series as the kernel recorded it (``twin.sim.spool``), on disk until the result is collected: a
    run's result reads :attr:`series` and ``series.parquet`` from it; None for a result loaded from files."""
    _series: pd.DataFrame | None = field(default=None, init=False, repr=False)

    def __post_init__(self, series_frame: pd.DataFrame | None) -> None:
        if series_frame is None and self.spool is None:
            raise ValueError("a RunResult needs its series or a spool to read them from")
        self._series = series_frame

    @property
    def series(self) -> pd.DataFrame:
        """The time-indexed series as ``series.parquet`` stores them (:func:`series_table_column`: float32,
        temperatures to 0.24 mK, powers to 1 W), so a saved run loads back as it was. A run's result reads them
        from its spool the first time they are asked for (a year at 60 s: 64 columns, 135 MB) and keeps them."""
        if self._series is None:
            self._series = pd.DataFrame({name: series_table_column(name, self.spool.read(name))
                                         for name in self.spool.columns}, index=self.index, copy=False)
        return self._series

    @series.setter
    def series(self, frame: pd.DataFrame) -> None:
        self._series = frame

    def __getstate__(self) -> dict:
        """A pickled result carries its series, not its spool (an open temporary file)."""
        state = dict(self.__dict__)
        state["_series"] = self.series
        state["spool"] = None
        return state

    @property
    def index(self) -> pd.DatetimeIndex:
        """The series' time index: the start of each output step."""
        if self._series is not None:
            return self._series.index
        return series_index(self.scenario, self.spool.n)

    def turbines_up(self, time_s: float) -> np.ndarray | None:
        """Which turbines were running at ``time_s`` after the start, or None when the run did not record it."""
        if self.turbine_outages is None:
            return None
        n = self.scenario.wind.farm.turbine_count
        up = np.ones(n, bool)
        o = self.turbine_outages
        down = o["turbine"].to_numpy()[(o["start_s"].to_numpy() <= time_s) & (time_s < o["end_s"].to_numpy())]
        up[down.astype(int)] = False
        return up

    def save(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``series.parquet``, ``kpis.json``, ``ledger.json``, ``scenario.json``, ``classes.json`` and, when
        recorded, ``racks.parquet``, ``turbine_outages.csv`` and ``end_state.json`` (a saved state,
        ``twin.sim.saved_state``) into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "series": out / "series.parquet",
            "kpis": out / "kpis.json",
            "ledger": out / "ledger.json",
            "scenario": out / "scenario.json",
            "classes": out / "classes.json",
        }
        if self.racks is not None:
            paths["racks"] = out / "racks.parquet"
            self.racks.to_parquet(paths["racks"])
        if self.turbine_outages is not None:
            paths["turbine_outages"] = out / "turbine_outages.csv"
            self.turbine_outages.to_csv(paths["turbine_outages"], index=False)
        if self.end_state is not None:
            paths["end_state"] = out / "end_state.json"
            paths["end_state"].write_text(self.end_state.to_json() + "\n")
        if self._series is None:
            write_spooled_series(self.spool, self.index, paths["series"])
        else:
            write_series(self._series, paths["series"])
        paths["kpis"].write_text(json.dumps(self.kpis, indent=2) + "\n")
        paths["ledger"].write_text(json.dumps(self.ledger, indent=2) + "\n")
        paths["scenario"].write_text(self.scenario.model_dump_json(indent=2) + "\n")
        paths["classes"].write_text(json.dumps(self.classes, indent=2) + "\n")
        return paths

    @classmethod
    def load(cls, out_dir: str | Path, columns: list[str] | None = None) -> "RunResult":
        """The run that :meth:`save` wrote into ``out_dir``: the one reader of a run folder.

        ``columns`` reads only those series columns (all when None). ``series.parquet`` and ``scenario.json`` must
        be there (``RunFolderError`` names what is missing); ``kpis.json``, ``ledger.json``, ``classes.json``,
        ``racks.parquet`` and ``turbine_outages.csv`` are read when present (older runs lack some). The job waits
        are not saved: ``job_waits_s`` is empty.
        """
        out = Path(out_dir)
        missing = [n for n in ("series.parquet", "scenario.json") if not (out / n).is_file()]
        if missing:
            raise RunFolderError(f"{out} is not a saved run folder (no {', '.join(missing)})")

        def json_or(name: str, default):
            path = out / name
            return json.loads(path.read_text()) if path.is_file() else default

        series = pd.read_parquet(out / "series.parquet", columns=columns)
        scenario = Scenario.model_validate_json((out / "scenario.json").read_text())
        racks = pd.read_parquet(out / "racks.parquet") if (out / "racks.parquet").is_file() else None
        outages = (pd.read_csv(out / "turbine_outages.csv", dtype={"cause": str})
                   if (out / "turbine_outages.csv").is_file() else None)
        end = None
        if (out / "end_state.json").is_file():
            from twin.sim.saved_state import parse_state

            end = parse_state((out / "end_state.json").read_bytes(), "end_state.json", "end_state")
        return cls(scenario, series, json_or("kpis.json", {}), json_or("ledger.json", {}), np.zeros(0),
                   classes=json_or("classes.json", {}), racks=racks, turbine_outages=outages, end_state=end)


class RunFolderError(ValueError):
    """A folder that is not a saved run."""


SERIES_PARQUET_ROWS = 65_536
TEMPERATURE_QUANTUM_K = 2.0 ** -12
"""Temperatures are stored on a grid of 2^-12 K (0.24 mK): a binary step zeroes the low bits of a float32 that hold
no information, which is what makes them compress (a decimal 0.1 mK grid kept 11.3 MB of a year's temperatures,
this one 7.4 MB)."""
"""Rows of the series per Parquet row group as :func:`write_series` writes them (a year at 60 s in nine)."""


def series_table_column(name: str, values: np.ndarray) -> np.ndarray:
    """A series column as ``series.parquet`` stores it: float32, temperatures [C] on a 0.24 mK grid
    (:data:`TEMPERATURE_QUANTUM_K`) and powers [W] and
    energies [Wh] to 1 W and 1 Wh (below float32's own resolution of most of them, and far below what any KPI or
    view reads; the low bits they drop are what does not compress)."""
    v = np.asarray(values)
    if v.dtype.kind != "f":
        return v
    if name.endswith("_c"):
        return (np.round(v.astype(np.float64) / TEMPERATURE_QUANTUM_K) * TEMPERATURE_QUANTUM_K).astype(np.float32)
    if name.endswith(("_w", "_wh")) and not name.endswith("_m2k_w"):  # powers, energies (not a fouling resistance)
        return np.round(v.astype(np.float64)).astype(np.float32)
    return v.astype(np.float32, copy=False)


def write_series(frame: pd.DataFrame, path: Path) -> None:
    """Write a run's series as Parquet: float32 columns (:func:`series_table_column`), byte-stream-split and zstd
    (level 6), the time index delta-encoded, in row groups of :data:`SERIES_PARQUET_ROWS` so the copy it makes is
    small. ``RunResult.load`` reads it back (pandas reads it as any Parquet file)."""
    _write_parts(path, frame.index, list(frame.columns),
                 lambda name, start, stop: frame[name].to_numpy()[start:stop])


def write_spooled_series(spool: SeriesSpool, index: pd.DatetimeIndex, path: Path) -> None:
    """:func:`write_series` from a run's spool (``twin.sim.spool``), a row group at a time."""
    _write_parts(path, index, spool.columns, spool.read)


def _write_parts(path: Path, index: pd.DatetimeIndex, columns: list[str], read) -> None:
    """``read(name, start, stop)``: rows of a column, as recorded. The schema, with the metadata pandas reads the
    index back by, comes from a one-row frame; each row group is then built from the columns' arrays themselves
    (a DataFrame and a table made from it would be two copies of it)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    schema = None
    index_name = None
    try:
        for start in range(0, max(len(index), 1), SERIES_PARQUET_ROWS):
            stop = start + SERIES_PARQUET_ROWS
            data = {name: series_table_column(name, read(name, start, stop)) for name in columns}
            if writer is None:
                head = pd.DataFrame({name: v[:1] for name, v in data.items()}, index=index[start:start + 1])
                schema = pa.Table.from_pandas(head, preserve_index=True).schema
                index_name = schema.pandas_metadata["index_columns"][0]  # "time"
                encodings = {name: "BYTE_STREAM_SPLIT" for name in columns if head[name].dtype.kind == "f"}
                encodings[index_name] = "DELTA_BINARY_PACKED"
                writer = pq.ParquetWriter(path, schema, compression="zstd", compression_level=6,
                                          use_dictionary=False, column_encoding=encodings)
            data[index_name] = index[start:stop]
            writer.write_table(pa.Table.from_arrays([pa.array(data[f.name], type=f.type) for f in schema],
                                                    schema=schema))
    finally:
        if writer is not None:
            writer.close()


def _percentile(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q)) if values.size else 0.0


CLASS_KPI_UNITS = {
    "jobs_completed": "-", "throughput_jobs_per_h": "h-1", "job_wait_p50_s": "s", "job_wait_p95_s": "s",
    "job_wait_p99_s": "s", "deadline_misses": "-", "jobs_rejected": "-", "energy_per_job_kwh": "kWh",
    "mean_servers_busy": "-", "work_done_server_h": "h", "restarts": "-", "lost_work_server_h": "h",
    "restart_server_h": "h", "goodput_share": "-",
}
"""The KPIs of each job class (``RunResult.classes``, ``classes.json``) and their units."""


def class_kpis(scenario: Scenario, plants, queues, hours: float) -> dict:
    """Per job class, summed over cabins (each cabin of a group counted): jobs completed, throughput, waits p50,
    p95 and p99, deadline misses, jobs rejected, and energy per job (its servers at idle over its time in service
    plus its dynamic energy, at the servers' wall) with mean servers busy; work done (full-speed server-hours,
    restarts and lost work included), restarts after failures, the work lost since the last checkpoints and the
    time spent restarting [server-h], and the goodput share, the work done less those two over the work done."""
    out = {}
    for k, jc in enumerate(scenario.workload.job_classes()):
        waits = np.concatenate([np.asarray(q.class_waits[k], float) for q in queues]) if queues else np.zeros(0)
        done = sum(q.class_completed[k] * pl.count for q, pl in zip(queues, plants))
        energy_j = sum(q.class_energy_j[k] * pl.count for q, pl in zip(queues, plants))
        server_s = sum(q.server_seconds(k, hours * 3600.0) * pl.count for q, pl in zip(queues, plants))
        work_s = sum(q.class_work_s[k] * pl.count for q, pl in zip(queues, plants))
        lost_s = sum(q.class_lost_s[k] * pl.count for q, pl in zip(queues, plants))
        restart_s = sum(q.class_restart_s[k] * pl.count for q, pl in zip(queues, plants))
        out[jc.name] = {
            "jobs_completed": int(done),
            "throughput_jobs_per_h": done / hours if hours > 0 else 0.0,
            "job_wait_p50_s": _percentile(waits, 50),
            "job_wait_p95_s": _percentile(waits, 95),
            "job_wait_p99_s": _percentile(waits, 99),
            "deadline_misses": int(sum(q.class_misses[k] * pl.count for q, pl in zip(queues, plants))),
            "jobs_rejected": int(sum(q.class_rejected[k] * pl.count for q, pl in zip(queues, plants))),
            "energy_per_job_kwh": energy_j / 3.6e6 / done if done else 0.0,
            "mean_servers_busy": server_s / (hours * 3600.0) if hours > 0 else 0.0,
            "work_done_server_h": work_s / 3600.0,
            "restarts": int(sum(q.class_restarts[k] * pl.count for q, pl in zip(queues, plants))),
            "lost_work_server_h": lost_s / 3600.0,
            "restart_server_h": restart_s / 3600.0,
            "goodput_share": 1.0 - (lost_s + restart_s) / work_s if work_s > 0 else 1.0,
        }
    return out


def capacity_kpis(plants, queues) -> dict:
    """Usable capacity at the end of a run: accelerators alive (servers alive, those failed under a running job
    counted out, times each type's accelerators), their share of those installed, and the servers' share; the job
    restarts after failures and the work they lost [server-h] (``class_kpis`` by class)."""
    alive_acc = installed_acc = alive = installed = 0
    for q, pl in zip(queues, plants):
        fleet = q.fleet
        for t, st in enumerate(fleet.types):
            n_acc = servers.server_model(st.name).accelerator_count if st.name in servers.SERVER_MODELS else 0
            n_installed = sum(k for r, k in enumerate(fleet.installed) if fleet.rack_type[r] == t)
            alive_acc += fleet.n_alive[t] * n_acc * pl.count
            installed_acc += n_installed * n_acc * pl.count
        alive += fleet.alive_count * pl.count
        installed += sum(fleet.installed) * pl.count
    return {
        "accelerators_alive_end": int(alive_acc),
        "accelerators_alive_share_end": alive_acc / installed_acc if installed_acc else math.nan,
        "servers_alive_share_end": alive / installed if installed else math.nan,
        "job_restarts": int(sum(sum(q.class_restarts) * pl.count for q, pl in zip(queues, plants))),
        "lost_work_server_h": sum(sum(q.class_lost_s) * pl.count for q, pl in zip(queues, plants)) / 3600.0,
    }


def series_index(scenario: Scenario, n: int) -> pd.DatetimeIndex:
    """The time index of a run's ``n`` output steps: the start of each."""
    return pd.date_range(pd.Timestamp(scenario.run.start), periods=n,
                         freq=pd.Timedelta(seconds=float(scenario.run.step_s)), name="time")


def build_result(scenario: Scenario, exo, plants, queues, spool: SeriesSpool, timings: dict,
                 rack_inlet_models: list[str] | None = None, rack_power=None,
                 turbine_outages: list | None = None) -> RunResult:
    """The run's result from its spool (the recorder's named series, ``twin.sim.spool``), to which the
    environment's step means are added. The ledger and every KPI are computed from the recorded values as the
    kernel wrote them (flows in float64), a column at a time; the series the result gives are then those
    ``series.parquet`` stores (:attr:`RunResult.series`). ``rack_power``: ``(hourly, counts, block_s)``, each rack's
    mean power over each block of ``block_s`` [s] as a (racks, blocks) array, the groups' ``counts`` of racks one
    after another."""
    index = series_index(scenario, exo.n)
    for name in ("hub_wind_speed_m_s", "wind_direction_deg", "air_density_kg_m3", "carbon_kg_per_kwh",
                 "wave_height_m", "current_speed_m_s"):
        spool.add(name, np.asarray(getattr(exo, name)))
        vars(exo).pop(name, None)  # computed when read and cached (exogenous.Exogenous): the spool has it now
    frame = SpooledFrame(spool, index)
    plume = plume_rise_hourly(scenario, plants, frame)
    waits = np.concatenate([np.asarray(q.waits_s, float) for q in queues]) if queues else np.zeros(0)
    step_s = float(scenario.run.step_s)
    ledger = energy_ledger(frame, step_s)
    jobs_completed = int(sum(q.completed * pl.count for q, pl in zip(queues, plants)))
    deadline_misses = int(sum(q.deadline_misses * pl.count for q, pl in zip(queues, plants)))
    flexible_completed = int(sum(q.flexible_completed * pl.count for q, pl in zip(queues, plants)))
    kpis = compute_kpis(scenario, frame, step_s, ledger, waits, jobs_completed,
                        rated_farm_power_w=exo.turbine_rated_power_w * exo.turbine_count)
    kpis["max_plume_rise_k"] = float(np.nanmax(plume.to_numpy())) if plume.size else 0.0
    limits = np.array([g.cooling.plume_limit_rise_k for g in scenario.cabins])
    kpis["hours_plume_above_limit"] = float((plume.to_numpy() > limits[None, :]).any(axis=1).sum())
    if waits.size:
        kpis["job_wait_p50_s"] = float(np.percentile(waits, 50))
        kpis["job_wait_p99_s"] = float(np.percentile(waits, 99))
    else:
        kpis["job_wait_p50_s"] = kpis["job_wait_p99_s"] = 0.0
    kpis["servers_alive_end"] = int(sum(q.alive * pl.count for q, pl in zip(queues, plants)))
    kpis["server_failures"] = int(sum(q.failures * pl.count for q, pl in zip(queues, plants)))
    kpis.update(capacity_kpis(plants, queues))
    kpis["jobs_rejected"] = int(sum(q.rejected * pl.count for q, pl in zip(queues, plants)))
    kpis["flexible_jobs_completed"] = flexible_completed
    kpis["deadline_misses"] = deadline_misses
    kpis["jobs_waiting_at_end"] = int(sum((q.waiting) * pl.count for q, pl in zip(queues, plants)))
    hours = len(frame) * step_s / 3600.0
    kpis["throughput_jobs_per_h"] = jobs_completed / hours if hours > 0 else 0.0
    kpis["it_energy_per_job_kwh"] = ledger["it_mwh"] * 1e3 / jobs_completed if jobs_completed else math.nan
    kpis["server_boots"] = int(sum(q.fleet.boots * pl.count for q, pl in zip(queues, plants)))
    powered = sum(frame[f"cabin{ci}_servers_powered"].to_numpy() * pl.count for ci, pl in enumerate(plants))
    kpis["mean_powered_share"] = float(powered.mean()) / sum(pl.servers * pl.count for pl in plants)
    racks = None
    if rack_power is not None:
        hourly, counts, block_s = rack_power
        idx = pd.DatetimeIndex(index[0] + pd.to_timedelta(np.arange(hourly.shape[1]) * block_s, unit="s"),
                               name="time")
        # the (racks, blocks) array is the frame's block as it is, not copied (a dict of columns, which pandas
        # stacks into one, took 0.31 s for twenty groups' 1,180 racks)
        racks = pd.DataFrame(hourly.T, index=idx, copy=False,
                             columns=[f"cabin{ci}_rack{r}_w" for ci, n in enumerate(counts) for r in range(n)])
    outages = None
    if turbine_outages is not None:
        horizon = len(frame) * step_s
        outages = pd.DataFrame([(int(k), float(a), float(horizon if b is None else b), cause)
                                for k, a, b, cause in turbine_outages],
                               columns=["turbine", "start_s", "end_s", "cause"])
        outages = outages.astype({"turbine": int, "start_s": float, "end_s": float, "cause": str})
    classes = class_kpis(scenario, plants, queues, hours)
    return RunResult(scenario, None, kpis, ledger, waits, timings, classes, list(rack_inlet_models or []), racks,
                     outages, spool=spool)


def plume_rise_hourly(scenario: Scenario, plants, frame) -> pd.DataFrame:
    """Hourly temperature rise of each cabin's warm-water plume at the edge of its mixing zone [K] (runs longer
    than a year use means over several hours, at most 8,784 values).

    Each cabin rejects its heat (``cabin{i}_heat_w``: IT, the fans and the power chain's losses inside it, and a
    liquid-cooled cabin's coolant heat, ``cabin{i}_liquid_heat_w``) through its seawater flow (design flow times pump
    speed, plus the CDU's seawater at its pump's speed),
    diluted by the tidal current (``physics.plume``, near field then far field; buoyancy neglected, so an upper
    bound).
    """
    from physics import plume

    span_h = (frame.index[-1] - frame.index[0]).total_seconds() / 3600.0 if len(frame) > 1 else 1.0
    hours = max(1, int(np.ceil(span_h / 8784.0)))  # hourly up to a year; coarser beyond, to bound the cost
    # the means over each bin, column by column (a year's series at 60 s is 4 MB a column in float64), by sums
    # between the bins' first rows: pandas' resample of twenty groups' columns into a frame made this function
    # 0.48 s of a twenty-group year; it is now 0.11 s, reading the columns from the spool included
    bins = frame.index.floor(f"{hours}h")
    if not len(bins):
        return pd.DataFrame({f"cabin{ci}_plume_rise_k": np.zeros(0) for ci in range(len(plants))})
    first = np.flatnonzero(np.r_[True, bins[1:] != bins[:-1]])
    counts = np.diff(np.r_[first, len(bins)])

    def mean(name: str) -> np.ndarray:
        return np.add.reduceat(frame[name].to_numpy(dtype=float), first) / counts

    cur = mean("current_speed_m_s")
    out = {}
    depth = scenario.site.water_depth_m
    for ci, (g, plant) in enumerate(zip(scenario.cabins, plants)):
        heat = mean(f"cabin{ci}_heat_w")  # all the cabin dissipates leaves by its exchanger
        flow = plant.pump_design_flow_kg_s * mean(f"cabin{ci}_pump_speed")
        if plant.liquid is not None:
            # the CDU's seawater leaves by the same port (ASSUMPTION) with the coolant's heat
            heat = heat + mean(f"cabin{ci}_liquid_heat_w")
            flow = flow + plant.liquid_sea_flow_kg_s * mean(f"cabin{ci}_cdu_pump_speed")
        live = (flow > 0) & (heat > 0)
        rise = np.zeros(heat.size)
        if live.any():
            rise[live] = plume.plume_centreline_rise_many_k(g.cooling.plume_limit_distance_m, heat[live], flow[live],
                                                            cur[live], g.cooling.discharge_port_diameter_m,
                                                            water_depth_m=depth)
        out[f"cabin{ci}_plume_rise_k"] = rise
    return pd.DataFrame(out, index=bins[first])
