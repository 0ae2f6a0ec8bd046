"""JSON API for organisations, teams, people, projects, goals and check-ins, scoped like the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opsboard.accounts.models import User
from opsboard.api_lists import ListApi
from opsboard.tenancy import selectors as tenancy_selectors
from opsboard.tenancy import services as tenancy_services
from opsboard.tenancy.access import (
    membership_for_request,
    require_editor,
    require_lead,
    require_manager,
)
from opsboard.tenancy.calendar import DayKind, calendar_for
from opsboard.tenancy.models import Membership, Organization, Role, Team

from . import selectors, services
from .filters import GoalFilter, MemberFilter, ProjectFilter
from .goals import Criterion, GoalStatus, Level, goal_tracking, smart_check
from .models import CLOSED_GOAL_STATES, CheckIn, Direction, Goal, Project, ProjectStatus, Unit
from .my_work import my_work

T = TypeVar("T")


def call_service(service: Callable[..., T], **kwargs: Any) -> T:
    """Run a service and turn its rule violations into a 400 answer."""
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise ValidationError(
            error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        ) from error


class PersonEmail(serializers.SlugRelatedField):
    """A person in an answer, by email; null when there is nobody (or the account was deleted)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="email", read_only=True, allow_null=True, **kwargs)


class OrganizationOutput(serializers.Serializer):
    slug = serializers.CharField(source="organization.slug")
    name = serializers.CharField(source="organization.name")
    timezone = serializers.CharField(source="organization.timezone")
    language = serializers.CharField(source="organization.language")
    reminder_lead_days = serializers.IntegerField(source="organization.reminder_lead_days")
    reminder_hour = serializers.IntegerField(source="organization.reminder_hour")
    digest_weekday = serializers.IntegerField(source="organization.digest_weekday")
    retrospective_working_day = serializers.IntegerField(
        source="organization.retrospective_working_day"
    )
    role = serializers.CharField()


class TeamOutput(serializers.ModelSerializer):
    lead = PersonEmail()

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
        """The requester's membership; a viewer's write is refused before its body is read."""
        membership = membership_for_request(request, org_slug)
        if request.method not in SAFE_METHODS:
            require_editor(membership)
        return membership


def _lead_from(organization_id: int, email: str | None) -> User | None:
    if not email:
        return None
    lead = User.objects.filter(
        email__iexact=email, memberships__organization_id=organization_id
    ).first()
    if lead is None:
        raise ValidationError({"lead": [_("The team lead must be a member of the organisation.")]})
    return lead


class OrganizationListApi(ListApi):
    @extend_schema(responses=OrganizationOutput(many=True))
    def get(self, request: Request) -> Response:
        memberships = tenancy_selectors.memberships_for_user(user=request.user)
        return self.list_response(memberships, OrganizationOutput)


