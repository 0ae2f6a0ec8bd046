from __future__ import annotations

from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("<slug:org_slug>/search/", views.search, name="search"),
]
