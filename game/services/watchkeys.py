"""The game's watch key (the secret of its observer and projector links) and its rotation.

A facilitator replaces a leaked key: the old links stop opening the game at once, and the
observer and projector sockets still open with the old key are closed (close 4410, after an
`error` `watch_key_replaced`). Replaced keys are kept only as hashes, so a page opened with
one can say its link was replaced rather than that it is wrong.
"""

import hashlib

from django.db import transaction

from game.models import Game, new_watch_key
from game.services.broadcast import game_group, publish

RETIRED_KEYS_KEPT = 20  # enough for any workshop; the oldest are forgotten (then "wrong")


def watch_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def watch_key_replaced(game: Game, key) -> bool:
    """Is `key` one the facilitator replaced (not merely wrong)?"""
    return isinstance(key, str) and bool(key) and watch_key_hash(key) in game.retired_watch_keys


def game_watch_key_rotate(*, game_id: int) -> str:
    """Give the game a new watch key and return it; the old one opens nothing from now on,
    and the sockets opened with it are told to close (after the commit)."""
    with transaction.atomic():
        game = Game.objects.select_for_update().only("pk", "watch_key", "retired_watch_keys")
        game = game.get(pk=game_id)
        retired = [*game.retired_watch_keys, watch_key_hash(game.watch_key)]
        game.retired_watch_keys = retired[-RETIRED_KEYS_KEPT:]
        game.watch_key = new_watch_key()
        game.save(update_fields=["watch_key", "retired_watch_keys"])
        message = {"type": "game.watch_key_replaced", "key_hash": watch_key_hash(game.watch_key)}
        transaction.on_commit(
            lambda: publish(
                game_group(game_id), message, what=f"Watch key replaced in game {game_id}"
            )
        )
    return game.watch_key
