from __future__ import annotations

from django.urls import path

from . import apis

app_name = "raci_api"

urlpatterns = [
    path(
        "organizations/<slug:org_slug>/projects/<int:project_id>/raci/",
        apis.MatrixApi.as_view(),
        name="matrix",
    ),
    path(
        "organizations/<slug:org_slug>/cards/<int:card_id>/raci/",
        apis.CardRolesApi.as_view(),
        name="card_roles",
    ),
]
