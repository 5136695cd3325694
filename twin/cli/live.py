"""``seabed-twin telemetry synth``: synthetic telemetry from a twin run with given (hidden) parameter values, with
sensor noise, bias, drift and gaps (docs/live.md)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from twin.cli.common import app, err, fail_input, resolve

telemetry_app = typer.Typer(no_args_is_help=True, help="The twin's telemetry: make it, check it (docs/live.md)")
app.add_typer(telemetry_app, name="telemetry")

DEFAULT_SIGNALS = ("hub_wind_speed_m_s", "sea_temp_c", "cabin0_inlet_temp_c", "cabin0_it_power_w", "grid_import_w",
                   "cabin0_pump_speed", "cabin0_fan_speed")


def _pairs(items: list[str], option: str) -> dict[str, float]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            fail_input(f"{option}: {item!r} is not SIGNAL=NUMBER (SIGNAL may be * for every signal)")
    return out


@telemetry_app.command("synth")
def synth(
    design_or_file: str = typer.Argument(..., help="A shipped design name or a scenario file"),
    out: Path = typer.Option(..., help="Telemetry file to write: .csv or .parquet"),
    horizon: Optional[str] = typer.Option(None, help="Simulated time, e.g. 14d"),
    step: Optional[str] = typer.Option(None, help="Step, e.g. 300s"),
    seed: Optional[int] = typer.Option(None, help="The run's seed"),
    set_: List[str] = typer.Option([], "--set", help="The hidden values: dotted.path=value (repeatable)"),
    signals: str = typer.Option(",".join(DEFAULT_SIGNALS), help="Comma-separated series names"),
    noise: List[str] = typer.Option([], help="SIGNAL=SD of Gaussian noise, in the signal's unit (repeatable)"),
    bias: List[str] = typer.Option([], help="SIGNAL=constant offset (repeatable)"),
    drift: List[str] = typer.Option([], help="SIGNAL=drift per day (repeatable)"),
    gaps_per_day: float = typer.Option(0.0, "--gaps-per-day", help="Outages per signal and day (Poisson)"),
    gap_hours: float = typer.Option(2.0, "--gap-hours", help="Mean outage length [h] (exponential)"),
    noise_seed: int = typer.Option(0, "--noise-seed", help="Seed of the noise and the gaps"),
) -> None:
    """Run the design with the hidden values and write its chosen series as telemetry with sensor errors."""
    from twin.live.telemetry import SynthOptions, synthesize
    from twin.scenario import ScenarioError
    from twin.sim.engine import simulate

    if out.suffix.lower() not in (".csv", ".parquet"):
        fail_input(f"--out: {out} must end in .csv or .parquet")
    if gaps_per_day < 0 or gap_hours <= 0:
        fail_input("--gaps-per-day must be >= 0 and --gap-hours > 0")
    options = SynthOptions(noise=_pairs(noise, "--noise"), bias=_pairs(bias, "--bias"),
                           drift_per_day=_pairs(drift, "--drift"), gap_rate_per_day=gaps_per_day,
                           gap_mean_h=gap_hours, seed=noise_seed)
    try:
        scenario = resolve(design_or_file, horizon, step, seed, set_)
    except ScenarioError as exc:
        fail_input(str(exc))
    with err.status(f"running {scenario.name}"):
        result = simulate(scenario)
    try:
        long = synthesize(result.series, [s.strip() for s in signals.split(",") if s.strip()], options)
    except ValueError as exc:
        fail_input(f"--signals: {exc}")
    out.parent.mkdir(parents=True, exist_ok=True)
    long["timestamp"] = [t.isoformat() for t in long["timestamp"]]
    if out.suffix.lower() == ".csv":
        long.to_csv(out, index=False)
    else:
        long.to_parquet(out, index=False)
    err.print(f"{len(long)} measurements of {long['signal'].nunique()} signals -> {out}", highlight=False)


@app.command("calibrate")
def calibrate_cmd(
    design_or_file: str = typer.Argument(..., help="A shipped design name or a scenario file"),
    telemetry: Path = typer.Option(..., help="Telemetry file (CSV or Parquet, docs/live.md)"),
    params: str = typer.Option(..., help="Comma-separated dotted paths of the scenario fields to fit"),
    bounds: List[str] = typer.Option([], help="PATH=LOW:HIGH (default: half and twice the value, within the "
                                              "field's constraints)"),
    train: Optional[str] = typer.Option(None, help="Training window A..B (ISO 8601 with offsets; default the "
                                                  "first 70 % of the run)"),
    test: Optional[str] = typer.Option(None, help="Test window C..D (default the rest of the run)"),
    signals: Optional[str] = typer.Option(None, help="Comma-separated signals to fit (default every one the "
                                                     "telemetry and the twin share)"),
    out: Path = typer.Option(..., help="The calibrated scenario (YAML)"),
    report: str = typer.Option("json", help="Report format on stdout: json or md"),
    horizon: Optional[str] = typer.Option(None, help="Simulated time, e.g. 14d"),
    step: Optional[str] = typer.Option(None, help="Step, e.g. 300s"),
    seed: Optional[int] = typer.Option(None, help="The run's seed"),
    set_: List[str] = typer.Option([], "--set", help="Override a field: dotted.path=value (repeatable)"),
) -> None:
    """Fit scenario fields to telemetry by bounded least squares; print the report (parameters with standard
    errors, Guideline 14 fit on the test window) and write the calibrated scenario."""
    import pandas as pd
    import yaml

    from twin.live.calibration import CalibrationError, calibrate, default_parameter, parse_window
    from twin.live.telemetry import TelemetryError, read_telemetry
    from twin.scenario import ScenarioError

    if report not in ("json", "md"):
        fail_input(f"--report: {report!r} is not json or md")
    try:
        scenario = resolve(design_or_file, horizon, step, seed, set_)
        limits = {}
        for item in bounds:
            path, sep, rng = item.partition("=")
            lo, sep2, hi = rng.partition(":")
            if not (sep and sep2):
                raise CalibrationError(f"--bounds: {item!r} is not PATH=LOW:HIGH")
            limits[path.strip()] = (float(lo), float(hi))
        parameters = [default_parameter(scenario, p.strip(), *limits.get(p.strip(), (None, None)))
                      for p in params.split(",") if p.strip()]
        start = pd.Timestamp(scenario.run.start)
        end = start + pd.Timedelta(seconds=scenario.run.horizon_s)
        split = start + 0.7 * (end - start)
        train_w = parse_window(train, "--train") if train else (start, split)
        test_w = parse_window(test, "--test") if test else (split, end)
        tele = read_telemetry(telemetry.read_bytes(), telemetry.name)
        with err.status(f"calibrating {len(parameters)} parameter(s)"):
            result = calibrate(scenario, tele, parameters, train_w, test_w,
                               [s.strip() for s in signals.split(",")] if signals else None)
    except (ScenarioError, CalibrationError, TelemetryError, ValueError, OSError) as exc:
        fail_input(str(exc))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(result.scenario.model_dump(mode="json"), sort_keys=False))
    typer.echo(result.to_json() if report == "json" else result.to_markdown(), nl=False)


@telemetry_app.command("state")
def state_cmd(
    design_or_file: str = typer.Argument(..., help="A shipped design name or a scenario file (the twin's)"),
    telemetry: Path = typer.Option(..., help="Telemetry file (CSV or Parquet, docs/live.md)"),
    out: Path = typer.Option(..., help="The saved state to write (JSON, docs/live.md \"Saved state\")"),
    step: Optional[str] = typer.Option(None, help="The twin's step, e.g. 300s (default the scenario's)"),
    set_: List[str] = typer.Option([], "--set", help="Override a field: dotted.path=value (repeatable)"),
) -> None:
    """Synchronise: the present state of the plant from its telemetry (the extended Kalman filter on each cabin
    group's thermal network), written as a saved state a forecast can start from."""
    import pandas as pd

    from twin.live.state import present_state, saved_state
    from twin.live.telemetry import TelemetryError, on_steps, read_telemetry
    from twin.scenario import ScenarioError

    try:
        scenario = resolve(design_or_file, None, step, None, set_)
        tele = read_telemetry(telemetry.read_bytes(), telemetry.name)
        step_s = float(scenario.run.step_s)
        first, last = pd.Timestamp(tele.frame["time"].min()), pd.Timestamp(tele.frame["time"].max())
        start = pd.Timestamp(scenario.run.start)
        k0 = int((first - start).total_seconds() // step_s)
        k1 = int((last - start).total_seconds() // step_s)
        index = pd.DatetimeIndex([start + pd.Timedelta(seconds=k * step_s) for k in range(k0, k1 + 1)])
        grid = on_steps(tele, index, step_s)
        present = present_state(scenario, grid.values, step_s)
        state = saved_state(scenario, grid.values, present)
    except (ScenarioError, TelemetryError, ValueError, OSError) as exc:
        fail_input(str(exc))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(state.to_json() + "\n")
    err.print(f"state of {state.time.isoformat()} ({len(index)} steps of telemetry) -> {out}", highlight=False)


@app.command("forecast")
def forecast_cmd(
    design_or_file: str = typer.Argument(..., help="A shipped design name or a scenario file (the twin's)"),
    state: Path = typer.Option(..., help="The saved state to start from (JSON or YAML, docs/live.md)"),
    weather: str = typer.Option("persistence", help="persistence, climatology, or a forecast file (CSV or "
                                                    "Parquet: timestamp, hub_wind_speed_m_s[, sea_temp_c])"),
    horizon: str = typer.Option("7d", help="How far ahead, e.g. 48h, 7d"),
    step: Optional[str] = typer.Option(None, help="Output step, e.g. 300s"),
    seed: Optional[int] = typer.Option(None, help="The run's seed (the workload, and the weather in climatology)"),
    set_: List[str] = typer.Option([], "--set", help="Override a field: dotted.path=value (repeatable)"),
    out: Optional[Path] = typer.Option(None, help="Folder for the run's files, end_state.json among them"),
    as_json: bool = typer.Option(False, "--json", help="Print the KPIs as one JSON object on stdout, nothing else"),
) -> None:
    """A forecast forked from a saved state: a run from the state's time and plant over the horizon, with the
    weather held from the state (persistence), drawn from the design's climatology, or read from a forecast
    file; prints its KPIs."""
    import json
    import sys

    from twin.scenario import ScenarioError
    from twin.sim.engine import simulate
    from twin.sim.saved_state import parse_state

    try:
        saved = parse_state(state.read_bytes(), str(state), "--state")
    except OSError as exc:
        fail_input(f"--state: {state}: cannot read ({exc.strerror or exc})")
    except ScenarioError as exc:
        fail_input(str(exc))
    sets = [*set_, f"run.start={saved.time.isoformat()}", f"run.initial_state={state.resolve()}"]
    if weather in ("persistence", "climatology"):
        sets.append(f"run.weather.mode={weather}")
    else:
        path = Path(weather)
        if not path.is_file():
            fail_input(f"--weather: {weather!r} is neither persistence, climatology nor a forecast file")
        sets += ["run.weather.mode=forecast", f"run.weather.forecast={path.resolve()}"]
    try:
        scenario = resolve(design_or_file, horizon, step, seed, sets)
        with err.status(f"forecasting {scenario.name}"):
            result = simulate(scenario)
    except ScenarioError as exc:
        fail_input(str(exc))
    if out is not None:
        result.save(out)
    if as_json:
        sys.stdout.write(json.dumps(result.kpis) + "\n")
        return
    from twin.cli.common import print_kpi_table

    print_kpi_table(f"{scenario.name}: forecast from {saved.time.isoformat()}, "
                    f"{scenario.run.horizon_s / 3600:g} h, weather {scenario.run.weather.mode}", result.kpis)

