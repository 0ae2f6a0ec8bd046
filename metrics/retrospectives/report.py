"""Building a retrospective's report: the month's figures, highlights and problems.

``report_for`` reads the month's cards, goals and pulse answers of a project or a team
(a ``Subject``) in a fixed number of queries whatever its size (docs/performance.md);
the figures the KPIs also show are computed as they are (``metrics.computations``),
and every card rule is ``CardQuerySet``'s, read as of the month's end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from kanban.models import Card
from opsboard.tenancy.models import Organization, Team
from projects.goals import GoalStatus, goal_tracking
from projects.models import CheckIn, Goal, GoalState, Project
from raci.models import RaciAssignment, RaciRole

from ..computations import bounds, compute_for, pulse_figures
from ..forecast import retrospective_item
from ..models import Frequency, PulseAnswer, Retrospective, RetrospectiveAction, Source
from ..requests import request_figures
from ..scopes import Scope

LISTED = 10  # cards or goals listed under one highlight or problem; then "and N more"
ON_TIME_TARGET = 90  # percent: the source material's target for on-time completion

# Computed as the KPI of the same kind is, for the project and the month.
COMPUTED = {
    "on_time_rate": Source.ON_TIME_RATE,
    "throughput": Source.THROUGHPUT,
    "cycle_time": Source.CYCLE_TIME_MEDIAN,
    "goal_progress": Source.GOAL_PROGRESS,
    "overdue": Source.OVERDUE_OPEN,
    "blocked_days": Source.BLOCKED_DAYS,
}


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


# What is reviewed -------------------------------------------------------------


def lookup_of(reviewed: Project | Team) -> dict[str, Project | Team]:
    """The field and value that select a project's or a team's goals, KPIs and
    retrospectives."""
    return {"team": reviewed} if isinstance(reviewed, Team) else {"project": reviewed}


@dataclass(frozen=True)
class Subject:
    """What a retrospective reviews: a project, or a team across the boards it works on."""

    organization: Organization
    project: Project | None = None
    team: Team | None = None

    @classmethod
    def of(cls, reviewed: Project | Team) -> Subject:
        if isinstance(reviewed, Team):
            return cls(organization=reviewed.organization, team=reviewed)
        return cls(organization=reviewed.organization, project=reviewed)

    @classmethod
    def of_retrospective(cls, retrospective: Retrospective) -> Subject:
        return cls(retrospective.organization, retrospective.project, retrospective.team)

    @property
    def lookup(self) -> dict[str, Project | Team]:
        return lookup_of(self.project or self.team)  # type: ignore[arg-type]

    @property
    def scope(self) -> Scope:
        """The work reviewed: a project's cards on its boards, a team's on any board."""
        if self.project:
            return Scope(self.organization, project_id=self.project.pk)
        return Scope(self.organization, team_id=self.team.pk)  # type: ignore[union-attr]

    def pulse_teams(self) -> QuerySet[Team] | list[int]:
        """The teams whose pulse ratings count: the project's, or the team itself."""
        if self.project:
            return self.project.teams.values("pk")
        return [self.team.pk]  # type: ignore[union-attr]

    def retrospectives(self) -> QuerySet[Retrospective]:
        return Retrospective.objects.filter(**self.lookup)


# Building ------------------------------------------------------------------


@dataclass
class Report:
    """What a build works out, before it is stored."""

    figures: dict[str, Any]
    highlights: list[dict[str, Any]]
    problems: list[dict[str, Any]]


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _cards(cards: list[Card], **extra: Any) -> dict[str, Any]:
    return {
        "count": len(cards),
        "more": max(len(cards) - LISTED, 0),
        "cards": [
            {"id": card.pk, "title": card.title, **{k: f(card) for k, f in extra.items()}}
            for card in cards[:LISTED]
        ],
    }


