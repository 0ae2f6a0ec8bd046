from __future__ import annotations

from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("new/", views.organization_create, name="organization_create"),
    path("<slug:org_slug>/", views.my_work, name="my_work"),
    path("<slug:org_slug>/overview/", views.dashboard, name="dashboard"),
    path("<slug:org_slug>/settings/", views.organization_settings, name="organization_settings"),
    path(
        "<slug:org_slug>/settings/calendar/",
        views.organization_calendar,
        name="organization_calendar",
    ),
    path(
        "<slug:org_slug>/settings/calendar/days/",
        views.company_day_add,
        name="company_day_add",
    ),
    path(
        "<slug:org_slug>/settings/calendar/days/import/",
        views.company_days_import,
        name="company_days_import",
    ),
    path(
        "<slug:org_slug>/settings/calendar/days/<int:company_day_id>/remove/",
        views.company_day_remove,
        name="company_day_remove",
    ),
    path("<slug:org_slug>/settings/single-sign-on/", views.single_sign_on, name="single_sign_on"),
    path(
        "<slug:org_slug>/settings/single-sign-on/new/",
        views.identity_provider_create,
        name="identity_provider_create",
    ),
    path(
        "<slug:org_slug>/settings/single-sign-on/<int:identity_provider_id>/",
        views.identity_provider_edit,
        name="identity_provider_edit",
    ),
    path(
        "<slug:org_slug>/settings/single-sign-on/<int:identity_provider_id>/remove/",
        views.identity_provider_delete,
        name="identity_provider_delete",
    ),
    path("<slug:org_slug>/teams/", views.team_list, name="team_list"),
    path("<slug:org_slug>/teams/new/", views.team_create, name="team_create"),
    path("<slug:org_slug>/teams/<int:team_id>/", views.team_detail, name="team_detail"),
    path("<slug:org_slug>/teams/<int:team_id>/edit/", views.team_edit, name="team_edit"),
    path("<slug:org_slug>/teams/<int:team_id>/delete/", views.team_delete, name="team_delete"),
    path("<slug:org_slug>/people/", views.people_list, name="people_list"),
    path("<slug:org_slug>/people/suggest/", views.people_suggest, name="people_suggest"),
    path("<slug:org_slug>/people/<int:membership_id>/", views.member_detail, name="member_detail"),
    path(
        "<slug:org_slug>/people/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("<slug:org_slug>/invitations/new/", views.invitation_create, name="invitation_create"),
    path(
        "<slug:org_slug>/invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<slug:org_slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("<slug:org_slug>/projects/", views.project_list, name="project_list"),
    path("<slug:org_slug>/projects/new/", views.project_create, name="project_create"),
    path("<slug:org_slug>/projects/<int:project_id>/", views.project_detail, name="project_detail"),
    path(
        "<slug:org_slug>/projects/<int:project_id>/edit/", views.project_edit, name="project_edit"
    ),
    path(
        "<slug:org_slug>/projects/<int:project_id>/goals/new/",
        views.goal_create,
        name="project_goal_create",
    ),
    path("<slug:org_slug>/goals/", views.goal_tree, name="goal_tree"),
    path("<slug:org_slug>/goals/new/", views.goal_create, name="objective_create"),
    path("<slug:org_slug>/goals/smart-check/", views.goal_smart_check, name="goal_smart_check"),
    path("<slug:org_slug>/goals/<int:goal_id>/", views.goal_detail, name="goal_detail"),
    path("<slug:org_slug>/goals/<int:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path(
        "<slug:org_slug>/goals/<int:goal_id>/activate/", views.goal_activate, name="goal_activate"
    ),
    path("<slug:org_slug>/goals/<int:goal_id>/close/", views.goal_close, name="goal_close"),
    path("<slug:org_slug>/goals/<int:goal_id>/reopen/", views.goal_reopen, name="goal_reopen"),
    path(
        "<slug:org_slug>/goals/<int:goal_id>/check-ins/", views.goal_check_in, name="goal_check_in"
    ),
]
