"""Who is connected to a game, kept in the database so every server process agrees."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from game.models import Connection, Game
from game.services.broadcast import game_group


def presence_get(*, game_id: int) -> dict:
    game = Game.objects.get(pk=game_id)
    teams = {role["code"]: [] for role in game.snapshot["roles"]}
    facilitators = observers = 0
    rows = Connection.objects.filter(game_id=game_id).select_related("player")
    for row in rows.order_by("connected_at"):
        if row.kind == "player" and row.player and row.role in teams:
            entry = {"player_id": row.player_id, "name": row.player.name}
            if entry not in teams[row.role]:
                teams[row.role].append(entry)
        elif row.kind == "facilitator":
            facilitators += 1
        elif row.kind == "observer":
            observers += 1
    return {
        "type": "presence",
        "teams": teams,
        "facilitators": facilitators,
        "observers": observers,
    }


def presence_connect(*, game_id: int, channel_name: str, viewer: dict, player_id: int | None):
    Connection.objects.update_or_create(
        channel_name=channel_name,
        defaults={
            "game_id": game_id,
            "kind": viewer["kind"],
            "role": viewer.get("role") or "",
            "player_id": player_id,
        },
    )
    _broadcast_presence(game_id)


def presence_disconnect(*, game_id: int, channel_name: str) -> None:
    deleted, _ = Connection.objects.filter(channel_name=channel_name).delete()
    if deleted:
        _broadcast_presence(game_id)


def _broadcast_presence(game_id: int) -> None:
    async_to_sync(get_channel_layer().group_send)(
        game_group(game_id), {"type": "game.presence", "presence": presence_get(game_id=game_id)}
    )
