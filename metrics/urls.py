from __future__ import annotations

from django.urls import path

from . import retrospective_views, views

app_name = "metrics"

urlpatterns = [
    path("<slug:org_slug>/kpis/", views.dashboard, name="dashboard"),
    path("<slug:org_slug>/kpis/new/", views.kpi_create, name="kpi_create"),
    path("<slug:org_slug>/kpis/import/", views.kpi_import, name="kpi_import"),
    path("<slug:org_slug>/kpis/teams/", views.team_comparison, name="team_comparison"),
    path("<slug:org_slug>/kpis/digest/", views.digest_preview, name="digest_preview"),
    path("<slug:org_slug>/pulse/", views.pulse, name="pulse"),
    path("<slug:org_slug>/kpis/<int:kpi_id>/", views.kpi_detail, name="kpi_detail"),
    path("<slug:org_slug>/boards/<int:board_id>/flow/", views.board_flow, name="board_flow"),
    path(
        "<slug:org_slug>/boards/<int:board_id>/flow/map.svg",
        views.board_flow_map_svg,
        name="board_flow_map_svg",
    ),
    path(
        "<slug:org_slug>/boards/<int:board_id>/flow/map.png",
        views.board_flow_map_png,
        name="board_flow_map_png",
    ),
    path(
        "<slug:org_slug>/boards/<int:board_id>/flow/flow.csv",
        views.board_flow_csv,
        name="board_flow_csv",
    ),
    path("<slug:org_slug>/kpis/<int:kpi_id>/edit/", views.kpi_edit, name="kpi_edit"),
    path("<slug:org_slug>/kpis/<int:kpi_id>/record/", views.kpi_record, name="kpi_record"),
]

urlpatterns += [
    path(
        "<slug:org_slug>/projects/<int:project_id>/retrospectives/",
        retrospective_views.retrospective_list,
        name="retrospective_list",
    ),
    path(
        "<slug:org_slug>/teams/<int:team_id>/retrospectives/",
        retrospective_views.team_retrospective_list,
        name="team_retrospective_list",
    ),
    path(
        "<slug:org_slug>/retrospectives/<int:retro_id>/",
        retrospective_views.retrospective_detail,
        name="retrospective_detail",
    ),
    path(
        "<slug:org_slug>/retrospectives/<int:retro_id>/review/",
        retrospective_views.retrospective_edit,
        name="retrospective_edit",
    ),
    path(
        "<slug:org_slug>/retrospectives/<int:retro_id>/actions/",
        retrospective_views.retrospective_action_add,
        name="retrospective_action_add",
    ),
    path(
        "<slug:org_slug>/retrospectives/<int:retro_id>/finalise/",
        retrospective_views.retrospective_finalise,
        name="retrospective_finalise",
    ),
    path(
        "<slug:org_slug>/retrospectives/<int:retro_id>/rebuild/",
        retrospective_views.retrospective_rebuild,
        name="retrospective_rebuild",
    ),
]
