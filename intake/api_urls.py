from __future__ import annotations

from django.urls import path

from . import apis

app_name = "intake_api"

urlpatterns = [
    path(
        "organizations/<slug:org_slug>/request-types/",
        apis.RequestTypeListApi.as_view(),
        name="type_list",
    ),
    path(
        "organizations/<slug:org_slug>/request-types/<int:type_id>/",
        apis.RequestTypeDetailApi.as_view(),
        name="type_detail",
    ),
    path(
        "organizations/<slug:org_slug>/requests/",
        apis.RequestListApi.as_view(),
        name="request_list",
    ),
    path(
        "organizations/<slug:org_slug>/requests/<int:request_id>/",
        apis.RequestDetailApi.as_view(),
        name="request_detail",
    ),
    path(
        "organizations/<slug:org_slug>/requests/<int:request_id>/confirm/",
        apis.RequestConfirmApi.as_view(),
        name="request_confirm",
    ),
    path(
        "organizations/<slug:org_slug>/requests/<int:request_id>/reopen/",
        apis.RequestReopenApi.as_view(),
        name="request_reopen",
    ),
    path(
        "organizations/<slug:org_slug>/requests/<int:request_id>/rating/",
        apis.RequestRatingApi.as_view(),
        name="request_rating",
    ),
    path(
        "organizations/<slug:org_slug>/request-ratings/",
        apis.RatingListApi.as_view(),
        name="rating_list",
    ),
]
