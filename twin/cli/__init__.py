"""The ``seabed-twin`` command: one Typer app (``twin.cli.common``) and a module per command group.

Nothing imports this package: it sits on top of twin, viz and api.
"""

from __future__ import annotations

from twin.cli import live, run, studies, viz, weather  # noqa: F401  (each registers its commands on the app)
from twin.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    app()
