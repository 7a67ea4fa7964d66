"""Bots in live games (issue 8 §3): a facilitator fills an empty seat with a bot of a chosen
strategy; it plays over the same service layer as a person, deciding from its role's view.

After every command a person, a timer or a facilitator gets accepted, `game_execute` calls
`game_run_bots` once the transaction has committed: each bot seat asks the engine what its
strategy does now (`engine.bot_commands`) and sends it through `game_execute` as its player,
repeated until no bot has anything left to do (bots answering bots).
"""

import secrets
import time

from django.db import transaction

from game import engine
from game.engine.strategies import STRATEGIES
from game.models import Game, Player
from game.services.actors import Actor
from game.services.commands import CommandRefused, game_execute
from game.services.lifecycle import token_hash

BOT_PASSES = 6


def game_seat_bot(*, game: Game, role: str, strategy: str) -> Player:
    """Seat a bot playing `strategy` on team `role`."""
    if strategy not in STRATEGIES:
        raise CommandRefused(
            "invalid", f"A bot plays one of {', '.join(STRATEGIES)}, not '{strategy[:20]}'."
        )
    codes = [item["code"] for item in game.snapshot["roles"]]
    if role not in codes:
        raise CommandRefused("unknown_role", f"There is no team '{role[:20]}' in this game.")
    with transaction.atomic():
        player = Player.objects.create(
            game=game,
            role=role,
            name=f"{role} bot ({strategy})",
            token_hash=token_hash(secrets.token_urlsafe(32)),  # nobody holds its token
            bot_strategy=strategy,
        )
        game_execute(
            game_id=game.pk,
            actor=Actor.system(),
            command={
                "type": "player_join",
                "player_id": player.pk,
                "name": player.name,
                "role": role,
            },
        )
    return player


def game_fill_empty_seats(*, game: Game, strategy: str) -> list[Player]:
    """A bot of `strategy` on every team nobody sits on."""
    seated = set(Player.objects.filter(game=game, removed=False).values_list("role", flat=True))
    return [
        game_seat_bot(game=game, role=item["code"], strategy=strategy)
        for item in game.snapshot["roles"]
        if item["code"] not in seated
    ]


def game_run_bots(*, game_id: int, now: float | None = None) -> int:
    """Let every bot seat act until none has anything left to do; returns the commands
    accepted. A bot that a seat change or a race leaves with a refused command stops for
    this pass."""
    bots = list(Player.objects.filter(game_id=game_id, removed=False).exclude(bot_strategy=""))
    if not bots:
        return 0
    now = time.time() if now is None else now
    accepted = 0
    for _ in range(BOT_PASSES):
        acted = False
        for bot in bots:
            # The snapshot and the archive too: the state's scenario and round records
            # (Game.from_db), read in this query.
            game = Game.objects.only("state", "snapshot", "state_archive", "seed").get(pk=game_id)
            seat = engine.player_seat(game.state, bot.pk)
            if seat is None:
                continue
            commands = engine.bot_commands(
                game.state, seat["role"], seed=game.seed, now=now, strategy=bot.bot_strategy
            )
            actor = Actor.for_player(bot)
            for command in commands:
                payload = {
                    key: value for key, value in command.items() if key not in ("actor", "now")
                }
                try:
                    result = game_execute(game_id=game_id, actor=actor, command=payload, now=now)
                except CommandRefused:
                    break
                accepted += 1
                acted = acted or bool(result.events)
        if not acted:
            break
    return accepted
