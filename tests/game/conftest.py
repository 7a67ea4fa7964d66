"""Fixtures for service-layer tests, and the log-replay check every database test here gets.

The event log is the source of truth: at the end of every test that used the database, each
game's state rebuilt from its log (game_rebuild_state) must equal its cached `state`.
"""

import pytest
from game_tables import ServiceTable

from game.management.simulation import diff


@pytest.fixture(autouse=True)
def rebuilt_state_equals_cache(request):
    """Fail a database test whose games' cached state differs from the replay of their log."""
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    # Set the database up before this fixture, so it is torn down after our check.
    request.getfixturevalue("_django_db_helper")
    yield
    from game.models import Game
    from game.services import game_rebuild_state

    problems = []
    for game in Game.objects.order_by("pk"):
        rebuilt = game_rebuild_state(game=game)
        if rebuilt != game.state:
            where = list(diff(game.state, rebuilt, "state", names=("cached", "rebuilt")))[:10]
            problems.append(f"game {game.code} (#{game.pk}, seq {game.last_seq}): {where}")
    if problems:
        pytest.fail(
            "state rebuilt from the log differs from the cached state:\n" + "\n".join(problems)
        )


@pytest.fixture
def bundled(db):
    """The bundled scenarios, imported and published, by slug."""
    from scenarios.services import scenario_import_bundled

    return {scenario.slug: scenario for scenario in scenario_import_bundled()}


@pytest.fixture
def table(db) -> ServiceTable:
    """A trio game in the lobby with a player seated in every role."""
    table = ServiceTable.create()
    table.seat_everyone()
    return table


@pytest.fixture
def make_table(db):
    """Build a ServiceTable on a snapshot (trio by default), seated and in the lobby."""

    def build(snapshot: dict | None = None, *, seed: int = 7, now: float = 1000.0):
        table = ServiceTable.create(snapshot, seed=seed, now=now)
        table.seat_everyone()
        return table

    return build


@pytest.fixture
def postgresql(require_services):
    """For tests of what only PostgreSQL does (racing writers on row locks, the one-trip
    command): skipped on SQLite, and a failure in the services leg, which must be on it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        if require_services:
            pytest.fail("the services leg must run on PostgreSQL")
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://...)")
