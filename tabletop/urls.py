from django.contrib import admin
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tabletop.health import healthz

admin.site.site_header = "Red Lines — scenario authoring"
admin.site.site_title = "Red Lines admin"
admin.site.index_title = "Scenarios and games"

# Swagger UI: its start-up script is served as a file (the split view), so scripts stay
# 'self'; it styles elements inline and draws icons from data: URLs, which only this page allows.
api_docs = csp_override(
    {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF],
        "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
        "img-src": [CSP.SELF, "data:"],
        "object-src": [CSP.NONE],
        "frame-ancestors": [CSP.NONE],
    }
)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/", include("scenarios.urls")),
    path("api/", include("game.urls")),
    path("", include("game.report_urls")),
    path("", include("frontend.urls")),
]

# A lost database is a 503 (JSON under /api/), not a 500 (tabletop.dbdown).
handler500 = "tabletop.dbdown.server_error"
