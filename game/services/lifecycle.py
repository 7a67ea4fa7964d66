"""Creating games, joining players, authenticating them, and rebuilding state from the log."""

import hashlib
import secrets

from django.db import IntegrityError, transaction

from game import engine
from game.models import Event, Game, Player
from game.services.actors import Actor
from game.services.commands import (
    UNSTORABLE_MESSAGE,
    CommandRefused,
    game_execute,
    storable_text,
)

NAME_MAX_LENGTH = 60


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def game_create(
    *,
    snapshot: dict,
    title: str | None = None,
    scenario=None,
    created_by=None,
    seed: int | None = None,
) -> Game:
    """Create a game in the lobby on a snapshot of a normalized scenario document."""
    seed = secrets.randbelow(2**31) if seed is None else seed
    state = engine.initial_state(snapshot, seed=seed, rules=engine.LATEST_RULES)
    for _ in range(10):
        try:
            with transaction.atomic():
                return Game.objects.create(
                    title=title or snapshot["title"],
                    scenario=scenario,
                    snapshot=snapshot,
                    seed=seed,
                    rules_version=engine.rules_version(state),
                    state=state,
                    status=engine.game_status(state),
                    created_by=created_by,
                )
        except IntegrityError:  # join code collision: draw another
            continue
    raise RuntimeError("Could not draw a free join code after 10 attempts")


def player_join(*, game: Game, name: str, role: str) -> tuple[Player, str]:
    """Seat a new player on a team. Returns the player and its secret token (shown once)."""
    name = " ".join((name or "").split())
    if not storable_text(name):
        raise CommandRefused("invalid", UNSTORABLE_MESSAGE)
    if not name:
        raise CommandRefused("invalid", "Please enter a display name.")
    if len(name) > NAME_MAX_LENGTH:
        raise CommandRefused("invalid", f"Display names are at most {NAME_MAX_LENGTH} characters.")
    codes = [r["code"] for r in game.snapshot["roles"]]
    if role not in codes:
        raise CommandRefused(
            "unknown_role",
            f"There is no team '{role}' in this game; choose one of {', '.join(codes)}.",
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        player = Player.objects.create(
            game=game, role=role, name=name, token_hash=token_hash(token)
        )
        game_execute(
            game_id=game.pk,
            actor=Actor.system(),
            command={"type": "player_join", "player_id": player.pk, "name": name, "role": role},
        )
    return player, token


def player_authenticate(*, game_code: str, token: str) -> Player | None:
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    return (
        Player.objects.select_related("game")
        .filter(game__code=game_code.upper(), token_hash=token_hash(token), removed=False)
        .first()
    )


def game_rebuild_state(*, game: Game) -> dict:
    """Fold the whole event log over the initial state (the log is the source of truth)."""
    state = engine.initial_state(game.snapshot, seed=game.seed, rules=game.rules_version)
    for event in Event.objects.filter(game=game).order_by("seq").iterator():
        state = engine.apply(state, event.as_dict())
    return state
