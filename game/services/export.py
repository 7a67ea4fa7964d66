"""The complete, replayable JSON record of a game (the analyst's and `replay`'s input)."""

from django.utils import timezone

from game import engine
from game.models import Event, Game
from game.services.broadcast import event_for_viewer

EXPORT_FORMAT = "redlines.game/1"
FACILITATOR_VIEWER = {"kind": "facilitator"}


def _event_for(event: dict, viewer: dict, state: dict) -> dict:
    """An event as `viewer` may have it: account details of staff actors left out (as on the
    socket); an event it may not read (a facilitator note; another team's private chat,
    unless revealed for the debrief) kept as a placeholder so seq stays gapless and the
    export still replays. A chat placeholder names neither sender nor parties."""
    if engine.event_visible(event, viewer, state):
        return event_for_viewer(event, viewer)
    data = {"private": True, "round": event["data"].get("round")}
    event = {**event, "data": data | {"phase": event["data"].get("phase")}}
    if event["kind"] == "note_added":
        return event_for_viewer(event, viewer)
    return {**event, "actor": None, "audience": []}


def game_export(*, game: Game, viewer: dict | None = None) -> dict:
    """The record for `viewer` (default: the facilitator, everything). A player gets it only
    after the end (the API checks), when every event is visible to it but facilitator notes
    and other teams' private chat (game.engine.views); it never holds staff usernames or
    user ids."""
    state = game.state
    viewer = viewer or FACILITATOR_VIEWER
    events = [e.as_dict() for e in Event.objects.filter(game=game).order_by("seq")]
    if viewer["kind"] != "facilitator":
        events = [_event_for(event, viewer, state) for event in events]
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "game": {
            "code": game.code,
            "title": game.title,
            "status": game.status,
            "seed": game.seed,
            "rules_version": game.rules_version,
            "scenario_slug": game.snapshot.get("slug"),
            "created_at": game.created_at.isoformat(),
            "updated_at": game.updated_at.isoformat(),
            "last_seq": game.last_seq,
        },
        "scenario": game.snapshot,
        "players": [
            {
                "id": p.pk,
                "name": p.name,
                "role": p.role,
                "joined_at": p.joined_at.isoformat(),
                "removed": p.removed,
            }
            for p in game.players.order_by("pk")
        ],
        "events": events,
        "offers": state["offers"],
        "decisions": state["decisions"],
        "results": state["results"],
        "final": state["final"],
    }
