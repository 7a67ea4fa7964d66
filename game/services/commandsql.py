"""The statements of a command's transaction, written once as SQL.

game_execute runs the same four statements for every command: lock the game row, record
the command id, insert the events, rewrite the row (the last three in one round trip on
PostgreSQL). Through the ORM each was rebuilt and
compiled on every call (about half of a chat command's server time, issue 11); here each
is a fixed SQL string per database vendor, and every value still goes through its model
field's own preparation (`get_db_prep_save`; a JSON value encoded by orjson to the same JSON)
and, when read, its converters, so what is stored and read back is what the ORM would store
and read.

The SQL is portable between SQLite (3.24 or newer) and PostgreSQL; only the lock differs:
PostgreSQL locks the row (FOR UPDATE), SQLite's IMMEDIATE transaction already holds the
database's write lock.

On PostgreSQL a command decided on the state this process already holds for the game goes
in one statement instead of four round trips (BEGIN, lock, write, COMMIT): `write_if_current`
sends the command whole, and the statement fails, writing nothing, unless the row still has
the version the state was decided on and the command's id is new (see there). On SQLite the
same is one short transaction, without the read of the row's version under the lock.
"""

import threading
from collections import OrderedDict
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import orjson
import psycopg
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from game.models import STATE_ARCHIVE_KEYS, CommandReceipt, Event, Game, state_archive_part


@dataclass
class LockedGame:
    """The game row as a command needs it: locked, with its current state."""

    pk: int
    last_seq: int
    updated_at: datetime
    state: dict | None = None


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(model, names) -> str:
    return ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)


EVENT_FIELDS = ("game", "seq", "at", "round", "phase", "actor", "kind", "data", "audience")
RECEIPT_FIELDS = ("game", "actor_key", "client_id", "seq", "created_at")
GAME_UPDATE_FIELDS = ("state", "state_archive", "last_seq", "status", "deadline", "updated_at")


@cache
def _sql(vendor: str, name: str) -> str:
    """The statement `name` for the current connection's vendor (built once per vendor)."""
    q = connection.ops.quote_name
    if name in ("lock", "version"):
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        return (
            f"SELECT {_columns(Game, ('last_seq', 'updated_at'))} FROM {_table(Game)} "
            f"WHERE {q('id')} = %s{lock if name == 'lock' else ''}"
        )
    if name == "receipt":
        return (
            f"INSERT INTO {_table(CommandReceipt)} ({_columns(CommandReceipt, RECEIPT_FIELDS)}) "
            f"VALUES ({', '.join(['%s'] * len(RECEIPT_FIELDS))}) ON CONFLICT DO NOTHING"
        )
    if name == "event":
        return (
            f"INSERT INTO {_table(Event)} ({_columns(Event, EVENT_FIELDS)}) "
            f"VALUES ({', '.join(['%s'] * len(EVENT_FIELDS))})"
        )
    if name == "game":
        assignments = ", ".join(
            f"{q(Game._meta.get_field(n).column)} = %s" for n in GAME_UPDATE_FIELDS
        )
        return f"UPDATE {_table(Game)} SET {assignments} WHERE {q('id')} = %s"
    if name == "game_if_current":  # SQLite's write_if_current: only at the version given
        return f"{_sql(vendor, 'game')} AND {_at_version()}"
    if name in ("game_patch", "game_patch_state"):
        # PostgreSQL: the top-level keys given replace the row's, in the state and (the
        # round records among them) in the archive; game_patch_state leaves the archive as
        # it is (its value, compressed and stored out of line, is then not rewritten).
        update = _sql(vendor, "game")
        for field in ("state", "state_archive"):
            column = _columns(Game, (field,))
            patched = f"{column} || %s" if name == "game_patch" or field == "state" else column
            update = update.replace(f"{column} = %s", f"{column} = {patched}", 1)
        return update
    raise KeyError(name)


