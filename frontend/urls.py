from django.urls import path

from frontend import views
from game import converters  # noqa: F401 (registers <gamecode:>)

urlpatterns = [
    path("", views.home, name="home"),
    path("join/<gamecode:code>/", views.join, name="join"),
]
