"""Fixtures for engine tests: small inline scenarios and tables driven through decide/apply.

These tests need no Django and no database; run them with
`python -m pytest tests/engine -q -p no:django`.
"""

import pytest

from game.engine.testing import Table, condition, lever, red_line, role, round_, scenario


def trio_scenario(**overrides) -> dict:
    """Three roles A, B, C. Lever s (0-100 step 5, up) is held by all; e (0-10, down) by A
    and B; g (0-10, up) by C only. A will not cut e below 5 unless C commits g >= 4; B keeps
    s at 60 or below, unconditionally. Two rounds, untimed unless overridden."""
    spec = {
        "roles": [role("A", weight=2), role("B"), role("C")],
        "levers": [
            lever("s", holders={"A": (50, 0.2), "B": (20, 0.5), "C": (30, 0.1)}, step=5),
            lever("e", holders={"A": (8, 3), "B": (4, 2)}, high=10, pressure="down"),
            lever("g", holders={"C": (0, 1)}, high=10),
        ],
        "red_lines": [
            red_line(
                "a-energy",
                "A",
                "e",
                "floor",
                5,
                penalty=25,
                unless=[condition("C", "g", ">=", 4)],
                statement="SECRET-STATEMENT-A: we keep e at five or more.",
            ),
            red_line(
                "b-sanctions",
                "B",
                "s",
                "ceiling",
                60,
                penalty=15,
                statement="SECRET-STATEMENT-B: sanctions stay at sixty or below.",
            ),
        ],
        "rounds": [round_("First"), round_("Second")],
    }
    spec.update(overrides)
    return scenario(**spec)


@pytest.fixture
def trio() -> Table:
    """A started three-role game in round 1, briefing."""
    table = Table(trio_scenario())
    table.start()
    return table


@pytest.fixture
def make_table():
    """Build a table from scenario overrides of trio_scenario(); started (every role
    seated, round 1 briefing) unless started=False."""

    def build(*, started: bool = True, **overrides) -> Table:
        table = Table(trio_scenario(**overrides))
        if started:
            table.start()
        return table

    return build
