"""The weekly KPI digest: every Monday morning in each person's time zone, one email that tells
the week's story of what they lead or manage.

Team leads, ops managers and owners get it unless they unsubscribed; anyone else may subscribe.
A digest covers the organisation's last full week (Monday to Sunday in its time zone): each
KPI in the person's scope against target with the change from the week before and a trend,
the goals at risk, open work overdue or blocked, and what was finished. Managers and owners
see the whole organisation; everyone else their teams' work and the projects they own or
their teams take part in. Organisation-wide KPIs are in everyone's digest.

What every digest of an organisation and week draws from is read once
(``OrganizationWeek``), so a digest costs the same few queries whatever the number of
recipients; each is claimed in the ledger under (kind, organisation, person, week) before it
is sent, so a rerun or a second beat sends nothing new.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.dates import WEEKDAYS

from kanban.links import card_panel_path
from kanban.models import Card
from opsboard.accounts.models import zone
from opsboard.commands import moment_text
from opsboard.notify.models import Notification, Preference
from opsboard.notify.services import notification_claim
from opsboard.notify.subscriptions import unsubscribe_url
from opsboard.notify.tasks import deliver_notification
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.goals import GoalStatus
from projects.models import Goal, GoalState, Project
from projects.selectors import TrackedGoal, track, with_latest_check_in

from . import scopes
from .computations import bounds
from .forecast import OPEN_STATUSES, Forecast, forecasts_for
from .models import Frequency
from .requests import TeamRequests, request_figures_by_team
from .selectors import Tile, kpis_for, tiles
from .services import Rag

KIND = "weekly_digest"
SHOWN = 10  # cards listed per section; the rest are counted
SUBSCRIBED_BY_DEFAULT = (Role.OWNER, Role.MANAGER, Role.LEAD)


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Scope:
    """What one person's digest covers: everything (managers), or their teams, the projects they
    own or their teams take part in, and what they own."""

    everything: bool
    user_id: int
    team_ids: frozenset[int]
    project_ids: frozenset[int]

    def buckets(self) -> list[tuple[str, int]]:
        return [
            ("user", self.user_id),
            *(("team", team) for team in self.team_ids),
            *(("project", project) for project in self.project_ids),
        ]


Key = tuple[str, int]
T = TypeVar("T")


class Index(Generic[T]):
    """Items by the teams, projects and people they belong to, so that each person's share is
    gathered from a few buckets instead of filtered from all. Items with no keys are everyone's."""

    def __init__(self, items: list[T], keys: Callable[[T], list[Key]]) -> None:
        self.items = items
        self.everyones: list[int] = []
        self.positions: dict[Key, list[int]] = defaultdict(list)
        for position, item in enumerate(items):
            item_keys = keys(item)
            if not item_keys:
                self.everyones.append(position)
            for key in item_keys:
                self.positions[key].append(position)

    def share(self, scope: Scope) -> list[T]:
        """The items in ``scope``, in their order."""
        if scope.everything:
            return self.items
        found = set(self.everyones)
        for key in scope.buckets():
            found.update(self.positions.get(key, ()))
        return [self.items[position] for position in sorted(found)]


def _goal_keys(goal: Goal) -> list[Key]:
    return [
        (kind, value)
        for kind, value in (
            ("user", goal.owner_id),
            ("team", goal.team_id),
            ("project", goal.project_id),
        )
        if value
    ]


def _kpi_keys(tile: Tile) -> list[Key]:
    kpi = tile.kpi
    keys = [
        (kind, value)
        for kind, value in (("team", kpi.team_id), ("project", kpi.project_id))
        if value
    ]
    return keys + (_goal_keys(kpi.goal) if kpi.goal else [])


def _card_keys(card: Card) -> list[Key]:
    return [("project", card.board.project_id)] + ([("team", card.team_id)] if card.team_id else [])


