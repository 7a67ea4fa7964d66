"""Problems found in a scenario document: the exception, and paths like ``roles[0].code``.

Pure Python (no Django), like the rest of the validator.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable
from typing import Any

ROOT = "document"
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


def sort_key(path: Path_) -> tuple:
    head = path[0] if path else ""
    rank = TOP_LEVEL_KEYS.index(head) if head in TOP_LEVEL_KEYS else len(TOP_LEVEL_KEYS)
    return (rank, *((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path))


class Problems:
    """Collects ``(path, message)`` problems, once each; sorts them like the document."""

    def __init__(self) -> None:
        self._found: dict[tuple[Path_, str], bool] = {}

    def add(self, path: Path_, message: str, *, incomplete: bool = False) -> None:
        self._found.setdefault((tuple(path), message), incomplete)

    def __bool__(self) -> bool:
        return bool(self._found)

    def exception(self, cls: type[ScenarioInvalid] = ScenarioInvalid) -> ScenarioInvalid:
        ordered = sorted(self._found, key=lambda found: sort_key(found[0]))
        errors = [(format_path(path), message) for path, message in ordered]
        incomplete = [
            (format_path(path), message) for path, message in ordered if self._found[path, message]
        ]
        return cls(errors, incomplete=incomplete)


def type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({fmt_number(value)})"
    if isinstance(value, str):
        return f"a string ({value!r})" if len(value) <= 40 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return f"a date ({value.isoformat()}; quote it in YAML)"
    return f"a {type(value).__name__}"


def fmt_number(number: Any) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return str(number)
