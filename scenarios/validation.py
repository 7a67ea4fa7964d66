"""The one validator of scenario documents (DESIGN §3–§4), shared by files, the admin and the API.

Pure Python — no Django import — so the rule engine and its tests can use it. A document is
checked in two passes that both always run, so an author sees every problem at once:

1. structure and types against the JSON Schema in ``docs/scenario.schema.json``;
2. the cross-field rules below (known roles and levers, values in range and on step, ...).

``validate_document`` returns the *normalized* document: every optional field present with
its default, numbers that are whole written as ints, holders in role order. That normalized
form is what ``Scenario.to_document()`` returns too, so import → export → import is lossless.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import json
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import yaml

FORMAT = "redlines.scenario/1"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "scenario.schema.json"
ROOT = "document"
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
# Top-level keys in the order of DESIGN §4; also orders error messages.
TOP_LEVEL_KEYS = (
    "format",
    "slug",
    "title",
    "summary",
    "background",
    "learning_objectives",
    "scoring",
    "roles",
    "levers",
    "red_lines",
    "rounds",
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

Path_ = tuple[str | int, ...]


class ScenarioInvalid(ValueError):
    """A scenario document breaks the format; ``errors`` lists every ``(path, message)``.

    ``incomplete`` is the subset of ``errors`` that only says the scenario is unfinished (too
    few roles, levers or rounds; a role holding no lever; a lever nobody holds; no shared
    lever). The admin lets unpublished drafts be saved with those.
    """

    def __init__(self, errors: Iterable[tuple[str, str]], *, incomplete: Iterable = ()):
        self.errors = list(errors)
        self.incomplete = [error for error in incomplete if error in self.errors]
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(f"{path}: {message}" for path, message in self.errors)

    def as_dicts(self) -> list[dict[str, str]]:
        return [{"path": path, "message": message} for path, message in self.errors]


class ScenarioSyntaxError(ScenarioInvalid):
    """The text is not JSON or YAML, or is not a mapping of scenario fields."""


# Paths -------------------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PATH_PART = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def format_path(parts: Iterable[str | int]) -> str:
    """``("red_lines", 2, "unless", 0, "lever")`` → ``red_lines[2].unless[0].lever``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text or ROOT


def split_path(path: str) -> Path_:
    """The inverse of ``format_path``."""
    if path == ROOT:
        return ()
    parts: list[str | int] = []
    position = 0
    while position < len(path):
        match = _PATH_PART.match(path, position)
        if not match:
            raise ValueError(f"not a document path: {path!r}")
        name, index, quoted = match.groups()
        parts.append(name if name is not None else int(index) if index else json.loads(quoted))
        position = match.end()
    return tuple(parts)


