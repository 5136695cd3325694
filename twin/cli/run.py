"""``seabed-twin run | designs | schema | green | serve``: run a design or scenario file, list designs, print the
scenario schema, compare schedulers on renewable share, serve the API.

Exit codes: 0 success, 1 a run failed, 2 bad input (the message names every field and reason; no traceback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from twin.cli.common import app, err, fail_input, format_value, print_kpi_table, resolve
from twin.scenario import ScenarioError, design_names, scenario_json_schema


@app.command()
def run(
    design_or_file: str = typer.Argument(..., help="A shipped design name or a YAML/TOML/JSON scenario file"),
    horizon: Optional[str] = typer.Option(None, help="Simulated time, e.g. 365d, 7d, 3600s"),
    step: Optional[str] = typer.Option(None, help="Step, e.g. 60s, 15min"),
    seed: Optional[int] = typer.Option(None, help="Random seed"),
    set_: List[str] = typer.Option([], "--set", help="Override a field: dotted.path=value (repeatable)"),
    out: Optional[Path] = typer.Option(None, help="Folder for series.parquet, kpis.json, ledger.json, scenario.json"),
    as_json: bool = typer.Option(False, "--json", help="Print the KPIs as one JSON object on stdout, nothing else"),
    plot: bool = typer.Option(True, help="With --out, also write thermal_state.png"),
    datasets: Optional[Path] = typer.Option(
        None, help="A folder of data sets stored by the API (<data>/datasets): the scenario may name them as "
        "dataset:<id>, e.g. to rerun an API run from its scenario.json"),
) -> None:
    """Run a scenario and print its KPIs."""
    from twin.scenario.datafiles import LocalFiles

    access = LocalFiles(dataset_folder=datasets)
    if datasets is not None and not datasets.is_dir():
        fail_input(f"--datasets: {datasets} is not a folder")
    try:
        scenario = resolve(design_or_file, horizon, step, seed, set_, access)
    except ScenarioError as exc:
        fail_input(str(exc))
    from twin.sim.engine import simulate

    try:
        if as_json:
            result = simulate(scenario, data_access=access)
        else:
            with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                          TimeElapsedColumn(), TimeRemainingColumn(), console=err, transient=True) as bar:
                task = bar.add_task(f"{scenario.name}", total=1.0)
                result = simulate(scenario, progress=lambda f: bar.update(task, completed=f), data_access=access)
    except ScenarioError as exc:
        fail_input(str(exc))
    except ValueError as exc:
        err.print(f"[bold red]run failed:[/] {exc}")
        raise typer.Exit(1) from None
    paths = {}
    if out is not None:
        paths = result.save(out)
        if plot:
            from viz.plots import thermal_state_png

            paths["thermal_state"] = thermal_state_png(result.series, result.scenario, out / "thermal_state.png")
    if as_json:
        sys.stdout.write(json.dumps(result.kpis) + "\n")
        return
    print_kpi_table(f"{scenario.name}: {scenario.run.horizon_s / 86400:g} d at {scenario.run.step_s:g} s steps",
                    result.kpis)
    if len(result.classes) > 1 or result.scenario.workload.classes:
        ct = Table(title="job classes")
        cols = ("jobs_completed", "throughput_jobs_per_h", "job_wait_p50_s", "job_wait_p95_s", "job_wait_p99_s",
                "deadline_misses", "jobs_rejected", "energy_per_job_kwh")
        ct.add_column("class")
        for c in cols:
            ct.add_column(c, justify="right")
        for name, k in result.classes.items():
            ct.add_row(name, *(format_value(k[c]) for c in cols))
        Console().print(ct)
    for name, p in paths.items():
        Console().print(f"{name}: {p}", highlight=False)


@app.command()
def green(
    design_or_file: str = typer.Argument(..., help="A shipped design name or a scenario file"),
    horizon: Optional[str] = typer.Option("7d", help="Simulated time, e.g. 7d"),
    step: Optional[str] = typer.Option(None, help="Step, e.g. 60s"),
    seed: Optional[int] = typer.Option(None, help="Random seed"),
    set_: List[str] = typer.Option([], "--set", help="Override a field: dotted.path=value (repeatable)"),
    flexible_share: Optional[float] = typer.Option(None, help="Share of jobs that may wait within their deadline"),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as one JSON object"),
) -> None:
    """The direct wind share with FIFO, with the green-aware scheduler and at the perfect-foresight optimum
    (docs/engine.md)."""
    sets = list(set_)
    if flexible_share is not None:
        sets.append(f"workload.flexible_share={flexible_share}")
    try:
        scenario = resolve(design_or_file, horizon, step, seed, sets)
    except ScenarioError as exc:
        fail_input(str(exc))
    if scenario.workload.flexible_share <= 0.0:
        fail_input("workload.flexible_share: is 0, so no job may move; set it, e.g. --flexible-share 0.4")
    from twin.studies.green import green_comparison

    try:
        with err.status("running FIFO, the green policy and the perfect-foresight bound"):
            result = green_comparison(scenario)
    except ScenarioError as exc:
        fail_input(str(exc))
    except ValueError as exc:
        fail_input(str(exc))
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    table = Table(title=f"{scenario.name}: compute follows the wind, {scenario.run.horizon_s / 86400:g} d")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for k, v in result.items():
        table.add_row(k, format_value(v))
    Console().print(table)


@app.command()
def designs() -> None:
    """List the shipped designs."""
    for name in design_names():
        typer.echo(name)


@app.command()
def schema() -> None:
    """Print the scenario JSON Schema."""
    typer.echo(json.dumps(scenario_json_schema(), indent=2))


@app.command()
def serve(
    host: Optional[str] = typer.Option(None, help="Address to bind [default: 127.0.0.1]; non-loopback needs a token"),
    port: Optional[int] = typer.Option(None, help="Port [default: 8000]"),
    data: Optional[Path] = typer.Option(None, help="Data folder: registry.sqlite and runs/ [default: "
                                                   "./seabed-twin-data]"),
    workers: Optional[int] = typer.Option(None, help="Worker processes for runs [default: the CPU count]"),
    settings: Optional[Path] = typer.Option(None, help="Settings file (YAML/TOML/JSON); also SEABED_TWIN_SETTINGS"),
    log_level: str = typer.Option("info", help="uvicorn log level"),
) -> None:
    """Serve the what-if HTTP API (see docs/api.md). The token is SEABED_TWIN_TOKEN or 'token' in the settings."""
    from api.settings import SettingsError, load_settings

    try:
        conf = load_settings(settings, host=host, port=port, data_dir=data, workers=workers)
    except SettingsError as exc:
        fail_input(str(exc))
    problem = conf.bind_problem()
    if problem:
        fail_input(problem)
    import uvicorn

    from api.app import create_app

    uvicorn.run(create_app(conf), host=conf.host, port=conf.port, log_level=log_level, timeout_graceful_shutdown=5)
