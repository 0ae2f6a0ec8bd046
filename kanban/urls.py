from __future__ import annotations

from django.urls import path

from . import views

app_name = "kanban"

urlpatterns = [
    path("<slug:org_slug>/boards/", views.board_list, name="board_list"),
    path("<slug:org_slug>/boards/<int:board_id>/", views.board_detail, name="board_detail"),
    path(
        "<slug:org_slug>/boards/<int:board_id>/changes/", views.board_changes, name="board_changes"
    ),
    path(
        "<slug:org_slug>/boards/<int:board_id>/standup/", views.board_standup, name="board_standup"
    ),
    path(
        "<slug:org_slug>/boards/<int:board_id>/columns/", views.board_columns, name="board_columns"
    ),
    path("<slug:org_slug>/boards/<int:board_id>/cards/new/", views.card_create, name="card_create"),
    path(
        "<slug:org_slug>/boards/<int:board_id>/cards/quick/",
        views.card_quick_create,
        name="card_quick_create",
    ),
    path("<slug:org_slug>/columns/<int:column_id>/", views.column_update, name="column_update"),
    path("<slug:org_slug>/cards/<int:card_id>/", views.card_detail, name="card_detail"),
    path("<slug:org_slug>/cards/<int:card_id>/edit/", views.card_edit, name="card_edit"),
    path("<slug:org_slug>/cards/<int:card_id>/move/", views.card_move, name="card_move"),
    path("<slug:org_slug>/cards/<int:card_id>/archive/", views.card_archive, name="card_archive"),
    path("<slug:org_slug>/cards/<int:card_id>/comments/", views.card_comment, name="card_comment"),
    path(
        "<slug:org_slug>/cards/<int:card_id>/checklist/", views.checklist_add, name="checklist_add"
    ),
    path(
        "<slug:org_slug>/cards/<int:card_id>/attachments/",
        views.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "<slug:org_slug>/attachments/<int:attachment_id>/",
        views.attachment_file,
        name="attachment_file",
    ),
    path(
        "<slug:org_slug>/attachments/<int:attachment_id>/preview/",
        views.attachment_preview,
        name="attachment_preview",
    ),
    path(
        "<slug:org_slug>/attachments/<int:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path(
        "<slug:org_slug>/checklist/<int:item_id>/toggle/",
        views.checklist_toggle,
        name="checklist_toggle",
    ),
]
