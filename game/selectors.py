"""Reads of game data, always through the engine's view for the asking viewer."""

from dataclasses import replace

from game import engine
from game.models import Event, Game
from game.realtime.protocol import RESUME_MAX_EVENTS
from game.services.actors import Actor
from game.services.broadcast import events_frame


def game_get_by_code(*, code: str) -> Game | None:
    return Game.objects.filter(code=code.upper()).first()


def game_last_seq(*, game_id: int) -> int:
    return Game.objects.filter(pk=game_id).values_list("last_seq", flat=True).get()


def game_seated_snapshot(*, game_id: int, actor: Actor) -> tuple[Actor | None, dict]:
    """One read of the game: `actor` as its state seats it now (None once unseated) and that
    seat's snapshot `{seq, view}`. The state's seats come from the log, so the seat and the
    view always belong to the same seq."""
    game = Game.objects.get(pk=game_id)
    if actor.player_id is not None:
        seat = engine.player_seat(game.state, actor.player_id)
        if seat is None:
            return None, {}
        if seat["role"] != actor.role:
            actor = replace(actor, role=seat["role"])
    return actor, {"seq": game.last_seq, "view": engine.view(game.state, actor.viewer())}


def game_events_since(*, game_id: int, seq: int, viewer: dict) -> dict | None:
    """Events after `seq` that the viewer may see, or None when too far behind to replay."""
    game = Game.objects.get(pk=game_id)
    if game.last_seq - seq > RESUME_MAX_EVENTS:
        return None
    # Only up to the seq read with the state: an event committed since then is not judged
    # against that state, and comes with its own broadcast (reading it here would repeat it).
    rows = Event.objects.filter(game=game, seq__gt=seq, seq__lte=game.last_seq).order_by("seq")
    events = [e.as_dict() for e in rows]
    return events_frame(
        events=events, viewer=viewer, state=game.state, seq_from=seq + 1, seq=game.last_seq
    )
