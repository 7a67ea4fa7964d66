"""Facilitator acts on seats: moving a player to another team or removing one."""

from django.db import transaction

from game.models import Game, Player
from game.services.actors import Actor
from game.services.commands import CommandRefused, CommandResult, game_execute


def player_move(*, game: Game, player_id: int, role: str, actor: Actor) -> CommandResult:
    with transaction.atomic():
        player = _seated_player(game, player_id)
        result = game_execute(
            game_id=game.pk,
            actor=actor,
            command={"type": "player_move", "player_id": player.pk, "role": role},
        )
        Player.objects.filter(pk=player.pk).update(role=role)
    return result


def player_remove(*, game: Game, player_id: int, actor: Actor) -> CommandResult:
    with transaction.atomic():
        player = _seated_player(game, player_id)
        result = game_execute(
            game_id=game.pk,
            actor=actor,
            command={"type": "player_remove", "player_id": player.pk},
        )
        Player.objects.filter(pk=player.pk).update(removed=True)
    return result


def _seated_player(game: Game, player_id: int) -> Player:
    player = Player.objects.filter(game=game, pk=player_id, removed=False).first()
    if player is None:
        raise CommandRefused("unknown_player", f"No player {player_id} is seated in this game.")
    return player