def _sort_key(path: Path_) -> tuple:
    head = path[0] if path else ""
    rank = TOP_LEVEL_KEYS.index(head) if head in TOP_LEVEL_KEYS else len(TOP_LEVEL_KEYS)
    return (rank, *((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path))


class _Errors:
    def __init__(self) -> None:
        self._found: dict[tuple[Path_, str], bool] = {}

    def add(self, path: Path_, message: str, *, incomplete: bool = False) -> None:
        self._found.setdefault((tuple(path), message), incomplete)

    def __bool__(self) -> bool:
        return bool(self._found)

    def exception(self, cls: type[ScenarioInvalid] = ScenarioInvalid) -> ScenarioInvalid:
        ordered = sorted(self._found, key=lambda found: _sort_key(found[0]))
        errors = [(format_path(path), message) for path, message in ordered]
        incomplete = [
            (format_path(path), message) for path, message in ordered if self._found[path, message]
        ]
        return cls(errors, incomplete=incomplete)


# Parsing -----------------------------------------------------------------------------------


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
        got = _type_name(document)
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


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({_fmt(value)})"
    if isinstance(value, str):
        return f"a string ({value!r})" if len(value) <= 40 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return f"a date ({value.isoformat()}; quote it in YAML)"
    return f"a {type(value).__name__}"


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
        message = f"must be {wanted}, got {_type_name(value)}"
        if isinstance(value, bool) and "string" in names:
            message += "; in YAML quote words like NO, yes, on, off"
        yield path, message, False
    elif kind == "const":
        if path and path[-1] == "audience":
            yield path, f'must be "all" or a list of role codes, got {_type_name(value)}', False
        else:
            yield path, f"must be '{expected}', got {_type_name(value)}", False
    elif kind == "enum":
        choices = ", ".join(f"'{choice}'" for choice in expected)
        yield path, f"must be one of {choices}, got {_type_name(value)}", False
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
        yield path, f"must be {words[kind]} {_fmt(expected)}, got {_fmt(value)}", False
    else:
        yield path, error.message, False


def _check_plain_data(value: Any, path: Path_, errors: _Errors) -> bool:
    """Report mapping keys that are not strings and numbers that are not finite.

    Returns False when a key is not a string: the schema pass cannot run on such a document.
    """
    ok = True
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                errors.add((*path, str(key)), f"keys must be text, got {_type_name(key)}")
                ok = False
            else:
                ok = _check_plain_data(item, (*path, key), errors) and ok
    elif isinstance(value, list):
        for index, item in enumerate(value):
            ok = _check_plain_data(item, (*path, index), errors) and ok
    elif isinstance(value, float) and not math.isfinite(value):
        errors.add(path, f"must be a finite number, got {value}")
    return ok


# Pass 2: cross-field rules -----------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _fmt(number: Any) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return str(number)


def _on_step(value: float, start: float, step: float) -> bool:
    steps = (value - start) / step
    return abs(steps - round(steps)) <= 1e-9 * max(1.0, abs(steps))


def _entries(container: Any, key: str) -> list[tuple[int, dict]]:
    items = container.get(key) if isinstance(container, dict) else None
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, dict)]


