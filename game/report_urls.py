"""Pages of the after-action review (outside /api/)."""

from django.urls import path

from game import converters, report_views, review_views, workshop_views  # noqa: F401 (converters: <gamecode:>)

urlpatterns = [
    path("games/<gamecode:code>/report/", report_views.game_report_page, name="game-report"),
    path(
        "games/<gamecode:code>/report/edit/", review_views.game_review_edit, name="game-review-edit"
    ),
    path("games/<gamecode:code>/replay/", report_views.game_replay_page, name="game-replay"),
    path("workshops/<int:pk>/", workshop_views.workshop_page, name="workshop"),
    path(
        "workshops/<int:pk>/export.zip",
        workshop_views.workshop_bundle_download,
        name="workshop-bundle",
    ),
]
