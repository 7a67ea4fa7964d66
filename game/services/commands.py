"""game_execute: the one path by which any command changes a game."""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from django.db import transaction

from game import engine
from game.models import CommandReceipt, Event, Game, Player
from game.services import commandsql
from game.services.actors import Actor
from game.services.broadcast import broadcast_events, build_frames, build_views
from game.services.commandsql import LockedGame
from game.services.statecache import seq_known, state_cached, state_latest, state_remember
from tabletop.storable import all_storable

CLIENT_ID_MAX_LENGTH = CommandReceipt._meta.get_field("client_id").max_length


class CommandRefused(Exception):
    """The engine (or the service) refused a command; nothing was changed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


UNSTORABLE_MESSAGE = (
    "The command contains a character that cannot be stored (a NUL character or an unpaired "
    "surrogate); remove it and send again."
)


def storable_text(value) -> bool:
    """False if any string in `value` (keys included, at any depth) holds a NUL character or
    an unpaired surrogate (tabletop.storable)."""
    return all_storable(value)


@dataclass
class CommandResult:
    seq: int
    events: list[dict] = field(default_factory=list)
    duplicate: bool = False
    # What the command created, for the answer: {"offer": "o3"} for a proposal or counter.
    created: dict = field(default_factory=dict)


CREATING_EVENTS = {"offer_proposed": ("offer", lambda data: data["offer"]["id"])}


def created_by(events: list[dict]) -> dict:
    """What these events (one command's) created, e.g. {"offer": "o3"}."""
    created = {}
    for item in events:
        if item["kind"] in CREATING_EVENTS:
            key, read = CREATING_EVENTS[item["kind"]]
            created[key] = read(item["data"])
    return created


# The most events one creating command appends (a counter: the new offer and the old one's fate).
MAX_CREATING_EVENTS = 2


def _created_before(game_id: int, actor: Actor, seq: int) -> dict:
    """For a repeated id: what the first run created. Its events are the last ones up to the
    receipt's `seq`, so only those few are read."""
    rows = Event.objects.filter(
        game_id=game_id,
        seq__lte=seq,
        seq__gt=seq - MAX_CREATING_EVENTS,
        kind__in=tuple(CREATING_EVENTS),
    )
    return created_by([row.as_dict() for row in rows if row.actor == actor.for_log()])


def game_execute(
    *,
    game_id: int,
    actor: Actor,
    command: dict,
    client_id: str | None = None,
    now: float | None = None,
) -> CommandResult:
    """Decide `command` against the game's current state and append the resulting events.

    Serialised per game by a row lock (PostgreSQL) or an immediate transaction (SQLite), and
    by the unique (game, seq) constraint. A repeated `client_id` from the same actor returns
    the first result without applying the command again.
    """
    now = time.time() if now is None else now
    if not storable_text(command) or not storable_text(client_id):
        raise CommandRefused("invalid", UNSTORABLE_MESSAGE)
    if client_id and len(client_id) > CLIENT_ID_MAX_LENGTH:
        # The REST API passes ids through unchecked; keep them out of the receipt column.
        raise CommandRefused(
            "invalid", f"A command id is at most {CLIENT_ID_MAX_LENGTH} characters long."
        )
    own_transaction = not transaction.get_connection().in_atomic_block
    if commandsql.one_trip_available():
        result = _execute_in_one_trip(game_id, actor, command, client_id, now)
        if result is not None:
            return result
    try:
        with transaction.atomic():
            game = _game_locked(game_id, remember=own_transaction)
            engine_command = {**command, "actor": actor.for_engine(), "now": now}
            try:
                _check_seat(game.state, actor)
                outcome = engine.decide(game.state, engine_command)
                if isinstance(outcome, engine.RuleError):
                    raise CommandRefused(outcome.code, outcome.message)
            except CommandRefused:
                # A repeat of an accepted command is answered as the first time, even though
                # deciding it again now would be refused (the offer it accepted is closed).
                repeat = client_id and _repeat(game_id, actor, client_id)
                if repeat:
                    return repeat
                raise
            receipt = (actor.key, client_id) if client_id else None
            previous = (game.last_seq, game.state)
            stored = _append_events(game, outcome, actor=actor, now=now, receipt=receipt)
            if stored:
                frames, views = _frames_and_views(game, stored, previous)
                version = (game.last_seq, game.updated_at)
                transaction.on_commit(
                    partial(_committed, game.pk, version, game.state, stored, frames, views)
                )
                if not actor.bot and _has_bots(game):  # bots answer people, timers, facilitators
                    transaction.on_commit(partial(_run_bots, game.pk, now))
    except _Repeated:  # rolled back: the id's first result answers it
        return _repeat(game_id, actor, client_id)
    return CommandResult(seq=game.last_seq, events=stored, created=created_by(stored))


def _execute_in_one_trip(
    game_id: int, actor: Actor, command: dict, client_id: str | None, now: float
) -> CommandResult | None:
    """Decide on the state this process holds for the game, without reading or locking the
    row, and write the command in one round trip (PostgreSQL: one statement; SQLite: one
    short transaction) that commits only if the row still has the version that state was
    stored with (commandsql.write_if_current). None
    when it cannot answer for sure: no state held, or one older than a seq this process has
    seen broadcast, the engine refuses (the refusal may come from a state another process
    has moved on from), no event to write, the row moved on, or the id was used before. The
    caller then runs the command under the lock, which decides on the row's current state
    and answers all of these."""
    held = state_latest(game_id=game_id)
    if held is None:
        return None
    version, state = held
    if seq_known(game_id=game_id) > version[0]:
        return None  # a broadcast of a later seq came: another process has written the game
    game = LockedGame(pk=game_id, last_seq=version[0], updated_at=version[1], state=state)
    try:
        _check_seat(state, actor)
    except CommandRefused:
        return None
    outcome = engine.decide(state, {**command, "actor": actor.for_engine(), "now": now})
    if isinstance(outcome, engine.RuleError) or not outcome:
        return None
    stored = _events_applied(game, outcome, actor=actor, now=now)
    written = commandsql.write_if_current(
        game,
        version=version,
        previous=state,
        receipt=(actor.key, client_id) if client_id else None,
        rows=stored,
        status=engine.game_status(game.state),
        deadline=engine.game_deadline(game.state),
    )
    if not written:
        return None
    stored = _as_sent(stored)
    frames, views = _frames_and_views(game, stored, (version[0], state))
    _committed(game_id, (game.last_seq, game.updated_at), game.state, stored, frames, views)
    if not actor.bot and _has_bots(game):
        _run_bots(game_id, now)
    return CommandResult(seq=game.last_seq, events=stored, created=created_by(stored))


def _frames_and_views(
    game: LockedGame, stored: list[dict], previous: tuple[int, dict]
) -> tuple[dict, dict]:
    """The broadcast's `events` frames and followed `view` frames of the game after `stored`
    (`previous`: the seq and state before them, which view patches are built against)."""
    scenario = game.state["scenario"]  # the game's snapshot
    frames = build_frames(snapshot=scenario, state=game.state, events=stored)
    views = build_views(
        snapshot=scenario,
        state=game.state,
        seq=game.last_seq,
        game_id=game.pk,
        previous=previous,
        frames=frames,
    )
    return frames, views


def _committed(game_id: int, version: tuple, state: dict, stored, frames, views) -> None:
    """After the commit: keep the new state for the next command, then broadcast."""
    seq, updated_at = version
    state_remember(game_id=game_id, seq=seq, updated_at=updated_at, state=state)
    broadcast_events(game_id, stored, frames, views, updated_at=updated_at)


class _Repeated(Exception):
    """The command's id was recorded before: roll back what was written with it."""


def _repeat(game_id: int, actor: Actor, client_id: str) -> CommandResult | None:
    """The first result of a command whose id this actor used before, if it did."""
    receipt = CommandReceipt.objects.filter(
        game_id=game_id, actor_key=actor.key, client_id=client_id
    ).first()
    if receipt is None:
        return None
    created = _created_before(game_id, actor, receipt.seq)
    return CommandResult(seq=receipt.seq, duplicate=True, created=created)


def _game_locked(game_id: int, *, remember: bool) -> LockedGame:
    """The game row, locked, with its state: this process's copy when it is current (see
    game.services.statecache), else decoded from the row, and kept if `remember` (the
    transaction is the command's own, so the row read is committed data, whether or not
    the command is then refused)."""
    game = commandsql.lock_game(game_id)
    state = state_cached(game_id=game_id, seq=game.last_seq, updated_at=game.updated_at)
    if state is None:
        state = Game.stored_state(game_id)
        if remember:
            state_remember(
                game_id=game_id, seq=game.last_seq, updated_at=game.updated_at, state=state
            )
    game.state = state
    return game


# Per game, the seats a bot check last saw and its answer. A bot is a Player row seated by a
# player_join event, and a player's strategy never changes, so the answer can change only
# when the state's set of seats does (in whichever process that happened).
_bots_checked: dict[int, tuple[frozenset, bool]] = {}


def _has_bots(game: LockedGame) -> bool:
    """Does a bot sit at this game? Asked after every command; the database is asked again
    only when the seats have changed since the last time."""
    seats = frozenset(game.state["players"])
    checked = _bots_checked.get(game.pk)
    if checked is not None and checked[0] == seats:
        return checked[1]
    answer = (
        bool(seats)
        and Player.objects.filter(game_id=game.pk, removed=False).exclude(bot_strategy="").exists()
    )
    _bots_checked[game.pk] = (seats, answer)
    return answer


def _run_bots(game_id: int, now: float) -> None:
    from game.services.bots import game_run_bots

    game_run_bots(game_id=game_id, now=now)


def _append_events(
    game: LockedGame,
    events: list[dict],
    *,
    actor: Actor,
    now: float,
    receipt: tuple[str, str] | None,
) -> list[dict]:
    """Write the command: its receipt (if it has an id) and its events, and the state they
    lead to; raise _Repeated if the id was recorded before."""
    previous = game.state  # what the locked row holds
    stored = _events_applied(game, events, actor=actor, now=now)
    written = commandsql.write_command(
        game,
        receipt=receipt,
        rows=stored,
        status=engine.game_status(game.state),
        deadline=engine.game_deadline(game.state),
        previous=previous,
    )
    if not written:
        raise _Repeated
    return _as_sent(stored)


def _events_applied(game: LockedGame, events: list[dict], *, actor: Actor, now: float) -> list:
    """The event rows of a decided command, numbered after the game's last_seq; `game` moves
    to the state and last_seq they lead to."""
    at = datetime.fromtimestamp(now, tz=UTC)
    state = game.state
    stored = []
    for event in events:
        stored.append(
            {
                "seq": game.last_seq + len(stored) + 1,
                "at": at,
                "round": state.get("round", 0),
                "phase": state.get("phase") or "",
                "actor": actor.for_log(),
                "kind": event["kind"],
                "data": event["data"],
                "audience": event["audience"],
            }
        )
        state = engine.apply(state, event)
    game.state = state
    game.last_seq += len(stored)
    return stored


def _as_sent(stored: list[dict]) -> list[dict]:
    """Event rows as answers and broadcasts carry them (the time as ISO 8601 text)."""
    return [{**row, "at": row["at"].isoformat()} for row in stored]


def _check_seat(state: dict, actor: Actor) -> None:
    """Under the game lock: a player acts only for the team the log seats it on now (a socket
    may still speak for a team its player was just moved from)."""
    if actor.kind != "player":
        return
    seat = engine.player_seat(state, actor.player_id)
    if seat is None:
        raise CommandRefused("not_seated", "You are no longer seated in this game.")
    if seat["role"] != actor.role:
        raise CommandRefused(
            "not_seated",
            f"You now sit on team {seat['role']}, not {actor.role}; reload to play as "
            f"{seat['role']}.",
        )
