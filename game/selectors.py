"""Reads of game data, always through the engine's view for the asking viewer."""

from dataclasses import replace

from game import engine
from game.models import Event, Game, state_from_columns
from game.realtime.protocol import HISTORY_MAX_EVENTS, RESUME_MAX_EVENTS
from game.services.actors import Actor
from game.services.broadcast import event_for_viewer, events_frame, live_view_text
from game.services.commandsql import game_version
from game.services.statecache import state_cached, state_remember


def game_get_by_code(*, code: str) -> Game | None:
    """The game row without its big columns (state and snapshot are read when needed)."""
    return (
        Game.objects.defer("state", "snapshot", "state_archive").filter(code=code.upper()).first()
    )


def game_current_state(*, game_id: int) -> tuple[int, dict]:
    """(last_seq, state) as committed now: this process's copy when it is current, else the
    row's (which then becomes this process's copy)."""
    seq, updated_at = game_version(game_id)
    state = state_cached(game_id=game_id, seq=seq, updated_at=updated_at)
    if state is None:
        seq, updated_at, state, snapshot, archive = (
            Game.objects.filter(pk=game_id)
            .values_list("last_seq", "updated_at", "state", "snapshot", "state_archive")
            .get()
        )
        state = state_from_columns(state, snapshot, archive)
        state_remember(game_id=game_id, seq=seq, updated_at=updated_at, state=state)
    return seq, state


def game_last_seq(*, game_id: int) -> int:
    return Game.objects.filter(pk=game_id).values_list("last_seq", flat=True).get()


def game_seated_snapshot(*, game_id: int, actor: Actor) -> tuple[Actor | None, dict]:
    """One read of the game: `actor` as its state seats it now (None once unseated) and that
    seat's snapshot `{seq, view}`. The state's seats come from the log, so the seat and the
    view always belong to the same seq. The view shares parts with the state (no deep copy:
    a facilitator's held a copy of the whole scenario): the caller serialises it at once and
    never changes it."""
    last_seq, state = game_current_state(game_id=game_id)
    if actor.player_id is not None:
        seat = engine.player_seat(state, actor.player_id)
        if seat is None:
            return None, {}
        if seat["role"] != actor.role:
            actor = replace(actor, role=seat["role"])
    return actor, {"seq": last_seq, "view": engine.shared_view(state, actor.viewer())}


def game_events_since(*, game_id: int, seq: int, viewer: dict) -> dict | None:
    """Events after `seq` that the viewer may see, or None when too far behind to replay."""
    last_seq, state = game_current_state(game_id=game_id)
    if last_seq - seq > RESUME_MAX_EVENTS:
        return None
    # Only up to the seq read with the state: an event committed since then is not judged
    # against that state, and comes with its own broadcast (reading it here would repeat it).
    rows = Event.objects.filter(game_id=game_id, seq__gt=seq, seq__lte=last_seq).order_by("seq")
    events = event_dicts(rows)
    return events_frame(events=events, viewer=viewer, state=state, seq_from=seq + 1, seq=last_seq)


EVENT_FIELDS = ("seq", "at", "round", "phase", "actor", "kind", "data", "audience")


def event_dicts(rows) -> list[dict]:
    """Event rows as Event.as_dict() gives them, read without building model instances
    (a catch-up of 200 events spent most of its time in them)."""
    events = []
    for values in rows.values_list(*EVENT_FIELDS):
        event = dict(zip(EVENT_FIELDS, values, strict=True))
        event["at"] = event["at"].isoformat()
        events.append(event)
    return events


def game_live_view(*, game_id: int, viewer: dict) -> tuple[int, str]:
    """The seq and serialised `view` frame (the whole view) for a socket that follows it."""
    last_seq, state = game_current_state(game_id=game_id)
    return last_seq, live_view_text(state, viewer, last_seq)


HISTORY_KINDS = {"chat": ("chat_posted",), "all": None}
HISTORY_BATCH = 200


def game_history(
    *, game_id: int, viewer: dict, before: int | None, limit: int, kinds: str = "all"
) -> dict:
    """Up to `limit` events before seq `before` (newest first in the scan, returned oldest
    first) that the viewer may see: the chat or the log, a page at a time. `more` tells
    whether older visible events may remain."""
    last_seq, state = game_current_state(game_id=game_id)
    limit = max(1, min(limit, HISTORY_MAX_EVENTS))
    rows = Event.objects.filter(game_id=game_id, seq__lte=last_seq)
    if before is not None:
        rows = rows.filter(seq__lt=before)
    wanted = HISTORY_KINDS[kinds]
    if wanted is not None:
        rows = rows.filter(kind__in=wanted)
    found, scanned_to, exhausted = [], None, True
    for row in rows.order_by("-seq").iterator(chunk_size=HISTORY_BATCH):
        scanned_to = row.seq
        event = row.as_dict()
        if engine.event_visible(event, viewer, state):
            found.append(event_for_viewer(event, viewer))
            if len(found) == limit:
                exhausted = False
                break
    found.reverse()
    return {
        "type": "history",
        "kinds": kinds,
        "events": found,
        "more": not exhausted and scanned_to is not None and scanned_to > 1,
    }


def game_preview(*, game_id: int, role: str, request: dict) -> dict | engine.RuleError:
    """What a draft decision or an offer would mean for `role` (engine.preview)."""
    _, state = game_current_state(game_id=game_id)
    return engine.preview(state, role, request)
