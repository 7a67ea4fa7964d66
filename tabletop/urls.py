from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tabletop.health import healthz

admin.site.site_header = "Red Lines — scenario authoring"
admin.site.site_title = "Red Lines admin"
admin.site.index_title = "Scenarios and games"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("scenarios.urls")),
    path("api/", include("game.urls")),
    path("", include("game.report_urls")),
    path("", include("frontend.urls")),
]