class OrganizationWeek:
    """An organisation's week as every digest tells it: read once, filtered per person."""

    def __init__(self, organization: Organization, week_start: date, *, today: date) -> None:
        """``today``: the day it is read on, for what counts as overdue."""
        self.organization = organization
        self.week_start = week_start
        self.week_end = week_start + timedelta(days=6)
        # Read within the week (the preview): the week so far, up to today. Sent digests
        # are read the Monday after, and tell the whole week just ended.
        self.so_far = today if today <= self.week_end else None
        begin, end, until = bounds(Frequency.WEEKLY, week_start, organization.zone)
        kpis = list(kpis_for(organization=organization))
        # As of the week's Sunday: its value, the week before, and the trend up to it.
        self.tiles = Index(tiles(kpis, today=self.week_end) if kpis else [], _kpi_keys)
        goals = with_latest_check_in(
            Goal.objects.filter(organization=organization, state=GoalState.ACTIVE).select_related(
                "project"
            )
        ).order_by("due_date", "title")
        self.goals = Index(
            [
                tracked
                for tracked in (track(goal, on=self.week_end) for goal in goals)
                if tracked.tracking.status in (GoalStatus.AT_RISK, GoalStatus.OFF_TRACK)
            ],
            lambda tracked: _goal_keys(tracked.goal),
        )
        cards = (
            Card.objects.filter(board__organization=organization)
            .open()
            .select_related("board__project", "assignee")
        )
        self.overdue = Index(
            list(cards.overdue(today).order_by("due_date", "title")),
            _card_keys,
        )
        self.blocked = Index(list(cards.blocked().order_by("blocked_at", "title")), _card_keys)
        self.finished = Index(
            list(cards.done_in(begin, end).order_by("-done_at", "title")), _card_keys
        )
        # The open projects' forecasts, those at risk first.
        forecasts = forecasts_for(
            Project.objects.filter(organization=organization, status__in=OPEN_STATUSES),
            organization=organization,
            today=today,
        ).values()
        self.forecasts = Index(
            sorted(forecasts, key=lambda f: (not f.at_risk, f.project.due_date, f.project.name)),
            lambda forecast: [("project", forecast.project.pk)],
        )
        # Requests between teams: how each team answered the others in the week (so far).
        self.requests = Index(
            request_figures_by_team(scopes.Scope(organization).requests(), begin, until),
            lambda team: [("team", team.team_id)],
        )
        self.projects_of_team: dict[int, set[int]] = defaultdict(set)
        for project_id, team_id in Project.teams.through.objects.filter(
            project__organization=organization
        ).values_list("project_id", "team_id"):
            self.projects_of_team[team_id].add(project_id)
        self.owned_projects: dict[int, set[int]] = defaultdict(set)
        for project_id, owner_id in Project.objects.filter(
            organization=organization, owner__isnull=False
        ).values_list("pk", "owner_id"):
            self.owned_projects[owner_id].add(project_id)

    def scope_for(self, membership: Membership) -> Scope:
        team_ids = frozenset(team.pk for team in membership.teams.all())
        project_ids = set(self.owned_projects.get(membership.user_id, ()))
        for team in team_ids:
            project_ids |= self.projects_of_team.get(team, set())
        return Scope(
            everything=membership.can_manage,
            user_id=membership.user_id,
            team_ids=team_ids,
            project_ids=frozenset(project_ids),
        )

    def digest_for(self, membership: Membership) -> Digest | None:
        """The person's digest; None when no KPI is theirs (no empty digests)."""
        scope = self.scope_for(membership)
        rows = self.tiles.share(scope)
        if not rows:
            return None
        return Digest(
            membership=membership,
            week_start=self.week_start,
            so_far=self.so_far,
            rows=rows,
            goals=self.goals.share(scope),
            overdue=self.overdue.share(scope),
            blocked=self.blocked.share(scope),
            finished=self.finished.share(scope),
            forecasts=self.forecasts.share(scope),
            requests=self.requests.share(scope),
        )


