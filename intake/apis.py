"""JSON API for requests: request types (read by members; set up by the team's lead and the
organisation's owners and ops managers), requests (mine and my teams'; sending one; its
confirmation, reopening and rating) and ratings, over the same services and selectors as
the pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request as ApiRequest
from rest_framework.response import Response
from rest_framework.views import APIView

from kanban import attachments
from kanban.apis import SizeLimitedUploads
from kanban.models import Board, Column, Priority
from opsboard.accounts.models import User
from opsboard.api_lists import ListApi
from opsboard.tenancy.models import Membership, Team
from projects.apis import OrganizationMixin, call_service, validated

from . import selectors, services
from .models import FieldKind, Request, RequestState, RequestType


class QuestionOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=FieldKind.choices)
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField())
    help_text = serializers.CharField()
    key = serializers.SerializerMethodField(help_text="Its answer's name when sending a request.")

    def get_key(self, question: Any) -> str:
        return services.field_key(question)


class RequestTypeOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team.name")
    name = serializers.CharField()
    description = serializers.CharField()
    board = serializers.IntegerField(source="board_id")
    column = serializers.IntegerField(source="column_id")
    priority = serializers.ChoiceField(choices=Priority.choices)
    first_response_minutes = serializers.IntegerField(
        allow_null=True, help_text="Working minutes; null: no target."
    )
    plan_minutes = serializers.IntegerField(allow_null=True)
    resolution_minutes = serializers.IntegerField(allow_null=True)
    responsible = serializers.EmailField(source="responsible.email", allow_null=True)
    accountable = serializers.EmailField(source="accountable.email", allow_null=True)
    accepting = serializers.BooleanField()
    position = serializers.IntegerField()
    fields = QuestionOutput(many=True, source="fields.all")


class QuestionInput(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="An existing question to keep."
    )
    label = serializers.CharField(max_length=100, allow_blank=True)
    kind = serializers.ChoiceField(choices=FieldKind.choices)
    required = serializers.BooleanField(default=False)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list
    )
    help_text = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class RequestTypeInputSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    board = serializers.IntegerField()
    column = serializers.IntegerField()
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    first_response_minutes = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None
    )
    plan_minutes = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None
    )
    resolution_minutes = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None
    )
    responsible = serializers.EmailField(required=False, allow_null=True, default=None)
    accountable = serializers.EmailField(required=False, allow_null=True, default=None)
    accepting = serializers.BooleanField(default=True)
    fields = QuestionInput(
        many=True, required=False, help_text="The whole form, in order; omitted: unchanged."
    )


def _type_input(membership: Membership, data: dict[str, Any]) -> services.RequestTypeInput:
    """The ids and emails of the request resolved inside the organisation (400 otherwise)."""
    organization_id = membership.organization_id
    team = Team.objects.filter(pk=data["team"], organization_id=organization_id).first()
    board = (
        Board.objects.select_related("project")
        .filter(pk=data["board"], organization_id=organization_id)
        .first()
    )
    column = Column.objects.filter(
        pk=data["column"], board__organization_id=organization_id
    ).first()
    errors: dict[str, list[str]] = {}
    if team is None:
        errors["team"] = [_("Choose teams of this organisation.")]
    if board is None:
        errors["board"] = [_("Choose a board of a project the team takes part in.")]
    if column is None:
        errors["column"] = [_("Choose a column of this board.")]
    people: dict[str, User | None] = {}
    for role in ("responsible", "accountable"):
        email = data.get(role)
        people[role] = (
            User.objects.filter(
                email__iexact=email, memberships__organization_id=organization_id
            ).first()
            if email
            else None
        )
        if email and people[role] is None:
            errors[role] = [_("Choose a member of this organisation.")]
    if errors:
        raise serializers.ValidationError(errors)
    return services.RequestTypeInput(
        team=team,
        name=data["name"],
        board=board,
        column=column,
        responsible=people["responsible"],
        accountable=people["accountable"],
        **{name: data[name] for name in services.TYPE_VALUES},
    )


def _questions(data: dict[str, Any]) -> list[services.FieldInput] | None:
    if "fields" not in data:
        return None
    return [services.FieldInput(**question) for question in data["fields"]]


def _type_answer(membership: Membership, type_id: int, code: int = status.HTTP_200_OK) -> Response:
    request_type = selectors.request_type_get_for_user(membership=membership, type_id=type_id)
    return Response(RequestTypeOutput(request_type).data, status=code)


class RequestTypeListApi(OrganizationMixin, ListApi):
    @extend_schema(
        responses=RequestTypeOutput(many=True),
        description="Every request type of the organisation, by team and in each team's order.",
    )
    def get(self, request: ApiRequest, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        types = selectors.request_types_for_organization(membership=membership)
        return self.list_response(types, RequestTypeOutput)

    @extend_schema(request=RequestTypeInputSerializer, responses={201: RequestTypeOutput})
    def post(self, request: ApiRequest, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        data = validated(RequestTypeInputSerializer(data=request.data))
        request_type = call_service(
            services.request_type_create,
            actor=membership,
            data=_type_input(membership, data),
            fields=_questions(data) or [],
        )
        return _type_answer(membership, request_type.pk, status.HTTP_201_CREATED)


class RequestTypeDetailApi(OrganizationMixin, APIView):
    @extend_schema(responses=RequestTypeOutput)
    def get(self, request: ApiRequest, org_slug: str, type_id: int) -> Response:
        return _type_answer(self.membership(request, org_slug), type_id)

    @extend_schema(
        request=RequestTypeInputSerializer,
        responses=RequestTypeOutput,
        description="Change what is given; the form's questions only when `fields` is given.",
    )
    def patch(self, request: ApiRequest, org_slug: str, type_id: int) -> Response:
        membership = self.membership(request, org_slug)
        request_type = selectors.request_type_get_for_user(membership=membership, type_id=type_id)
        current = {
            "team": request_type.team_id,
            "name": request_type.name,
            "description": request_type.description,
            "board": request_type.board_id,
            "column": request_type.column_id,
            "priority": request_type.priority,
            "first_response_minutes": request_type.first_response_minutes,
            "plan_minutes": request_type.plan_minutes,
            "resolution_minutes": request_type.resolution_minutes,
            "responsible": request_type.responsible.email if request_type.responsible else None,
            "accountable": request_type.accountable.email if request_type.accountable else None,
            "accepting": request_type.accepting,
        }
        data = validated(RequestTypeInputSerializer(data={**current, **request.data}))
        call_service(
            services.request_type_update,
            actor=membership,
            request_type=request_type,
            data=_type_input(membership, data),
            fields=_questions(data),
        )
        return _type_answer(membership, type_id)


class RatingOutput(serializers.Serializer):
    request = serializers.IntegerField(source="request_id")
    score = serializers.IntegerField()
    comment = serializers.CharField()
    rated_by = serializers.EmailField(source="rated_by.email", allow_null=True)
    rated_at = serializers.DateTimeField()


class RequestOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    request_type = serializers.IntegerField(source="request_type_id")
    type_name = serializers.CharField(source="request_type.name")
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team.name")
    card = serializers.IntegerField(source="card_id")
    title = serializers.CharField(source="card.title")
    requester = serializers.EmailField(source="requester.email", allow_null=True)
    answers = serializers.DictField(
        help_text="By question id: text, a number, an ISO date, an option, or a file's id."
    )
    state = serializers.ChoiceField(choices=RequestState.choices)
    submitted_at = serializers.DateTimeField()
    waiting_since = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    reopened = serializers.IntegerField()


class RequestDetailOutput(RequestOutput):
    rating = serializers.SerializerMethodField()

    @extend_schema_field(RatingOutput(allow_null=True))
    def get_rating(self, sent: Request) -> dict[str, Any] | None:
        rating = getattr(sent, "rating", None) if hasattr(sent, "rating") else None
        return RatingOutput(rating).data if rating else None


class SubmitInput(serializers.Serializer):
    request_type = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True, help_text="Becomes the card's title.")
    answers = serializers.DictField(
        required=False,
        default=dict,
        help_text=(
            'By question key ("field_<id>"). In multipart/form-data the answers and files go'
            " as fields of their own, named by their key."
        ),
    )


class RequestListApi(SizeLimitedUploads, OrganizationMixin, ListApi):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "scope", str, enum=["mine", "teams"], description="none: both", required=False
            )
        ],
        responses=RequestOutput(many=True),
        description="The requests I sent and those sent to my teams, newest first.",
    )
    def get(self, request: ApiRequest, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        scope = request.query_params.get("scope", "")
        if scope not in ("", "mine", "teams"):
            raise serializers.ValidationError({"scope": [_("Choose mine or teams.")]})
        requests = selectors.requests_for_user(membership=membership, scope=scope)
        return self.list_response(requests, RequestOutput)

    @extend_schema(
        request=SubmitInput,
        responses={201: RequestDetailOutput},
        description=(
            "Send a request: a card on the type's board. 400, by the question, for a required"
            " answer missing, an option not offered, a file over the limit, and for a type that"
            " takes no requests; nothing is saved then."
        ),
    )
    def post(self, request: ApiRequest, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        data = validated(SubmitInput(data=request.data))  # the body is read here
        request_type = (
            RequestType.objects.filter(
                pk=data["request_type"], organization_id=membership.organization_id
            )
            .prefetch_related("fields")
            .select_related("team", "board", "column", "responsible", "accountable")
            .first()
        )
        if request_type is None:
            raise serializers.ValidationError(
                {"request_type": [_("Choose a request type of this organisation.")]}
            )
        files = {key: file for key, file in request.FILES.items() if key.startswith("field_")}
        if self.upload_limit.too_large:
            empty = [
                services.field_key(question)
                for question in request_type.fields.all()
                if question.kind == FieldKind.FILE and services.field_key(question) not in files
            ] or ["file"]
            raise serializers.ValidationError(
                {
                    empty[0]: [
                        attachments.too_large_message(name) for name in self.upload_limit.too_large
                    ]
                }
            )
        answers = dict(data["answers"])
        for key, value in request.data.items():
            if key.startswith("field_") and key not in files:
                answers[key] = value
        sent = call_service(
            services.request_submit,
            actor=membership,
            request_type=request_type,
            title=data["title"],
            answers=answers,
            files=files,
        )
        return _request_answer(membership, sent.pk, status.HTTP_201_CREATED)


def _request_answer(
    membership: Membership, request_id: int, code: int = status.HTTP_200_OK
) -> Response:
    sent = selectors.request_get_for_user(membership=membership, request_id=request_id)
    return Response(RequestDetailOutput(sent).data, status=code)


class RequestDetailApi(OrganizationMixin, APIView):
    @extend_schema(responses=RequestDetailOutput)
    def get(self, request: ApiRequest, org_slug: str, request_id: int) -> Response:
        return _request_answer(self.membership(request, org_slug), request_id)


class RequestConfirmApi(OrganizationMixin, APIView):
    @extend_schema(
        request=None,
        responses=RequestDetailOutput,
        description="The requester confirms the finished request: it is closed.",
    )
    def post(self, request: ApiRequest, org_slug: str, request_id: int) -> Response:
        membership = self.membership(request, org_slug)
        sent = selectors.request_get_for_user(membership=membership, request_id=request_id)
        call_service(services.request_confirm, actor=membership, request=sent)
        return _request_answer(membership, request_id)


class ReopenInput(serializers.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class RequestReopenApi(OrganizationMixin, APIView):
    @extend_schema(
        request=ReopenInput,
        responses=RequestDetailOutput,
        description=(
            "The requester reopens the finished request: its card goes back to where requests"
            " land; a reason is written on the card as a comment."
        ),
    )
    def post(self, request: ApiRequest, org_slug: str, request_id: int) -> Response:
        membership = self.membership(request, org_slug)
        sent = selectors.request_get_for_user(membership=membership, request_id=request_id)
        data = validated(ReopenInput(data=request.data))
        call_service(services.request_reopen, actor=membership, request=sent, reason=data["reason"])
        return _request_answer(membership, request_id)


class RatingInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, default="", allow_blank=True)


class RequestRatingApi(OrganizationMixin, APIView):
    @extend_schema(
        request=RatingInput,
        responses=RatingOutput,
        description="The requester rates the finished request; rating again replaces it.",
    )
    def post(self, request: ApiRequest, org_slug: str, request_id: int) -> Response:
        membership = self.membership(request, org_slug)
        sent = selectors.request_get_for_user(membership=membership, request_id=request_id)
        data = validated(RatingInput(data=request.data))
        rating = call_service(
            services.request_rate,
            actor=membership,
            request=sent,
            score=data["score"],
            comment=data["comment"],
        )
        return Response(RatingOutput(rating).data)


class RatingListApi(OrganizationMixin, ListApi):
    @extend_schema(
        responses=RatingOutput(many=True),
        description="The ratings of the requests I may read, newest first.",
    )
    def get(self, request: ApiRequest, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        return self.list_response(selectors.ratings_for_user(membership=membership), RatingOutput)
