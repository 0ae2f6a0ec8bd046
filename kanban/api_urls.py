from __future__ import annotations

from django.urls import path

from . import apis

app_name = "kanban_api"

PREFIX = "organizations/<slug:org_slug>/"

urlpatterns = [
    path(PREFIX + "boards/", apis.BoardListApi.as_view(), name="board_list"),
    path(PREFIX + "boards/<int:board_id>/", apis.BoardDetailApi.as_view(), name="board_detail"),
    path(
        PREFIX + "boards/<int:board_id>/columns/", apis.ColumnListApi.as_view(), name="column_list"
    ),
    path(PREFIX + "boards/<int:board_id>/cards/", apis.CardListApi.as_view(), name="card_list"),
    path(PREFIX + "columns/<int:column_id>/", apis.ColumnDetailApi.as_view(), name="column_detail"),
    path(PREFIX + "cards/<int:card_id>/", apis.CardDetailApi.as_view(), name="card_detail"),
    path(PREFIX + "cards/<int:card_id>/move/", apis.CardMoveApi.as_view(), name="card_move"),
    path(
        PREFIX + "cards/<int:card_id>/events/", apis.CardEventListApi.as_view(), name="card_events"
    ),
    path(
        PREFIX + "cards/<int:card_id>/attachments/",
        apis.AttachmentListApi.as_view(),
        name="attachment_list",
    ),
    path(
        PREFIX + "attachments/<int:attachment_id>/",
        apis.AttachmentDetailApi.as_view(),
        name="attachment_detail",
    ),
    path(
        PREFIX + "attachments/<int:attachment_id>/content/",
        apis.AttachmentContentApi.as_view(),
        name="attachment_content",
    ),
]
