from __future__ import annotations

from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/settings/", views.preferences, name="preferences"),
    path("notifications/digest/", views.digest_subscription, name="digest_subscription"),
    path(
        "notifications/digest/<str:token>/",
        views.digest_unsubscribe,
        name="digest_unsubscribe",
    ),
    # An organisation's chat groups, under its address as its other pages.
    path("o/<slug:org_slug>/chat-groups/", views.chat_group_list, name="chat_group_list"),
    path("o/<slug:org_slug>/chat-groups/new/", views.chat_group_create, name="chat_group_create"),
    path(
        "o/<slug:org_slug>/chat-groups/<int:webhook_id>/",
        views.chat_group_edit,
        name="chat_group_edit",
    ),
    path(
        "o/<slug:org_slug>/chat-groups/<int:webhook_id>/delete/",
        views.chat_group_delete,
        name="chat_group_delete",
    ),
    path(
        "o/<slug:org_slug>/chat-groups/<int:webhook_id>/test/",
        views.chat_group_test,
        name="chat_group_test",
    ),
    path("o/<slug:org_slug>/apps/new/", views.connected_app_create, name="connected_app_create"),
    path(
        "o/<slug:org_slug>/apps/<int:app_id>/", views.connected_app_edit, name="connected_app_edit"
    ),
    path(
        "o/<slug:org_slug>/apps/<int:app_id>/delete/",
        views.connected_app_delete,
        name="connected_app_delete",
    ),
    path(
        "o/<slug:org_slug>/apps/<int:app_id>/test/",
        views.connected_app_test,
        name="connected_app_test",
    ),
]
