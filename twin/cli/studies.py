"""``seabed-twin validate`` and ``seabed-twin sweep``: design validation for scripts and CI, design-space sweeps.

Exit codes: 0 every rule passes (validate) or every point ran (sweep); 1 a rule failed or a run failed; 2 bad input
(every problem with its field and reason, before any run), an unreachable scheduler included.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from twin.cli.common import app, err, fail_input, shortcut_overrides
from twin.scenario import ScenarioError


def _progress_bar() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True)




def _sweep_kpi_names(design: str) -> set[str]:
    """KPIs a sweep's table has: the run's, and ``CLASS.KPI`` for each job class of the design."""
    from twin.scenario import load_scenario
    from twin.sim.kpis import KPI_UNITS
    from twin.sim.results import CLASS_KPI_UNITS

    classes = [c.name for c in load_scenario(design).workload.job_classes()]
    return set(KPI_UNITS) | {f"{c}.{k}" for c in classes for k in CLASS_KPI_UNITS}


def validate_cmd(
    design: str = typer.Argument(..., help="A shipped design name or a scenario file"),
    rules: Optional[str] = typer.Option(None, help="Rule file (YAML) or a shipped rule set name "
                                        "[default: designs/validation/default-rules.yaml]"),
    cases: Optional[str] = typer.Option(None, help="Stress-case file (YAML) or a shipped case set name "
                                        "[default: designs/validation/default-cases.yaml]"),
    report: str = typer.Option("md", help="Report format: md, json or junit"),
    out: Optional[Path] = typer.Option(None, help="Write the report here instead of stdout"),
    set_: List[str] = typer.Option([], "--set", help="Override a design field for every case: dotted.path=value"),
    step: Optional[str] = typer.Option(None, help="Step for every case that does not set its own, e.g. 300s"),
    scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address (tcp://host:8786); default "
                                            "DASK_SCHEDULER_ADDRESS, else a LocalCluster"),
    workers: Optional[int] = typer.Option(None, help="LocalCluster workers [default: the CPU count]"),
    serial: bool = typer.Option(False, help="Run the cases one after the other in this process, without Dask"),
) -> None:
    """Check a design against design rules over stress cases; exit 0 only when every rule passes."""
    from twin.studies.cluster import SchedulerError
    from twin.studies.validate import validate

    if report not in ("md", "json", "junit"):
        fail_input(f"--report: {report!r} is not one of md, json, junit")
    try:
        overrides = shortcut_overrides(set_, None, step, None)
        with _progress_bar() as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done)

            rep = validate(design, rules, cases, overrides, backend="serial" if serial else "dask",
                           scheduler=scheduler, workers=workers, progress=progress)
    except ScenarioError as exc:
        fail_input(str(exc))
    except SchedulerError as exc:
        fail_input(str(exc))
    text = {"md": rep.to_markdown, "json": rep.to_json, "junit": rep.to_junit}[report]()
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    verdict = "[bold green]PASSED[/]" if rep.passed else "[bold red]FAILED[/]"
    err.print(f"{rep.design}: {verdict}, {sum(r.passed for r in rep.results)} of {len(rep.results)} rule checks "
              f"passed over {len(rep.cases)} cases in {rep.wall_s:.0f} s", highlight=False)
    for r in rep.failures:
        err.print(f"  {r.status}: {r.rule} in {r.case}: {r.message}", highlight=False, markup=False)
    raise typer.Exit(rep.exit_code)


def sweep_cmd(
    design: str = typer.Argument(..., help="A shipped design name or a scenario file"),
    grid: List[str] = typer.Option([], "--grid", help="path=v1,v2,... (repeatable): every combination"),
    lhs: List[str] = typer.Option([], "--lhs", help="path=lo:hi (repeatable): a Latin hypercube with --samples"),
    samples: Optional[int] = typer.Option(None, help="Latin hypercube points (each crossed with every grid point)"),
    sample_seed: int = typer.Option(0, help="Seed of the Latin hypercube"),
    set_: List[str] = typer.Option([], "--set", help="Override a field of every point: dotted.path=value"),
    horizon: Optional[str] = typer.Option(None, help="Simulated time of every point, e.g. 30d"),
    step: Optional[str] = typer.Option(None, help="Step of every point, e.g. 300s"),
    seed: Optional[int] = typer.Option(None, help="Random seed of every point"),
    scheduler: Optional[str] = typer.Option(None, help="Dask scheduler address; default DASK_SCHEDULER_ADDRESS, "
                                            "else a LocalCluster"),
    workers: Optional[int] = typer.Option(None, help="LocalCluster workers [default: the CPU count]"),
    serial: bool = typer.Option(False, help="Run the points one after the other in this process, without Dask"),
    pareto: str = typer.Option("pue,ref", help="Two KPIs for the Pareto plot, each optionally with :min or :max; a "
                               "job class's KPI as CLASS.KPI (e.g. web.job_wait_p95_s)"),
    out: Path = typer.Option(Path("out/sweep"), help="Folder for sweep.parquet, sweep.csv and pareto.png"),
) -> None:
    """Run many scenarios of a design (a grid and/or a Latin hypercube) and table their KPIs."""
    from twin.studies.cluster import SchedulerError
    from twin.studies.pareto import parse_objective
    from twin.studies.sweep import parse_grid_item, parse_lhs_item, sweep, write_outputs

    try:
        parts = [p for p in pareto.split(",") if p.strip()]
        if len(parts) != 2:
            raise ScenarioError([("pareto", f"{pareto!r}: give two KPIs, e.g. pue,ref or pue:min,ref:max")],
                                "command line")
        try:
            (x, sx), (y, sy) = (parse_objective(p, _sweep_kpi_names(design)) for p in parts)
        except ValueError as exc:
            raise ScenarioError([("pareto", str(exc))], "command line") from None
        grid_d = dict(parse_grid_item(g) for g in grid)
        lhs_d = dict(parse_lhs_item(item) for item in lhs)
        overrides = shortcut_overrides(set_, horizon, step, seed)
        with _progress_bar() as bar:
            task = bar.add_task(f"sweep of {design}", total=None)
            result = sweep(design, grid_d, lhs_d, samples, overrides, sample_seed,
                           backend="serial" if serial else "dask", scheduler=scheduler, workers=workers,
                           progress=lambda d, n: bar.update(task, completed=d, total=n))
    except ScenarioError as exc:
        fail_input(str(exc))
    except SchedulerError as exc:
        fail_input(str(exc))
    paths = write_outputs(result, out, (x, y, sx, sy), title=f"{design}: sweep")
    con = Console()
    shown = [c for c in (*result.paths, "status", x, y) if c in result.table]
    con.print(result.table[shown].to_string(), highlight=False, markup=False, soft_wrap=True)
    for name, p in paths.items():
        con.print(f"{name}: {p}", highlight=False)
    err.print(f"{len(result.table)} points on {result.backend} in {result.wall_s:.1f} s, {result.failed} failed",
              highlight=False)
    for i, row in result.table[result.table["status"] != "completed"].iterrows():
        err.print(f"  point {i} failed: {row['error']}", highlight=False, markup=False)
    raise typer.Exit(1 if result.failed else 0)


app.command("validate")(validate_cmd)
app.command("sweep")(sweep_cmd)
