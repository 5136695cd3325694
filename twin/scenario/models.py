"""The scenario: site, wind, electrical, cabins, workload, controls, the run and its what-if events."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from twin.scenario.cabins import CabinGroup, known_server
from twin.scenario.datafiles import DataFile
from twin.scenario.environment import Electrical, Site, Wind
from twin.scenario.units import MAX_HORIZON_S, MAX_STEPS, Seconds, StrictModel, require_utc_offset

# ----------------------------------------------------------------------------------------------- workload, controls


class JobClass(StrictModel):
    """One kind of work: latency-sensitive inference or web, batch, multi-node training, deferrable jobs.

    The load is set either by ``target_utilisation`` (the share of the class's server type it keeps busy, by
    Little's law) or by ``arrival_rate_per_h``. Arrivals are Poisson with a rate modulated by the hour of day and
    the day of the week; sizes are geometric (capped), run times exponential.
    """

    name: str = Field(..., min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    server: str | None = Field(None, description="Server type the class runs on; None: the cabin's first type")
    target_utilisation: float | None = Field(None, ge=0.0, le=0.98,
                                             description="Share of the type's servers this class keeps busy [-]")
    arrival_rate_per_h: float | None = Field(None, ge=0.0, description="Mean arrivals per hour per cabin [h-1]")
    mean_job_servers: float = Field(1.0, ge=1.0, description="Mean servers a job holds (geometric) [-]")
    max_job_servers: int = Field(1, ge=1)
    mean_job_duration_s: Seconds = Field(3600.0, gt=0.0, description="Mean run time at full speed [s]")
    job_utilisation: float = Field(0.7, gt=0.0, le=1.0, description="Utilisation of a busy server [-]")
    diurnal_amplitude: float = Field(0.0, ge=0.0, lt=1.0, description="Arrival-rate daily amplitude [-]")
    peak_hour: float = Field(14.0, ge=0.0, lt=24.0, description="Local hour of the busiest arrivals [h]")
    weekend_factor: float = Field(1.0, ge=0.0, le=5.0, description="Saturday and Sunday rate relative to "
                                  "weekdays; the weekly mean rate is kept [-]")
    flexible_share: float = Field(0.0, ge=0.0, le=1.0, description="Share of jobs that may be deferred [-]")
    deadline_slack_s: Seconds = Field(12 * 3600.0, ge=0.0, description="A flexible job must finish within its run "
                                      "time plus this slack after it is submitted [s]")
    work: Literal["training", "inference_prefill", "inference_decode", "cpu_batch"] | None = Field(
        None, description="What the jobs run: a busy server then draws that work's published power "
        "(physics/work_power.py) instead of the power table at job_utilisation; None keeps job_utilisation")
    power_cap_fraction: float | None = Field(
        None, ge=1.0 / 3.0, le=1.0, description="Power limit of each accelerator as a share of its TDP (nvidia-smi "
        "-pl); the jobs run slower by the Zeus NSDI 2023 curve (physics/work_power.py); accelerator work only [-]")
    checkpoint_interval_s: Seconds | None = Field(
        None, gt=0.0, description="Training only: work between two checkpoints [s]; a server failing under a "
        "job interrupts it, it loses the work since its last checkpoint and is requeued (docs/workload.md); None: "
        "a failure does not interrupt the job")
    restart_s: Seconds = Field(0.0, ge=0.0, description="Training with checkpoints: time an interrupted job "
                               "needs to restart from its checkpoint, on its servers at its work's power [s]")

    @field_validator("server")
    @classmethod
    def _known(cls, v: str | None) -> str | None:
        return None if v is None else known_server(v)

    @model_validator(mode="after")
    def _load(self) -> "JobClass":
        if (self.target_utilisation is None) == (self.arrival_rate_per_h is None):
            raise ValueError(f"class {self.name!r}: give exactly one of target_utilisation and arrival_rate_per_h")
        if self.mean_job_servers > self.max_job_servers:
            raise ValueError(f"class {self.name!r}: mean_job_servers must not exceed max_job_servers")
        if self.power_cap_fraction is not None and self.work in (None, "cpu_batch"):
            raise ValueError(f"class {self.name!r}: power_cap_fraction needs accelerator work (work: training, "
                             f"inference_prefill or inference_decode), got work {self.work!r}")
        if self.checkpoint_interval_s is not None and self.work != "training":
            raise ValueError(f"class {self.name!r}: checkpoint_interval_s is for training classes (work: training), "
                             f"got work {self.work!r}")
        if self.restart_s > 0.0 and self.checkpoint_interval_s is None:
            raise ValueError(f"class {self.name!r}: restart_s needs checkpoint_interval_s")
        return self


class Workload(StrictModel):
    """Jobs that each hold whole servers: Poisson arrivals whose rate follows the day."""

    target_utilisation: float = Field(0.6, ge=0.0, le=0.98, description="Mean share of servers busy [-]")
    mean_job_servers: float = Field(4.0, ge=1.0, description="Mean servers a job holds (geometric) [-]")
    max_job_servers: int = Field(32, ge=1)
    mean_job_duration_s: Seconds = Field(7200.0, gt=0.0, description="Mean run time at full speed [s]")
    job_utilisation: float = Field(0.7, gt=0.0, le=1.0, description="Utilisation of a busy server [-]")
    diurnal_amplitude: float = Field(0.3, ge=0.0, lt=1.0, description="Arrival-rate daily amplitude [-]")
    peak_hour: float = Field(14.0, ge=0.0, lt=24.0, description="Local hour of the busiest arrivals [h]")
    flexible_share: float = Field(0.0, ge=0.0, le=1.0,
                                  description="Share of jobs that may be deferred within their deadline [-]")
    deadline_slack_s: Seconds = Field(12 * 3600.0, ge=0.0, description="A flexible job must finish within its run "
                                      "time plus this slack after it is submitted [s]; '12h'")
    weekend_factor: float = Field(1.0, ge=0.0, le=5.0, description="Arrival rate on Saturday and Sunday relative "
                                  "to weekdays; the weekly mean rate is kept [-]")
    scheduler: Literal["fifo", "consolidation", "thermal", "green"] = Field(
        "fifo", description="fifo: first come, first served, first fit rack by rack, every server on; consolidation: "
        "fifo packed onto the busiest racks, idle servers beyond a spare share powered down and booted on demand; "
        "thermal: fifo placed on the racks with the coolest inlet first; green: fifo for ordinary jobs, flexible "
        "jobs held back until surplus wind can carry them or their deadline forces a start (twin/schedulers.py)")
    spare_share: float = Field(0.05, ge=0.0, le=1.0, description="consolidation: idle servers kept powered on, as "
                               "a share of each type's servers alive [-]")
    classes: list[JobClass] = Field(
        default_factory=list, description="Job classes, each with its own arrivals, sizes, run times and server "
        "type; when empty, one class 'default' is made of the fields above")
    trace_csv: Annotated[str | None, DataFile("trace")] = Field(
        None, max_length=4096, description="Replay the jobs of this trace (CSV or Parquet; docs/workload.md: "
        "columns submit_s, servers, duration_s, class, deadline_s, cabin) instead of drawing arrivals: a path (a "
        "relative one from the scenario file's folder), or dataset:<id> of an uploaded data set (the only form the "
        "API takes)")

    @model_validator(mode="after")
    def _sizes(self) -> "Workload":
        if self.mean_job_servers > self.max_job_servers:
            raise ValueError("mean_job_servers must not exceed max_job_servers")
        names = [c.name for c in self.classes]
        if len(set(names)) != len(names):
            raise ValueError(f"classes: names must be unique, got {names}")
        return self

    def job_classes(self) -> list["JobClass"]:
        """The classes of the run: ``classes``, or one class ``default`` from the workload's own fields."""
        if self.classes:
            return list(self.classes)
        return [JobClass(name="default", target_utilisation=self.target_utilisation,
                         mean_job_servers=self.mean_job_servers, max_job_servers=self.max_job_servers,
                         mean_job_duration_s=self.mean_job_duration_s, job_utilisation=self.job_utilisation,
                         diurnal_amplitude=self.diurnal_amplitude, peak_hour=self.peak_hour,
                         weekend_factor=self.weekend_factor, flexible_share=self.flexible_share,
                         deadline_slack_s=self.deadline_slack_s)]


class Controls(StrictModel):
    pump_gain: float = Field(
        0.1, gt=0.0, le=1.0, description="Share of an inlet error the pump's proportional action removes at once; "
        "the gain is scheduled on the exchanger's sensitivity, see twin/controls.py [-]")
    pump_ti_s: float = Field(60.0, gt=0.0, description="Integral time of the pump controller [s]")
    fan_policy: Literal["follow_load", "fixed"] = "follow_load"
    fixed_fan_speed: float = Field(1.0, gt=0.0, le=1.0)
    control_period_s: Seconds = Field(
        60.0, ge=1.0, le=900.0, description="Period of the cabin controllers (pump PI, throttle, server and cabin "
        "fans): each samples the plant at this period and holds its output until the next sample; independent of "
        "run.step_s, which only sets how finely results are recorded (docs/engine.md) [s]; '60s'")


class Accounting(StrictModel):
    """Whose renewable attributes the centre counts (ISO/IEC 30134-3, EN 50600-4-3; docs/engine.md, "Renewable
    accounting"). The farm's direct supply over the link always counts; certificates count against grid energy."""

    certificates: Literal["none", "farm", "purchased"] = Field(
        "none", description="none: direct supply only; farm: the farm's own certificates for the energy it exports, "
        "retired for the centre's grid energy up to what is not sold with the export; purchased: an amount of "
        "certificates a year, bought and retired against grid energy")
    export_attributes_sold_share: float = Field(
        0.0, ge=0.0, le=1.0, description="With certificates: farm, the share of the export's certificates sold with "
        "it (to the grid company or under a PPA), which the centre cannot retire [-]")
    purchased_mwh_per_year: float = Field(
        0.0, ge=0.0, le=1e7, description="With certificates: purchased, certificates bought a year [MWh per year]; "
        "a run of another horizon gets its share")
    matching_period_s: Seconds = Field(
        3600.0, ge=60.0, le=366 * 86400.0, description="Period over which hourly_renewable_share matches renewable "
        "supply to the facility's energy (as 24/7 carbon-free-energy scores count it) [s]; '1h'")

    @model_validator(mode="after")
    def _consistent(self):
        if self.certificates != "purchased" and self.purchased_mwh_per_year > 0:
            raise ValueError("purchased_mwh_per_year: set with certificates: purchased only")
        return self


# ----------------------------------------------------------------------------------------------- run, events


class Weather(StrictModel):
    """Where a run's wind and sea come from (``twin.sim.weather``; docs/live.md, "Forecasts")."""

    mode: Literal["climatology", "persistence", "forecast"] = Field(
        "climatology", description="climatology: the design's own statistical weather (wind.resource, site.sea), "
        "drawn from the seed; persistence: the initial state's hub wind speed decaying to the resource's mean and "
        "its sea-temperature anomaly held on the seasonal curve (needs run.initial_state); forecast: an uploaded "
        "forecast (run.weather.forecast)")
    forecast: Annotated[str | None, DataFile("forecast")] = Field(
        None, max_length=4096, description="mode forecast: a CSV or Parquet file with columns timestamp (with an "
        "offset), hub_wind_speed_m_s, and optionally sea_temp_c and wind_direction_deg, covering the run: a path "
        "(a relative one from the scenario file's folder), or dataset:<id> of an uploaded data set (the API's only "
        "form)")
    persistence_time_h: float | None = Field(
        None, gt=0.0, le=1e5, description="mode persistence: e-folding time of the wind's decay to the resource's "
        "mean [h]; None: the resource's own autocorrelation, (1 - w) a_1h^(t / 1 h) + w exp(-t / synoptic_time_h) "
        "with w its synoptic_weight; a very long time holds the present wind")

    @model_validator(mode="after")
    def _consistent(self) -> "Weather":
        if self.mode == "forecast" and self.forecast is None:
            raise ValueError("mode forecast needs run.weather.forecast (a forecast data file)")
        if self.mode != "forecast" and self.forecast is not None:
            raise ValueError(f"forecast: a forecast file is read only in mode forecast (mode is {self.mode})")
        return self


class Run(StrictModel):
    start: dt.datetime = Field(dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                               description="Start, with a UTC offset")
    horizon_s: Seconds = Field(365 * 86400.0, gt=0.0, description="Simulated time [s]; also '365d', '7d'")
    step_s: Seconds = Field(60.0, gt=0.0, le=3600.0, description="Output step: results are recorded as means (and "
                            "maxima) over steps of this length; the plant's own clocks do not depend on it [s]; '60s'")
    seed: int = Field(1, ge=0)
    initial_state: Annotated[str | None, DataFile("state")] = Field(
        None, max_length=4096, description="Start from this saved state (twin/sim/saved_state.py, docs/live.md: "
        "JSON or YAML, format seabed-twin-state) instead of the steady state of the load; run.start must be the "
        "state's time: a path (a relative one from the scenario file's folder), or dataset:<id> of an uploaded data "
        "set (the API's only form)")
    weather: Weather = Weather()

    @field_validator("start")
    @classmethod
    def _aware(cls, v: dt.datetime) -> dt.datetime:
        return require_utc_offset(v, "start")

    @field_validator("weather")
    @classmethod
    def _persistence(cls, v: "Weather", info) -> "Weather":
        if v.mode == "persistence" and info.data.get("initial_state") is None:
            raise ValueError("mode persistence holds the weather of run.initial_state; give one")
        return v

    @model_validator(mode="after")
    def _limits(self) -> "Run":
        if self.horizon_s > MAX_HORIZON_S:
            raise ValueError(f"horizon_s {self.horizon_s:g} is beyond the limit of {MAX_HORIZON_S:g} s (ten years)")
        if self.horizon_s < self.step_s:
            raise ValueError(f"horizon_s ({self.horizon_s:g}) is shorter than one step ({self.step_s:g})")
        if self.horizon_s / self.step_s > MAX_STEPS:
            raise ValueError(f"{self.horizon_s / self.step_s:.0f} steps is beyond the limit of {MAX_STEPS}")
        return self


class Event(StrictModel):
    """A scheduled what-if event, from ``start_s`` after the run's start for ``duration_s``."""

    kind: Literal["turbines_down", "grid_outage", "sea_temp_offset", "pump_capacity", "wind_link_cut",
                  "exchanger_cleaning"]
    start_s: Seconds = Field(..., ge=0.0)
    duration_s: Seconds = Field(..., gt=0.0)
    turbines: int = Field(1, ge=1, description="turbines_down: how many turbines stop [-]")
    delta_k: float = Field(2.0, ge=-10.0, le=10.0, description="sea_temp_offset: added to the sea [K]")
    capacity_fraction: float = Field(0.0, ge=0.0, le=1.0, description="pump_capacity: highest pump speed left [-]")
    cabin: int | None = Field(None, ge=0, description="pump_capacity, exchanger_cleaning: which cabin group "
                              "(None: all)")


class Scenario(StrictModel):
    name: str = "scenario"
    description: str = ""
    site: Site
    wind: Wind
    electrical: Electrical
    cabins: list[CabinGroup] = Field(..., min_length=1)
    workload: Workload = Workload()
    controls: Controls = Controls()
    accounting: Accounting = Accounting()
    run: Run = Run()
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross(self) -> "Scenario":
        problems = []
        for i, ev in enumerate(self.events):
            if ev.kind == "turbines_down" and ev.turbines > self.wind.farm.turbine_count:
                problems.append(f"events.{i}.turbines: {ev.turbines} is more than the farm's "
                                f"{self.wind.farm.turbine_count} turbines")
            if ev.kind in ("pump_capacity", "exchanger_cleaning") and ev.cabin is not None \
                    and ev.cabin >= len(self.cabins):
                problems.append(f"events.{i}.cabin: {ev.cabin} but the scenario has {self.cabin_count} cabins")
        if not self.workload.classes:
            servers = min(g.racks.server_count for g in self.cabins)
            if self.workload.max_job_servers > servers:
                problems.append(f"workload.max_job_servers: {self.workload.max_job_servers} is more than the "
                                f"{servers} servers of the smallest cabin")
        for k, jc in enumerate(self.workload.classes):
            for gi, g in enumerate(self.cabins):
                types = g.racks.server_types
                server = jc.server or types[0]
                if server not in types:
                    problems.append(f"workload.classes.{k}.server: {server!r} is not in cabins.{gi}'s fleet "
                                    f"({', '.join(types)})")
                    continue
                if jc.work is not None:
                    from physics.servers import server_model

                    accelerated = server_model(server).is_accelerated
                    if accelerated == (jc.work == "cpu_batch"):
                        fits = "training, inference_prefill or inference_decode" if accelerated else "cpu_batch"
                        problems.append(f"workload.classes.{k}.work: {jc.work!r} does not run on {server!r} of "
                                        f"cabins.{gi} ({'an accelerator' if accelerated else 'a CPU'} server: "
                                        f"{fits})")
                have = sum(b.rack_count * b.servers_per_rack for b in g.racks.blocks() if b.server == server)
                if jc.max_job_servers > have:
                    problems.append(f"workload.classes.{k}.max_job_servers: {jc.max_job_servers} is more than the "
                                    f"{have} {server} servers of cabins.{gi}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def cabin_count(self) -> int:
        return sum(g.count for g in self.cabins)

