from django.urls import path

from game import api, converters  # noqa: F401 (registers <gamecode:>)

urlpatterns = [
    path("games/", api.GameListCreateApi.as_view(), name="game-list"),
    path("games/<gamecode:code>/join", api.GameJoinApi.as_view(), name="game-join"),
    path("games/<gamecode:code>/view", api.GameViewApi.as_view(), name="game-view"),
    path("games/<gamecode:code>/commands", api.GameCommandApi.as_view(), name="game-command"),
    path(
        "games/<gamecode:code>/players/<int:player_id>/move",
        api.PlayerMoveApi.as_view(),
        name="game-player-move",
    ),
    path(
        "games/<gamecode:code>/players/<int:player_id>/remove",
        api.PlayerRemoveApi.as_view(),
        name="game-player-remove",
    ),
    path("games/<gamecode:code>/export", api.GameExportApi.as_view(), name="game-export"),
]
