"""Workshop pages (facilitators only): several tables compared, and one bundle of them all.

A facilitator sees, of a workshop, the tables they may see (game.services.access); a
workshop of which they may see none is not theirs (404, as for a game that is not theirs
to read, nothing tells it exists).
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse

from game.models import Workshop
from game.report_views import private_page, with_data_images
from game.reports.files import workshop_bundle
from game.reports.html import data_url
from game.reports.workshop import workshop_comparison
from game.services.access import staff_games
from game.services.export import game_export


def _visible_games(request, pk: int):
    workshop = get_object_or_404(Workshop, pk=pk)
    games = list(
        workshop.games.filter(pk__in=staff_games(request.user).values("pk")).order_by(
            "created_at", "pk"
        )
    )
    if not games and not request.user.is_superuser:
        raise Http404("No such workshop among yours.")
    return workshop, games


def _workshop_documents(games) -> list[dict]:
    return [game_export(game=game) for game in games]


@staff_member_required
@with_data_images
def workshop_page(request, pk: int):
    """Facilitators only: the tables of a workshop side by side."""
    workshop, games = _visible_games(request, pk)
    comparison = workshop_comparison(_workshop_documents(games))
    context = {
        "workshop": workshop,
        "comparison": comparison,
        "charts": [
            {"title": title, "src": data_url(comparison["charts"][name])}
            for name, title in (
                ("alignment", "Coalition alignment A by round, per table"),
                ("effectiveness", "Effectiveness E by round, per table"),
            )
            if name in comparison["charts"]
        ],
        "css_url": static("reports/report.css"),
        "pages_css_url": static("reports/pages.css"),
        "bundle_url": reverse("workshop-bundle", kwargs={"pk": workshop.pk}),
        "report_urls": {
            game.code: reverse("game-report", kwargs={"code": game.code}) for game in games
        },
    }
    return private_page(render_to_string("reports/workshop.html", context, request=request))


@staff_member_required
def workshop_bundle_download(request, pk: int):
    _workshop, games = _visible_games(request, pk)
    documents = _workshop_documents(games)
    content = workshop_bundle(documents=documents, comparison=workshop_comparison(documents))
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="redlines-workshop-{pk}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response
