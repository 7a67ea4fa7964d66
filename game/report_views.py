"""The after-action report as a web page: /games/<code>/report/ (facilitators; players once
the game has ended). Plain Django view: the page is server-rendered, without script."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.templatetags.static import static
from django.urls import reverse

from game.models import Game
from game.reports.files import FORMATS
from game.reports.html import render_report_html
from game.reports.model import report_model
from game.services import Actor
from game.services.export import game_export
from game.services.lifecycle import player_authenticate
from game.sessions import session_player_token

FORMAT_LABELS = {
    "pdf": "PDF",
    "html": "HTML file",
    "csv": "CSV tables (zip)",
    "xlsx": "Excel workbook",
    "json": "JSON export",
}


def report_actor(request, game: Game) -> Actor | None:
    user = request.user
    if user.is_authenticated and user.is_staff:
        return Actor.for_staff(user)
    token = session_player_token(request.session, game.code)
    player = player_authenticate(game_code=game.code, token=token) if token else None
    return Actor.for_player(player) if player else None


def report_downloads(game: Game) -> list[dict]:
    return [
        {
            "label": FORMAT_LABELS[fmt],
            "url": reverse("game-report-file", kwargs={"code": game.code, "fmt": fmt}),
        }
        for fmt in ("pdf", "html", "csv", "xlsx", "json")
        if fmt in FORMATS
    ]


def game_report_page(request, code: str):
    game = Game.objects.filter(code=code.upper()).first()
    if game is None:
        raise Http404(f"There is no game with code '{code.upper()}'.")
    actor = report_actor(request, game)
    if actor is None:
        return redirect_to_login(request.get_full_path())
    if actor.kind != "facilitator" and game.status != Game.Status.ENDED:
        return HttpResponseForbidden(
            "The after-action report holds every team's secrets; it opens for players when "
            "the game has ended.",
            content_type="text/plain; charset=utf-8",
        )
    html = render_report_html(
        report_model(game_export(game=game)),
        standalone=False,
        css_url=static("reports/report.css"),
        downloads=report_downloads(game),
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    return response