def _at_version() -> str:
    """The condition that the game row is still at a version: its last_seq and updated_at."""
    return f"{_columns(Game, ('last_seq',))} = %s AND {_columns(Game, ('updated_at',))} = %s"


@cache
def _command_if_current_sql(*, update: str, receipt: bool, events: int) -> str:
    """PostgreSQL (write_if_current): a whole command as one statement, which commits as one
    (autocommit) or not at all. Rewrite the game row if it still has the version given
    (`update`: the _sql statement that rewrites it, whole or as a patch); then, for the row
    it changed (each insert reads `changed`, so it waits for the rewrite and its row lock,
    as the lock of the usual path comes first), record the id and insert the events. The
    SELECT divides by the rows changed and recorded: division_by_zero, so nothing written,
    when the row had moved on or the id was there (ON CONFLICT DO NOTHING records no row)."""
    update = _sql("postgresql", update)
    version = _at_version()
    parts = [f"changed AS ({update} AND {version} RETURNING 1)"]
    checks = ["1 / (SELECT COUNT(*) FROM changed)"]
    if receipt:
        parts.append(
            f"recorded AS (INSERT INTO {_table(CommandReceipt)} "
            f"({_columns(CommandReceipt, RECEIPT_FIELDS)}) "
            f"SELECT {', '.join(['%s'] * len(RECEIPT_FIELDS))} FROM changed "
            "ON CONFLICT DO NOTHING RETURNING 1)"
        )
        checks.append("1 / (SELECT COUNT(*) FROM recorded)")
    if events:
        row = f"({', '.join(['%s'] * len(EVENT_FIELDS))})"
        parts.append(
            f"logged AS (INSERT INTO {_table(Event)} ({_columns(Event, EVENT_FIELDS)}) "
            f"SELECT rows.* FROM changed, (VALUES {', '.join([row] * events)}) AS rows)"
        )
    return f"WITH {', '.join(parts)} SELECT {', '.join(checks)}"


@cache
def _prepare(model, name: str):
    """The model field's own preparation of a value for the current thread's connection. A
    JSON field's value (the state, an event's data) is encoded by orjson, ten times as fast
    as the json module Django's JSONField uses, to the same JSON value."""
    field = model._meta.get_field(name)
    if isinstance(field, models.JSONField) and field.encoder is None:
        return lambda value: _json_value(field.get_prep_value(value))
    return lambda value: field.get_db_prep_save(value, connection)


def _json_value(value):
    """A JSON column's parameter, as Django's JSONField makes it (connection.ops'
    adapt_json_value: jsonb on PostgreSQL, text elsewhere; None is SQL's NULL, as Django's
    get_db_prep_save makes it), encoded by orjson."""
    if value is None:
        return None
    if connection.vendor == "postgresql":
        return Jsonb(value, dumps=_json_bytes)
    return _json_bytes(value).decode()


def _json_bytes(value) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def _read(model, name: str, value):
    """A column's raw value as the ORM would give it (e.g. SQLite's text -> aware datetime)."""
    field = model._meta.get_field(name)
    column = field.get_col(model._meta.db_table)
    for converter in (
        *connection.ops.get_db_converters(column),
        *field.get_db_converters(connection),
    ):
        value = converter(value, column, connection)
    return value


def lock_game(game_id: int) -> LockedGame:
    """Lock the game row (inside the caller's transaction) and read its version."""
    last_seq, updated_at = _version(game_id, "lock")
    return LockedGame(pk=game_id, last_seq=last_seq, updated_at=updated_at)


def game_version(game_id: int) -> tuple[int, datetime]:
    """The game row's (last_seq, updated_at) as committed now: the version of its state
    (game.services.statecache)."""
    return _version(game_id, "version")


def _version(game_id: int, statement: str) -> tuple[int, datetime]:
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor, statement), [game_id])
        row = cursor.fetchone()
    if row is None:
        raise Game.DoesNotExist(f"Game {game_id} does not exist.")
    return row[0], _read(Game, "updated_at", row[1])


