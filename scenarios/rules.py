"""The cross-field rules of a scenario (DESIGN §3): known roles and levers, unique codes,
values in range and on step, levers held by the right roles.

Written to survive a structurally broken document: the JSON Schema pass reports structure
and types, these rules report what they can on top. Pure Python (no Django).
"""

from __future__ import annotations

import math
from typing import Any

from scenarios.problems import Path_, Problems, fmt_number


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _on_step(value: float, start: float, step: float) -> bool:
    steps = (value - start) / step
    return abs(steps - round(steps)) <= 1e-9 * max(1.0, abs(steps))


def _entries(container: Any, key: str) -> list[tuple[int, dict]]:
    items = container.get(key) if isinstance(container, dict) else None
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, dict)]


class CrossFieldRules:
    """The cross-field rules of DESIGN §3, written to survive a structurally broken document."""

    def __init__(self, document: dict, errors: Problems):
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
                    (*path, "max"),
                    f"must be greater than min ({fmt_number(low)}), got {fmt_number(high)}",
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
                f"{fmt_number(value)} is outside the range of lever '{key}'"
                f" ({fmt_number(low)} to {fmt_number(high)})",
            )
        elif _is_number(step) and step > 0 and not _on_step(value, low, step):
            self.errors.add(
                path,
                f"{fmt_number(value)} is not on the step of lever '{key}'"
                f" (values go from {fmt_number(low)} in steps of {fmt_number(step)})",
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


def check_rules(document: dict, problems: Problems) -> None:
    """Add every broken cross-field rule of ``document`` to ``problems``."""
    CrossFieldRules(document, problems).check()
