"""Workshop pages (facilitators only): several tables compared, and one bundle of them all."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse

from game.models import Workshop
from game.report_views import private_page
from game.reports.files import workshop_bundle
from game.reports.html import data_url
from game.reports.workshop import workshop_comparison
from game.services.export import game_export


def _workshop_documents(workshop: Workshop) -> list[dict]:
    return [game_export(game=game) for game in workshop.games.order_by("created_at", "pk")]


@staff_member_required
def workshop_page(request, pk: int):
    """Facilitators only: the tables of a workshop side by side."""
    workshop = get_object_or_404(Workshop, pk=pk)
    comparison = workshop_comparison(_workshop_documents(workshop))
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
            game.code: reverse("game-report", kwargs={"code": game.code})
            for game in workshop.games.all()
        },
    }
    return private_page(render_to_string("reports/workshop.html", context, request=request))


@staff_member_required
def workshop_bundle_download(request, pk: int):
    workshop = get_object_or_404(Workshop, pk=pk)
    documents = _workshop_documents(workshop)
    content = workshop_bundle(documents=documents, comparison=workshop_comparison(documents))
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="redlines-workshop-{pk}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response
