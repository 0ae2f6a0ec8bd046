from __future__ import annotations

from django.urls import path

from . import card_section, views

app_name = "intake"

urlpatterns = [
    path(
        "<slug:org_slug>/cards/<int:card_id>/request/wait/",
        card_section.request_wait,
        name="card_wait",
    ),
    path(
        "<slug:org_slug>/cards/<int:card_id>/request/resume/",
        card_section.request_resume,
        name="card_resume",
    ),
    path("<slug:org_slug>/requests/", views.request_list, name="request_list"),
    path("<slug:org_slug>/requests/new/", views.request_new, name="request_new"),
    path("<slug:org_slug>/requests/new/<int:type_id>/", views.request_send, name="request_send"),
    path("<slug:org_slug>/requests/<int:request_id>/", views.request_detail, name="request_detail"),
    path(
        "<slug:org_slug>/requests/<int:request_id>/reply/",
        views.request_reply,
        name="request_reply",
    ),
    path(
        "<slug:org_slug>/requests/<int:request_id>/confirm/",
        views.request_confirm,
        name="request_confirm",
    ),
    path(
        "<slug:org_slug>/requests/<int:request_id>/reopen/",
        views.request_reopen,
        name="request_reopen",
    ),
    path(
        "<slug:org_slug>/requests/<int:request_id>/rate/", views.request_rate, name="request_rate"
    ),
    path("<slug:org_slug>/request-types/", views.type_list, name="type_list"),
    path("<slug:org_slug>/request-types/new/", views.type_create, name="type_create"),
    path("<slug:org_slug>/request-types/<int:type_id>/", views.type_edit, name="type_edit"),
    path("<slug:org_slug>/request-types/<int:type_id>/move/", views.type_shift, name="type_shift"),
    path(
        "<slug:org_slug>/request-types/<int:type_id>/accepting/",
        views.type_accepting,
        name="type_accepting",
    ),
]
