from __future__ import annotations

from django.urls import path

from . import apis

app_name = "api"

urlpatterns = [
    path("organizations/", apis.OrganizationListApi.as_view(), name="organization_list"),
    path("organizations/<slug:org_slug>/teams/", apis.TeamListApi.as_view(), name="team_list"),
    path(
        "organizations/<slug:org_slug>/teams/<int:team_id>/",
        apis.TeamDetailApi.as_view(),
        name="team_detail",
    ),
    path(
        "organizations/<slug:org_slug>/members/", apis.MemberListApi.as_view(), name="member_list"
    ),
    path(
        "organizations/<slug:org_slug>/members/<int:membership_id>/",
        apis.MemberDetailApi.as_view(),
        name="member_detail",
    ),
]
