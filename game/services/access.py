"""Which staff user may see and run which game (REST today; the socket should ask the same).

The rule (docs/operations.md, "Security"): a superuser sees and runs every game. Another
active staff user needs the admin's model permissions — `game.view_game` to see a game (its
facilitator view, its export), `game.change_game` to run it (commands, seats), `game.add_game`
to create one — and then only for the games they created or were given
(`Game.facilitators`). Everyone else is at most a player, by token.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from game.models import Game

VIEW_PERMISSION = "game.view_game"
RUN_PERMISSION = "game.change_game"
CREATE_PERMISSION = "game.add_game"


def _is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def _assigned(user, game: Game) -> bool:
    if game.created_by_id is not None and game.created_by_id == user.pk:
        return True
    return game.facilitators.filter(pk=user.pk).exists()


def staff_games(user) -> QuerySet[Game]:
    """The games `user` may see as a facilitator (none for a non-staff user)."""
    if not _is_staff(user) or not user.has_perm(VIEW_PERMISSION):
        return Game.objects.none()
    if user.is_superuser:
        return Game.objects.all()
    assigned = Game.objects.filter(Q(created_by=user) | Q(facilitators=user))
    return Game.objects.filter(pk__in=assigned.values("pk"))


def staff_may_see_game(user, game: Game) -> bool:
    """May `user` read `game` as its facilitator (the facilitator view, the export)?"""
    if not _is_staff(user) or not user.has_perm(VIEW_PERMISSION):
        return False
    return user.is_superuser or _assigned(user, game)


def staff_may_run_game(user, game: Game) -> bool:
    """May `user` act in `game` as its facilitator (commands, moving and removing players)?"""
    if not _is_staff(user) or not user.has_perm(RUN_PERMISSION):
        return False
    return user.is_superuser or _assigned(user, game)


def staff_may_create_games(user) -> bool:
    return _is_staff(user) and user.has_perm(CREATE_PERMISSION)


def staff_game_accounts(user) -> QuerySet:
    """The staff accounts `user` may see: theirs and those of their games' creators and
    facilitators (every account for a superuser). The admin offers no others to choose."""
    users = get_user_model().objects.all()
    if user.is_superuser:
        return users
    games = staff_games(user)
    return users.filter(
        Q(pk=user.pk)
        | Q(pk__in=games.values("created_by"))
        | Q(pk__in=games.values("facilitators"))
    )
