"""Loading a scenario: files and shipped designs, ``path=value`` overrides, and one error listing every problem."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from twin.scenario.models import Scenario

# ----------------------------------------------------------------------------------------------- loading


class ScenarioError(ValueError):
    """A scenario with problems: ``problems`` lists ``(field_path, reason)``, every one of them."""

    def __init__(self, problems: list[tuple[str, str]], source: str = "scenario"):
        self.problems = problems
        self.source = source
        lines = "\n".join(f"  - {path or '(top level)'}: {why}" for path, why in problems)
        super().__init__(f"{source} has {len(problems)} problem(s):\n{lines}")

    def as_dicts(self) -> list[dict[str, str]]:
        return [{"field": p, "reason": r} for p, r in self.problems]


def _path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def scenario_from_dict(data: Any, source: str = "scenario") -> Scenario:
    """Validate a plain mapping as a Scenario, raising one ScenarioError with every problem."""
    if not isinstance(data, dict):
        raise ScenarioError([("", f"expected a mapping, got {type(data).__name__}")], source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            problems.append((_path(err["loc"]), msg))
        raise ScenarioError(problems, source) from None


def _read_mapping(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            return tomllib.loads(text)
        if suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError([("", f"cannot parse {path.name}: {exc}")], str(path)) from None


def design_dir() -> Path:
    """The folder of shipped designs: ``$SEABED_TWIN_DESIGNS`` when set, else ``designs/`` of the checkout."""
    import os

    env = os.environ.get("SEABED_TWIN_DESIGNS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "designs"


def design_names() -> list[str]:
    return sorted(p.stem for p in design_dir().glob("*.yaml"))


def load_scenario(path_or_name: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load a scenario file (YAML, TOML, JSON) or a shipped design by name, then apply ``path=value`` overrides."""
    path = Path(path_or_name)
    if not path.is_file():
        candidate = design_dir() / f"{path_or_name}.yaml"
        if not candidate.is_file():
            raise ScenarioError([("", f"no scenario file {str(path_or_name)!r} and no design of that name; "
                                      f"designs: {', '.join(design_names())}")], str(path_or_name))
        path = candidate
    data = _read_mapping(path)
    if overrides:
        data = apply_overrides(data, overrides, source=str(path))
    _anchor_paths(data, path.parent)
    return scenario_from_dict(data, source=str(path))


def _anchor_paths(data: Any, folder: Path) -> None:
    """Make file paths inside a scenario relative to the scenario file's folder absolute."""
    for section, key in ((("wind", "resource"), "measured_csv"), (("workload",), "trace_csv")):
        try:
            part = data
            for name in section:
                part = part[name]
            csv = part.get(key)
        except (KeyError, TypeError, AttributeError):
            continue
        if isinstance(csv, str) and not Path(csv).is_absolute():
            part[key] = str((folder / csv).resolve())


def load_design(name: str, overrides: list[str] | None = None) -> Scenario:
    return load_scenario(design_dir() / f"{name}.yaml" if (design_dir() / f"{name}.yaml").is_file() else name,
                         overrides)


def _parse_value(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def apply_overrides(data: dict, overrides: list[str], source: str = "overrides") -> dict:
    """Return a copy of ``data`` with each ``dotted.path=value`` set; the value is read as YAML.

    List items are addressed by index (``cabins.0.count=2``). A path through a field that does not exist
    is reported as a problem; a new leaf is left to the scenario validation to accept or refuse.
    """
    data = copy.deepcopy(data)
    problems: list[tuple[str, str]] = []
    for item in overrides:
        if "=" not in item:
            problems.append((item, "an override is path=value"))
            continue
        path, _, raw = item.partition("=")
        keys = [k for k in path.strip().split(".") if k]
        if not keys:
            problems.append((item, "empty path"))
            continue
        node: Any = data
        ok = True
        for depth, key in enumerate(keys[:-1]):
            here = ".".join(keys[: depth + 1])
            if isinstance(node, list):
                if not key.isdigit() or int(key) >= len(node):
                    problems.append((here, f"no list item {key}"))
                    ok = False
                    break
                node = node[int(key)]
            elif isinstance(node, dict):
                if key not in node or node[key] is None:
                    node[key] = {}
                node = node[key]
            else:
                problems.append((here, "is not a mapping or list"))
                ok = False
                break
        if not ok:
            continue
        last = keys[-1]
        value = _parse_value(raw)
        if isinstance(node, list):
            if not last.isdigit() or int(last) >= len(node):
                problems.append((path, f"no list item {last}"))
                continue
            node[int(last)] = value
        elif isinstance(node, dict):
            node[last] = value
        else:
            problems.append((path, "is not a mapping or list"))
    if problems:
        raise ScenarioError(problems, source)
    return data


def scenario_json_schema() -> dict:
    return Scenario.model_json_schema()
