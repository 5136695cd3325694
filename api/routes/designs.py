"""The shipped designs: their names and each one's resolved scenario."""

from __future__ import annotations

import copy
import functools

from fastapi import APIRouter

from api.errors import ApiError, error_responses
from api.resolve import _design_mapping
from api.schemas import DesignList
from twin.scenario import Scenario, design_dir, design_names, scenario_from_dict

router = APIRouter(prefix="/v1", tags=["designs"])


@router.get("/designs", response_model=DesignList, responses=error_responses())
def list_designs():
    """The shipped reference designs, usable as `design` in runs and sweeps."""
    out = []
    for name in design_names():
        path = design_dir() / f"{name}.yaml"
        description = str(_design_mapping(str(path), path.stat().st_mtime_ns).get("description") or "")
        out.append({"name": name, "description": description, "links": {"self": f"/v1/designs/{name}"}})
    return {"designs": out}


@router.get("/designs/{name}", response_model=Scenario, responses=error_responses(404))
def get_design(name: str):
    """A design's scenario with every default filled in; units are in each field's description."""
    if name not in design_names():
        raise ApiError(404, f"no design {name!r}; designs: {', '.join(design_names())}")
    path = design_dir() / f"{name}.yaml"
    return _resolved(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _resolved(path: str, mtime_ns: int) -> Scenario:
    return scenario_from_dict(copy.deepcopy(_design_mapping(path, mtime_ns)), source=path)
