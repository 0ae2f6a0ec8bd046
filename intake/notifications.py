"""The scan of the response clocks: at 75% of a target the request's Responsible is
warned; when the target is missed its Accountable and the team's chat groups are told.
Each once.

A periodic job (every 5 minutes, ``intake.tasks.scan_response_clocks``) reads only the
running clocks whose moment has come, off two small partial indexes (``warn_at`` of the
clocks not warned yet, ``due_at`` of the clocks not missed yet), routes them with
``raci.selectors.Routing`` (Responsible, else the assignee; Accountable, else the project's
owner), and for each clock first marks it warned (or missed) under a condition that only
one scan can meet, then claims one ledger row per recipient; the messages go out once the
clock's transaction commits. A scan run twice, twice at once, or killed half-way (its
transaction rolled back, its messages' rows swept up by the ledger) tells each person once.

A warning or escalation on a person's quiet day lands in their notifications in the app,
not by email or direct message.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from kanban.activity import claim_for_person
from kanban.links import card_panel_path
from kanban.models import Card
from opsboard.accounts.models import User, zone
from opsboard.commands import moment_text
from opsboard.notify.emails import render_texts
from opsboard.notify.models import ChatWebhook, Preference
from opsboard.notify.services import chat_claim
from opsboard.notify.tasks import deliver_notification
from raci.selectors import Occasion, Routing, routable

from .clocks import WorkingHours
from .models import ResponseClock

WARNING = "request_clock_warning"
MISSED = "request_clock_missed"
CHUNK = 100  # clocks told in one transaction


@dataclass
class Alert:
    """One clock's warning or escalation, and whom it goes to."""

    clock: ResponseClock
    kind: str  # WARNING or MISSED
    people: list[User] = field(default_factory=list)
    webhooks: list[ChatWebhook] = field(default_factory=list)

    @property
    def card(self) -> Card:
        return self.clock.request.card


def clocks_to_warn(now: datetime) -> QuerySet[ResponseClock]:
    """Running clocks past 75% of their target whose Responsible has not been warned (the
    index ``intake_clock_to_warn``)."""
    return ResponseClock.objects.filter(
        running_since__isnull=False, warned_at__isnull=True, warn_at__lte=now
    ).order_by()  # not the model's order: it joins the requests


def clocks_missed(now: datetime) -> QuerySet[ResponseClock]:
    """Running clocks past their target not yet told as missed (``intake_clock_to_breach``)."""
    return ResponseClock.objects.filter(
        running_since__isnull=False, breached_at__isnull=True, due_at__lte=now
    ).order_by()


def plan_alerts(*, now: datetime) -> list[Alert]:
    """The warnings and escalations due at ``now``, with their recipients. Nothing is
    written. A clock both warned and missed since the last scan is told as missed only."""
    due: dict[int, str] = {}
    for clock_id in clocks_to_warn(now).values_list("pk", flat=True):
        due[clock_id] = WARNING
    for clock_id in clocks_missed(now).values_list("pk", flat=True):
        due[clock_id] = MISSED
    if not due:
        return []
    clocks = list(
        ResponseClock.objects.filter(pk__in=due)
        .select_related("request__requester", "request__team", "request__organization")
        .order_by("pk")
    )
    by_organization: dict[int, list[ResponseClock]] = defaultdict(list)
    for clock in clocks:
        by_organization[clock.request.organization_id].append(clock)
    alerts = []
    for organization_id, found in by_organization.items():
        cards = routable(
            Card.objects.filter(pk__in=[clock.request.card_id for clock in found])
        ).select_related("board__organization", "board__project")
        routing = Routing(cards, organization_id=organization_id)
        cards_by_id = {card.pk: card for card in cards}
        people_ids: dict[int, set[int]] = {}
        for clock in found:
            card = cards_by_id[clock.request.card_id]
            clock.request.card = card
            occasion = Occasion.REMINDER if due[clock.pk] == WARNING else Occasion.OVERDUE
            people_ids[clock.pk] = set(routing.route(card, occasion).people)
        wanted = set().union(*people_ids.values())
        people = User.objects.filter(pk__in=wanted, is_active=True).in_bulk() if wanted else {}
        team_ids = {clock.request.team_id for clock in found if due[clock.pk] == MISSED}
        webhooks: dict[int, list[ChatWebhook]] = defaultdict(list)
        if team_ids:
            for webhook in ChatWebhook.objects.filter(
                organization_id=organization_id, team_id__in=team_ids, active=True
            ):
                webhooks[webhook.team_id].append(webhook)
        for clock in found:
            kind = due[clock.pk]
            alerts.append(
                Alert(
                    clock=clock,
                    kind=kind,
                    people=sorted(
                        (people[pk] for pk in people_ids[clock.pk] if pk in people),
                        key=lambda user: user.pk,
                    ),
                    webhooks=webhooks[clock.request.team_id] if kind == MISSED else [],
                )
            )
    return alerts