@dataclass
class Digest:
    membership: Membership
    week_start: date
    rows: list[Tile]
    so_far: date | None = None  # the week still runs: told up to this day
    goals: list[TrackedGoal] = field(default_factory=list)
    overdue: list[Card] = field(default_factory=list)
    blocked: list[Card] = field(default_factory=list)
    finished: list[Card] = field(default_factory=list)
    forecasts: list[Forecast] = field(default_factory=list)  # those at risk first
    requests: list[TeamRequests] = field(default_factory=list)

    @property
    def at_risk(self) -> list[Forecast]:
        return [forecast for forecast in self.forecasts if forecast.at_risk]

    @property
    def period(self) -> str:
        """The ISO week reported, e.g. 2026-W47: one digest per person and week."""
        return _period(self.week_start)

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    def context(self) -> dict[str, object]:
        organization = self.membership.organization
        slug = organization.slug

        def url(name: str, **kwargs: object) -> str:
            return settings.SITE_URL + reverse(name, kwargs={"org_slug": slug, **kwargs})

        def card_section(name: str, cards: list[Card]) -> dict[str, object]:
            """The first few cards with their addresses, how many in all, how many not listed."""
            return {
                name: [
                    {
                        "card": card,
                        "url": settings.SITE_URL
                        + card_panel_path(org_slug=slug, board_id=card.board_id, card_id=card.pk),
                    }
                    for card in cards[:SHOWN]
                ],
                f"{name}_count": len(cards),
                f"{name}_more": max(len(cards) - SHOWN, 0),
            }

        return {
            "recipient": self.membership.user,
            "organization": organization,
            "week_start": self.week_start,
            "week_end": self.week_end,
            # The week is "last week" in a digest sent; "this week so far" in the preview.
            "so_far": self.so_far is not None,
            "last_day": self.so_far or self.week_end,
            "rows": [
                {
                    "tile": tile,
                    "bars": trend_bars(tile),
                    "url": url("metrics:kpi_detail", kpi_id=tile.kpi.pk),
                }
                for tile in self.rows
            ],
            "red_count": sum(1 for tile in self.rows if tile.rag == Rag.RED),
            "goals": [
                {"tracked": tracked, "url": url("projects:goal_detail", goal_id=tracked.goal.pk)}
                for tracked in self.goals
            ],
            "forecasts": [
                {
                    "forecast": forecast,
                    "url": url("projects:project_detail", project_id=forecast.project.pk),
                }
                for forecast in self.forecasts
            ],
            "at_risk_count": len(self.at_risk),
            **card_section("overdue", self.overdue),
            **card_section("blocked", self.blocked),
            **card_section("finished", self.finished),
            "requests": self.requests,
            "dashboard_url": url("metrics:dashboard"),
            "unsubscribe_url": unsubscribe_url(self.membership.user),
        }


def trend_bars(tile: Tile, height: int = 24) -> list[dict[str, object]]:
    """The trend as bar heights in pixels (at least 2; none where a period has no value),
    for a chart of table cells that every mail client draws."""
    values = [value for _period, value in tile.series if value is not None]
    if not values:
        return []
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    return [
        {
            "period": period,
            "value": value,
            "height": 0 if value is None else 2 + round(float((value - low) / span) * (height - 2)),
        }
        for period, value in tile.series
    ]


def subscribed(membership: Membership, preference: Preference | None) -> bool:
    chosen = preference.weekly_digest if preference else None
    return membership.role in SUBSCRIBED_BY_DEFAULT if chosen is None else chosen


def digest_day_reached(
    organization: Organization, preference: Preference | None, local: datetime
) -> bool:
    """Whether this week's digest day (the organisation's) and hour (the person's, else the
    organisation's) have come, at the person's local time; a missed one goes out until Sunday."""
    hour = (preference or Preference()).hour_or(organization.reminder_hour)
    day = organization.digest_weekday
    return local.weekday() > day or (local.weekday() == day and local.hour >= hour)


def _people_of(organization: Organization) -> tuple[list[Membership], dict[int, Preference]]:
    """The organisation's active members with their teams, and their preferences by user id."""
    memberships = list(
        Membership.objects.filter(organization=organization, user__is_active=True)
        .select_related("user", "organization")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.only("pk")))
    )
    preferences = {
        p.user_id: p for p in Preference.objects.filter(user__in=[m.user_id for m in memberships])
    }
    return memberships, preferences


def plan_digests(*, now: datetime) -> list[Digest]:
    """Whose digest is due now (their digest day and hour have come this week and they have
    not had it), with its contents. Nothing is written."""
    planned: list[Digest] = []
    for organization in Organization.objects.all():
        memberships, preferences = _people_of(organization)
        due: list[tuple[Membership, date]] = []
        for membership in memberships:
            preference = preferences.get(membership.user_id)
            if not subscribed(membership, preference):
                continue
            local = now.astimezone(zone(membership.user.timezone, organization.timezone))
            if not digest_day_reached(organization, preference, local):
                continue
            due.append((membership, week_of(local.date()) - timedelta(days=7)))
        if not due:
            continue
        sent = set(
            Notification.objects.filter(
                kind=KIND,
                subject_key=subject_key(organization.pk),
                period__in={_period(week) for _m, week in due},
            ).values_list("recipient_id", "period")
        )
        weeks: dict[date, OrganizationWeek] = {}
        for membership, week in due:
            if (membership.user_id, _period(week)) in sent:
                continue
            if week not in weeks:
                # Read on the Monday after the week, whenever it goes out.
                weeks[week] = OrganizationWeek(organization, week, today=week + timedelta(days=7))
            digest = weeks[week].digest_for(membership)
            if digest is not None:
                planned.append(digest)
    return planned


