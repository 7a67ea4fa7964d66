"""Server-rendered pages. Thin: they call the service layer and render."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from game.api import check_join_rate
from game.models import Game
from game.realtime.consumers import SESSION_PLAYERS_KEY
from game.services import CommandRefused, player_join


def home(request):
    return render(request, "frontend/home.html")


@require_http_methods(["GET", "POST"])
def join(request, code: str):
    game = get_object_or_404(Game, code=code.upper())
    roles = [{"code": r["code"], "name": r["name"]} for r in game.snapshot["roles"]]
    context = {"game": game, "roles": roles, "team": request.GET.get("team", "").upper()}
    if request.method == "POST":
        name = request.POST.get("name", "")
        team = request.POST.get("team", "").upper()
        context.update(name=name, team=team)
        try:
            check_join_rate(request)
            if game.status == Game.Status.ENDED:
                raise CommandRefused("game_ended", "This game has ended.")
            player, token = player_join(game=game, name=name, role=team)
        except CommandRefused as refused:
            context["error"] = refused.message
            return render(request, "frontend/join.html", context, status=400)
        except Exception as exc:  # Throttled
            if getattr(exc, "status_code", None) == 429:
                context["error"] = str(exc.detail)
                return render(request, "frontend/join.html", context, status=429)
            raise
        players = dict(request.session.get(SESSION_PLAYERS_KEY, {}))
        players[game.code] = token
        request.session[SESSION_PLAYERS_KEY] = players
        context["player"] = player
        return render(request, "frontend/joined.html", context)
    return render(request, "frontend/join.html", context)
