"""Server-rendered pages. Thin: they call the service layer and render."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import Throttled

from game.api import check_join_rate
from game.models import Game
from game.services import CommandRefused, player_authenticate, player_join
from game.sessions import session_player_token, session_remember_player


def home(request):
    return render(request, "frontend/home.html")


def session_player(request, game: Game):
    """The seat this browser's session holds in `game`, if it is still seated."""
    token = session_player_token(request.session, game.code)
    return player_authenticate(game_code=game.code, token=token) if token else None


@require_http_methods(["GET", "POST"])
def join(request, code: str):
    game = get_object_or_404(Game, code=code.upper())
    roles = [{"code": r["code"], "name": r["name"]} for r in game.snapshot["roles"]]
    context = {
        "game": game,
        "roles": roles,
        "team": request.GET.get("team", "").upper(),
        "ended": game.status == Game.Status.ENDED,
    }
    seated = session_player(request, game)
    if seated is not None:
        # One seat per browser: a second submit (or a reload) must not seat a twin.
        context.update(player=seated, already=True)
        return render(request, "frontend/joined.html", context)
    if request.method == "POST":
        name = request.POST.get("name", "")
        team = request.POST.get("team", "").upper()
        context.update(name=name, team=team)
        try:
            check_join_rate(request)
        except Throttled as throttled:
            context["error"] = str(throttled.detail)
            return render(request, "frontend/join.html", context, status=429)
        try:
            if context["ended"]:
                raise CommandRefused("game_ended", "This game has ended; there is no seat left.")
            player, token = player_join(game=game, name=name, role=team)
        except CommandRefused as refused:
            context["error"] = refused.message
            return render(request, "frontend/join.html", context, status=400)
        request.session.cycle_key()  # a session planted before the join must not hold the seat
        session_remember_player(request.session, game.code, token)
        context["player"] = player
        return render(request, "frontend/joined.html", context)
    return render(request, "frontend/join.html", context)
