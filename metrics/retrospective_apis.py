"""JSON API: a project's or a team's retrospectives, one retrospective, and its review
(the editable sections)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opsboard.api_lists import ListApi
from opsboard.tenancy.selectors import team_get_for_user
from projects.apis import OrganizationMixin, PersonEmail, call_service, validated
from projects.selectors import project_get_for_user

from .models import Retrospective, RetrospectiveAction
from .retrospectives import selectors, services


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-11", "readOnly": True}
)
class MonthField(serializers.DateField):
    """The month reviewed, as its year and month ("2026-11")."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m", read_only=True, **kwargs)


class ActionOutput(serializers.ModelSerializer):
    owner = PersonEmail()
    done = serializers.SerializerMethodField()

    class Meta:
        model = RetrospectiveAction
        fields = ["id", "title", "owner", "due_date", "card", "done"]

    def get_done(self, action: RetrospectiveAction) -> bool:
        return bool(action.card and action.card.done_at)


class RetrospectiveOutput(serializers.ModelSerializer):
    month = MonthField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Retrospective
        fields = [
            "id",
            "project",
            "team",
            "month",
            "state",
            "figures",
            "generated_highlights",
            "generated_problems",
            "highlights",
            "problems",
            "built_at",
            "finalised_at",
            "actions",
        ]

    def get_actions(self, retrospective: Retrospective) -> list[dict]:
        return ActionOutput(selectors.actions_of(retrospective), many=True).data


class RetrospectiveSummary(serializers.ModelSerializer):
    month = MonthField()

    class Meta:
        model = Retrospective
        fields = ["id", "project", "team", "month", "state", "figures", "built_at"]


class ReviewInput(serializers.Serializer):
    highlights = serializers.CharField(allow_blank=True, required=False, default="")
    problems = serializers.CharField(allow_blank=True, required=False, default="")


class ProjectRetrospectiveListApi(OrganizationMixin, ListApi):
    @extend_schema(responses=RetrospectiveSummary(many=True))
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        membership = self.membership(request, org_slug)
        project = project_get_for_user(membership=membership, project_id=project_id)
        return self.list_response(selectors.retrospectives_of(project), RetrospectiveSummary)


class TeamRetrospectiveListApi(OrganizationMixin, ListApi):
    @extend_schema(responses=RetrospectiveSummary(many=True))
    def get(self, request: Request, org_slug: str, team_id: int) -> Response:
        membership = self.membership(request, org_slug)
        team = team_get_for_user(membership=membership, team_id=team_id)
        return self.list_response(selectors.retrospectives_of(team), RetrospectiveSummary)


class RetrospectiveDetailApi(OrganizationMixin, APIView):
    def _get(self, request: Request, org_slug: str, retro_id: int) -> tuple:
        membership = self.membership(request, org_slug)
        return membership, selectors.retrospective_get_for_user(
            membership=membership, retrospective_id=retro_id
        )

    @extend_schema(responses=RetrospectiveOutput)
    def get(self, request: Request, org_slug: str, retro_id: int) -> Response:
        _membership, retrospective = self._get(request, org_slug, retro_id)
        return Response(RetrospectiveOutput(retrospective).data)

    @extend_schema(
        request=ReviewInput,
        responses=RetrospectiveOutput,
        description="Write the team's highlights and problems. A final retrospective takes a manager.",
    )
    def patch(self, request: Request, org_slug: str, retro_id: int) -> Response:
        membership, retrospective = self._get(request, org_slug, retro_id)
        services.require_may_edit(membership, retrospective)
        review = {
            "highlights": retrospective.highlights,
            "problems": retrospective.problems,
            **validated(ReviewInput(data=request.data, partial=True)),
        }
        call_service(
            services.retrospective_update,
            actor=membership,
            retrospective=retrospective,
            **review,
        )
        return Response(RetrospectiveOutput(retrospective).data)
