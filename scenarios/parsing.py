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


# A scenario is a handful of levels deep (rounds[0].injects[0].effects[0].role); anything far
# deeper is an attack or an accident, and deep nesting exhausts recursive parsers.
MAX_DEPTH = 32
# Scalars, mappings and sequences in one file; the bundled scenarios have a few thousand.
MAX_NODES = 100_000


def _yaml_structure_problem(text: str) -> str | None:
    """Why the YAML text may not be constructed, from its event stream (nothing expanded yet).

    Aliases are refused outright: a few hundred bytes of nested aliases expand to millions of
    nodes (the "billion laughs"). The parser itself is not recursive, so depth and size are
    counted here before the recursive composer and constructor see the text.
    """
    depth = nodes = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            mark = event.start_mark
            return (
                f"YAML aliases (*{event.anchor}) are not allowed, at line {mark.line + 1}, "
                f"column {mark.column + 1}: write the value out in full"
            )
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                return f"the file has more than {MAX_NODES} values; a scenario needs far fewer"
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return f"values are nested deeper than {MAX_DEPTH} levels"
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def document_depth_problem(document: Any) -> str | None:
    """Why a parsed document is too deeply nested to be checked, or None (no recursion)."""
    stack = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                return f"values are nested deeper than {MAX_DEPTH} levels"
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return None


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
            problem = _yaml_structure_problem(text)
            if problem is not None:
                raise ScenarioSyntaxError([(where, problem)])
            document = yaml.load(text, Loader=_StrictYamlLoader)  # a SafeLoader subclass
    except json.JSONDecodeError as error:
        message = f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        raise ScenarioSyntaxError([(where, message)]) from None
    except _DuplicateKey as error:
        raise ScenarioSyntaxError([(where, f"invalid JSON: {error}")]) from None
    except yaml.YAMLError as error:
        raise ScenarioSyntaxError([(where, _yaml_problem(error, text))]) from None
    except RecursionError:
        message = f"values are nested deeper than {MAX_DEPTH} levels"
        raise ScenarioSyntaxError([(where, message)]) from None
    problem = document_depth_problem(document)
    if problem is not None:
        raise ScenarioSyntaxError([(where, problem)])
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
