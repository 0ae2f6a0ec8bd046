"""JSON API: read a project's RACI matrix, set or clear a role on a card."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kanban.models import Card
from kanban.selectors import card_get_for_user
from opsboard.accounts.models import User
from projects.apis import OrganizationMixin, call_service, validated
from projects.models import Team

from . import selectors, services
from .models import RaciRole
from .rules import ProblemKind


class HolderOutput(serializers.Serializer):
    key = serializers.CharField(help_text='"user:<id>" or "team:<id>"')
    name = serializers.CharField()
    user = serializers.IntegerField(source="user_id", allow_null=True)
    team = serializers.IntegerField(source="team_id", allow_null=True)


class ProblemOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ProblemKind.choices)
    message = serializers.CharField()
    error = serializers.BooleanField(source="is_error")


class RowOutput(serializers.Serializer):
    card = serializers.IntegerField(source="card.pk")
    title = serializers.CharField(source="card.title")
    column = serializers.CharField(source="card.column.display_name")
    roles = serializers.DictField(
        child=serializers.CharField(), help_text="holder key -> R, A, C or I"
    )
    problems = ProblemOutput(many=True)


class MatrixOutput(serializers.Serializer):
    project = serializers.IntegerField(source="project.pk")
    holders = HolderOutput(many=True)
    rows = RowOutput(many=True)
    summary = serializers.SerializerMethodField()

    def get_summary(self, matrix: selectors.Matrix) -> list[dict[str, Any]]:
        return [
            {"kind": kind.value, "rows": count, "cards": cards}
            for kind, count, cards in matrix.summary
        ]


class RoleInput(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=[("", "none"), *RaciRole.choices], allow_blank=True, help_text="empty clears"
    )
    user = serializers.EmailField(
        required=False, allow_null=True, default=None, help_text="a person, by email"
    )
    team = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="or a team, by id"
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if (data["user"] is None) == (data["team"] is None):
            raise serializers.ValidationError("Give either a user or a team.")
        return data


class CardRolesOutput(serializers.Serializer):
    card = serializers.IntegerField(source="card.pk")
    roles = serializers.ListField(child=serializers.DictField())
    problems = ProblemOutput(many=True)


class MatrixApi(OrganizationMixin, APIView):
    @extend_schema(responses=MatrixOutput)
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        membership = self.membership(request, org_slug)
        project = selectors.project_get_for_raci(membership=membership, project_id=project_id)
        return Response(
            MatrixOutput(selectors.matrix(project=project, filters=selectors.MatrixFilters())).data
        )


class CardRolesApi(OrganizationMixin, APIView):
    @extend_schema(responses=CardRolesOutput)
    def get(self, request: Request, org_slug: str, card_id: int) -> Response:
        membership = self.membership(request, org_slug)
        card = card_get_for_user(membership=membership, card_id=card_id)
        return Response(self._roles(card))

    @extend_schema(
        request=RoleInput,
        responses=CardRolesOutput,
        description="Set a person's or a team's role on the card; an empty role clears it.",
    )
    def post(self, request: Request, org_slug: str, card_id: int) -> Response:
        membership = self.membership(request, org_slug)
        card = card_get_for_user(membership=membership, card_id=card_id)
        data = validated(RoleInput(data=request.data))
        holder: dict[str, Any] = {}
        if data["user"] is not None:
            user = User.objects.filter(
                email__iexact=data["user"], memberships__organization_id=membership.organization_id
            ).first()
            if user is None:
                raise serializers.ValidationError(
                    {"user": ["Choose a member of this organisation."]}
                )
            holder["user"] = user
        else:
            team = Team.objects.filter(
                pk=data["team"], organization_id=membership.organization_id
            ).first()
            if team is None:
                raise serializers.ValidationError({"team": ["Choose teams of this organisation."]})
            holder["team"] = team
        call_service(services.raci_set, actor=membership, card=card, role=data["role"], **holder)
        return Response(self._roles(card))

    def _roles(self, card: Card) -> dict[str, Any]:
        assignments, problems = selectors.card_raci(card)
        return CardRolesOutput(
            {
                "card": card,
                "roles": [
                    {"role": a.role, "user": a.user.email if a.user else None, "team": a.team_id}
                    for a in assignments
                ],
                "problems": problems,
            }
        ).data
