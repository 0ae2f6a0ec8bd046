"""Monthly retrospectives: built once per project (and per team) and month, then reviewed.

Building reads the month's cards, goals and pulse answers in a fixed number of
queries per project or team (docs/performance.md) and stores the figures and the
generated highlights and problems as they stood, so the report does not change
when the work moves on. The team then writes its own highlights and problems and
agrees improvement actions, each one a card on a board: the project's, or for a
team one of the boards of the projects it takes part in.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kanban.models import Board, Card, CardEvent, EventKind
from kanban.services import CardInput, card_create
from opsboard.accounts.models import User, zone
from opsboard.commands import moment_text
from opsboard.notify.services import notification_claim
from opsboard.notify.tasks import deliver_notification
from opsboard.tenancy.access import require_editor, require_lead, require_manager
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.goals import GoalStatus, format_change, format_value, goal_tracking
from projects.models import CheckIn, Goal, GoalState, Project, ProjectStatus, Unit
from raci.models import RaciAssignment, RaciRole

from .computations import compute, open_at, period_end, pulse_figures
from .models import (
    Frequency,
    Kpi,
    PulseAnswer,
    Retrospective,
    RetrospectiveAction,
    RetrospectiveState,
    Source,
)

LISTED = 10  # cards or goals listed under one highlight or problem; then "and N more"
ON_TIME_TARGET = 90  # percent: the source material's target for on-time completion

# Figures stored with every retrospective, in the order the page shows them.
FIGURES = [
    "on_time_rate",
    "throughput",
    "cycle_time",
    "goal_progress",
    "overdue",
    "blocked_days",
    "pulse_satisfaction",
]
# Computed as the KPI of the same kind is, for the project and the month.
COMPUTED = {
    "on_time_rate": Source.ON_TIME_RATE,
    "throughput": Source.THROUGHPUT,
    "cycle_time": Source.CYCLE_TIME_MEDIAN,
    "goal_progress": Source.GOAL_PROGRESS,
    "overdue": Source.OVERDUE_OPEN,
    "blocked_days": Source.BLOCKED_DAYS,
}
LOWER_IS_BETTER = {"cycle_time", "overdue", "blocked_days"}
FIGURE_LABELS = {
    "on_time_rate": gettext_lazy("On-time completion rate"),
    "throughput": gettext_lazy("Throughput (cards done per week)"),
    "cycle_time": gettext_lazy("Cycle time, median (days)"),
    "goal_progress": gettext_lazy("Goal progress"),
    "overdue": gettext_lazy("Open overdue cards at the month's end"),
    "blocked_days": gettext_lazy("Blocked days"),
    "pulse_satisfaction": gettext_lazy("Cross-team satisfaction (pulse, 1-5)"),
}
PERCENT_FIGURES = {"on_time_rate", "goal_progress"}
COUNT_FIGURES = {"overdue"}


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def month_bounds(month: date, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    begin = datetime.combine(month, time.min, tzinfo=zone)
    return begin, datetime.combine(period_end(Frequency.MONTHLY, month), time.min, tzinfo=zone)


# What is reviewed -------------------------------------------------------------


def scope_of(reviewed: Project | Team) -> dict[str, Project | Team]:
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
    def scope(self) -> dict[str, Project | Team]:
        return scope_of(self.project or self.team)  # type: ignore[arg-type]

    def cards(self) -> QuerySet[Card]:
        if self.project:
            return Card.objects.filter(board__project=self.project)
        return Card.objects.filter(board__organization=self.organization, team=self.team)

    def pulse_teams(self) -> QuerySet[Team] | list[int]:
        """The teams whose pulse ratings count: the project's, or the team itself."""
        if self.project:
            return self.project.teams.values("pk")
        return [self.team.pk]  # type: ignore[union-attr]

    def retrospectives(self) -> QuerySet[Retrospective]:
        return Retrospective.objects.filter(**self.scope)


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
    zone = zoneinfo.ZoneInfo(organization.timezone)
    begin, end = month_bounds(month, zone)
    as_of = min(end, timezone.now())
    last_day = (as_of - timedelta(microseconds=1)).astimezone(zone).date()
    scope = Kpi(organization=organization, frequency=Frequency.MONTHLY, **subject.scope)
    figures: dict[str, Any] = {}
    for name, source in COMPUTED.items():
        scope.source = source
        figures[name] = _number(compute(scope, month))
    cards = subject.cards()
    # Work finished in the month, and which of it was late.
    done = list(
        cards.filter(done_at__gte=begin, done_at__lt=end)
        .only("title", "due_date", "done_at")
        .order_by("done_at", "pk")
    )
    late = [
        card
        for card in done
        if card.due_date and timezone.localtime(card.done_at, zone).date() > card.due_date
    ]
    figures["done"] = len(done)
    figures["created"] = cards.filter(created_at__gte=begin, created_at__lt=end).count()
    # Open at the end of the month: overdue ones, and those missing an Accountable or a Responsible.
    role = RaciAssignment.objects.filter(card=OuterRef("pk"))
    open_cards = list(
        open_at(cards, as_of)
        .annotate(
            has_accountable=Exists(role.filter(role=RaciRole.ACCOUNTABLE)),
            has_responsible=Exists(role.filter(role=RaciRole.RESPONSIBLE)),
        )
        .only("title", "due_date")
        .order_by("due_date", "pk")
    )
    figures["open"] = len(open_cards)
    overdue = [card for card in open_cards if card.due_date and card.due_date < as_of.date()]
    unowned = [c for c in open_cards if not (c.has_accountable and c.has_responsible)]
    # Cards blocked at some time in the month.
    blocked = list(
        cards.filter(
            Exists(
                CardEvent.objects.filter(
                    card=OuterRef("pk"), kind=EventKind.BLOCKED, at__gte=begin, at__lt=end
                )
            )
            | Q(blocked=True, blocked_at__lt=end, done_at__isnull=True)
        )
        .only("title", "blocked_reason")
        .order_by("pk")
    )
    # Goals: achieved in the month, and where the active ones stood at its end.
    latest = CheckIn.objects.filter(goal=OuterRef("pk"), checked_on__lte=last_day).order_by(
        "-checked_on", "-created_at"
    )
    goals = list(
        Goal.objects.filter(**subject.scope)
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
                    days=lambda c: (timezone.localtime(c.done_at, zone).date() - c.due_date).days,
                ),
            }
        )
    if overdue:
        problems.append(
            {
                "kind": "overdue",
                **_cards(overdue, days=lambda c: (as_of.date() - c.due_date).days),
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
    return Report(figures, highlights, problems)


def is_quiet(figures: dict[str, Any]) -> bool:
    """Nothing happened: no card made, finished or open, no goal checked in."""
    return not (
        figures.get("done") or figures.get("created") or figures.get("open")
    ) and not figures.get("check_ins")


@transaction.atomic
def retrospective_build(
    *, month: date, project: Project | None = None, team: Team | None = None
) -> tuple[Retrospective, bool]:
    """The project's or the team's retrospective for ``month``, built now unless it exists.
    True when built."""
    subject = Subject.of(project or team)  # type: ignore[arg-type]
    existing = subject.retrospectives().filter(month=month).first()
    if existing is not None:
        return existing, False
    report = report_for(subject, month)
    retrospective, created = Retrospective.objects.get_or_create(
        **subject.scope,
        month=month,
        defaults={
            "organization": subject.organization,
            "figures": report.figures,
            "generated_highlights": report.highlights,
            "generated_problems": report.problems,
            "built_at": timezone.now(),
        },
    )
    return retrospective, created


@transaction.atomic
def retrospective_rebuild(*, actor: Membership, retrospective: Retrospective) -> Retrospective:
    """Work the figures and the generated items out again (after late updates to the cards);
    what the team wrote and its actions stay."""
    require_manager(actor)
    report = report_for(Subject.of_retrospective(retrospective), retrospective.month)
    retrospective.figures = report.figures
    retrospective.generated_highlights = report.highlights
    retrospective.generated_problems = report.problems
    retrospective.built_at = timezone.now()
    retrospective.save()
    return retrospective


# Reviewing -------------------------------------------------------------------


def require_may_edit(actor: Membership, retrospective: Retrospective) -> None:
    """The team edits a retrospective in review; once final, only a manager may."""
    require_editor(actor)
    if retrospective.is_final:
        require_manager(actor)


@transaction.atomic
def retrospective_update(
    *, actor: Membership, retrospective: Retrospective, highlights: str, problems: str
) -> Retrospective:
    require_may_edit(actor, retrospective)
    retrospective.highlights = highlights.strip()
    retrospective.problems = problems.strip()
    retrospective.save(update_fields=["highlights", "problems", "updated_at"])
    return retrospective


@transaction.atomic
def retrospective_action_add(
    *,
    actor: Membership,
    retrospective: Retrospective,
    title: str,
    owner: User | None,
    due_date: date | None,
    board: Board | None = None,
) -> RetrospectiveAction:
    """An improvement action: a card for its owner, due when agreed, on the project's board;
    for a team, on the board chosen among those of the projects the team takes part in."""
    require_may_edit(actor, retrospective)
    errors = {}
    if owner is None:
        errors["owner"] = _("Every action needs an owner.")
    if due_date is None:
        errors["due_date"] = _("Every action needs a due date.")
    elif (
        due_date
        < timezone.localtime(
            timezone=zone(retrospective.organization.timezone, settings.TIME_ZONE)
        ).date()
    ):
        errors["due_date"] = _("The due date has passed.")
    if retrospective.project_id:
        board = retrospective.project.boards.order_by("pk").first()
        if board is None:
            errors["title"] = _("The project has no board to put the action on.")
    else:
        boards = action_boards(retrospective)
        if not boards.exists():
            errors["board"] = _(
                "The team takes part in no active project, so there is no board for the action."
            )
        elif board is None or not boards.filter(pk=board.pk).exists():
            errors["board"] = _("Choose the board of one of the team's projects.")
    if errors:
        raise ValidationError(errors)
    description = _("Improvement action from the retrospective of %(month)s.") % {
        "month": date_format(retrospective.month, "YEAR_MONTH_FORMAT")
    }
    card = card_create(
        actor=actor,
        board=board,
        data=CardInput(title=title, description=description, assignee=owner, due_date=due_date),
    )
    return RetrospectiveAction.objects.create(
        retrospective=retrospective, card=card, title=card.title, owner=owner, due_date=due_date
    )


@transaction.atomic
def retrospective_finalise(*, actor: Membership, retrospective: Retrospective) -> Retrospective:
    require_lead(actor)
    if retrospective.is_final:
        return retrospective
    retrospective.state = RetrospectiveState.FINAL
    retrospective.finalised_at = timezone.now()
    retrospective.finalised_by = actor.user
    retrospective.save(update_fields=["state", "finalised_at", "finalised_by", "updated_at"])
    notify(retrospective, kind=KIND_FINAL)
    return retrospective


# Reading ---------------------------------------------------------------------


def retrospective_get_for_user(*, membership: Membership, retrospective_id: int) -> Retrospective:
    return get_object_or_404(
        Retrospective.objects.select_related("organization", "project", "team", "finalised_by"),
        organization_id=membership.organization_id,
        pk=retrospective_id,
    )


def retrospectives_of(reviewed: Project | Team) -> QuerySet[Retrospective]:
    return Retrospective.objects.filter(**scope_of(reviewed)).order_by("-month")


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
    return [FigureRow(name, retrospective.figures.get(name), before.get(name)) for name in FIGURES]


def previous_of(retrospective: Retrospective) -> Retrospective | None:
    return Retrospective.objects.filter(
        project_id=retrospective.project_id,
        team_id=retrospective.team_id,
        month=previous_month(retrospective.month),
    ).first()


def actions_of(retrospective: Retrospective) -> list[RetrospectiveAction]:
    return list(retrospective.actions.select_related("owner", "card__column").order_by("pk"))


# The monthly job --------------------------------------------------------------

BUILD_HOUR = 7  # local time on the organisation's retrospective day: before work starts
KIND_BUILT = "retrospective_built"
KIND_FINAL = "retrospective_final"


def working_day(month: date, number: int = 1) -> date:
    """The month's ``number``-th working day: Monday to Friday; public holidays are not known
    to Opsboard."""
    day = month - timedelta(days=1)
    for _counted in range(number):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return day


def due_builds(*, now: datetime) -> list[tuple[Subject, date]]:
    """The projects and teams whose retrospective of last month is due now and not built yet.

    Due from BUILD_HOUR on the organisation's working day of the month
    (``Organization.retrospective_working_day``, the first by default), in its time zone;
    one missed then (the job was down) is caught up on the next run. Only projects active
    now, and teams, that existed before the month ended get one.
    """
    due = []
    for organization in Organization.objects.all():
        zone = zoneinfo.ZoneInfo(organization.timezone)
        local = now.astimezone(zone)
        this_month = local.date().replace(day=1)
        if local < build_day_at(organization, this_month):
            continue
        month = previous_month(this_month)
        month_end = datetime.combine(this_month, time.min, tzinfo=zone)
        projects = (
            Project.objects.filter(
                organization=organization, status=ProjectStatus.ACTIVE, created_at__lt=month_end
            )
            .exclude(Exists(Retrospective.objects.filter(project=OuterRef("pk"), month=month)))
            .select_related("organization", "owner")
            .order_by("pk")
        )
        teams = (
            Team.objects.filter(organization=organization, created_at__lt=month_end)
            .exclude(Exists(Retrospective.objects.filter(team=OuterRef("pk"), month=month)))
            .select_related("organization", "lead")
            .order_by("pk")
        )
        due += [(Subject.of(reviewed), month) for reviewed in [*projects, *teams]]
    return due


def build_day_at(organization: Organization, month: date) -> datetime:
    """When the month's build falls due: BUILD_HOUR on the organisation's working day of it."""
    day = working_day(month, organization.retrospective_working_day)
    return datetime.combine(day, time(BUILD_HOUR), tzinfo=zoneinfo.ZoneInfo(organization.timezone))


def explain_retrospectives(*, now: datetime) -> list[str]:
    """Why no retrospective is built now, by organisation: not due until (when), or last
    month's already built (when), with the next build. For the command run by hand."""
    due = {(subject.organization.pk, month) for subject, month in due_builds(now=now)}
    lines = []
    for organization in Organization.objects.order_by("slug"):
        local = now.astimezone(zoneinfo.ZoneInfo(organization.timezone))
        this_month = local.date().replace(day=1)
        month = previous_month(this_month)
        build_at = build_day_at(organization, this_month)
        if local < build_at:
            lines.append(
                f"{organization.slug}: {month:%Y-%m} not due until"
                f" {moment_text(build_at, as_now=True)}"
                f": working day {organization.retrospective_working_day} of the month."
            )
            continue
        next_at = build_day_at(organization, (this_month + timedelta(days=32)).replace(day=1))
        next_build = moment_text(next_at, as_now=True)
        built = Retrospective.objects.filter(organization=organization, month=month)
        if built:
            last = max(retrospective.built_at for retrospective in built).astimezone(local.tzinfo)
            lines.append(
                f"{organization.slug}: {month:%Y-%m} already built for {len(built)}"
                f" (the last at {moment_text(last)})"
                + (
                    ""
                    if (organization.pk, month) in due
                    else ", every project and team that existed then"
                )
                + f"; the next are due from {next_build}."
            )
        elif (organization.pk, month) not in due:
            lines.append(
                f"{organization.slug}: no active project or team existed before {this_month};"
                f" the next are due from {next_build}."
            )
    return lines


def build_retrospectives(*, now: datetime, dry_run: bool = False) -> list[Retrospective]:
    """Build every retrospective due now and tell who answers for it (recipients_of), once.

    Each build and its ledger rows commit together; a second run, or one at the same time,
    finds the retrospective there (one per project or team and month) and sends nothing new.
    """
    built = []
    for subject, month in due_builds(now=now):
        if dry_run:
            built.append(
                Retrospective(organization=subject.organization, month=month, **subject.scope)
            )
            continue
        with transaction.atomic():
            retrospective, created = retrospective_build(month=month, **subject.scope)
            if created:
                notify(retrospective, kind=KIND_BUILT)
                built.append(retrospective)
    return built


def recipients_of(retrospective: Retrospective) -> list[User]:
    """Active people, once each. For a project: its owner (Accountable for it) and the
    leads of its teams. For a team: its lead and its members whose role is team lead."""
    if retrospective.team_id:
        team = retrospective.team
        people = {
            user.pk: user
            for user in User.objects.filter(
                memberships__organization_id=retrospective.organization_id,
                memberships__role=Role.LEAD,
                memberships__teams=team,
            )
        }
        if team.lead_id:
            people[team.lead_id] = team.lead
    else:
        project = retrospective.project
        people = {user.pk: user for user in User.objects.filter(led_teams__projects=project)}
        if project.owner_id:
            people[project.owner_id] = project.owner
    return sorted(
        (user for user in people.values() if user.is_active), key=lambda u: (u.full_name, u.email)
    )


def notify(retrospective: Retrospective, *, kind: str) -> int:
    """Claim one ledger row per recipient and enqueue the emails after commit."""
    organization = retrospective.organization
    path = reverse(
        "metrics:retrospective_detail",
        kwargs={"org_slug": organization.slug, "retro_id": retrospective.pk},
    )
    rows = comparison(retrospective, previous_of(retrospective))
    context = {
        "retro": retrospective,
        "reviewed": retrospective.reviewed,
        "final": kind == KIND_FINAL,
        "quiet": is_quiet(retrospective.figures),
        "rows": rows,
        # The change column only where there is a month before to compare with.
        "compared": any(row.change is not None for row in rows),
        "actions": actions_of(retrospective) if kind == KIND_FINAL else [],
        "url": settings.SITE_URL + path,
    }
    claimed = 0
    for user in recipients_of(retrospective):
        notification = notification_claim(
            kind=kind,
            subject_key=f"retro:{retrospective.pk}",
            recipient=user,
            period=retrospective.period,
            template="retrospective",
            context={**context, "recipient": user},
            language=user.language or organization.language,
            timezone_name=user.timezone or organization.timezone,
            organization_id=organization.pk,
            link=path,
        )
        if notification is not None:
            deliver_notification.delay_on_commit(notification.pk)
            claimed += 1
    return claimed
