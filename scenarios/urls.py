from django.urls import path

from scenarios import apis

urlpatterns = [
    path("scenarios/", apis.ScenarioListApi.as_view(), name="scenario-list"),
    path("scenarios/import", apis.ScenarioImportApi.as_view(), name="scenario-import"),
    path("scenarios/<slug:slug>/", apis.ScenarioDetailApi.as_view(), name="scenario-detail"),
    path("scenarios/<slug:slug>/export", apis.ScenarioExportApi.as_view(), name="scenario-export"),
    path(
        "scenarios/<slug:slug>/analysis",
        apis.ScenarioAnalysisApi.as_view(),
        name="scenario-analysis",
    ),
]