def write_command(
    game: LockedGame,
    *,
    receipt: tuple[str, str] | None,
    rows: list[dict],
    status: str,
    deadline: float | None,
    previous: dict | None = None,
) -> bool:
    """Record the command's id (`receipt`: actor key, client id; it led to the game's seq
    after `rows`), insert its event `rows` (dicts of EVENT_FIELDS' values, `game` excepted)
    and rewrite the row from `game` (its state and last_seq after the events; `updated_at`
    becomes the row's new version). False if the id was recorded before: the command is a
    repeat, and the caller must roll back what was written with it. `previous`, the state
    the locked row holds: on PostgreSQL only the top-level keys the command changed are sent
    (state_patch, `state || patch`), not the whole state. (SQLite's json_set took 3.4 times
    as long as encoding the whole state with orjson and writing it: it rewrites it whole.)

    On PostgreSQL the three statements go in one round trip (psycopg's pipeline mode), so
    the rows are written before the receipt's answer is known; elsewhere a repeat stops at
    the receipt."""
    with connection.cursor() as receipt_cursor, connection.cursor() as cursor:
        with _one_trip():
            if receipt is not None:
                receipt_cursor.execute(
                    _sql(connection.vendor, "receipt"), _receipt_values(game, receipt)
                )
                if not _pipelined() and receipt_cursor.rowcount != 1:
                    return False
            if rows:
                _insert_events(cursor, game.pk, rows)
                _update_game(cursor, game, status=status, deadline=deadline, previous=previous)
        # Read before the cursors close (a pipelined result arrives when the trip ends).
        return receipt is None or receipt_cursor.rowcount == 1


def one_trip_available() -> bool:
    """Can a command be decided on the state this process holds and written only if the row
    is still at its version (write_if_current)? Outside any transaction of the caller's (a
    caller that wraps the command in its own transaction commits it itself)."""
    return connection.vendor in ("postgresql", "sqlite") and not connection.in_atomic_block


# Why write_if_current's transaction was refused: the row moved on, or the id was seen.
_NOT_CURRENT = (psycopg.errors.DivisionByZero, psycopg.errors.UniqueViolation)


def write_if_current(
    game: LockedGame,
    *,
    version: tuple[int, datetime],
    previous: dict,
    receipt: tuple[str, str] | None,
    rows: list[dict],
    status: str,
    deadline: float | None,
) -> bool:
    """PostgreSQL, outside a transaction (one_trip_available): the whole command in one
    statement, so one round trip and its own transaction (`_command_if_current_sql`): rewrite
    the row from `game` only if it still has `version` (last_seq, updated_at), the version
    of the state the command was decided on; record the id; insert the events. The rewrite
    comes first, so it takes the row lock before anything else is written, as the lock of the
    usual path does; a writer that got there first makes it match no row once that writer
    commits. (Until round 9 of issue 11 these were five statements in psycopg's pipeline
    mode, BEGIN to COMMIT: the same trip, with 3-4% of the server's CPU in the pipeline.)

    False, with nothing written, if the row had moved on (another process or thread wrote
    the game) or the id was recorded before: the caller then runs the command the usual way,
    under the lock, on the row's current state. Statements are bound on the server, so no
    value is quoted into SQL text here. They are not prepared: Django turns psycopg's
    preparing off unless DATABASES' OPTIONS set `prepare_threshold` (measured in round 10
    of issue 11: prepared, this statement cost PostgreSQL ~14% less CPU).

    `previous` is the state at `version`, which the row holds if the condition holds: only
    the top-level keys of the new state that are not `previous`'s own objects are sent, and
    replace the row's (`state || patch`). The engine never changes a state, it makes a new
    one sharing what a command did not change; a chat message or an offer then sends the
    keys it changed instead of the whole state (up to 34 KiB late in the bundled scenario's
    game, encoded by this process and parsed by PostgreSQL on every command).

    SQLite: the same as one short transaction (_write_if_current_sqlite)."""
    if connection.vendor == "sqlite":
        return _write_if_current_sqlite(
            game, version=version, receipt=receipt, rows=rows, status=status, deadline=deadline
        )
    update, values = _game_values(
        game, status=status, deadline=deadline, patch=state_patch(previous, game.state)
    )
    values = [*values, game.pk, *_version_values(version)]
    if receipt is not None:
        values += _receipt_values(game, receipt)
    for row in rows:
        values += _event_values(game.pk, row)
    statement = _command_if_current_sql(
        update=update, receipt=receipt is not None, events=len(rows)
    )
    connection.ensure_connection()
    pg = connection.connection
    try:
        with connection.wrap_database_errors, psycopg.Cursor(pg) as cursor:
            cursor.execute(statement, values)
    except Exception as error:
        # Autocommit: the failed statement wrote nothing. (A broken connection fails here
        # too; Django discards it, and the error is raised.)
        with suppress(psycopg.Error):
            pg.rollback()
        if isinstance(error.__cause__ or error, _NOT_CURRENT):
            return False
        raise
    return True


