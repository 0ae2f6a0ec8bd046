from __future__ import annotations

from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("<slug:org_slug>/kpis/", views.dashboard, name="dashboard"),
    path("<slug:org_slug>/kpis/new/", views.kpi_create, name="kpi_create"),
    path("<slug:org_slug>/kpis/import/", views.kpi_import, name="kpi_import"),
    path("<slug:org_slug>/kpis/teams/", views.team_comparison, name="team_comparison"),
    path("<slug:org_slug>/kpis/digest/", views.digest_preview, name="digest_preview"),
    path("<slug:org_slug>/pulse/", views.pulse, name="pulse"),
    path("<slug:org_slug>/kpis/<int:kpi_id>/", views.kpi_detail, name="kpi_detail"),
    path("<slug:org_slug>/kpis/<int:kpi_id>/edit/", views.kpi_edit, name="kpi_edit"),
    path("<slug:org_slug>/kpis/<int:kpi_id>/record/", views.kpi_record, name="kpi_record"),
]