def report_for(subject: Subject, month: date) -> Report:
    """The month's figures, highlights and problems for a project or a team, in a fixed
    number of queries whatever its size."""
    organization = subject.organization
    zone = organization.zone
    begin, end, as_of = bounds(Frequency.MONTHLY, month, zone)
    as_of_day = organization.day_of(as_of)
    last_day = organization.day_of(as_of - timedelta(microseconds=1))
    scope = subject.scope
    figures: dict[str, Any] = {}
    for name, source in COMPUTED.items():
        figures[name] = _number(compute_for(scope, source, Frequency.MONTHLY, month))
    cards = scope.cards()
    # Work finished in the month, and which of it was late.
    done = list(
        cards.done_in(begin, end).only("title", "due_date", "done_at").order_by("done_at", "pk")
    )
    late = [card for card in done if card.was_late(zone)]
    figures["done"] = len(done)
    figures["created"] = cards.filter(created_at__gte=begin, created_at__lt=end).count()
    # Open at the end of the month: overdue ones, and those missing an Accountable or a Responsible.
    role = RaciAssignment.objects.filter(card=OuterRef("pk"))
    open_cards = list(
        cards.open_as_of(as_of)
        .annotate(
            overdue=Exists(cards.overdue_as_of(as_of, zone).filter(pk=OuterRef("pk"))),
            has_accountable=Exists(role.filter(role=RaciRole.ACCOUNTABLE)),
            has_responsible=Exists(role.filter(role=RaciRole.RESPONSIBLE)),
        )
        .only("title", "due_date")
        .order_by("due_date", "pk")
    )
    figures["open"] = len(open_cards)
    overdue = [card for card in open_cards if card.overdue]
    unowned = [c for c in open_cards if not (c.has_accountable and c.has_responsible)]
    # Cards blocked at some time in the month.
    blocked = list(cards.blocked_during(begin, end).only("title", "blocked_reason").order_by("pk"))
    # Goals: achieved in the month, and where the active ones stood at its end.
    latest = CheckIn.objects.filter(goal=OuterRef("pk"), checked_on__lte=last_day).order_by(
        "-checked_on", "-created_at"
    )
    goals = list(
        Goal.objects.filter(**subject.lookup)
        .filter(
            Q(state=GoalState.ACTIVE)
            | Q(state=GoalState.ACHIEVED, closed_at__gte=begin, closed_at__lt=end)
        )
        .annotate(
            latest_value=latest.values("value")[:1],
            latest_confidence=latest.values("confidence")[:1],
            checked_in=Exists(
                CheckIn.objects.filter(goal=OuterRef("pk"), checked_on__gte=month).filter(
                    checked_on__lte=last_day
                )
            ),
        )
        .order_by("pk")
    )
    achieved, behind = [], []
    for goal in goals:
        status = goal_tracking(
            goal,
            latest_value=goal.latest_value,
            latest_confidence=goal.latest_confidence,
            on=last_day,
        ).status
        if goal.state == GoalState.ACHIEVED or status == GoalStatus.ACHIEVED:
            achieved.append({"id": goal.pk, "title": goal.title})
        elif status in (GoalStatus.AT_RISK, GoalStatus.OFF_TRACK, GoalStatus.MISSED):
            behind.append({"id": goal.pk, "title": goal.title, "status": status.value})
    figures["check_ins"] = sum(1 for goal in goals if goal.checked_in)
    # Cross-team satisfaction: the month's pulse ratings of the project's teams, or the team's.
    answers, mean, _nps = pulse_figures(
        PulseAnswer.objects.filter(
            organization_id=organization.pk,
            team__in=subject.pulse_teams(),
            month__gte=month,
            month__lt=end.date(),
        )
    )
    figures["pulse_satisfaction"] = _number(mean)
    figures["pulse_answers"] = answers
    # Requests other teams sent the project's boards, or the team: answered in time, and rated.
    requests = request_figures(scope.requests(), begin, as_of)
    figures["first_responses_on_time"] = _number(requests.first_response_rate)
    figures["resolutions_on_time"] = _number(requests.resolution_rate)
    figures["requester_satisfaction"] = _number(requests.satisfaction)
    figures["requester_ratings"] = requests.ratings
    # Last month's improvement actions: done or not.
    actions = list(
        RetrospectiveAction.objects.filter(
            retrospective__in=subject.retrospectives().filter(month=previous_month(month))
        )
        .select_related("card")
        .order_by("pk")
    )
    actions_done = [a for a in actions if a.card and a.card.done_at and a.card.done_at < end]
    actions_open = [a for a in actions if a not in actions_done]
    figures["actions"] = len(actions)
    figures["actions_done"] = len(actions_done)

    highlights: list[dict[str, Any]] = []
    if achieved:
        highlights.append({"kind": "goals_achieved", "count": len(achieved), "goals": achieved})
    if done:
        highlights.append({"kind": "done", **_cards(done)})
    rate = figures["on_time_rate"]
    if rate is not None and rate >= ON_TIME_TARGET:
        highlights.append({"kind": "on_time", "rate": rate})
    if actions_done:
        highlights.append(
            {
                "kind": "actions_done",
                "count": len(actions_done),
                "actions": [{"title": a.title, "card_id": a.card_id} for a in actions_done],
            }
        )
    problems: list[dict[str, Any]] = []
    if late:
        problems.append(
            {
                "kind": "late",
                **_cards(
                    late,
                    days=lambda c: (organization.day_of(c.done_at) - c.due_date).days,
                ),
            }
        )
    if overdue:
        problems.append(
            {
                "kind": "overdue",
                **_cards(overdue, days=lambda c: (as_of_day - c.due_date).days),
            }
        )
    if blocked:
        problems.append({"kind": "blocked", **_cards(blocked, reason=lambda c: c.blocked_reason)})
    if behind:
        problems.append({"kind": "goals_behind", "count": len(behind), "goals": behind})
    if unowned:
        problems.append(
            {
                "kind": "raci_gaps",
                **_cards(
                    unowned,
                    accountable=lambda c: c.has_accountable,
                    responsible=lambda c: c.has_responsible,
                ),
            }
        )
    if actions_open:
        problems.append(
            {
                "kind": "actions_open",
                "count": len(actions_open),
                "actions": [{"title": a.title, "card_id": a.card_id} for a in actions_open],
            }
        )
    if subject.project:
        # Where the project's remaining work stood at the month's end against its due date.
        forecast = retrospective_item(subject.project, today=as_of_day, remaining=len(open_cards))
        if forecast:
            (problems if forecast["at_risk"] else highlights).append(forecast)
    return Report(figures, highlights, problems)


def is_quiet(figures: dict[str, Any]) -> bool:
    """Nothing happened: no card made, finished or open, no goal checked in."""
    return not (
        figures.get("done") or figures.get("created") or figures.get("open")
    ) and not figures.get("check_ins")
