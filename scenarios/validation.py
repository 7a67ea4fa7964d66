"""The one validator of scenario documents (DESIGN §3–§4), shared by files, the admin and the API.

Pure Python — no Django import — so the rule engine and its tests can use it. A document is
checked in two passes that both always run, so an author sees every problem at once:

1. structure and types against the JSON Schema in ``docs/scenario.schema.json``;
2. the cross-field rules of ``scenarios.rules`` (known roles and levers, values in range and
   on step, ...).

``validate_document`` returns the *normalized* document: every optional field present with
its default, numbers that are whole written as ints, holders in role order. That normalized
form is what ``Scenario.to_document()`` returns too, so import → export → import is lossless.

This module is the public face of the validator: it also offers the problem types and paths
(``scenarios.problems``) and file reading (``scenarios.parsing``).
"""

from __future__ import annotations

import difflib
import functools
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema

from scenarios.parsing import document_depth_problem, load_document, parse_document
from scenarios.problems import (
    ROOT,
    Path_,
    Problems,
    ScenarioInvalid,
    ScenarioSyntaxError,
    fmt_number,
    format_path,
    split_path,
    type_name,
)
from scenarios.rules import check_rules
from tabletop.storable import UNSTORABLE, storable

__all__ = [
    "DEFAULT_COLORS",
    "DEFAULT_SCORING",
    "FORMAT",
    "PHASES",
    "ROOT",
    "SCHEMA_PATH",
    "ScenarioInvalid",
    "ScenarioSyntaxError",
    "document_problems",
    "format_path",
    "load_document",
    "load_schema",
    "normalize_number",
    "parse_document",
    "split_path",
    "validate_document",
]


FORMAT = "redlines.scenario/1"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "scenario.schema.json"
PHASES = ("briefing", "disclosure", "negotiation", "decision")
DEFAULT_SCORING = {
    "alignment_weight": 0.5,
    "coalition_weight": 0.5,
    "broken_commitment_penalty": 10,
}
# Colours given to roles that have none, by position (distinguishable, colour-blind safe).
DEFAULT_COLORS = (
    "#1f4e99",
    "#c8102e",
    "#2a9d8f",
    "#e9a23b",
    "#6a4c93",
    "#8c564b",
    "#4d908e",
    "#7f7f7f",
)


PATTERN_MESSAGES = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": (
        "must be lowercase letters and digits separated by single hyphens, e.g. 'coalition-2022'"
    ),
    "^[A-Z][A-Z0-9]{0,7}$": (
        "must be 1 to 8 capital letters or digits, starting with a letter, e.g. 'US' or 'ROK'"
    ),
    "^[a-z][a-z0-9_]{0,49}$": (
        "must be lowercase letters, digits and underscores, starting with a letter"
        " (at most 50), e.g. 'russian_lng_share'"
    ),
    "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$": (
        "must be letters, digits, '-', '_' or '.', starting with a letter or digit"
        " (at most 64), e.g. 'jp-sakhalin'"
    ),
    "^#[0-9a-fA-F]{6}$": "must be a colour written #rrggbb, e.g. '#1f4e99'",
    "\\S": "must not be blank",
}
# Problems that only say the scenario is not finished yet; a draft may be saved with them.
_INCOMPLETE_LISTS = {("roles",), ("levers",), ("rounds",)}


# Pass 1: structure and types (JSON Schema) -------------------------------------------------


