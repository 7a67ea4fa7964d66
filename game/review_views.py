"""The facilitator's edit page for a game's after-action report: findings, the improvement
plan and debrief notes. A plain form (no script); facilitators (staff) only."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse

from game.models import Game
from game.report_views import private_page
from game.reports.model import report_model
from game.services.access import staff_may_run_game
from game.services.export import game_export
from game.services.reviews import PLAN_FIELDS, ReviewInvalid, review_get, review_update

BLANK_PLAN_ROWS = 3


@staff_member_required
def game_review_edit(request, code: str):
    game = Game.objects.filter(code=code.upper()).first()
    if game is None:
        raise Http404(f"There is no game with code '{code.upper()}'.")
    if not staff_may_run_game(request.user, game):
        return HttpResponseForbidden(
            f"Only a facilitator of game {game.code} edits its review.",
            content_type="text/plain; charset=utf-8",
        )
    report_url = reverse("game-report", kwargs={"code": game.code})
    error = ""
    if request.method == "POST":
        try:
            review_update(game=game, user=request.user, **_posted(request.POST))
        except ReviewInvalid as invalid:
            error = str(invalid)
        else:
            return redirect(report_url + "#findings")
    model = report_model(game_export(game=game), review=review_get(game=game))
    plan = model["improvement_plan"] + [dict.fromkeys(PLAN_FIELDS, "")] * BLANK_PLAN_ROWS
    context = {
        "game": model["game"],
        "scenario": model["scenario"],
        "strengths": "\n".join(item["text"] for item in model["findings"]["strengths"]),
        "improvements": "\n".join(item["text"] for item in model["findings"]["improvements"]),
        "plan": plan,
        "rounds": model["rounds"],
        "error": error,
        "report_url": report_url,
        "css_url": static("reports/report.css"),
        "pages_css_url": static("reports/pages.css"),
    }
    response = private_page(render_to_string("reports/review_edit.html", context, request=request))
    if error:
        response.status_code = 400
    return response


def _posted(data) -> dict:
    rows = []
    index = 0
    while f"plan-{index}-issue" in data:
        rows.append({key: data.get(f"plan-{index}-{key}", "") for key in PLAN_FIELDS})
        index += 1
    notes = {
        key.removeprefix("notes-"): value for key, value in data.items() if key.startswith("notes-")
    }
    return {
        "strengths": data.get("strengths", "").splitlines(),
        "improvements": data.get("improvements", "").splitlines(),
        "plan": rows,
        "debrief_notes": notes,
    }
