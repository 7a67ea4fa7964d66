"""Facilitator acts on seats (moving a player to another team or removing one), and the
dispatcher every client command goes through (sockets and REST alike)."""

from django.db import transaction

from game.models import Game, Player
from game.services.actors import Actor
from game.services.commands import CommandRefused, CommandResult, game_execute

SEAT_COMMANDS = ("player_move", "player_remove")


def command_execute(
    *, game_id: int, actor: Actor, command: dict, client_id: str | None = None
) -> CommandResult:
    """Run a client's command. A facilitator's `player_move` / `player_remove` goes through
    the seating services, which also update the player's row (sockets and the REST API
    authenticate players by that row); everything else goes straight to game_execute."""
    kind = command.get("type")
    if actor.kind == "facilitator" and kind in SEAT_COMMANDS:
        player_id = command.get("player_id")
        if not isinstance(player_id, int) or isinstance(player_id, bool):
            raise CommandRefused(
                "invalid", "'player_id' must be the number of a seated player (see the roster)."
            )
        game = Game.objects.get(pk=game_id)
        if kind == "player_move":
            return player_move(
                game=game,
                player_id=player_id,
                role=command.get("role"),
                actor=actor,
                client_id=client_id,
            )
        return player_remove(game=game, player_id=player_id, actor=actor, client_id=client_id)
    return game_execute(game_id=game_id, actor=actor, command=command, client_id=client_id)


def player_move(
    *, game: Game, player_id: int, role: str, actor: Actor, client_id: str | None = None
) -> CommandResult:
    """Move a seated player to another team; the engine checks the seat and the team."""
    with transaction.atomic():
        result = game_execute(
            game_id=game.pk,
            actor=actor,
            command={"type": "player_move", "player_id": player_id, "role": role},
            client_id=client_id,
        )
        if not result.duplicate:
            Player.objects.filter(game=game, pk=player_id).update(role=role)
    return result


def player_remove(
    *, game: Game, player_id: int, actor: Actor, client_id: str | None = None
) -> CommandResult:
    """Unseat a player: its token stops working and its sockets are closed."""
    with transaction.atomic():
        result = game_execute(
            game_id=game.pk,
            actor=actor,
            command={"type": "player_remove", "player_id": player_id},
            client_id=client_id,
        )
        if not result.duplicate:
            Player.objects.filter(game=game, pk=player_id).update(removed=True)
    return result
