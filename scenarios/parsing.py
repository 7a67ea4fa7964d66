"""Reading scenario files: JSON, or YAML with the same structure (no validation here).

Pure Python (no Django).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from scenarios.problems import ROOT, ScenarioSyntaxError, type_name


class _DuplicateKey(ValueError):
    pass


def _json_object(pairs: list[tuple[str, Any]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(f"duplicate key '{key}'")
        result[key] = value
    return result


def _json_constant(name: str) -> float:
    raise _DuplicateKey(f"{name} is not a number a scenario can use")


class _StrictYamlLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                continue  # the base class reports unhashable keys
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml_problem(error: yaml.YAMLError, text: str) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is None:
        return f"invalid YAML: {problem}"
    message = f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    if re.search(r":\s*[<>]=", line):
        message += " (write operators in quotes: op: '>=')"
    return message


def parse_document(text: str, *, filename: str | None = None) -> dict:
    """Parse a scenario file's text (JSON, or YAML with the same structure); no validation.

    The syntax is chosen by the file name's extension, else by the first character (``{``
    means JSON). Raises ``ScenarioSyntaxError`` naming the file, line and column.
    """
    where = filename or ROOT
    suffix = Path(filename).suffix.lower() if filename else ""
    is_json = suffix == ".json" or (suffix not in {".yaml", ".yml"} and text.lstrip()[:1] == "{")
    if not text.strip():
        raise ScenarioSyntaxError([(where, "the file is empty")])
    try:
        if is_json:
            document = json.loads(
                text, object_pairs_hook=_json_object, parse_constant=_json_constant
            )
        else:
            document = yaml.load(text, Loader=_StrictYamlLoader)  # a SafeLoader subclass
    except json.JSONDecodeError as error:
        message = f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        raise ScenarioSyntaxError([(where, message)]) from None
    except _DuplicateKey as error:
        raise ScenarioSyntaxError([(where, f"invalid JSON: {error}")]) from None
    except yaml.YAMLError as error:
        raise ScenarioSyntaxError([(where, _yaml_problem(error, text))]) from None
    if not isinstance(document, dict):
        got = type_name(document)
        raise ScenarioSyntaxError([(where, f"must be a mapping of scenario fields, got {got}")])
    return document


def load_document(path: str | Path) -> dict:
    """Read and parse a scenario file (UTF-8, a byte-order mark is allowed)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ScenarioSyntaxError([(path.name, f"is not UTF-8 text ({error.reason})")]) from None
    return parse_document(text, filename=path.name)
