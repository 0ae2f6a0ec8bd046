from __future__ import annotations

from django.urls import path

from . import apis

app_name = "search_api"

urlpatterns = [
    path("organizations/<slug:org_slug>/search/", apis.SearchApi.as_view(), name="search"),
]