def _write_if_current_sqlite(
    game: LockedGame,
    *,
    version: tuple[int, datetime],
    receipt: tuple[str, str] | None,
    rows: list[dict],
    status: str,
    deadline: float | None,
) -> bool:
    """SQLite: write_if_current as one transaction (IMMEDIATE: it holds the database's write
    lock from its start): the row's rewrite first and only if the row is still at `version`,
    then the receipt and the events; rolled back, with nothing written, when the row had
    moved on or the id was recorded before. It spares the usual path its read of the row's
    version under the lock (~2% of a busy server's CPU, issue 11 round 10). The whole state
    is written, as on the usual path (state_text)."""
    with transaction.atomic(), connection.cursor() as cursor:
        current = _update_game(
            cursor, game, status=status, deadline=deadline, previous=None, version=version
        )
        if not current:
            transaction.set_rollback(True)
            return False
        if receipt is not None:
            cursor.execute(_sql(connection.vendor, "receipt"), _receipt_values(game, receipt))
            if cursor.rowcount != 1:
                transaction.set_rollback(True)
                return False
        _insert_events(cursor, game.pk, rows)
    return True


_ABSENT = object()


def state_patch(previous: dict, state: dict) -> dict | None:
    """The top-level keys of `state` whose values are not `previous`'s own objects (the
    scenario aside: it is not stored), or None when `state` lacks a key `previous` has (a
    patch cannot remove it: the whole state is written)."""
    if any(key not in state for key in previous):
        return None
    return {
        key: value
        for key, value in state.items()
        if key != "scenario" and previous.get(key, _ABSENT) is not value
    }


def _pipelined() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def _one_trip():
    """PostgreSQL: send the statements inside in one round trip (their results, errors
    included, come when the block ends)."""
    if not _pipelined():
        yield
        return
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def _event_values(game_id: int, row: dict) -> list:
    return [
        _prepare(Event, name)(game_id if name == "game" else row[name]) for name in EVENT_FIELDS
    ]


def _insert_events(cursor, game_id: int, rows: list[dict]) -> None:
    params = [_event_values(game_id, row) for row in rows]
    if len(params) == 1:
        cursor.execute(_sql(connection.vendor, "event"), params[0])
    else:
        cursor.executemany(_sql(connection.vendor, "event"), params)


def _update_game(
    cursor,
    game: LockedGame,
    *,
    status: str,
    deadline: float | None,
    previous: dict | None,
    version: tuple[int, datetime] | None = None,
) -> bool:
    """Rewrite the row from `game`; with `version` (SQLite's write_if_current) only if the
    row is still at it. False if no row was rewritten."""
    patch = None
    if previous is not None and connection.vendor != "sqlite":
        patch = state_patch(previous, game.state)
    statement, params = _game_values(game, status=status, deadline=deadline, patch=patch)
    params.append(game.pk)
    if version is not None:
        statement = "game_if_current"
        params += _version_values(version)
    cursor.execute(_sql(connection.vendor, statement), params)
    return cursor.rowcount == 1


