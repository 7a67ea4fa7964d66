from django.urls import path
from django.views.i18n import JavaScriptCatalog

from frontend import views
from game import converters  # noqa: F401 (registers <gamecode:>)

urlpatterns = [
    path("", views.home, name="home"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the report).
    path("favicon.ico", views.favicon),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("join/<gamecode:code>/", views.join, name="join"),
    path("play/<gamecode:code>/", views.play, name="play"),
    path("console/", views.console_list, name="console-list"),
    path("console/<gamecode:code>/", views.console, name="console"),
    path("console/<gamecode:code>/qr.svg", views.join_qr, name="join-qr"),
    path("console/<gamecode:code>/bots", views.console_bots, name="console-bots"),
    path("console/<gamecode:code>/watch-key", views.console_watch_key, name="console-watch-key"),
    path(
        "console/<gamecode:code>/watch-qr.svg", views.watch_qr, {"mode": "watch"}, name="watch-qr"
    ),
    path(
        "console/<gamecode:code>/projector-qr.svg",
        views.watch_qr,
        {"mode": "projector"},
        name="projector-qr",
    ),
    path("watch/<gamecode:code>/", views.watch, name="watch"),
    path("projector/<gamecode:code>/", views.projector, name="projector"),
]
