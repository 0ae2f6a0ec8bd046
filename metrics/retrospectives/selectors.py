"""Reads of retrospectives: access, lists, the boards an action may go on, and the
month's figures beside the month before's, as the page and the emails show them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

from kanban.models import Board
from opsboard.tenancy.models import Membership, Team
from projects.goals import format_change, format_value
from projects.models import Project, ProjectStatus, Unit

from ..models import Retrospective, RetrospectiveAction
from .report import lookup_of, previous_month

# Figures stored with every retrospective, in the order the page shows them.
FIGURES = [
    "on_time_rate",
    "throughput",
    "cycle_time",
    "goal_progress",
    "overdue",
    "blocked_days",
    "pulse_satisfaction",
    "first_responses_on_time",
    "resolutions_on_time",
    "requester_satisfaction",
]
LOWER_IS_BETTER = {"cycle_time", "overdue", "blocked_days"}
FIGURE_LABELS = {
    "on_time_rate": gettext_lazy("On-time completion rate"),
    "throughput": gettext_lazy("Throughput (cards done per week)"),
    "cycle_time": gettext_lazy("Cycle time, median (days)"),
    "goal_progress": gettext_lazy("Goal progress"),
    "overdue": gettext_lazy("Open overdue cards at the month's end"),
    "blocked_days": gettext_lazy("Blocked days"),
    "pulse_satisfaction": gettext_lazy("Cross-team satisfaction (pulse, 1-5)"),
    "first_responses_on_time": gettext_lazy("Requests: first responses on time"),
    "resolutions_on_time": gettext_lazy("Requests: resolutions on time"),
    "requester_satisfaction": gettext_lazy("Requests: requester satisfaction (1-5)"),
}
PERCENT_FIGURES = {
    "on_time_rate",
    "goal_progress",
    "first_responses_on_time",
    "resolutions_on_time",
}
# Shown only where there is something to show, this month or the one before: a project
# nobody sends requests to has no rows of them.
REQUEST_FIGURES = {"first_responses_on_time", "resolutions_on_time", "requester_satisfaction"}
COUNT_FIGURES = {"overdue"}


def retrospective_get_for_user(*, membership: Membership, retrospective_id: int) -> Retrospective:
    return get_object_or_404(
        Retrospective.objects.select_related("organization", "project", "team", "finalised_by"),
        organization_id=membership.organization_id,
        pk=retrospective_id,
    )


def retrospectives_of(reviewed: Project | Team) -> QuerySet[Retrospective]:
    return Retrospective.objects.filter(**lookup_of(reviewed)).order_by("-month")


def action_boards(retrospective: Retrospective) -> QuerySet[Board]:
    """Where a team retrospective's actions may go: the boards of the active projects the
    team takes part in. A project retrospective's go on the project's board, unasked."""
    return (
        Board.objects.filter(
            organization_id=retrospective.organization_id,
            project__teams=retrospective.team_id,
            project__status=ProjectStatus.ACTIVE,
        )
        .select_related("project")
        .order_by("project__name", "name", "pk")
    )


@dataclass
class FigureRow:
    name: str
    value: float | None
    previous: float | None

    @property
    def label(self) -> str:
        return str(FIGURE_LABELS[self.name])

    @property
    def is_percent(self) -> bool:
        return self.name in PERCENT_FIGURES

    @property
    def decimals(self) -> int:
        return 0 if self.name in COUNT_FIGURES else 1

    @property
    def unit(self) -> str:
        return Unit.PERCENT if self.is_percent else Unit.COUNT

    def _figure(self, value: float | None) -> str:
        return format_value(
            None if value is None else Decimal(str(value)), self.decimals, self.unit
        )

    @property
    def value_text(self) -> str:
        return self._figure(self.value)

    @property
    def previous_text(self) -> str:
        return self._figure(self.previous)

    @property
    def change_text(self) -> str:
        """The change with its sign, in the figure's decimals; a percentage's in points."""
        change = None if self.change is None else Decimal(str(self.change))
        return format_change(change, self.decimals, self.unit)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 2)

    @property
    def better(self) -> bool | None:
        """Whether the change is an improvement; None when there is no change to judge."""
        if not self.change:
            return None
        return (self.change < 0) if self.name in LOWER_IS_BETTER else (self.change > 0)


def comparison(retrospective: Retrospective, previous: Retrospective | None) -> list[FigureRow]:
    """This month's figures beside last month's."""
    before = previous.figures if previous else {}
    rows = [FigureRow(name, retrospective.figures.get(name), before.get(name)) for name in FIGURES]
    return [
        row
        for row in rows
        if row.name not in REQUEST_FIGURES or row.value is not None or row.previous is not None
    ]


def previous_of(retrospective: Retrospective) -> Retrospective | None:
    return Retrospective.objects.filter(
        project_id=retrospective.project_id,
        team_id=retrospective.team_id,
        month=previous_month(retrospective.month),
    ).first()


def actions_of(retrospective: Retrospective) -> list[RetrospectiveAction]:
    return list(retrospective.actions.select_related("owner", "card__column").order_by("pk"))