@functools.cache
def load_schema() -> dict:
    """The JSON Schema of the format (``docs/scenario.schema.json``)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def _schema_validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


_TYPE_NAMES = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "array": "a list",
    "object": "a mapping",
    "boolean": "true or false",
    "null": "null",
}


def _translate(error: jsonschema.ValidationError) -> Iterator[tuple[Path_, str, bool]]:
    path: Path_ = tuple(error.absolute_path)
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "additionalProperties" and expected is False:
        known = list(error.schema.get("properties", {}))
        for key in sorted(set(value) - set(known)):
            hint = difflib.get_close_matches(key, known, n=1)
            suffix = f" (did you mean '{hint[0]}'?)" if hint else f" (allowed: {', '.join(known)})"
            yield (*path, key), f"unknown field '{key}'{suffix}", False
    elif kind == "required":
        for key in expected:
            if key not in value:
                yield (*path, key), "is required", (*path, key) in _INCOMPLETE_LISTS
    elif kind == "type":
        names = [expected] if isinstance(expected, str) else expected
        wanted = " or ".join(_TYPE_NAMES.get(name, name) for name in names)
        message = f"must be {wanted}, got {type_name(value)}"
        if isinstance(value, bool) and "string" in names:
            message += "; in YAML quote words like NO, yes, on, off"
        yield path, message, False
    elif kind == "const":
        if path and path[-1] == "audience":
            yield path, f'must be "all" or a list of role codes, got {type_name(value)}', False
        else:
            yield path, f"must be '{expected}', got {type_name(value)}", False
    elif kind == "enum":
        choices = ", ".join(f"'{choice}'" for choice in expected)
        yield path, f"must be one of {choices}, got {type_name(value)}", False
    elif kind == "pattern":
        rule = PATTERN_MESSAGES.get(expected, f"must match {expected}")
        yield path, f"{rule}; got {value!r}" if expected != "\\S" else rule, False
    elif kind == "minLength":
        yield path, "must not be empty", False
    elif kind == "maxLength":
        yield path, f"is too long ({len(value)} characters; at most {expected})", False
    elif kind == "minItems":
        if path and path[-1] == "audience":
            yield path, 'must list at least one role code (or be "all" for everyone)', False
        else:
            message = f"needs at least {expected} {'entries' if expected > 1 else 'entry'}"
            yield path, f"{message}, has {len(value)}", path in _INCOMPLETE_LISTS
    elif kind == "maxItems":
        yield path, f"may have at most {expected} entries, has {len(value)}", False
    elif kind == "minProperties":
        yield path, "no role holds this lever; add at least one holder", True
    elif kind in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        words = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "greater than",
            "exclusiveMaximum": "less than",
        }
        yield path, f"must be {words[kind]} {fmt_number(expected)}, got {fmt_number(value)}", False
    else:
        yield path, error.message, False


def _check_plain_data(value: Any, path: Path_, errors: Problems) -> bool:
    """Report mapping keys that are not strings, numbers that are not finite and text that
    cannot be stored (a NUL character or a lone surrogate).

    Returns False when a key is not a string: the schema pass cannot run on such a document.
    """
    ok = True
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                errors.add((*path, str(key)), f"keys must be text, got {type_name(key)}")
                ok = False
            elif not storable(key):
                errors.add(path, f"a key {UNSTORABLE}")
                ok = False
            else:
                ok = _check_plain_data(item, (*path, key), errors) and ok
    elif isinstance(value, list):
        for index, item in enumerate(value):
            ok = _check_plain_data(item, (*path, index), errors) and ok
    elif isinstance(value, float) and not math.isfinite(value):
        errors.add(path, f"must be a finite number, got {value}")
    elif isinstance(value, str) and not storable(value):
        errors.add(path, UNSTORABLE)  # PostgreSQL refuses a NUL; SQLite would store it
    return ok


# Normalization -----------------------------------------------------------------------------


def normalize_number(value: Any) -> int | float:
    """Whole numbers as ints, so a document reads the same after a trip through the database."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _normalize(document: dict) -> dict:
    scoring = {**DEFAULT_SCORING, **document.get("scoring", {})}
    roles = [
        {
            "code": role["code"],
            "name": role["name"],
            "color": role.get("color", DEFAULT_COLORS[index % len(DEFAULT_COLORS)]),
            "weight": normalize_number(role.get("weight", 1)),
            "public_brief": role.get("public_brief", ""),
            "private_brief": role.get("private_brief", ""),
            "objectives": list(role.get("objectives", [])),
        }
        for index, role in enumerate(document["roles"])
    ]
    role_order = {role["code"]: index for index, role in enumerate(roles)}
    levers = [
        {
            "key": lever["key"],
            "label": lever["label"],
            "unit": lever.get("unit", ""),
            "min": normalize_number(lever["min"]),
            "max": normalize_number(lever["max"]),
            "step": normalize_number(lever.get("step", 1)),
            "pressure": lever["pressure"],
            "weight": normalize_number(lever.get("weight", 1)),
            "description": lever.get("description", ""),
            "holders": {
                code: {
                    "start": normalize_number(holder["start"]),
                    "cost": normalize_number(holder.get("cost", 0)),
                }
                for code, holder in sorted(
                    lever["holders"].items(), key=lambda item: role_order[item[0]]
                )
            },
        }
        for lever in document["levers"]
    ]
    red_lines = [
        {
            "id": red_line["id"],
            "role": red_line["role"],
            "lever": red_line["lever"],
            "kind": red_line["kind"],
            "value": normalize_number(red_line["value"]),
            "penalty": normalize_number(red_line["penalty"]),
            "statement": red_line["statement"],
            "unless": [
                {
                    "role": condition["role"],
                    "lever": condition["lever"],
                    "op": condition["op"],
                    "value": normalize_number(condition["value"]),
                }
                for condition in red_line.get("unless", [])
            ],
        }
        for red_line in document.get("red_lines", [])
    ]
    rounds = [
        {
            "title": round_["title"],
            "briefing": round_.get("briefing", ""),
            "weight": normalize_number(round_.get("weight", 1)),
            "phase_seconds": {
                phase: int(round_.get("phase_seconds", {}).get(phase, 0)) for phase in PHASES
            },
            "injects": [
                {
                    "title": inject["title"],
                    "body": inject.get("body", ""),
                    "audience": (
                        list(inject["audience"])
                        if isinstance(inject.get("audience"), list)
                        else "all"
                    ),
                    "effects": [
                        {
                            "role": effect["role"],
                            "lever": effect["lever"],
                            "cost_multiplier": normalize_number(effect["cost_multiplier"]),
                        }
                        for effect in inject.get("effects", [])
                    ],
                }
                for inject in round_.get("injects", [])
            ],
            "questions": list(round_.get("questions", [])),
        }
        for round_ in document["rounds"]
    ]
    return {
        "format": FORMAT,
        "slug": document["slug"],
        "title": document["title"],
        "summary": document.get("summary", ""),
        "background": document.get("background", ""),
        "learning_objectives": list(document.get("learning_objectives", [])),
        "scoring": {key: normalize_number(scoring[key]) for key in DEFAULT_SCORING},
        "roles": roles,
        "levers": levers,
        "red_lines": red_lines,
        "rounds": rounds,
    }


def document_problems(document: Any) -> ScenarioInvalid | None:
    """Every problem of ``document`` as a ``ScenarioInvalid``, or None if it is valid."""
    errors = Problems()
    if not isinstance(document, dict):
        errors.add((), f"must be a mapping of scenario fields, got {type_name(document)}")
        return errors.exception()
    depth_problem = document_depth_problem(document)  # before any recursive check
    if depth_problem is not None:
        errors.add((), depth_problem)
        return errors.exception()
    if not _check_plain_data(document, (), errors):
        return errors.exception()
    for error in _schema_validator().iter_errors(document):
        for path, message, incomplete in _translate(error):
            errors.add(path, message, incomplete=incomplete)
    check_rules(document, errors)
    return errors.exception() if errors else None


def validate_document(document: dict) -> dict:
    """Check ``document`` against the format and return it normalized (defaults filled in).

    Raises ``ScenarioInvalid`` listing every problem as ``(path, message)``.
    """
    problems = document_problems(document)
    if problems is not None:
        raise problems
    return _normalize(document)
