"""KPIs as a reader narrows them: one FilterSet for the KPI dashboard's filter bar and the
API's KPI list, with the same parameter names and the same answers."""

from __future__ import annotations

from django.db.models import QuerySet

from opsboard.tenancy.models import Team
from projects.filters import TeamProjectFilterSet

from .models import Kpi


class KpiFilter(TeamProjectFilterSet):
    """``team`` (an id): the team's KPIs and the organisation-wide ones, which every team
    answers for (``KpiQuerySet.answered_by``); ``project`` (an id): the project's KPIs."""

    class Meta:
        model = Kpi
        fields: list[str] = []

    def filter_team(self, kpis: QuerySet[Kpi], name: str, team: Team) -> QuerySet[Kpi]:
        return kpis.answered_by(team)
