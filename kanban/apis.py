"""JSON API for boards, columns, cards, moves, card history and attachments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opsboard.accounts.models import User
from opsboard.api import WholeBoardPagination
from opsboard.api_lists import ListApi
from opsboard.tenancy.access import require_lead
from opsboard.tenancy.models import Team
from projects.apis import (
    OrganizationMixin,
    OrganizationScopedInput,
    PersonEmail,
    call_service,
    validated,
)
from projects.models import Goal

from . import attachments, selectors, services
from .filters import CardFilter
from .models import Attachment, Board, Card, CardEvent, Column, ColumnKind, Comment, Label, Priority


class ColumnOutput(serializers.ModelSerializer):
    name = serializers.CharField(
        source="display_name",
        read_only=True,
        help_text="As typed, else the name of its kind in the request's language (Accept-Language).",
    )
    builtin_name = serializers.SerializerMethodField(
        help_text="True when nobody typed a name: `name` is the name of its kind."
    )

    class Meta:
        model = Column
        fields = ["id", "name", "builtin_name", "kind", "wip_limit", "wip_hard", "position"]

    def get_builtin_name(self, column: Column) -> bool:
        return not column.name


@extend_schema_field(OpenApiTypes.STR)
class LabelName(serializers.RelatedField):
    """A label by name: in answers the name its reader sees (a built-in label's in the
    request's language), in requests the name as typed or a built-in's in any language."""

    default_error_messages = {
        "does_not_exist": "This board has no label called “{name}”.",
        "incorrect_type": "A label is given by its name.",
    }

    def to_representation(self, label: Label) -> str:
        return label.display_name

    def to_internal_value(self, data: Any) -> Label:
        if not isinstance(data, str):
            self.fail("incorrect_type")
        for label in self.get_queryset():
            if label.is_called(data):
                return label
        self.fail("does_not_exist", name=data)


class BoardOutput(serializers.ModelSerializer):
    columns = serializers.SerializerMethodField()

    class Meta:
        model = Board
        fields = ["id", "name", "project", "revision", "columns"]

    @extend_schema_field(ColumnOutput(many=True))
    def get_columns(self, board: Board) -> list[dict[str, Any]]:
        return ColumnOutput(selectors.open_columns(board), many=True).data


class CardOutput(serializers.ModelSerializer):
    assignee = PersonEmail()
    labels = LabelName(many=True, read_only=True)

    class Meta:
        model = Card
        fields = [
            "id",
            "board",
            "column",
            "title",
            "description",
            "assignee",
            "team",
            "goal",
            "due_date",
            "priority",
            "labels",
            "blocked",
            "blocked_reason",
            "blocked_at",
            "started_at",
            "done_at",
            "created_at",
            "archived_at",
        ]


# Where a row of ``selectors.card_rows`` has its label ids.
LABEL_IDS = selectors.CARD_ROW_FIELDS.index("label_ids")


def card_answers(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """What ``CardOutput`` says of each card, from its row (``selectors.card_rows``): the
    same fields and values, without a serializer field and a model instance per card. The
    labels on the page are read once, in their order (name, then built-in)."""
    # DRF's format for moments, the request's time zone read once rather than per value.
    moment = serializers.DateTimeField(default_timezone=timezone.get_current_timezone())
    shown = moment.to_representation
    # Usually the board's labels; a card may carry another board's (the admin allows it).
    on_page = {label_id for row in rows for label_id in row[LABEL_IDS] or ()}
    named = {
        label.pk: (n, label.display_name)
        for n, label in enumerate(Label.objects.filter(pk__in=on_page))
    }

    return [
        {
            "id": card_id,
            "board": board_id,
            "column": column_id,
            "title": title,
            "description": description,
            "assignee": assignee,
            "team": team_id,
            "goal": goal_id,
            "due_date": due_date and due_date.isoformat(),
            "priority": priority,
            "labels": [name for _n, name in sorted(named[i] for i in label_ids or ())],
            "blocked": blocked,
            "blocked_reason": blocked_reason,
            "blocked_at": shown(blocked_at),
            "started_at": shown(started_at),
            "done_at": shown(done_at),
            "created_at": shown(created_at),
            "archived_at": shown(archived_at),
        }
        for (
            card_id,
            board_id,
            column_id,
            title,
            description,
            assignee,
            team_id,
            goal_id,
            due_date,
            priority,
            label_ids,
            blocked,
            blocked_reason,
            blocked_at,
            started_at,
            done_at,
            created_at,
            archived_at,
        ) in rows
    ]


class CardInputSerializer(OrganizationScopedInput):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    column = serializers.PrimaryKeyRelatedField(
        queryset=Column.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="New cards only; defaults to the first column.",
    )
    assignee = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True, default=None
    )
    goal = serializers.PrimaryKeyRelatedField(
        queryset=Goal.objects.all(), required=False, allow_null=True, default=None
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    labels = LabelName(many=True, queryset=Label.objects.none(), required=False, default=list)
    blocked = serializers.BooleanField(default=False)
    blocked_reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )

    def __init__(self, *args: Any, board: Board | None = None, **kwargs: Any) -> None:
        super().__init__(*args, organization=board.organization if board else None, **kwargs)
        if board is not None:
            self.fields["column"].queryset = selectors.open_columns(board)
            self.fields["labels"].child_relation.queryset = board.labels.all()

    def card_input(self) -> services.CardInput:
        data = self.validated_data
        return services.CardInput(**{name: data[name] for name in services.CARD_INPUT_FIELDS})


class MoveInput(serializers.Serializer):
    column = serializers.IntegerField()
    after = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="the card it goes below"
    )
    before = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="the card it goes above"
    )


class MoveOutput(serializers.Serializer):
    card = CardOutput()
    warning = serializers.CharField(
        allow_null=True, help_text="Set when a soft WIP limit is passed."
    )


class ColumnInput(serializers.Serializer):
    name = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="Empty, or the name of its kind in any language: the kind's name, in each reader's language.",
    )
    kind = serializers.ChoiceField(choices=ColumnKind.choices)
    wip_limit = serializers.IntegerField(
        min_value=1, max_value=999, required=False, allow_null=True, default=None
    )
    wip_hard = serializers.BooleanField(default=False)


class CardEventOutput(serializers.ModelSerializer):
    actor = PersonEmail()

    class Meta:
        model = CardEvent
        fields = [
            "id",
            "kind",
            "actor",
            "at",
            "from_column",
            "to_column",
            "from_kind",
            "to_kind",
            "old_value",
            "new_value",
        ]


class BoardListApi(OrganizationMixin, ListApi):
    @extend_schema(responses=BoardOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        return self.list_response(
            selectors.boards_for_organization(organization=membership.organization), BoardOutput
        )


class BoardDetailApi(OrganizationMixin, APIView):
    @extend_schema(responses=BoardOutput)
    def get(self, request: Request, org_slug: str, board_id: int) -> Response:
        board = selectors.board_get_for_user(
            membership=self.membership(request, org_slug), board_id=board_id
        )
        return Response(BoardOutput(board).data)


class ColumnListApi(OrganizationMixin, APIView):
    @extend_schema(request=ColumnInput, responses={201: ColumnOutput})
    def post(self, request: Request, org_slug: str, board_id: int) -> Response:
        membership = self.membership(request, org_slug)
        board = selectors.board_get_for_user(membership=membership, board_id=board_id)
        require_lead(membership)
        column = call_service(
            services.column_create,
            actor=membership,
            board=board,
            **validated(ColumnInput(data=request.data)),
        )
        return Response(ColumnOutput(column).data, status=status.HTTP_201_CREATED)


class ColumnDetailApi(OrganizationMixin, APIView):
    @extend_schema(request=ColumnInput, responses=ColumnOutput)
    def patch(self, request: Request, org_slug: str, column_id: int) -> Response:
        membership = self.membership(request, org_slug)
        column = selectors.column_get_for_user(membership=membership, column_id=column_id)
        require_lead(membership)
        current = {
            "name": column.name,
            "kind": column.kind,
            "wip_limit": column.wip_limit,
            "wip_hard": column.wip_hard,
        }
        data = validated(ColumnInput(data={**current, **request.data}))
        column = call_service(services.column_update, actor=membership, column=column, **data)
        return Response(ColumnOutput(column).data)


class CardListApi(OrganizationMixin, ListApi):
    filterset_class = CardFilter
    pagination_class = WholeBoardPagination

    @extend_schema(
        responses=CardOutput(many=True),
        description="The board's open cards (or its archived ones), as the board page filters them.",
    )
    def get(self, request: Request, org_slug: str, board_id: int) -> Response:
        board = selectors.board_get_for_user(
            membership=self.membership(request, org_slug), board_id=board_id
        )
        cards = selectors.card_rows(board.cards.order_by("column__position", "rank"))
        return self.list_response(cards, card_answers, board=board)

    @extend_schema(request=CardInputSerializer, responses={201: CardOutput})
    def post(self, request: Request, org_slug: str, board_id: int) -> Response:
        membership = self.membership(request, org_slug)
        board = selectors.board_get_for_user(membership=membership, board_id=board_id)
        payload = CardInputSerializer(data=request.data, board=board)
        validated(payload)
        card = call_service(
            services.card_create,
            actor=membership,
            board=board,
            column=payload.validated_data["column"],
            data=payload.card_input(),
        )
        return Response(CardOutput(card).data, status=status.HTTP_201_CREATED)


class CardDetailApi(OrganizationMixin, APIView):
    @extend_schema(responses=CardOutput)
    def get(self, request: Request, org_slug: str, card_id: int) -> Response:
        card = selectors.card_get_for_user(
            membership=self.membership(request, org_slug), card_id=card_id
        )
        return Response(CardOutput(card).data)

    @extend_schema(request=CardInputSerializer, responses=CardOutput)
    def patch(self, request: Request, org_slug: str, card_id: int) -> Response:
        membership = self.membership(request, org_slug)
        card = selectors.card_get_for_user(membership=membership, card_id=card_id)
        current = CardInputSerializer(
            {
                **{
                    name: getattr(card, name)
                    for name in services.CARD_INPUT_FIELDS
                    if name != "labels"
                },
                "labels": card.labels.all(),
            },
            board=card.board,
        ).data
        payload = CardInputSerializer(data={**current, **request.data}, board=card.board)
        validated(payload)
        card = call_service(
            services.card_update, actor=membership, card=card, data=payload.card_input()
        )
        return Response(CardOutput(card).data)


class CardMoveApi(OrganizationMixin, APIView):
    @extend_schema(
        request=MoveInput,
        responses={200: MoveOutput},
        description=(
            "Move a card into a column, below `after` and above `before`. Neighbours that moved "
            "meanwhile are ignored. 400 when a hard WIP limit is full; 404 for a column of another board."
        ),
    )
    def post(self, request: Request, org_slug: str, card_id: int) -> Response:
        membership = self.membership(request, org_slug)
        card = selectors.card_get_for_user(membership=membership, card_id=card_id)
        data = validated(MoveInput(data=request.data))
        # A column of another board, or of another organisation, is not found.
        column = get_object_or_404(card.board.columns.open(), pk=data["column"])
        result = call_service(
            services.card_move,
            actor=membership,
            card=card,
            column=column,
            after_card_id=data["after"],
            before_card_id=data["before"],
        )
        return Response(MoveOutput({"card": result.card, "warning": result.warning}).data)


class CardEventListApi(OrganizationMixin, ListApi):
    @extend_schema(responses=CardEventOutput(many=True))
    def get(self, request: Request, org_slug: str, card_id: int) -> Response:
        card = selectors.card_get_for_user(
            membership=self.membership(request, org_slug), card_id=card_id
        )
        return self.list_response(selectors.card_history(card=card), CardEventOutput)


# Attachments -----------------------------------------------------------------


class AttachmentOutput(serializers.ModelSerializer):
    uploaded_by = PersonEmail()
    content_url = serializers.SerializerMethodField(
        help_text="Where the file's bytes are, for the same credentials (`Content-Disposition` names it)."
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "card",
            "comment",
            "name",
            "size",
            "content_type",
            "width",
            "height",
            "uploaded_by",
            "created_at",
            "content_url",
        ]
        extra_kwargs = {
            "name": {"help_text": "As it was uploaded, cleaned: no path, no control characters."},
            "size": {"help_text": "In bytes."},
            "content_type": {"help_text": "Told from the content, not from the name."},
            "width": {"help_text": "Images only: in pixels."},
            "height": {"help_text": "Images only: in pixels."},
        }

    def get_content_url(self, attachment: Attachment) -> str:
        return reverse(
            "kanban_api:attachment_content",
            kwargs={
                "org_slug": self.context["org_slug"],
                "attachment_id": attachment.pk,
            },
        )


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        use_url=False,
        help_text=(
            "One file, sent as multipart/form-data: an image (PNG, JPEG, GIF, WebP), a PDF, an "
            "office document, a text or CSV file, or a zip archive, within the size limit and "
            "the organisation's quota."
        ),
    )
    comment = serializers.PrimaryKeyRelatedField(
        queryset=Comment.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="A comment of the card the file belongs to; none: the card's own.",
    )

    def __init__(self, *args: Any, card: Card | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if card is not None:
            self.fields["comment"].queryset = card.comments.all()


class SizeLimitedUploads:
    """Puts the per-file size limit in front of the request's upload handlers before DRF
    reads the body (``kanban.attachments.limit_uploads``)."""

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        self.upload_limit = attachments.limit_uploads(request)
        return super().initialize_request(request, *args, **kwargs)  # type: ignore[misc]


class AttachmentListApi(SizeLimitedUploads, OrganizationMixin, ListApi):
    @extend_schema(
        responses=AttachmentOutput(many=True),
        description="The card's files and its comments' files, oldest first.",
    )
    def get(self, request: Request, org_slug: str, card_id: int) -> Response:
        card = selectors.card_get_for_user(
            membership=self.membership(request, org_slug), card_id=card_id
        )
        page = self.paginate_queryset(selectors.attachments_for_card(card=card))
        answer = AttachmentOutput(page, many=True, context={"org_slug": org_slug})
        return self.get_paginated_response(answer.data)

    @extend_schema(
        request={"multipart/form-data": AttachmentInput},
        responses={201: AttachmentOutput},
        description=(
            "Attach a file to the card, or to one of its comments. 400, saying why, for a file "
            "over the size limit, an empty one, one whose content is not a kind kept (whatever "
            "its name says), one over the organisation's quota, or an archived card."
        ),
    )
    def post(self, request: Request, org_slug: str, card_id: int) -> Response:
        membership = self.membership(request, org_slug)
        card = selectors.card_get_for_user(membership=membership, card_id=card_id)
        payload = AttachmentInput(data=request.data, card=card)  # the body is read here
        if self.upload_limit.too_large:
            raise serializers.ValidationError(
                {"file": [attachments.too_large_message(self.upload_limit.too_large[0])]}
            )
        data = validated(payload)
        (attachment,) = call_service(
            services.attachment_add,
            actor=membership,
            card=card,
            files=[data["file"]],
            comment=data["comment"],
        )
        answer = AttachmentOutput(attachment, context={"org_slug": org_slug})
        return Response(answer.data, status=status.HTTP_201_CREATED)


class AttachmentDetailApi(OrganizationMixin, APIView):
    @extend_schema(responses=AttachmentOutput)
    def get(self, request: Request, org_slug: str, attachment_id: int) -> Response:
        attachment = selectors.attachment_get_for_user(
            membership=self.membership(request, org_slug), attachment_id=attachment_id
        )
        return Response(AttachmentOutput(attachment, context={"org_slug": org_slug}).data)

    @extend_schema(
        responses={204: None},
        description="Remove the file; the card's history keeps its name.",
    )
    def delete(self, request: Request, org_slug: str, attachment_id: int) -> Response:
        membership = self.membership(request, org_slug)
        attachment = selectors.attachment_get_for_user(
            membership=membership, attachment_id=attachment_id
        )
        call_service(services.attachment_delete, actor=membership, attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentContentApi(OrganizationMixin, APIView):
    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file's bytes, as a download under its name; `Content-Type` is its kind.",
            )
        },
    )
    def get(self, request: Request, org_slug: str, attachment_id: int) -> Any:
        attachment = selectors.attachment_get_for_user(
            membership=self.membership(request, org_slug), attachment_id=attachment_id
        )
        return attachments.file_response(
            file=attachment.file,
            name=attachment.name,
            content_type=attachment.content_type,
            inline=False,
        )