class TeamListApi(OrganizationMixin, ListApi):
    @extend_schema(responses=TeamOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        teams = tenancy_selectors.teams_for_organization(organization=membership.organization)
        return self.list_response(teams, TeamOutput)

    @extend_schema(request=TeamInput, responses={201: TeamOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        require_manager(membership)
        payload = TeamInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        team = call_service(
            tenancy_services.team_create,
            actor=membership,
            name=data["name"],
            description=data["description"],
            lead=_lead_from(membership.organization_id, data["lead"]),
        )
        return Response(TeamOutput(team).data, status=status.HTTP_201_CREATED)


class TeamDetailApi(OrganizationMixin, APIView):
    @extend_schema(responses=TeamOutput)
    def get(self, request: Request, org_slug: str, team_id: int) -> Response:
        membership = self.membership(request, org_slug)
        team = tenancy_selectors.team_get_for_user(membership=membership, team_id=team_id)
        return Response(TeamOutput(team).data)

    @extend_schema(request=TeamInput, responses=TeamOutput)
    def patch(self, request: Request, org_slug: str, team_id: int) -> Response:
        membership = self.membership(request, org_slug)
        team = tenancy_selectors.team_get_for_user(membership=membership, team_id=team_id)
        current = {
            "name": team.name,
            "description": team.description,
            "lead": team.lead.email if team.lead else None,
        }
        payload = TeamInput(data={**current, **request.data})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        team = call_service(
            tenancy_services.team_update,
            actor=membership,
            team=team,
            name=data["name"],
            description=data["description"],
            lead=_lead_from(membership.organization_id, data["lead"]),
        )
        return Response(TeamOutput(team).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org_slug: str, team_id: int) -> Response:
        membership = self.membership(request, org_slug)
        team = tenancy_selectors.team_get_for_user(membership=membership, team_id=team_id)
        call_service(tenancy_services.team_delete, actor=membership, team=team)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberListApi(OrganizationMixin, ListApi):
    filterset_class = MemberFilter

    @extend_schema(responses=MemberOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        people = tenancy_selectors.people_for_organization(organization=membership.organization)
        return self.list_response(people, MemberOutput)


class MemberDetailApi(OrganizationMixin, APIView):
    @extend_schema(responses=MemberOutput)
    def get(self, request: Request, org_slug: str, membership_id: int) -> Response:
        membership = self.membership(request, org_slug)
        member = tenancy_selectors.member_get_for_user(
            membership=membership, membership_id=membership_id
        )
        return Response(MemberOutput(member).data)

    @extend_schema(request=MemberInput, responses=MemberOutput)
    def patch(self, request: Request, org_slug: str, membership_id: int) -> Response:
        membership = self.membership(request, org_slug)
        member = tenancy_selectors.member_get_for_user(
            membership=membership, membership_id=membership_id
        )
        require_manager(membership)
        current = {"role": member.role, "teams": [team.pk for team in member.teams.all()]}
        payload = MemberInput(data={**current, **request.data})
        payload.is_valid(raise_exception=True)
        team_ids = set(payload.validated_data["teams"])
        teams = list(Team.objects.filter(organization=membership.organization, pk__in=team_ids))
        if len(teams) != len(team_ids):
            raise ValidationError({"teams": [_("Choose teams of this organisation.")]})
        member = call_service(
            tenancy_services.membership_update,
            actor=membership,
            member=member,
            role=payload.validated_data["role"],
            teams=teams,
        )
        return Response(MemberOutput(member).data)


# Projects, goals and check-ins ---------------------------------------------


class ProjectOutput(serializers.ModelSerializer):
    teams = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    owner = PersonEmail()

    class Meta:
        model = Project
        fields = ["id", "name", "description", "teams", "owner", "start_date", "due_date", "status"]


class OrganizationScopedInput(serializers.Serializer):
    """An input whose related objects must belong to the organisation in the address."""

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            child = getattr(field, "child_relation", field)
            queryset = getattr(child, "queryset", None)
            if queryset is None:
                continue
            if organization is None:
                # Only the schema generator builds one without an organisation.
                child.queryset = queryset.none()
            elif queryset.model is User:
                child.queryset = User.objects.filter(memberships__organization=organization)
            elif any(f.name == "organization" for f in queryset.model._meta.fields):
                child.queryset = queryset.filter(organization=organization)
            # Anything else (a board's columns or labels) is scoped by the subclass.


class ProjectInput(OrganizationScopedInput):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    teams = serializers.PrimaryKeyRelatedField(many=True, queryset=Team.objects.all())
    owner = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    start_date = serializers.DateField()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)


class CriterionOutput(serializers.Serializer):
    criterion = serializers.ChoiceField(choices=Criterion.choices)
    level = serializers.ChoiceField(choices=Level.choices)
    message = serializers.CharField()


class SmartCheckOutput(serializers.Serializer):
    passes = serializers.BooleanField(
        help_text="True when no criterion fails: the goal may be made active."
    )
    criteria = CriterionOutput(many=True)


class TrackingOutput(serializers.Serializer):
    current = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    progress = serializers.FloatField(allow_null=True, help_text="0..1, clamped")
    progress_raw = serializers.FloatField(
        allow_null=True, help_text="Below 0: worse than the baseline"
    )
    expected = serializers.FloatField(allow_null=True, help_text="Share of the time gone, 0..1")
    status = serializers.ChoiceField(choices=GoalStatus.choices, allow_null=True)


class GoalOutput(serializers.ModelSerializer):
    owner = PersonEmail()
    smart_check = serializers.SerializerMethodField()
    tracking = serializers.SerializerMethodField()

    class Meta:
        model = Goal
        fields = [
            "id",
            "project",
            "parent",
            "team",
            "owner",
            "title",
            "statement",
            "metric_name",
            "unit",
            "direction",
            "baseline",
            "target",
            "target_high",
            "decimals",
            "confidence",
            "resources_note",
            "start_date",
            "due_date",
            "state",
            "closing_note",
            "closed_at",
            "smart_check",
            "tracking",
        ]

    @extend_schema_field(SmartCheckOutput)
    def get_smart_check(self, goal: Goal) -> dict[str, object]:
        return smart_check(goal, today=timezone.localdate()).as_dict()

    @extend_schema_field(TrackingOutput)
    def get_tracking(self, goal: Goal) -> dict[str, object]:
        tracking = goal_tracking(
            goal,
            latest_value=getattr(goal, "latest_value", None),
            latest_confidence=getattr(goal, "latest_confidence", None),
            on=timezone.localdate(),
        )
        return TrackingOutput(
            {
                "current": tracking.current,
                "progress": tracking.progress.fraction if tracking.progress else None,
                "progress_raw": tracking.progress.raw if tracking.progress else None,
                "expected": tracking.expected,
                "status": tracking.status.value if tracking.status else None,
            }
        ).data


class GoalInputSerializer(OrganizationScopedInput):
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Empty for an organisation objective.",
    )
    title = serializers.CharField(max_length=200)
    statement = serializers.CharField(required=False, allow_blank=True, default="")
    metric_name = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )
    unit = serializers.ChoiceField(choices=Unit.choices, default=Unit.PERCENT)
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.INCREASE)
    baseline = serializers.DecimalField(max_digits=18, decimal_places=4)
    target = serializers.DecimalField(max_digits=18, decimal_places=4)
    target_high = serializers.DecimalField(
        max_digits=18, decimal_places=4, required=False, allow_null=True, default=None
    )
    decimals = serializers.IntegerField(min_value=0, max_value=4, default=0)
    confidence = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, default=None
    )
    resources_note = serializers.CharField(required=False, allow_blank=True, default="")
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Goal.objects.all(), required=False, allow_null=True, default=None
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True, default=None
    )
    owner = serializers.SlugRelatedField(
        slug_field="email",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)

    def goal_input(self) -> services.GoalInput:
        return services.GoalInput(
            **{name: self.validated_data[name] for name in services.GOAL_INPUT_FIELDS}
        )


