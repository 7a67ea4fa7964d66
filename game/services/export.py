"""The complete, replayable JSON record of a game (the analyst's and `replay`'s input)."""

from django.utils import timezone

from game.models import Event, Game

EXPORT_FORMAT = "redlines.game/1"


def game_export(*, game: Game) -> dict:
    state = game.state
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
        "events": [e.as_dict() for e in Event.objects.filter(game=game).order_by("seq")],
        "offers": state["offers"],
        "decisions": state["decisions"],
        "results": state["results"],
        "final": state["final"],
    }
