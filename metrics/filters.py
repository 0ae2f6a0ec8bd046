"""KPIs as a reader narrows them: one FilterSet for the KPI dashboard's filter bar and the
API's KPI list, with the same parameter names and the same answers."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import ModelChoiceFilter

from opsboard.tenancy.models import Organization, Team
from projects.filters import OrganizationFilterSet
from projects.models import Project

from .models import Kpi


class KpiFilter(OrganizationFilterSet):
    """``team`` (an id): the team's KPIs and the organisation-wide ones (no team, project
    or goal), which every team answers for; ``project`` (an id): the project's KPIs."""

    team = ModelChoiceFilter(
        label=_("Team"),
        queryset=Team.objects.none(),
        empty_label=_("All teams"),
        method="filter_team",
    )
    project = ModelChoiceFilter(
        label=_("Project"), queryset=Project.objects.none(), empty_label=_("All projects")
    )

    class Meta:
        model = Kpi
        fields: list[str] = []

    def choices(self, organization: Organization) -> dict[str, QuerySet]:
        return {
            "team": Team.objects.filter(organization=organization).order_by("name"),
            "project": Project.objects.filter(organization=organization).order_by("name"),
        }

    def filter_team(self, kpis: QuerySet[Kpi], name: str, team: Team) -> QuerySet[Kpi]:
        return kpis.filter(
            Q(team=team) | Q(team__isnull=True, project__isnull=True, goal__isnull=True)
        )
