"""Typed access to the application's state from the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.jobs import JobManager
from api.settings import Settings
from api.store import RunStore


def _store(request: Request) -> RunStore:
    return request.app.state.store


def _jobs(request: Request) -> JobManager:
    return request.app.state.jobs


def _settings(request: Request) -> Settings:
    return request.app.state.settings


StoreDep = Annotated[RunStore, Depends(_store)]
JobsDep = Annotated[JobManager, Depends(_jobs)]
SettingsDep = Annotated[Settings, Depends(_settings)]
