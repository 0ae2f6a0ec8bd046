from __future__ import annotations

from django.urls import path

from . import views

app_name = "raci"

urlpatterns = [
    path("<slug:org_slug>/raci/", views.matrix_list, name="matrix_list"),
    path("<slug:org_slug>/raci/settings/", views.policy, name="policy"),
    path("<slug:org_slug>/raci/projects/<int:project_id>/", views.matrix_page, name="matrix"),
    path("<slug:org_slug>/raci/projects/<int:project_id>/bulk/", views.bulk, name="bulk"),
    path(
        "<slug:org_slug>/raci/projects/<int:project_id>/export.xlsx",
        views.export,
        {"fmt": "xlsx"},
        name="export_xlsx",
    ),
    path(
        "<slug:org_slug>/raci/projects/<int:project_id>/export.csv",
        views.export,
        {"fmt": "csv"},
        name="export_csv",
    ),
    path("<slug:org_slug>/raci/cards/<int:card_id>/cell/", views.cell, name="cell"),
]