class CloseInput(serializers.Serializer):
    state = serializers.ChoiceField(choices=[(s.value, s.label) for s in CLOSED_GOAL_STATES])
    note = serializers.CharField()


class CheckInOutput(serializers.ModelSerializer):
    author = PersonEmail()

    class Meta:
        model = CheckIn
        fields = ["id", "goal", "value", "confidence", "note", "checked_on", "author", "created_at"]


class CheckInInput(serializers.Serializer):
    value = serializers.DecimalField(max_digits=18, decimal_places=4)
    checked_on = serializers.DateField()
    confidence = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, default=None
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


def validated(serializer: serializers.Serializer) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _goal_response(
    membership: Membership, goal_id: int, code: int = status.HTTP_200_OK
) -> Response:
    return Response(
        GoalOutput(selectors.goal_get_for_user(membership=membership, goal_id=goal_id)).data,
        status=code,
    )


class ProjectListApi(OrganizationMixin, ListApi):
    filterset_class = ProjectFilter

    @extend_schema(responses=ProjectOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        organization = self.membership(request, org_slug).organization
        projects = selectors.projects_for_organization(organization=organization)
        return self.list_response(projects, ProjectOutput, organization=organization)

    @extend_schema(request=ProjectInput, responses={201: ProjectOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        require_lead(membership)
        data = validated(ProjectInput(data=request.data, organization=membership.organization))
        project = call_service(
            services.project_create, actor=membership, data=services.ProjectInput(**data)
        )
        return Response(ProjectOutput(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(OrganizationMixin, APIView):
    @extend_schema(responses=ProjectOutput)
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        membership = self.membership(request, org_slug)
        return Response(
            ProjectOutput(
                selectors.project_get_for_user(membership=membership, project_id=project_id)
            ).data
        )

    @extend_schema(request=ProjectInput, responses=ProjectOutput)
    def patch(self, request: Request, org_slug: str, project_id: int) -> Response:
        membership = self.membership(request, org_slug)
        project = selectors.project_get_for_user(membership=membership, project_id=project_id)
        current = ProjectInput(
            {
                "name": project.name,
                "description": project.description,
                "teams": list(project.teams.all()),
                "owner": project.owner,
                "start_date": project.start_date,
                "due_date": project.due_date,
                "status": project.status,
            },
            organization=membership.organization,
        ).data
        data = validated(
            ProjectInput(data={**current, **request.data}, organization=membership.organization)
        )
        project = call_service(
            services.project_update,
            actor=membership,
            project=project,
            data=services.ProjectInput(**data),
        )
        return Response(ProjectOutput(project).data)


class GoalListApi(OrganizationMixin, ListApi):
    filterset_class = GoalFilter

    @extend_schema(responses=GoalOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        organization = self.membership(request, org_slug).organization
        goals = selectors.with_latest_check_in(
            Goal.objects.filter(organization=organization).select_related("owner")
        ).order_by("due_date", "title")
        return self.list_response(goals, GoalOutput, organization=organization)

    @extend_schema(request=GoalInputSerializer, responses={201: GoalOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        payload = GoalInputSerializer(data=request.data, organization=membership.organization)
        validated(payload)
        goal = call_service(
            services.goal_create,
            actor=membership,
            project=payload.validated_data["project"],
            data=payload.goal_input(),
        )
        return _goal_response(membership, goal.pk, status.HTTP_201_CREATED)


class GoalDetailApi(OrganizationMixin, APIView):
    @extend_schema(responses=GoalOutput)
    def get(self, request: Request, org_slug: str, goal_id: int) -> Response:
        return _goal_response(self.membership(request, org_slug), goal_id)

    @extend_schema(request=GoalInputSerializer, responses=GoalOutput)
    def patch(self, request: Request, org_slug: str, goal_id: int) -> Response:
        membership = self.membership(request, org_slug)
        goal = selectors.goal_get_for_user(membership=membership, goal_id=goal_id)
        current = {name: getattr(goal, name) for name in services.GOAL_INPUT_FIELDS}
        current.update(project=goal.project, parent=goal.parent, team=goal.team, owner=goal.owner)
        current = GoalInputSerializer(current, organization=membership.organization).data
        payload = GoalInputSerializer(
            data={**current, **request.data}, organization=membership.organization
        )
        validated(payload)
        call_service(services.goal_update, actor=membership, goal=goal, data=payload.goal_input())
        return _goal_response(membership, goal.pk)


class GoalTransitionApi(OrganizationMixin, APIView):
    """Move a goal to another state through one service; 400 says why not."""

    service: Callable[..., Goal]
    input_serializer: type[serializers.Serializer] | None = None

    def post(self, request: Request, org_slug: str, goal_id: int) -> Response:
        membership = self.membership(request, org_slug)
        goal = selectors.goal_get_for_user(membership=membership, goal_id=goal_id)
        extra = validated(self.input_serializer(data=request.data)) if self.input_serializer else {}
        call_service(type(self).service, actor=membership, goal=goal, **extra)
        return _goal_response(membership, goal.pk)


@extend_schema_view(
    post=extend_schema(
        request=None,
        responses=GoalOutput,
        description="Make a draft active; 400 lists the SMART criteria that fail.",
    )
)
class GoalActivateApi(GoalTransitionApi):
    service = services.goal_activate


@extend_schema_view(post=extend_schema(request=CloseInput, responses=GoalOutput))
class GoalCloseApi(GoalTransitionApi):
    service = services.goal_close
    input_serializer = CloseInput


@extend_schema_view(post=extend_schema(request=None, responses=GoalOutput))
class GoalReopenApi(GoalTransitionApi):
    service = services.goal_reopen


class CheckInListApi(OrganizationMixin, ListApi):
    @extend_schema(responses=CheckInOutput(many=True))
    def get(self, request: Request, org_slug: str, goal_id: int) -> Response:
        goal = selectors.goal_get_for_user(
            membership=self.membership(request, org_slug), goal_id=goal_id
        )
        return self.list_response(selectors.check_ins_for_goal(goal=goal), CheckInOutput)

    @extend_schema(request=CheckInInput, responses={201: CheckInOutput})
    def post(self, request: Request, org_slug: str, goal_id: int) -> Response:
        membership = self.membership(request, org_slug)
        goal = selectors.goal_get_for_user(membership=membership, goal_id=goal_id)
        data = validated(CheckInInput(data=request.data))
        check_in = call_service(services.check_in_create, actor=membership, goal=goal, **data)
        return Response(CheckInOutput(check_in).data, status=status.HTTP_201_CREATED)


# My work ----------------------------------------------------------------------


class MyWorkItemOutput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["card", "goal", "kpi", "change", "mention", "project", "request"]
    )
    id = serializers.IntegerField(help_text="The card's, goal's, KPI's or mention's id.")
    title = serializers.CharField()
    url = serializers.CharField(help_text="The path of the page where it is handled.")
    why = serializers.CharField(help_text="Why it is here, in the reader's language.")
    where = serializers.CharField(help_text="Its project, or its KPI's team.")
    tone = serializers.ChoiceField(choices=["", "danger", "warning"])
    day = serializers.DateField(allow_null=True, help_text="A due date, or a KPI's period.")
    at = serializers.DateTimeField(allow_null=True, help_text="When a change or mention was.")
    by = serializers.CharField(help_text="Who made the change or the mention.")


class MyWorkGroupOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    total = serializers.IntegerField(help_text="How many there are; items lists the first 20.")
    items = MyWorkItemOutput(many=True)


class MyWorkPartOutput(serializers.Serializer):
    key = serializers.ChoiceField(
        choices=[
            "cards",
            "accountable",
            "goals",
            "kpis",
            "projects_at_risk",
            "following",
            "mentions",
            "requests",
        ]
    )
    title = serializers.CharField()
    note = serializers.CharField(help_text="How the part decides what it shows.")
    link = serializers.CharField(help_text="The path of the whole list, or empty.")
    groups = MyWorkGroupOutput(many=True)


class MyWorkOutput(serializers.Serializer):
    parts = MyWorkPartOutput(many=True)


class MyWorkApi(OrganizationMixin, APIView):
    @extend_schema(
        responses=MyWorkOutput,
        description=(
            "What needs the person today, as the My work page shows it: their cards by "
            "urgency (overdue, due soon, blocked, in progress, next up), cards they are "
            "Accountable for that need them, goals due a check-in, their teams' red KPIs, "
            "changes on cards they follow since they last looked, and their mentions."
        ),
    )
    def get(self, request: Request, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        return Response(MyWorkOutput({"parts": my_work(membership=membership)}).data)


# The working calendar -----------------------------------------------------------------

MAX_CALENDAR_DAYS = 366


class CalendarRange(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] < attrs["start"]:
            raise ValidationError({"end": [_("The end is before the start.")]})
        if (attrs["end"] - attrs["start"]).days >= MAX_CALENDAR_DAYS:
            raise ValidationError(
                {"end": [_("Ask for %(days)d days at most.") % {"days": MAX_CALENDAR_DAYS}]}
            )
        return attrs


class CalendarDayOutput(serializers.Serializer):
    date = serializers.DateField()
    working = serializers.BooleanField()
    kind = serializers.ChoiceField(choices=DayKind.choices)
    reason = serializers.CharField(
        help_text="Why the day is or is not worked; empty for an ordinary working day."
    )
    announced = serializers.BooleanField(
        help_text="Whether the region's public holidays of the day's year are known."
    )


class CalendarOutput(serializers.Serializer):
    region = serializers.CharField()
    unknown_years = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=(
            "Years of the range whose public holidays and make-up working days are not known:"
            " only the statutory holidays and company days count in them."
        ),
    )
    days = CalendarDayOutput(many=True)


class CalendarApi(OrganizationMixin, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("start", date, required=True),
            OpenApiParameter("end", date, required=True),
        ],
        responses=CalendarOutput,
        description=(
            f"The organisation's working calendar, each day from `start` to `end` (at most"
            f" {MAX_CALENDAR_DAYS} days): worked or not, and why."
        ),
    )
    def get(self, request: Request, org_slug: str) -> Response:
        membership = self.membership(request, org_slug)
        dates = validated(CalendarRange(data=request.query_params))
        calendar = calendar_for(membership.organization)
        return Response(
            CalendarOutput(
                {
                    "region": calendar.region,
                    "unknown_years": calendar.unknown_years(dates["start"], dates["end"]),
                    "days": calendar.days(dates["start"], dates["end"]),
                }
            ).data
        )
