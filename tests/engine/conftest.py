"""Fixtures for engine tests: small inline scenarios and tables driven through decide/apply.

These tests need no Django and no database; run them with
`python -m pytest tests/engine -q -p no:django`.
"""

import pytest

from game.engine.testing import Table, trio_scenario


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
