"""What every command of ``seabed-twin`` shares: the Typer app, the error console, the exit on bad input, and the
shortcut options turned into overrides.

Exit codes: 0 success, 1 a run failed, 2 bad input (the message names every field and reason; no traceback).
"""

from __future__ import annotations

import math

import typer
from rich.console import Console

from twin.scenario import (
    ScenarioError,
    load_scenario,
    parse_duration_s,
)

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Digital twin of offshore green data centres: wind, seawater cooling and servers together.")
err = Console(stderr=True)


def fail_input(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(2)


def shortcut_overrides(sets: list[str], horizon: str | None, step: str | None, seed: int | None) -> list[str]:
    """The ``--set`` items followed by the shortcuts ``--horizon``, ``--step`` and ``--seed`` as overrides, so
    every value is validated the same way."""
    overrides = list(sets)
    try:
        if horizon is not None:
            overrides.append(f"run.horizon_s={parse_duration_s(horizon)}")
        if step is not None:
            overrides.append(f"run.step_s={parse_duration_s(step)}")
    except ValueError as exc:
        raise ScenarioError([("run", str(exc))], "command line") from None
    if seed is not None:
        overrides.append(f"run.seed={seed}")
    return overrides


def resolve(design_or_file: str, horizon: str | None, step: str | None, seed: int | None, sets: list[str],
            data_access=None):
    """Load a scenario with the CLI's shortcuts applied as overrides (``data_access``: which data files it may
    name, ``twin.scenario.datafiles``; the user's own paths when None)."""
    return load_scenario(design_or_file, shortcut_overrides(sets, horizon, step, seed), data_access)


def format_value(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def print_kpi_table(title: str, kpis: dict) -> None:
    """A run's KPIs as a table on stdout: value and unit (``twin.sim.kpis.KPI_UNITS``) per KPI."""
    from rich.table import Table

    from twin.sim.kpis import KPI_UNITS

    table = Table(title=title)
    table.add_column("KPI")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for k, v in kpis.items():
        table.add_row(k, format_value(v), KPI_UNITS.get(k, ""))
    Console().print(table)