class _Rules:
    """The cross-field rules of DESIGN §3, written to survive a structurally broken document."""

    def __init__(self, document: dict, errors: _Errors):
        self.document = document
        self.errors = errors
        self.roles: dict[str, int] = {}
        self.levers: dict[str, dict] = {}
        self.held: set[tuple[str, str]] = set()

    def check(self) -> None:
        self.check_roles()
        self.check_levers()
        self.check_red_lines()
        self.check_rounds()

    def check_roles(self) -> None:
        for index, role in _entries(self.document, "roles"):
            code = role.get("code")
            if not isinstance(code, str):
                continue
            if code in self.roles:
                first = self.roles[code]
                self.errors.add(
                    ("roles", index, "code"), f"duplicate role code '{code}' (also roles[{first}])"
                )
            else:
                self.roles[code] = index

    def check_levers(self) -> None:
        sharing = False
        for index, lever in _entries(self.document, "levers"):
            key = lever.get("key")
            path: Path_ = ("levers", index)
            if isinstance(key, str):
                if key in self.levers:
                    first = list(self.levers).index(key)
                    self.errors.add(
                        (*path, "key"), f"duplicate lever key '{key}' (also levers[{first}])"
                    )
                    key = None
                else:
                    self.levers[key] = lever
            low, high = lever.get("min"), lever.get("max")
            if _is_number(low) and _is_number(high) and low >= high:
                self.errors.add(
                    (*path, "max"), f"must be greater than min ({_fmt(low)}), got {_fmt(high)}"
                )
            holders = lever.get("holders")
            if not isinstance(holders, dict):
                continue
            known = 0
            for code, holder in holders.items():
                if code not in self.roles:
                    self.errors.add((*path, "holders", code), f"unknown role '{code}'")
                    continue
                known += 1
                if isinstance(key, str):
                    self.held.add((code, key))
                if isinstance(holder, dict) and "start" in holder:
                    self.check_value((*path, "holders", code, "start"), holder["start"], lever)
            sharing = sharing or known >= 2
        if not isinstance(self.document.get("levers"), list):
            return
        for code, index in self.roles.items():
            if not any(role == code for role, _key in self.held):
                self.errors.add(
                    ("roles", index),
                    f"role '{code}' holds no lever; make it a holder of at least one lever",
                    incomplete=True,
                )
        if len(self.roles) >= 2 and self.levers and not sharing:
            self.errors.add(
                ("levers",),
                "no lever is held by two or more roles; at least one pair of roles must share"
                " a lever (otherwise alignment is undefined)",
                incomplete=True,
            )

    def check_value(self, path: Path_, value: Any, lever: dict) -> None:
        """``value`` must lie within the lever's range and on its step."""
        low, high, step = lever.get("min"), lever.get("max"), lever.get("step", 1)
        if not (_is_number(value) and _is_number(low) and _is_number(high) and low < high):
            return
        key = lever.get("key")
        if not low <= value <= high:
            self.errors.add(
                path,
                f"{_fmt(value)} is outside the range of lever '{key}'"
                f" ({_fmt(low)} to {_fmt(high)})",
            )
        elif _is_number(step) and step > 0 and not _on_step(value, low, step):
            self.errors.add(
                path,
                f"{_fmt(value)} is not on the step of lever '{key}'"
                f" (values go from {_fmt(low)} in steps of {_fmt(step)})",
            )

    def check_reference(self, path: Path_, item: dict, *, held: bool = True) -> dict | None:
        """Check ``item``'s ``role`` and ``lever``; return the lever if the value can be checked."""
        role, key = item.get("role"), item.get("lever")
        role_known = isinstance(role, str) and role in self.roles
        if isinstance(role, str) and not role_known:
            self.errors.add((*path, "role"), f"unknown role '{role}'")
        if not isinstance(key, str):
            return None
        if key not in self.levers:
            self.errors.add((*path, "lever"), f"unknown lever '{key}'")
            return None
        if held and role_known and (role, key) not in self.held:
            self.errors.add((*path, "lever"), f"role '{role}' does not hold lever '{key}'")
        return self.levers[key]

    def check_red_lines(self) -> None:
        ids: dict[str, int] = {}
        for index, red_line in _entries(self.document, "red_lines"):
            path: Path_ = ("red_lines", index)
            ident = red_line.get("id")
            if isinstance(ident, str):
                if ident in ids:
                    self.errors.add(
                        (*path, "id"),
                        f"duplicate red line id '{ident}' (also red_lines[{ids[ident]}])",
                    )
                else:
                    ids[ident] = index
            lever = self.check_reference(path, red_line)
            if lever is not None and "value" in red_line:
                self.check_value((*path, "value"), red_line["value"], lever)
            for position, condition in _entries(red_line, "unless"):
                condition_path = (*path, "unless", position)
                lever = self.check_reference(condition_path, condition)
                if lever is not None and "value" in condition:
                    self.check_value((*condition_path, "value"), condition["value"], lever)

    def check_rounds(self) -> None:
        for index, round_ in _entries(self.document, "rounds"):
            for position, inject in _entries(round_, "injects"):
                path: Path_ = ("rounds", index, "injects", position)
                audience = inject.get("audience")
                if isinstance(audience, list):
                    seen: set[str] = set()
                    for place, code in enumerate(audience):
                        if not isinstance(code, str):
                            continue
                        if code not in self.roles:
                            self.errors.add((*path, "audience", place), f"unknown role '{code}'")
                        elif code in seen:
                            self.errors.add(
                                (*path, "audience", place), f"role '{code}' is listed twice"
                            )
                        seen.add(code)
                for number, effect in _entries(inject, "effects"):
                    self.check_reference((*path, "effects", number), effect)


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
    errors = _Errors()
    if not isinstance(document, dict):
        errors.add((), f"must be a mapping of scenario fields, got {_type_name(document)}")
        return errors.exception()
    if not _check_plain_data(document, (), errors):
        return errors.exception()
    for error in _schema_validator().iter_errors(document):
        for path, message, incomplete in _translate(error):
            errors.add(path, message, incomplete=incomplete)
    _Rules(document, errors).check()
    return errors.exception() if errors else None


def validate_document(document: dict) -> dict:
    """Check ``document`` against the format and return it normalized (defaults filled in).

    Raises ``ScenarioInvalid`` listing every problem as ``(path, message)``.
    """
    problems = document_problems(document)
    if problems is not None:
        raise problems
    return _normalize(document)
