"""Reads of game data, always through the engine's view for the asking viewer."""

from game import engine
from game.models import Event, Game, Player
from game.realtime.protocol import RESUME_MAX_EVENTS
from game.services.broadcast import events_frame


def game_get_by_code(*, code: str) -> Game | None:
    return Game.objects.filter(code=code.upper()).first()


def game_last_seq(*, game_id: int) -> int:
    return Game.objects.filter(pk=game_id).values_list("last_seq", flat=True).get()


def game_snapshot(*, game_id: int, viewer: dict) -> dict:
    """The viewer's view of the game and the seq it is current to."""
    game = Game.objects.get(pk=game_id)
    return {"seq": game.last_seq, "view": engine.view(game.state, viewer)}


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


def player_get(*, player_id: int) -> Player | None:
    return Player.objects.filter(pk=player_id, removed=False).first()
