"""Typed access to the application's state from the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.calibrations import CalibrationRunner
from api.datasets import DatasetAccess
from api.jobs import JobManager
from api.settings import Settings
from api.store import RunStore


def _store(request: Request) -> RunStore:
    return request.app.state.store


def _jobs(request: Request) -> JobManager:
    return request.app.state.jobs


def _data_access(request: Request) -> DatasetAccess:
    return request.app.state.data_access


def _calibrations(request: Request) -> CalibrationRunner:
    return request.app.state.calibrations


def _settings(request: Request) -> Settings:
    return request.app.state.settings


StoreDep = Annotated[RunStore, Depends(_store)]
JobsDep = Annotated[JobManager, Depends(_jobs)]
SettingsDep = Annotated[Settings, Depends(_settings)]
DataDep = Annotated[DatasetAccess, Depends(_data_access)]
CalibrationsDep = Annotated[CalibrationRunner, Depends(_calibrations)]