def _version_values(version: tuple[int, datetime]) -> list:
    """The parameters of _at_version's condition."""
    return [_prepare(Game, "last_seq")(version[0]), _prepare(Game, "updated_at")(version[1])]


# Per game, the JSON member of each top-level key of the state last written (value, text): a
# command changes a few keys, and the engine never changes a state in place, so a value that
# is the very same object has the same text. Bounded: the least recently written game goes.
STATE_TEXT_GAMES = 256
_state_texts: OrderedDict[int, dict[str, tuple[object, str]]] = OrderedDict()
_state_texts_lock = threading.Lock()


def state_text(game_id: int, state: dict) -> tuple[str, str]:
    """`state` as its columns' JSON texts, the state's and the archive's (without the scenario
    and with the round records apart, as GameStateField stores it), each top-level value
    encoded only when it is not the object written last time for the game (SQLite writes
    the whole state with every command: encoding all of it was ~8% of the server's CPU,
    issue 11)."""
    with _state_texts_lock:
        kept = _state_texts.pop(game_id, {})
    texts = {}
    for key, value in state.items():
        if key == "scenario":
            continue
        held = kept.get(key)
        if held is None or held[0] is not value:
            held = (value, f"{_json_bytes(key).decode()}:{_json_bytes(value).decode()}")
        texts[key] = held
    with _state_texts_lock:
        _state_texts[game_id] = texts
        while len(_state_texts) > STATE_TEXT_GAMES:
            _state_texts.popitem(last=False)
    rest = ",".join(text for key, (_, text) in texts.items() if key not in STATE_ARCHIVE_KEYS)
    archive = ",".join(texts[key][1] for key in STATE_ARCHIVE_KEYS if key in texts)
    return "{" + rest + "}", "{" + archive + "}"


def _game_values(
    game: LockedGame, *, status: str, deadline: float | None, patch: dict | None = None
) -> tuple[str, list]:
    """The _sql statement that rewrites the row from `game`, and its values but the row's id:
    the whole state, or with `patch` (state_patch: its top-level keys that changed) those
    keys only, the round records among them into the archive, which is left as it is when
    they did not change. Its `updated_at` becomes now (the new version). SQLite's state is
    state_text's, reusing the text of the values written last."""
    game.updated_at = timezone.now()
    values = {
        "last_seq": game.last_seq,
        "status": status,
        "deadline": deadline,
        "updated_at": game.updated_at,
    }
    statement = "game"
    if patch is not None:
        archive = state_archive_part(patch)
        statement = "game_patch" if archive else "game_patch_state"
        values["state"] = _prepare(Game, "state")(patch)
        if archive:  # else the archive is left out of the statement
            values["state_archive"] = _prepare(Game, "state_archive")(archive)
    elif connection.vendor == "sqlite":
        values["state"], values["state_archive"] = state_text(game.pk, game.state)
    else:
        values["state"] = _prepare(Game, "state")(game.state)
        values["state_archive"] = _prepare(Game, "state_archive")(state_archive_part(game.state))
    params = [
        values[name] if name in ("state", "state_archive") else _prepare(Game, name)(values[name])
        for name in GAME_UPDATE_FIELDS
        if name in values
    ]
    return statement, params


def _receipt_values(game: LockedGame, receipt: tuple[str, str]) -> list:
    """The receipt row of the command's id (actor key, client id), at the game's seq after
    the command."""
    actor_key, client_id = receipt
    return [
        _prepare(CommandReceipt, "game")(game.pk),
        _prepare(CommandReceipt, "actor_key")(actor_key),
        _prepare(CommandReceipt, "client_id")(client_id),
        _prepare(CommandReceipt, "seq")(game.last_seq),
        _prepare(CommandReceipt, "created_at")(timezone.now()),
    ]
