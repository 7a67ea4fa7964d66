from django.urls import path

from game import api, report_api

urlpatterns = [
    path("games/", api.GameListCreateApi.as_view(), name="game-list"),
    path("games/<str:code>/join", api.GameJoinApi.as_view(), name="game-join"),
    path("games/<str:code>/view", api.GameViewApi.as_view(), name="game-view"),
    path("games/<str:code>/commands", api.GameCommandApi.as_view(), name="game-command"),
    path(
        "games/<str:code>/players/<int:player_id>/move",
        api.PlayerMoveApi.as_view(),
        name="game-player-move",
    ),
    path(
        "games/<str:code>/players/<int:player_id>/remove",
        api.PlayerRemoveApi.as_view(),
        name="game-player-remove",
    ),
    path("games/<str:code>/export", api.GameExportApi.as_view(), name="game-export"),
    path(
        "games/<str:code>/report.<str:fmt>",
        report_api.GameReportApi.as_view(),
        name="game-report-file",
    ),
]
