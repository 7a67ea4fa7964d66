"""Who a socket is: a facilitator (a staff session or staff API token, for a game that staff
user may run), a player (session seat or token), or a read-only observer (the game's watch
key). Plain functions, called from the consumer."""

import secrets

from game.models import Game
from game.services import Actor, player_authenticate
from game.services.access import staff_may_run_game
from game.services.tokens import staff_token_authenticate
from game.sessions import session_player_token


def watch_key_valid(game: Game, key) -> bool:
    """Does `key` open the game's read-only (observer and projector) views? Compared as
    bytes: compare_digest refuses text with non-ASCII characters (a TypeError, not False)."""
    if not isinstance(key, str) or not key:
        return False
    given = key.encode("utf-8", "surrogatepass")
    return secrets.compare_digest(given, game.watch_key.encode("utf-8"))


def actor_from_scope(scope, game: Game, *, watch_key: str | None) -> Actor | None:
    """The actor a handshake already identifies: staff login first, then the browser's seat,
    then a watch key in the URL. None: the socket must send `hello`."""
    user = scope.get("user")
    # Staff run the games they created or were given (a superuser every game); other staff
    # are nobody special here and fall through to a seat or a watch key.
    if user is not None and user.is_authenticated and staff_may_run_game(user, game):
        return Actor.for_staff(user)
    token = session_player_token(scope.get("session"), game.code)
    if token:
        actor = actor_from_token(game, token)
        if actor is not None:
            return actor
    if watch_key is not None and watch_key_valid(game, watch_key):
        return Actor.for_observer()
    return None


def actor_from_token(game: Game, token) -> Actor | None:
    player = player_authenticate(game_code=game.code, token=token)
    return Actor.for_player(player) if player is not None else None


def actor_from_hello(game: Game, frame: dict) -> Actor | None:
    """A `hello` names a player token, a staff API token (scripts of facilitators) or a
    watch key."""
    if isinstance(frame.get("staff_token"), str):
        user = staff_token_authenticate(frame["staff_token"])
        if user is not None and staff_may_run_game(user, game):
            return Actor.for_staff(user)
        return None
    if isinstance(frame.get("token"), str):
        return actor_from_token(game, frame["token"])
    if watch_key_valid(game, frame.get("watch")):
        return Actor.for_observer()
    return None
