from __future__ import annotations

from django.urls import path

from . import apis, retrospective_apis

app_name = "metrics_api"

PREFIX = "organizations/<slug:org_slug>/kpis/"

urlpatterns = [
    path(PREFIX, apis.KpiListApi.as_view(), name="kpi_list"),
    path(PREFIX + "<int:kpi_id>/", apis.KpiDetailApi.as_view(), name="kpi_detail"),
    path(
        PREFIX + "<int:kpi_id>/measurements/",
        apis.MeasurementListApi.as_view(),
        name="measurement_list",
    ),
    path(PREFIX + "<int:kpi_id>/series/", apis.SeriesApi.as_view(), name="series"),
    path(
        "organizations/<slug:org_slug>/boards/<int:board_id>/flow/",
        apis.BoardFlowApi.as_view(),
        name="board_flow",
    ),
    path(
        "organizations/<slug:org_slug>/digest/",
        apis.DigestPreviewApi.as_view(),
        name="digest_preview",
    ),
    path(
        "organizations/<slug:org_slug>/projects/<int:project_id>/forecast/",
        apis.ProjectForecastApi.as_view(),
        name="project_forecast",
    ),
    path(
        "organizations/<slug:org_slug>/projects/<int:project_id>/retrospectives/",
        retrospective_apis.ProjectRetrospectiveListApi.as_view(),
        name="project_retrospective_list",
    ),
    path(
        "organizations/<slug:org_slug>/teams/<int:team_id>/retrospectives/",
        retrospective_apis.TeamRetrospectiveListApi.as_view(),
        name="team_retrospective_list",
    ),
    path(
        "organizations/<slug:org_slug>/retrospectives/<int:retro_id>/",
        retrospective_apis.RetrospectiveDetailApi.as_view(),
        name="retrospective_detail",
    ),
]