def _take(alerts: list[Alert], now: datetime) -> set[int]:
    """Mark the alerts' clocks warned (or missed, and warned with it) in two statements,
    and return the ids of those this scan took: a clock another scan marked, or holds in
    its open transaction, is not this scan's to tell."""
    taken: set[int] = set()
    for kind, not_yet, marks in (
        (WARNING, "warned_at", {"warned_at": now}),
        (MISSED, "breached_at", {"breached_at": now, "warned_at": Coalesce("warned_at", now)}),
    ):
        ids = [alert.clock.pk for alert in alerts if alert.kind == kind]
        if not ids:
            continue
        free = list(
            ResponseClock.objects.filter(pk__in=ids, **{f"{not_yet}__isnull": True})
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        ResponseClock.objects.filter(pk__in=free).update(**marks)
        taken.update(free)
    return taken


def _context(alert: Alert) -> dict[str, object]:
    card = alert.card
    clock = alert.clock
    path = card_panel_path(
        org_slug=card.board.organization.slug,
        board_id=card.board_id,
        card_id=card.pk,
        anchor="request",
    )
    return {
        "card": card,
        "request": clock.request,
        "clock": clock,
        "target": WorkingHours(clock.target),
        "url": settings.SITE_URL + path,
        "missed": alert.kind == MISSED,
    }


def send_clock_alerts(*, now: datetime, dry_run: bool = False) -> list[Alert]:
    """Claim and enqueue the warnings and escalations due at ``now``; return those sent (or,
    dry, those due). ``CHUNK`` clocks share a transaction: a commit costs more than a
    claim, and a scan killed half-way leaves its last chunk to the next one."""
    alerts = plan_alerts(now=now)
    if dry_run or not alerts:
        return alerts
    preferences = _preferences(alerts)
    sent = []
    for start in range(0, len(alerts), CHUNK):
        chunk = alerts[start : start + CHUNK]
        with transaction.atomic():
            taken = _take(chunk, now)
            for alert in chunk:
                if alert.clock.pk in taken:
                    _tell(alert, now=now, preferences=preferences)
                    sent.append(alert)
    return sent


def _tell(alert: Alert, *, now: datetime, preferences: dict[tuple[int, int], Preference]) -> None:
    """Claim the messages of a clock this scan marked."""
    organization = alert.clock.request.organization
    context = _context(alert)
    subject_key = f"clock:{alert.clock.pk}"
    period = alert.clock.started_at.date().isoformat()
    for person in alert.people:
        preference = preferences.get((organization.pk, person.pk)) or Preference(user=person)
        local = now.astimezone(zone(person.timezone, organization.timezone))
        loud = local.weekday() not in preference.quiet_day_set()
        claim_for_person(
            kind=alert.kind,
            subject_key=subject_key,
            recipient=person,
            organization=organization,
            template="request-clock",
            context=context,
            link=context["url"],
            by_email=loud and preference.email,
            by_direct=loud and preference.direct_reach,
            period=period,
        )
    for webhook in alert.webhooks:
        _claim_chat(alert, webhook, context, subject_key=subject_key, period=period)


def _preferences(alerts: list[Alert]) -> dict[tuple[int, int], Preference]:
    """(organisation id, person id) -> the person's preferences, read with whether the
    organisation's connected app knows them: a query for each organisation alerted."""
    people: dict[int, set[int]] = defaultdict(set)
    for alert in alerts:
        people[alert.clock.request.organization_id].update(person.pk for person in alert.people)
    found = {}
    for organization_id, user_ids in people.items():
        if not user_ids:
            continue
        for preference in Preference.objects.filter(user__in=user_ids).with_direct_reach(
            organization_id
        ):
            found[(organization_id, preference.user_id)] = preference
    return found


def _claim_chat(
    alert: Alert, webhook: ChatWebhook, context: dict[str, object], *, subject_key: str, period: str
) -> None:
    organization = alert.clock.request.organization
    title, markdown = render_texts(
        ["chat/request-clock-missed-title.txt", "chat/request-clock-missed.md"],
        context={**context, "group": webhook, "team": alert.clock.request.team},
        language=organization.language,
        timezone_name=organization.timezone,
    )
    notification = chat_claim(
        kind=alert.kind,
        subject_key=subject_key,
        webhook=webhook,
        period=period,
        title=" ".join(title.split()),
        markdown=markdown.strip(),
        link=str(context["url"]),
    )
    if notification is not None:
        deliver_notification.delay_on_commit(notification.pk)


def explain_alerts(*, now: datetime) -> list[str]:
    """What comes next, for the command run by hand: the next warning and the next target."""
    running = ResponseClock.objects.filter(running_since__isnull=False)
    lines = []
    for what, not_yet, moment in (
        ("warning is due", "warned_at", "warn_at"),
        ("target is reached", "breached_at", "due_at"),
    ):
        upcoming = (
            running.filter(**{f"{not_yet}__isnull": True, f"{moment}__gt": now})
            .order_by(moment)
            .values_list(moment, flat=True)
            .first()
        )
        if upcoming:
            lines.append(f"the next {what} at {moment_text(upcoming, as_now=True)}")
    return lines
