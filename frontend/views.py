"""Server-rendered pages. Thin: they call the service layer and render.

The game pages (player table, facilitator console, observer and projector views) are shells:
everything about the game reaches them over the socket, filtered by the engine's view for
their viewer, so no page's HTML ever holds what its viewer may not know.
"""

import io

import segno
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import Throttled

from game.api import check_join_rate
from game.engine.strategies import STRATEGIES
from game.models import Game
from game.realtime.auth import watch_key_valid
from game.services import CommandRefused, player_authenticate, player_join
from game.services.access import staff_games, staff_may_run_game
from game.services.bots import game_fill_empty_seats, game_seat_bot
from game.services.watchkeys import game_watch_key_rotate, watch_key_replaced
from game.sessions import session_player_token, session_remember_player


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, the report)."""
    return redirect(static("frontend/favicon.svg"), permanent=True)


def home(request):
    """The front door: a code typed here leads to that game's join page."""
    code = request.GET.get("code", "").strip().upper()
    if code:
        if Game.objects.filter(code=code).exists():
            return redirect("join", code=code)
        message = _("There is no game with the code %(code)s. Check it with your facilitator.")
        return render(
            request, "frontend/home.html", {"code_error": message % {"code": code[:12]}}, status=404
        )
    return render(request, "frontend/home.html")


def session_player(request, game: Game):
    """The seat this browser's session holds in `game`, if it is still seated."""
    token = session_player_token(request.session, game.code)
    return player_authenticate(game_code=game.code, token=token) if token else None


def _game(code: str) -> Game:
    return get_object_or_404(Game, code=code.upper())


@require_http_methods(["GET", "POST"])
def join(request, code: str):
    game = _game(code)
    roles = [{"code": r["code"], "name": r["name"]} for r in game.snapshot["roles"]]
    context = {
        "game": game,
        "roles": roles,
        "team": request.GET.get("team", "").upper(),
        "ended": game.status == Game.Status.ENDED,
    }
    seated = session_player(request, game)
    if seated is not None:
        # One seat per browser: opening the link again leads back to the table, and a second
        # submit must not seat a twin.
        if request.method == "GET":
            return redirect("play", code=game.code)
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
                raise CommandRefused("game_ended", _("This game has ended; there is no seat left."))
            token = player_join(game=game, name=name, role=team)[1]
        except CommandRefused as refused:
            context["error"] = refused.message
            return render(request, "frontend/join.html", context, status=400)
        request.session.cycle_key()  # a session planted before the join must not hold the seat
        session_remember_player(request.session, game.code, token)
        return redirect("play", code=game.code)
    return render(request, "frontend/join.html", context)


def play(request, code: str):
    """The player's table (lobby, rounds, debrief): a shell the socket fills in."""
    game = _game(code)
    player = session_player(request, game)
    if player is None:
        return redirect(f"{reverse('join', args=[game.code])}")
    return render(request, "frontend/play.html", {"game": game, "player": player})


@staff_member_required
def console_list(request):
    games = staff_games(request.user).select_related("scenario").order_by("-created_at")[:200]
    return render(request, "frontend/console_list.html", {"games": games})


def _run_game(request, code: str) -> Game:
    """The game, if this staff user may run it (they created it or were given it)."""
    game = _game(code)
    if not staff_may_run_game(request.user, game):
        raise PermissionDenied(_("You do not run this game; ask its facilitator to add you."))
    return game


@staff_member_required
def console(request, code: str):
    game = _run_game(request, code)
    base = request.build_absolute_uri("/").rstrip("/")
    join_url = base + reverse("join", args=[game.code])
    links = {
        "join": join_url,
        "teams": [
            {"code": role["code"], "name": role["name"], "url": f"{join_url}?team={role['code']}"}
            for role in game.snapshot["roles"]
        ],
        "watch": _watch_url(request, game, "watch"),
        "projector": _watch_url(request, game, "projector"),
    }
    context = {"game": game, "links": links, "strategies": STRATEGIES}
    return render(request, "frontend/console.html", context)


@staff_member_required
@require_http_methods(["POST"])
def console_bots(request, code: str):
    """Seat a bot of the chosen strategy on one team, or on every empty team."""
    game = _run_game(request, code)
    strategy = request.POST.get("strategy", "")
    team = request.POST.get("team", "")
    try:
        if game.status == Game.Status.ENDED:
            raise CommandRefused("game_ended", _("The game has ended; no seat is left to fill."))
        if team == "empty":
            bots = game_fill_empty_seats(game=game, strategy=strategy)
        else:
            bots = [game_seat_bot(game=game, role=team, strategy=strategy)]
    except CommandRefused as refused:
        messages.error(request, refused.message)
    else:
        if bots:
            names = ", ".join(bot.name for bot in bots)
            messages.success(request, _("Seated: %(names)s.") % {"names": names})
        else:
            messages.info(request, _("Every team already has someone: no bot was seated."))
    return redirect("console", code=game.code)


def _watch_url(request, game: Game, mode: str) -> str:
    """The observer (`watch`) or projector link, with the game's current watch key."""
    return request.build_absolute_uri(reverse(mode, args=[game.code])) + f"?key={game.watch_key}"


@staff_member_required
@require_http_methods(["POST"])
def console_watch_key(request, code: str):
    """Replace the watch key: the old observer and projector links stop opening the game."""
    game = _run_game(request, code)
    game_watch_key_rotate(game_id=game.pk)
    messages.success(
        request,
        _(
            "New observer and projector links made: the old ones no longer open the game, and "
            "pages opened with them now say so. Hand out the new links below."
        ),
    )
    return redirect(reverse("console", args=[game.code]) + "#links-title")


@staff_member_required
def watch_qr(request, code: str, mode: str):
    """A QR code (SVG) of the observer or projector link."""
    game = _run_game(request, code)
    return _qr_svg(_watch_url(request, game, mode))


def _qr_svg(url: str) -> HttpResponse:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, title=url)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"  # a replaced key's code must not be shown again
    return response


@staff_member_required
def join_qr(request, code: str):
    """A QR code (SVG) of the join link, or of one team's link with ?team=CODE."""
    game = _run_game(request, code)
    url = request.build_absolute_uri(reverse("join", args=[game.code]))
    team = request.GET.get("team", "").upper()
    if team:
        if team not in {role["code"] for role in game.snapshot["roles"]}:
            raise Http404(_("No such team."))
        url = f"{url}?team={team}"
    return _qr_svg(url)


def _watch_page(request, code: str, mode: str):
    game = _game(code)
    key = request.GET.get("key", "")
    if not watch_key_valid(game, key):
        context = {"game": game, "replaced": watch_key_replaced(game, key)}
        return render(request, "frontend/watch_denied.html", context, status=403)
    context = {"game": game, "key": key, "mode": mode}
    if mode == "projector":
        # The room joins from this screen: the join link, and its QR code drawn in the page.
        url = request.build_absolute_uri(reverse("join", args=[game.code]))
        qr = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True)
        context.update(join_url=url, join_qr=mark_safe(qr))  # paths only: no text of ours
    return render(request, "frontend/watch.html", context)


def watch(request, code: str):
    """The read-only observer view: public information only."""
    return _watch_page(request, code, "watch")


def projector(request, code: str):
    """The room's projector: public information in large type."""
    return _watch_page(request, code, "projector")
