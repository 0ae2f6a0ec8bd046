"""JSON API for organisations, teams and people, scoped like the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opsboard.accounts.models import User

from . import selectors, services
from .models import Membership, Role, Team

T = TypeVar("T")


def call_service(service: Callable[..., T], **kwargs: Any) -> T:
    """Run a service and turn its rule violations into a 400 answer."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise ValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        ) from error


class OrganizationOutput(serializers.Serializer):
    slug = serializers.CharField(source="organization.slug")
    name = serializers.CharField(source="organization.name")
    timezone = serializers.CharField(source="organization.timezone")
    language = serializers.CharField(source="organization.language")
    reminder_lead_days = serializers.IntegerField(source="organization.reminder_lead_days")
    role = serializers.CharField()


class TeamOutput(serializers.ModelSerializer):
    lead = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "description", "lead"]


class TeamInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    lead = serializers.EmailField(required=False, allow_null=True, default=None)


class MemberOutput(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "teams"]


class MemberInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    teams = serializers.ListField(child=serializers.IntegerField(), default=list)


class OrganizationMixin:
    def membership(self, request: Request, org_slug: str) -> Membership:
        return selectors.membership_get_for_user(user=request.user, org_slug=org_slug)


def _lead_from(organization_id: int, email: str | None) -> User | None:
    if not email:
        return None
    lead = User.objects.filter(
        email__iexact=email, memberships__organization_id=organization_id
    ).first()
    if lead is None:
        raise ValidationError({"lead": [_("The team lead must be a member of the organisation.")]})
    return lead


class OrganizationListApi(APIView):
    def get(self, request: Request) -> Response:
        memberships = selectors.memberships_for_user(user=request.user)
        return Response(OrganizationOutput(memberships, many=True).data)


class TeamListApi(OrganizationMixin, APIView):
    def get(self, request: Request, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        teams = selectors.teams_for_organization(organization=membership.organization)
        return Response(TeamOutput(teams, many=True).data)

    def post(self, request: Request, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        payload = TeamInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        team = call_service(
            services.team_create,
            actor=membership,
            name=data["name"],
            description=data["description"],
            lead=_lead_from(membership.organization_id, data["lead"]),
        )
        return Response(TeamOutput(team).data, status=status.HTTP_201_CREATED)


class TeamDetailApi(OrganizationMixin, APIView):
    def get(self, request: Request, org_slug: str, team_id: int) -> Response:
        membership = self.membership(request, org_slug)
        team = selectors.team_get_for_user(membership=membership, team_id=team_id)
        return Response(TeamOutput(team).data)

    def patch(self, request: Request, org_slug: str, team_id: int) -> Response:
        membership = self.membership(request, org_slug)
        team = selectors.team_get_for_user(membership=membership, team_id=team_id)
        current = {
            "name": team.name,
            "description": team.description,
            "lead": team.lead.email if team.lead else None,
        }
        payload = TeamInput(data={**current, **request.data})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        team = call_service(
            services.team_update,
            actor=membership,
            team=team,
            name=data["name"],
            description=data["description"],
            lead=_lead_from(membership.organization_id, data["lead"]),
        )
        return Response(TeamOutput(team).data)

    def delete(self, request: Request, org_slug: str, team_id: int) -> Response:
        membership = self.membership(request, org_slug)
        team = selectors.team_get_for_user(membership=membership, team_id=team_id)
        call_service(services.team_delete, actor=membership, team=team)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberListApi(OrganizationMixin, APIView):
    def get(self, request: Request, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        people = selectors.people_for_organization(organization=membership.organization)
        return Response(MemberOutput(people, many=True).data)


class MemberDetailApi(OrganizationMixin, APIView):
    def get(self, request: Request, org_slug: str, membership_id: int) -> Response:
        membership = self.membership(request, org_slug)
        member = selectors.member_get_for_user(membership=membership, membership_id=membership_id)
        return Response(MemberOutput(member).data)

    def patch(self, request: Request, org_slug: str, membership_id: int) -> Response:
        membership = self.membership(request, org_slug)
        member = selectors.member_get_for_user(membership=membership, membership_id=membership_id)
        current = {"role": member.role, "teams": [team.pk for team in member.teams.all()]}
        payload = MemberInput(data={**current, **request.data})
        payload.is_valid(raise_exception=True)
        team_ids = set(payload.validated_data["teams"])
        teams = list(Team.objects.filter(organization=membership.organization, pk__in=team_ids))
        if len(teams) != len(team_ids):
            raise ValidationError({"teams": [_("Choose teams of this organisation.")]})
        member = call_service(
            services.membership_update,
            actor=membership,
            member=member,
            role=payload.validated_data["role"],
            teams=teams,
        )
        return Response(MemberOutput(member).data)
