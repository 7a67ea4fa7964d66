from django.urls import path
from django.views.i18n import JavaScriptCatalog

from frontend import views

urlpatterns = [
    path("", views.home, name="home"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("join/<str:code>/", views.join, name="join"),
    path("play/<str:code>/", views.play, name="play"),
    path("console/", views.console_list, name="console-list"),
    path("console/<str:code>/", views.console, name="console"),
    path("console/<str:code>/qr.svg", views.join_qr, name="join-qr"),
    path("watch/<str:code>/", views.watch, name="watch"),
    path("projector/<str:code>/", views.projector, name="projector"),
]
