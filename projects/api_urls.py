from __future__ import annotations

from django.urls import path

from . import apis

app_name = "api"

urlpatterns = [
    path("organizations/", apis.OrganizationListApi.as_view(), name="organization_list"),
    path("organizations/<slug:org_slug>/teams/", apis.TeamListApi.as_view(), name="team_list"),
    path("organizations/<slug:org_slug>/my-work/", apis.MyWorkApi.as_view(), name="my_work"),
    path("organizations/<slug:org_slug>/calendar/", apis.CalendarApi.as_view(), name="calendar"),
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
    path(
        "organizations/<slug:org_slug>/projects/",
        apis.ProjectListApi.as_view(),
        name="project_list",
    ),
    path(
        "organizations/<slug:org_slug>/projects/<int:project_id>/",
        apis.ProjectDetailApi.as_view(),
        name="project_detail",
    ),
    path("organizations/<slug:org_slug>/goals/", apis.GoalListApi.as_view(), name="goal_list"),
    path(
        "organizations/<slug:org_slug>/goals/<int:goal_id>/",
        apis.GoalDetailApi.as_view(),
        name="goal_detail",
    ),
    path(
        "organizations/<slug:org_slug>/goals/<int:goal_id>/activate/",
        apis.GoalActivateApi.as_view(),
        name="goal_activate",
    ),
    path(
        "organizations/<slug:org_slug>/goals/<int:goal_id>/close/",
        apis.GoalCloseApi.as_view(),
        name="goal_close",
    ),
    path(
        "organizations/<slug:org_slug>/goals/<int:goal_id>/reopen/",
        apis.GoalReopenApi.as_view(),
        name="goal_reopen",
    ),
    path(
        "organizations/<slug:org_slug>/goals/<int:goal_id>/check-ins/",
        apis.CheckInListApi.as_view(),
        name="check_in_list",
    ),
]
