"""Loading a scenario: files and shipped designs, ``path=value`` overrides, and one error listing every problem."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from twin.scenario.datafiles import DATASET_PREFIX, VALIDATION_KEY, DataAccess, data_file_kinds
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


def scenario_from_dict(data: Any, source: str = "scenario",
                       data_access: DataAccess | None = None) -> Scenario:
    """Validate a plain mapping as a Scenario, raising one ScenarioError with every problem.

    ``data_access`` decides which values its data-file fields may take (``twin.scenario.datafiles``): the API passes
    one that allows only its uploaded data sets; without one, any path is taken (and read when the run starts)."""
    if not isinstance(data, dict):
        raise ScenarioError([("", f"expected a mapping, got {type(data).__name__}")], source)
    try:
        return Scenario.model_validate(data, context={VALIDATION_KEY: data_access} if data_access is not None else None)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            problems.append((_path(err["loc"]), msg))
        raise ScenarioError(problems, source) from None
    except RecursionError:
        raise ScenarioError([("", "nested too deeply")], source) from None


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


def load_scenario(path_or_name: str | Path, overrides: list[str] | None = None,
                  data_access: DataAccess | None = None) -> Scenario:
    """Load a scenario file (YAML, TOML, JSON) or a shipped design by name, then apply ``path=value`` overrides;
    ``data_access`` checks its data-file fields (``twin.scenario.datafiles``; any path when None)."""
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
    return scenario_from_dict(data, source=str(path), data_access=data_access)


def _anchor_paths(data: Any, folder: Path) -> None:
    """Make the data-file paths of a scenario file (every ``DataFile`` field) that are relative to its folder
    absolute; data set references are left as they are."""
    for dotted in data_file_kinds(Scenario):
        for node, key in _nodes(data, dotted.split(".")):
            value = node.get(key)
            if isinstance(value, str) and not value.startswith(DATASET_PREFIX) and not Path(value).is_absolute():
                node[key] = str((folder / value).resolve())


def _nodes(data: Any, keys: list[str]):
    """(mapping, key) pairs a dotted path with ``*`` for list items reaches in plain data."""
    if not keys or not isinstance(data, (dict, list)):
        return
    head, rest = keys[0], keys[1:]
    if head == "*":
        for item in data if isinstance(data, list) else []:
            yield from _nodes(item, rest)
    elif isinstance(data, dict) and head in data:
        if rest:
            yield from _nodes(data[head], rest)
        else:
            yield data, head


def load_design(name: str, overrides: list[str] | None = None) -> Scenario:
    return load_scenario(design_dir() / f"{name}.yaml" if (design_dir() / f"{name}.yaml").is_file() else name,
                         overrides)


MAX_OVERRIDE_DEPTH = 32
"""Deepest nesting an override's value may have (a scenario's own nesting is below 10)."""


class _OverrideLoader(yaml.SafeLoader):
    """YAML for one override's value: no anchors or aliases (an alias bomb expands exponentially once validated),
    at most ``MAX_OVERRIDE_DEPTH`` levels of nesting."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent) or getattr(self.peek_event(), "anchor", None):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "anchors and aliases (& and *) are not accepted in an "
                                              "override", event.start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_OVERRIDE_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_OVERRIDE_DEPTH} levels",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _ValueProblem(Exception):
    pass


def _parse_value(text: str) -> Any:
    """An override's value read as YAML; text that is not YAML stays text. Anchors and aliases, nesting beyond
    ``MAX_OVERRIDE_DEPTH`` and numbers too long to convert are problems (``_ValueProblem``)."""
    try:
        loader = _OverrideLoader(text)  # the reader refuses control characters here already
    except yaml.YAMLError:
        return text
    try:
        return loader.get_single_data()
    except yaml.composer.ComposerError as exc:
        raise _ValueProblem(exc.problem) from None
    except yaml.YAMLError:
        return text
    except (ValueError, OverflowError) as exc:  # e.g. an integer of more digits than Python converts
        why = "a number of more than 4300 digits" if "digits" in str(exc) else str(exc)[:200]
        raise _ValueProblem(f"cannot read the value: {why}") from None
    except RecursionError:
        raise _ValueProblem(f"nested deeper than {MAX_OVERRIDE_DEPTH} levels") from None
    finally:
        loader.dispose()


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
        try:
            value = _parse_value(raw)
        except _ValueProblem as exc:
            problems.append((path, str(exc)))
            continue
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
