"""The after-action report as a web page: /games/<code>/report/ (facilitators; players once
the game has ended). Plain Django view: the page is server-rendered, without script."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.csp import csp_override

from game.models import Game
from game.reports.files import FORMATS, cached_rendering, render_key, review_for
from game.reports.html import render_report_html
from game.reports.model import report_model
from game.reports.replay import replay_step, viewer_for
from game.services import Actor, limits
from game.services.access import staff_may_see_game
from game.services.export import game_export
from game.services.lifecycle import player_authenticate
from game.sessions import session_player_token
from tabletop.clients import client_address

FORMAT_LABELS = {
    "pdf": "PDF",
    "html": "HTML file",
    "csv": "CSV tables (zip)",
    "xlsx": "Excel workbook",
    "json": "JSON export",
}


def report_actor(request, game: Game) -> Actor | None:
    """The game's facilitator (staff who may see it, game.services.access), or the player
    this browser's session holds a seat for; None for anyone else."""
    user = request.user
    if staff_may_see_game(user, game):
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


def _allowed_game(request, code: str):
    """(game, actor, None) for a caller allowed in, or (None, None, the refusal): 404, 403,
    a redirect to the login page, or 429 beyond REPORT_REQUESTS_PER_MINUTE."""
    game = Game.objects.filter(code=code.upper()).first()
    if game is None:
        raise Http404(f"There is no game with code '{code.upper()}'.")
    actor = report_actor(request, game)
    if actor is None and request.user.is_authenticated and request.user.is_staff:
        return (
            None,
            None,
            HttpResponseForbidden(
                f"You are not a facilitator of game {game.code}: staff see the games they "
                "created or were given (Game.facilitators).",
                content_type="text/plain; charset=utf-8",
            ),
        )
    if actor is None:
        return None, None, redirect_to_login(request.get_full_path())
    if actor.kind != "facilitator" and game.status != Game.Status.ENDED:
        return (
            None,
            None,
            HttpResponseForbidden(
                "The after-action review holds every team's secrets; it opens for players when "
                "the game has ended.",
                content_type="text/plain; charset=utf-8",
            ),
        )
    client = f"{client_address(request)}:{actor.key}:{game.code}"
    if not limits.report_request_allowed(client=client):
        refused = HttpResponse(
            limits.report_limit_message(), content_type="text/plain; charset=utf-8", status=429
        )
        refused["Retry-After"] = str(limits.REPORT_WINDOW_SECONDS)
        return None, None, refused
    return game, actor, None


def with_data_images(view):
    """The site's CSP, plus `data:` images: the report's charts are SVG in data: URLs (an
    image cannot run script; everything else stays as strict as the rest of the site)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        policy = dict(getattr(settings, "SECURE_CSP", None) or {})
        if not policy:
            return response
        policy["img-src"] = [*policy.get("img-src", ["'self'"]), "data:"]
        return csp_override(policy)(lambda _request: response)(request)

    return wrapped


def private_page(html: str) -> HttpResponse:
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    return response


@with_data_images
def game_report_page(request, code: str):
    """The report as its reader may see it, rendered once per game state and reader (a
    team, or the facilitators) and then served from the cache."""
    game, actor, refused = _allowed_game(request, code)
    if refused:
        return refused
    viewer = actor.viewer()
    review = review_for(game=game, viewer=viewer)

    def render():
        model = report_model(game_export(game=game, viewer=viewer), review=review)
        html = render_report_html(
            model,
            standalone=False,
            css_url=static("reports/report.css"),
            downloads=report_downloads(game),
            replay_url=reverse("game-replay", kwargs={"code": game.code}),
            edit_url=reverse("game-review-edit", kwargs={"code": game.code})
            if actor.kind == "facilitator"
            else "",
        )
        return html, model["achievable_deal"]["status"] != "pending"

    key = render_key(game=game, viewer=viewer, review=review, product="page")
    return private_page(cached_rendering(key, render))


REPLAY_PHASES = ("briefing", "disclosure", "negotiation", "decision", "results")


def game_replay_page(request, code: str):
    """Step through the log (?seq=N) as the facilitator or any team (?as=CODE) saw it."""
    game, actor, refused = _allowed_game(request, code)
    if refused:
        return refused
    document = game_export(game=game, viewer=actor.viewer())
    scenario = document["scenario"]
    viewer = viewer_for(scenario, request.GET.get("as"))
    try:
        seq = int(request.GET["seq"]) if request.GET.get("seq") else None
    except ValueError:
        seq = None
    step = replay_step(document, seq=seq, viewer=viewer)
    context = {
        "game": document["game"],
        "step": step,
        "view": step["view"],
        "viewer": viewer,
        "as_name": viewer.get("role") or "facilitator",
        "roles": scenario["roles"],
        "lever_labels": {lever["key"]: lever["label"] for lever in scenario["levers"]},
        "decision_rows": _decision_rows(scenario, step["view"]),
        "phases": REPLAY_PHASES,
        "jump_rows": _jump_rows(step["marks"]),
        "css_url": static("reports/report.css"),
        "pages_css_url": static("reports/pages.css"),
        "report_url": reverse("game-report", kwargs={"code": game.code}),
    }
    return private_page(render_to_string("reports/replay.html", context, request=request))


def _decision_rows(scenario: dict, view: dict) -> list[dict]:
    standing, drafts = view["standing_decisions"], view["decisions"]
    rows = []
    for lever in scenario["levers"]:
        cells = []
        for role in scenario["roles"]:
            code = role["code"]
            draft = drafts.get(code) or {}
            cells.append(
                {
                    "value": (standing.get(code) or {}).get(lever["key"]),
                    "draft": (draft.get("values") or {}).get(lever["key"]),
                    "locked": draft.get("locked", False),
                }
            )
        rows.append({"label": lever["label"], "cells": cells})
    return rows


def _jump_rows(marks: list[dict]) -> list[dict]:
    rows: dict = {}
    for mark in marks:
        row = rows.setdefault(mark["round"], dict.fromkeys(REPLAY_PHASES))
        if mark["phase"] in row:
            row[mark["phase"]] = mark["seq"]
        else:  # the game's end, shown in the results column of an "End" row
            row["results"] = mark["seq"]
    return [{"round": r, "cells": list(cells.values())} for r, cells in rows.items()]
