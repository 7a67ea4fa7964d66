"""The state's round records (results, injects) are stored in the game row's `state_archive`,
apart from the rest of the state, which every command rewrites (migration 0011; issue 11,
docs/performance.md round 11). Every read puts the state back together whole, and on
PostgreSQL a command that leaves the records alone leaves their column alone.

Every database test here also gets the suite's check that each game's cached state equals
the replay of its log (conftest.py), through the same reads."""

import json

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from game_tables import ServiceTable

from game.models import STATE_ARCHIVE_KEYS, Game
from game.selectors import game_current_state
from game.services import commandsql, statecache

pytestmark = [pytest.mark.django_db(transaction=True)]


def stored_columns(game_id: int) -> tuple[dict, dict]:
    """The row's `state` and `state_archive` as stored (no reassembly)."""
    table = connection.ops.quote_name(Game._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT state, state_archive FROM {table} WHERE id = %s", [game_id])
        state, archive = cursor.fetchone()
    return tuple(
        value if isinstance(value, dict) else json.loads(value) for value in (state, archive)
    )


def played_to_results() -> ServiceTable:
    table = ServiceTable.create()
    table.seat_everyone()
    table.advance_to(1, "results")
    return table


def test_the_round_records_are_stored_apart_and_every_read_has_them():
    table = played_to_results()
    state, archive = stored_columns(table.game_id)
    assert not set(state) & {"scenario", *STATE_ARCHIVE_KEYS}
    assert set(archive) == set(STATE_ARCHIVE_KEYS)
    assert [entry["round"] for entry in archive["results"]] == [1]
    assert [inject["title"] for inject in archive["injects"]] == ["SECRET-INJECT-B"]
    whole = table.game.state  # Game.from_db
    assert whole["results"] == archive["results"] and whole["injects"] == archive["injects"]
    assert whole["scenario"] == table.game.snapshot
    assert Game.stored_state(table.game_id) == whole
    statecache._states.pop(table.game_id, None)  # the selector reads the row
    assert game_current_state(game_id=table.game_id) == (table.game.last_seq, whole)
    # A model loaded with only some columns gets the records from the archive too.
    only = Game.objects.only("state", "snapshot", "state_archive").get(pk=table.game_id)
    assert only.state == whole


def test_a_game_saved_through_the_orm_stores_its_records_in_the_archive():
    table = played_to_results()
    game = table.game
    Game.objects.filter(pk=game.pk).update(state_archive={})
    game.save()  # the instance's whole state: its records go to the archive again
    state, archive = stored_columns(game.pk)
    assert "results" not in state and archive["results"] == game.state["results"]


@pytest.fixture
def updates(monkeypatch) -> list[str]:
    """The statement each PostgreSQL one-trip write rewrote the row with."""
    chosen: list[str] = []
    build = commandsql._command_if_current_sql

    def recorded(*, update, receipt, events):
        chosen.append(update)
        return build(update=update, receipt=receipt, events=events)

    monkeypatch.setattr(commandsql, "_command_if_current_sql", recorded)
    return chosen


@pytest.mark.services
@pytest.mark.usefixtures("postgresql")
def test_a_command_that_leaves_the_records_alone_does_not_rewrite_their_column(updates):
    """A chat message patches the state and leaves the archive out of the statement (its
    stored value stays as it is); a phase that scores the round patches both."""
    table = ServiceTable.create()
    table.seat_everyone()
    table.advance_to(1, "decision")
    updates.clear()
    table.run("chat", "A", channel="all", text="The records stay")
    assert updates == ["game_patch_state"]
    assert '"state_archive" = "state_archive",' in commandsql._sql("postgresql", updates[-1])
    table.advance_to(1, "results")
    assert updates[-1] == "game_patch"
    assert '"state_archive" = "state_archive" || %s' in commandsql._sql("postgresql", "game_patch")
    state, archive = stored_columns(table.game_id)
    assert [entry["round"] for entry in archive["results"]] == [1]
    assert state["chat"][-1]["text"] == "The records stay"
    # Under the lock (a caller's transaction) the row is patched the same way.
    with transaction.atomic():
        table.run("advance", "facilitator")
    state, archive = stored_columns(table.game_id)
    assert (state["round"], state["phase"]) == (2, "briefing")
    assert archive == {key: table.game.state[key] for key in STATE_ARCHIVE_KEYS}


def _migrate(target: str) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("game", target)])


def test_the_migration_moves_the_records_out_and_back():
    """0011 moves a stored state's records into the archive (and the scenario of a row last
    written before 0009 out: it is the snapshot); reversed, it puts the records back."""
    records = {"results": [{"round": 1, "scores": {"A": 3}}], "injects": [{"id": "I-1"}]}
    stored = {"status": "running", "round": 1, "phase": "results", **records}
    legacy = {**stored, "scenario": {"title": "Stored before 0009"}}
    table = connection.ops.quote_name(Game._meta.db_table)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes("game")[0][1]
    _migrate("0010_state_lz4")
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (code, title, snapshot, seed, rules_version, status, "
                "created_at, updated_at, last_seq, state, watch_key) VALUES "
                f"('MIGRAT', 'Old row', %s{cast}, 1, 2, 'running', %s, %s, 0, %s{cast}, 'k')",
                ["{}", "2026-12-01 00:00:00", "2026-12-01 00:00:00", json.dumps(legacy)],
            )
            cursor.execute(f"SELECT id FROM {table} WHERE code = 'MIGRAT'")
            game_id = cursor.fetchone()[0]
        _migrate("0011_state_archive")
        state, archive = stored_columns(game_id)
        assert archive == records
        assert state == {"status": "running", "round": 1, "phase": "results"}
        _migrate("0010_state_lz4")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT state FROM {table} WHERE id = %s", [game_id])
            state = cursor.fetchone()[0]
        assert (state if isinstance(state, dict) else json.loads(state)) == stored
    finally:
        _migrate(leaf)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE code = 'MIGRAT'")
