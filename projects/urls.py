from __future__ import annotations

from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("new/", views.organization_create, name="organization_create"),
    path("<slug:org_slug>/", views.dashboard, name="dashboard"),
    path("<slug:org_slug>/settings/", views.organization_settings, name="organization_settings"),
    path("<slug:org_slug>/teams/", views.team_list, name="team_list"),
    path("<slug:org_slug>/teams/new/", views.team_create, name="team_create"),
    path("<slug:org_slug>/teams/<int:team_id>/", views.team_detail, name="team_detail"),
    path("<slug:org_slug>/teams/<int:team_id>/edit/", views.team_edit, name="team_edit"),
    path("<slug:org_slug>/teams/<int:team_id>/delete/", views.team_delete, name="team_delete"),
    path("<slug:org_slug>/people/", views.people_list, name="people_list"),
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
]
