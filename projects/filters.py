"""Projects, goals and people as a reader narrows them: each FilterSet serves the page and
the API list with the same parameter names and the same answers."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters import CharFilter, ChoiceFilter, ModelChoiceFilter

from opsboard.accounts.models import User
from opsboard.filters import FlagFilter, OrganizationFilterSet, PageFilterSet, PersonFilter
from opsboard.tenancy.models import Membership, Organization, Role, Team

from .forms import members_of
from .models import Goal, GoalState, Project, ProjectStatus


class ProjectFilter(OrganizationFilterSet):
    """``team`` (an id), ``status``, ``owner`` (a member, by id or email)."""

    team = ModelChoiceFilter(
        field_name="teams",
        label=_("Team"),
        queryset=Team.objects.none(),
        empty_label=_("All teams"),
    )
    status = ChoiceFilter(
        label=_("Status"), choices=ProjectStatus.choices, empty_label=_("Any status")
    )
    owner = PersonFilter(
        label=pgettext_lazy("owner of a project, goal or action", "Owner"),
        queryset=User.objects.none(),
        empty_label=_("Anyone"),
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def choices(self, organization: Organization) -> dict[str, QuerySet]:
        return {
            "team": Team.objects.filter(organization=organization).order_by("name"),
            "owner": members_of(organization),
        }


class TeamProjectFilterSet(OrganizationFilterSet):
    """``team`` and ``project`` (ids) of the organisation; a subclass says what a team's
    share is (``filter_team``)."""

    team = ModelChoiceFilter(
        label=_("Team"),
        queryset=Team.objects.none(),
        empty_label=_("All teams"),
        method="filter_team",
    )
    project = ModelChoiceFilter(
        label=_("Project"), queryset=Project.objects.none(), empty_label=_("All projects")
    )

    def choices(self, organization: Organization) -> dict[str, QuerySet]:
        return {
            "team": Team.objects.filter(organization=organization).order_by("name"),
            "project": Project.objects.filter(organization=organization).order_by("name"),
        }

    def filter_team(self, queryset: QuerySet, name: str, team: Team) -> QuerySet:
        raise NotImplementedError


class GoalFilter(TeamProjectFilterSet):
    """``team`` (an id): the team's goals and those of the projects it takes part in;
    ``project`` (an id); the API also takes ``objectives`` (``1``/``true``: only
    organisation objectives) and ``state``. The goal tree has only the first two (it keeps
    each match's ancestors, so every branch still reads from the objective down)."""

    # Only the API has these (see PAGE_LEAVES_OUT): the help is the API documentation's.
    objectives = FlagFilter(
        method="filter_objectives", help_text="`1` or `true`: only organisation objectives"
    )
    state = ChoiceFilter(choices=GoalState.choices)

    PAGE_LEAVES_OUT = ("objectives", "state")

    class Meta:
        model = Goal
        fields: list[str] = []

    def filter_team(self, goals: QuerySet[Goal], name: str, team: Team) -> QuerySet[Goal]:
        return goals.filter(Q(team=team) | Q(project__in=team.projects.all()))

    def filter_objectives(self, goals: QuerySet[Goal], name: str, value: bool) -> QuerySet[Goal]:
        return goals.filter(project__isnull=True) if value else goals


class MemberFilter(PageFilterSet):
    """``role``, and ``q``: words in the person's name or email."""

    role = ChoiceFilter(label=_("Role"), choices=Role.choices)
    q = CharFilter(label=_("Search by name or email"), method="search")

    class Meta:
        model = Membership
        fields: list[str] = []

    def search(self, people: QuerySet[Membership], name: str, value: str) -> QuerySet[Membership]:
        return people.filter(Q(user__full_name__icontains=value) | Q(user__email__icontains=value))