def next_digest_at(
    organization: Organization, preference: Preference | None, local: datetime
) -> datetime:
    """When the person's next digest falls due, at their local time: this week's digest day
    and hour if they have not come, else next week's."""
    hour = (preference or Preference()).hour_or(organization.reminder_hour)
    day = week_of(local.date()) + timedelta(days=organization.digest_weekday)
    if digest_day_reached(organization, preference, local):
        day += timedelta(days=7)
    return datetime.combine(day, time(hour), tzinfo=local.tzinfo)


def explain_digests(*, now: datetime) -> list[str]:
    """Why people get no digest now, by organisation: already sent (when), not due until
    (when), no KPI of theirs, nobody subscribed. For the command run by hand."""
    lines = []
    planned = Counter(d.membership.organization_id for d in plan_digests(now=now))
    for organization in Organization.objects.order_by("slug"):
        memberships, preferences = _people_of(organization)
        subscribers = [m for m in memberships if subscribed(m, preferences.get(m.user_id))]
        if not subscribers:
            lines.append(f"{organization.slug}: nobody is subscribed to the weekly digest.")
            continue
        waiting: list[datetime] = []
        due: list[Membership] = []
        for membership in subscribers:
            preference = preferences.get(membership.user_id)
            local = now.astimezone(zone(membership.user.timezone, organization.timezone))
            if digest_day_reached(organization, preference, local):
                due.append(membership)
            else:
                waiting.append(next_digest_at(organization, preference, local))
        if waiting:
            lines.append(
                f"{organization.slug}: {len(waiting)} not due until {moment_text(min(waiting), as_now=True)}"
                f": the digest day, {WEEKDAYS[organization.digest_weekday]}, at each person's"
                " reminder hour."
            )
        if not due:
            continue
        local = now.astimezone(organization.zone)
        week = week_of(local.date()) - timedelta(days=7)
        sent = Notification.objects.filter(
            kind=KIND,
            subject_key=subject_key(organization.pk),
            period=_period(week),
            recipient__in=[m.user_id for m in due],
        )
        if sent:
            last = max(row.sent_at or row.created_at for row in sent)
            pending = sum(1 for row in sent if row.sent_at is None)
            next_due = min(
                next_digest_at(organization, preferences.get(m.user_id), local) for m in due
            )
            lines.append(
                f"{organization.slug}: {_period(week)} already sent to {len(sent)}"
                f" (the last at {moment_text(last.astimezone(local.tzinfo))}"
                + (f"; {pending} still queued for the worker" if pending else "")
                + f"); the next are due from {moment_text(next_due, as_now=True)}."
            )
        without = len(due) - len(sent) - planned[organization.pk]
        if without > 0:
            lines.append(f"{organization.slug}: {without} have no KPI in their share: no digest.")
    return lines


def _period(week_start: date) -> str:
    year, week, _day = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def subject_key(organization_id: int) -> str:
    return f"digest:{organization_id}"


def send_weekly_digests(*, now: datetime, dry_run: bool = False) -> list[Digest]:
    """Claim and enqueue each digest due now; return those sent (or, dry, planned)."""
    planned = plan_digests(now=now)
    if dry_run:
        return planned
    sent = []
    for digest in planned:
        user = digest.membership.user
        organization = digest.membership.organization
        context = digest.context()
        with transaction.atomic():
            notification = notification_claim(
                kind=KIND,
                subject_key=subject_key(organization.pk),
                recipient=user,
                period=digest.period,
                template="weekly-digest",
                context=context,
                language=organization.language_for(user),
                timezone_name=organization.timezone_for(user),
                organization_id=organization.pk,
                link=reverse("metrics:digest_preview", kwargs={"org_slug": organization.slug}),
                headers={
                    "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
            if notification is None:
                continue
            deliver_notification.delay_on_commit(notification.pk)
            sent.append(digest)
    return sent


def digest_preview(*, membership: Membership, today: date) -> Digest | None:
    """The person's next digest: the week running now, as it stands."""
    return OrganizationWeek(membership.organization, week_of(today), today=today).digest_for(
        membership
    )
