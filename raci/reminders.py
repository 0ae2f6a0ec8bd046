"""Deadline reminders: once a day, in each person's morning, one message listing the cards
they are Responsible for that are due soon, and the overdue cards they are Accountable for
(the day after the due date, then every few days while the card stays open), the cards
blocked too long, and, for the Informed, the cards done yesterday. Chat groups get one post
a day of their team's cards (or, for the organisation's group, everyone's).

A periodic scan (every 15 minutes) reads only open cards due within the
largest lead time, overdue ones included (an index on due_date for open cards), works out who must
hear and whether it is their reminder hour yet, and claims one ledger row per
person (or chat group) and day before anything is sent. Running it again, or twice at once,
finds the rows taken and sends nothing new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from kanban.links import card_panel_path
from kanban.models import Card, CardQuerySet
from opsboard.accounts.models import User, zone
from opsboard.commands import moment_text
from opsboard.notify.emails import render_texts
from opsboard.notify.models import Channel, ChatWebhook, Notification, Preference
from opsboard.notify.services import chat_claim, direct_claim, notification_claim
from opsboard.notify.tasks import deliver_notification
from opsboard.tenancy.calendar import WorkingCalendar, calendar_for
from opsboard.tenancy.models import Organization, Team

from .models import (
    DEFAULT_BLOCKED_ALERT,
    DEFAULT_OVERDUE_REPEAT,
    RaciAssignment,
    RaciPolicy,
    RaciRole,
)
from .selectors import Occasion, Routing, routable

KIND = "deadline_reminder"
LONGEST_LEAD = 7  # the longest lead time a person may choose
CHAT_SHOWN = 15  # cards of each kind listed in a chat group's post; then "and N more"
ONE_DAY = timedelta(days=1)
# Why a card is in someone's bundle.
DUE, UNOWNED, OVERDUE, BLOCKED, DONE = "due", "unowned", "overdue", "blocked", "done"
WHY = {Occasion.REMINDER: DUE, Occasion.BLOCKED: BLOCKED, Occasion.DONE: DONE}


@dataclass
class Reminder:
    recipient: User | None  # a person, or
    day: date  # the recipient's day
    organization_id: int
    webhook: ChatWebhook | None = None  # a chat group
    by_email: bool = True  # otherwise only in the app
    by_direct: bool = False  # also as a direct message in the organisation's connected app
    language: str = ""  # the person's, else the organisation's
    timezone_name: str = ""
    cards: list[tuple[Card, int]] = field(default_factory=list)  # card, days until due
    unowned: list[Card] = field(default_factory=list)  # cards nobody is Responsible for
    overdue: list[tuple[Card, int]] = field(default_factory=list)  # card, days overdue
    blocked: list[tuple[Card, int]] = field(default_factory=list)  # card, days blocked
    done: list[Card] = field(default_factory=list)  # done yesterday, for the Informed

    @property
    def count(self) -> int:
        return (
            len(self.cards)
            + len(self.unowned)
            + len(self.overdue)
            + len(self.blocked)
            + len(self.done)
        )

    def card_ids(self) -> list[int]:
        return [card.pk for card, _days in self.cards + self.overdue + self.blocked] + [
            card.pk for card in self.unowned + self.done
        ]


def _cards(organization: Organization) -> CardQuerySet:
    """Open cards, with only what planning and routing read, since most will not be in
    anyone's bundle."""
    return routable(
        Card.objects.filter(board__organization=organization)
        .open()
        .only("title", "due_date", "assignee_id", "team_id", "blocked_at", "done_at", "archived_at")
    ).order_by()


def due_cards(organization: Organization, today: date) -> QuerySet[Card]:
    """Open cards due up to the longest lead time ahead, overdue ones included."""
    lead = max(organization.reminder_lead_days, LONGEST_LEAD) + 1
    if organization.reminders_count_working_days:
        # Lead days counted in working days reach further across a holiday.
        horizon = calendar_for(organization).add_working_days(today, lead)
    else:
        horizon = today + timedelta(days=lead)
    return _cards(organization).due_by(horizon)


def blocked_cards(organization: Organization, since: datetime) -> QuerySet[Card]:
    """Open cards blocked since before ``since`` (a day early: time zones differ)."""
    return _cards(organization).blocked().filter(blocked_at__lte=since)


def done_cards(organization: Organization, now: datetime) -> QuerySet[Card]:
    """Cards done in the last eight days: since each person's last day with reminders
    (yesterday, or before their quiet days), wherever they are."""
    return _cards(organization).done_in(now - timedelta(days=8), now)


def plan_reminders(*, now: datetime) -> list[Reminder]:
    """Who gets a reminder now, with which cards. Nothing is written."""
    planned: list[Reminder] = []
    for organization in Organization.objects.all():
        org_today = organization.day_of(now)
        # With lead days counted in working days, public holidays and company days off are
        # quiet days for everyone, and "three days before" means three working days.
        calendar = calendar_for(organization) if organization.reminders_count_working_days else None
        repeat, blocked_after = RaciPolicy.objects.filter(organization=organization).values_list(
            "overdue_repeat_days", "blocked_alert_days"
        ).first() or (DEFAULT_OVERDUE_REPEAT, DEFAULT_BLOCKED_ALERT)
        webhooks = list(ChatWebhook.objects.filter(organization_id=organization.pk, active=True))
        routes = _routes(organization, now, org_today, blocked_after, with_teams=bool(webhooks))
        if not routes.for_chat:
            continue
        # Whoever already has today's bundle is left out before anything is rendered.
        already = _already_claimed(organization, org_today)
        bundles = _for_chat_groups(
            organization,
            [webhook for webhook in webhooks if ("webhook", webhook.pk) not in already],
            routes,
            now=now,
            repeat=repeat,
            blocked_after=blocked_after,
        )
        users = User.objects.filter(pk__in=routes.by_person, is_active=True).in_bulk()
        preferences = {
            p.user_id: p
            for p in Preference.objects.filter(user__in=users).with_direct_reach(organization.pk)
        }
        for user_id, entries in routes.by_person.items():
            user = users.get(user_id)
            if user is None:
                continue
            preference = preferences.get(user_id) or Preference(user=user)
            local = now.astimezone(zone(user.timezone, organization.timezone))
            if (
                local.hour < preference.hour_or(organization.reminder_hour)
                or local.weekday() in preference.quiet_day_set()
                or (calendar is not None and not calendar.is_working(local.date()))
                or (user_id, local.date().isoformat()) in already
            ):
                continue
            reminder = Reminder(
                recipient=user,
                day=local.date(),
                organization_id=organization.pk,
                by_email=preference.email,
                by_direct=preference.direct_reach,
                language=organization.language_for(user),
                timezone_name=organization.timezone_for(user),
            )
            _fill(
                reminder,
                entries,
                local=local,
                quiet=preference.quiet_day_set(),
                lead_days=preference.lead_day_list(),
                default_lead=organization.reminder_lead_days,
                repeat=repeat,
                blocked_after=blocked_after,
                calendar=calendar,
            )
            if reminder.count:
                bundles.append(reminder)
        _load_for_messages(bundles)
        planned.extend(bundles)
    return planned


def _already_claimed(organization: Organization, org_today: date) -> set[tuple[object, ...]]:
    """(person id, their day) and ("webhook", id) of today's bundles already in the ledger.

    People's days run a day either side of the organisation's; a chat group's is the
    organisation's. The ledger's unique constraint still decides: this only saves work.
    """
    rows = Notification.objects.filter(
        kind=KIND,
        subject_key=subject_key(organization.pk),
        period__in=[(org_today + timedelta(days=n)).isoformat() for n in (-1, 0, 1)],
    ).values_list("recipient_id", "webhook_id", "period")
    found: set[tuple[object, ...]] = set()
    for recipient_id, webhook_id, period in rows:
        if recipient_id:
            found.add((recipient_id, period))
        elif period == org_today.isoformat():
            found.add(("webhook", webhook_id))
    return found


def explain_reminders(*, now: datetime, planned: list[Reminder]) -> list[str]:
    """Why nobody else is reminded now, by organisation: today's bundles already sent (when),
    or the reminder hour not come yet. For the command run by hand, after ``planned``."""
    lines = []
    reminded = {reminder.organization_id for reminder in planned}
    for organization in Organization.objects.order_by("slug"):
        local = now.astimezone(organization.zone)
        sent = Notification.objects.shown_in_app().filter(
            kind=KIND, subject_key=subject_key(organization.pk), period=local.date().isoformat()
        )
        if sent:
            last = max(row.sent_at or row.created_at for row in sent).astimezone(local.tzinfo)
            next_day = datetime.combine(
                local.date() + timedelta(days=1), time(organization.reminder_hour), local.tzinfo
            )
            lines.append(
                f"{organization.slug}: {len(sent)} of {local.date()}'s reminders already sent"
                f" (the last at {last:%H:%M} {last.tzinfo}); the next day's are due from"
                f" {moment_text(next_day, as_now=True)}."
            )
        if local.hour < organization.reminder_hour:
            hour = local.replace(hour=organization.reminder_hour, minute=0, second=0, microsecond=0)
            lines.append(
                f"{organization.slug}: not due until {moment_text(hour, as_now=True)}"
                ": the organisation's reminder hour; people who chose their own hour wait for it."
            )
        elif not sent and organization.pk not in reminded:
            lines.append(
                f"{organization.slug}: nothing due soon, overdue, blocked or done for anyone"
                " whose hour has come."
            )
    return lines


def subject_key(organization_id: int) -> str:
    # One bundle per organisation: someone in two gets one from each.
    return f"cards-due:{organization_id}"


@dataclass
class Routes:
    """Who might hear about which card today, and why: each person, and the chat groups."""

    by_person: dict[int, list[tuple[Card, str]]] = field(default_factory=lambda: defaultdict(list))
    for_chat: list[tuple[Card, str]] = field(default_factory=list)  # every card, once per why
    teams: dict[int, set[int]] = field(default_factory=dict)  # card -> its team and R teams

    def for_webhook(self, webhook: ChatWebhook) -> list[tuple[Card, str]]:
        if webhook.team_id is None:
            return self.for_chat
        return [entry for entry in self.for_chat if webhook.team_id in self.teams[entry[0].pk]]


def _routes(
    organization: Organization,
    now: datetime,
    org_today: date,
    blocked_after: int,
    *,
    with_teams: bool,
) -> Routes:
    """The cards that might concern someone today, each with why; ``with_teams`` for chat groups.

    Whom each card concerns is ``raci.selectors.Routing``'s answer, read for each kind of card
    (due, blocked, done) at once.
    """
    due = due_cards(organization, org_today)
    blocked = blocked_cards(organization, now - timedelta(days=blocked_after - 1))
    done = done_cards(organization, now)
    routes = Routes()

    def route(card: Card, why: str, people: AbstractSet[int]) -> None:
        for person in people:
            routes.by_person[person].append((card, why))
        routes.for_chat.append((card, why))

    for cards, occasion in (
        (due, Occasion.REMINDER),
        (blocked, Occasion.BLOCKED),
        (done, Occasion.DONE),
    ):
        routing = Routing(cards, organization_id=organization.pk)
        for card in cards:
            # Overdue already where it is tomorrow.
            if occasion == Occasion.REMINDER and card.is_overdue(org_today + ONE_DAY):
                route(card, OVERDUE, routing.route(card, Occasion.OVERDUE).people)
            found = routing.route(card, occasion)
            route(card, UNOWNED if found.unowned else WHY[occasion], found.people)
    if with_teams:
        routes.teams = {card.pk: {card.team_id} - {None} for card, _why in routes.for_chat}
        responsible_teams = RaciAssignment.objects.filter(
            card_id__in=routes.teams, role=RaciRole.RESPONSIBLE, team__isnull=False
        ).values_list("card_id", "team_id")
        for card_id, team_id in responsible_teams:
            routes.teams[card_id].add(team_id)
    return routes


def _for_chat_groups(
    organization: Organization,
    webhooks: list[ChatWebhook],
    routes: Routes,
    *,
    now: datetime,
    repeat: int,
    blocked_after: int,
) -> list[Reminder]:
    """Each chat group's post for today, from its posting hour in the organisation's time zone.

    A group hears of a card on the lead day and the due day (not every day between),
    then of overdue, blocked and done cards as the Accountable and Informed do.
    """
    local = now.astimezone(organization.zone)
    posts = []
    for webhook in webhooks:
        if local.hour < webhook.hour:
            continue
        post = Reminder(
            recipient=None,
            webhook=webhook,
            day=local.date(),
            organization_id=organization.pk,
            language=organization.language,
            timezone_name=organization.timezone,
        )
        _fill(
            post,
            routes.for_webhook(webhook),
            local=local,
            lead_days=sorted({0, organization.reminder_lead_days}),
            default_lead=organization.reminder_lead_days,
            repeat=repeat,
            blocked_after=blocked_after,
        )
        if post.count:
            posts.append(post)
    return posts


def _fill(
    reminder: Reminder,
    entries: list[tuple[Card, str]],
    *,
    local: datetime,
    lead_days: list[int] | None,
    default_lead: int,
    repeat: int,
    blocked_after: int,
    quiet: set[int] | None = None,
    calendar: WorkingCalendar | None = None,
) -> None:
    """Keep of ``entries`` what is due for the person today, at their local time."""
    today = local.date()
    # Cards done since the last day with reminders: yesterday, or, after quiet days, the day
    # before them (Friday to Sunday on a Monday when the weekend is quiet).
    since = today - ONE_DAY
    while since.weekday() in (quiet or set()) and since > today - timedelta(days=7):
        since -= ONE_DAY
    for card, why in entries:
        if why == DONE:
            if since <= card.done_at.astimezone(local.tzinfo).date() < today:
                reminder.done.append(card)
        elif why == BLOCKED:
            # After ``blocked_after`` days, then every ``blocked_after`` days.
            days = (today - card.blocked_at.astimezone(local.tzinfo).date()).days
            if days >= blocked_after and days % blocked_after == 0:
                reminder.blocked.append((card, days))
        elif why == OVERDUE:
            # The day after the due date, then every ``repeat`` days.
            days = (today - card.due_date).days
            if card.is_overdue(today) and (days - 1) % repeat == 0:
                reminder.overdue.append((card, days))
        else:
            days = (card.due_date - today).days
            counted = calendar.working_days_between(today, card.due_date) if calendar else days
            if (counted in lead_days) if lead_days else (0 <= counted <= default_lead):
                if why == UNOWNED:
                    reminder.unowned.append(card)
                else:
                    reminder.cards.append((card, days))
    reminder.cards.sort(key=lambda item: (item[1], item[0].title))
    reminder.overdue.sort(key=lambda item: (-item[1], item[0].title))
    reminder.blocked.sort(key=lambda item: (-item[1], item[0].title))
    reminder.done.sort(key=lambda card: card.done_at)


def _load_for_messages(reminders: list[Reminder]) -> None:
    """Swap the slim planning rows for whole cards (project, organisation, assignee), in one query."""
    card_ids = [card_id for reminder in reminders for card_id in reminder.card_ids()]
    if not card_ids:
        return
    full = Card.objects.select_related("board__organization", "board__project", "assignee").in_bulk(
        card_ids
    )
    for reminder in reminders:
        reminder.cards = [(full[card.pk], days) for card, days in reminder.cards]
        reminder.unowned = [full[card.pk] for card in reminder.unowned]
        reminder.overdue = [(full[card.pk], days) for card, days in reminder.overdue]
        reminder.blocked = [(full[card.pk], days) for card, days in reminder.blocked]
        reminder.done = [full[card.pk] for card in reminder.done]


def send_deadline_reminders(*, now: datetime, dry_run: bool = False) -> list[Reminder]:
    """Claim and enqueue today's bundle for each person planned; return the ones sent (or, dry, planned)."""
    planned = plan_reminders(now=now)
    if dry_run:
        return planned
    sent = []
    group_names = _group_names([reminder.webhook for reminder in planned if reminder.webhook])
    for reminder in planned:
        # A person's email lists every card; a group's post the first few of each kind.
        shown = CHAT_SHOWN if reminder.webhook else None
        context: dict[str, object] = {
            "recipient": reminder.recipient,
            "reminder_day": reminder.day,
            "count": reminder.count,
            "due_count": len(reminder.cards) + len(reminder.unowned),
            "overdue_count": len(reminder.overdue),
        }
        for name, items in (
            ("cards", reminder.cards),
            ("unowned", [(card, None) for card in reminder.unowned]),
            ("overdue", reminder.overdue),
            ("blocked", reminder.blocked),
            ("done", [(card, None) for card in reminder.done]),
        ):
            context[name] = [_item(card, days) for card, days in items[:shown]]
            context[f"{name}_more"] = len(items) - len(context[name])
        claim = {"kind": KIND, "subject_key": subject_key(reminder.organization_id)}
        with transaction.atomic():
            if reminder.webhook is not None:
                context["group_name"] = group_names.get(reminder.webhook.pk, "")
                notification = _claim_chat(reminder, context, claim)
            else:
                notification = notification_claim(
                    **claim,
                    recipient=reminder.recipient,
                    period=reminder.day.isoformat(),
                    template="deadline-reminder",
                    context=context,
                    language=reminder.language or None,
                    timezone_name=reminder.timezone_name or None,
                    organization_id=reminder.organization_id,
                    channel=Channel.EMAIL if reminder.by_email else Channel.IN_APP,
                )
            if notification is None:
                continue
            if notification.channel != Channel.IN_APP:
                deliver_notification.delay_on_commit(notification.pk)
            if reminder.by_direct:
                _claim_direct(reminder, context, claim)
            sent.append(reminder)
    return sent


def _group_names(webhooks: list[ChatWebhook]) -> dict[int, str]:
    """Whom each chat group's post is for, as its title names it: the team, else the organisation."""
    team_ids = {webhook.team_id for webhook in webhooks if webhook.team_id}
    organization_ids = {webhook.organization_id for webhook in webhooks if not webhook.team_id}
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name")) if team_ids else {}
    organizations = (
        dict(Organization.objects.filter(pk__in=organization_ids).values_list("pk", "name"))
        if organization_ids
        else {}
    )
    return {
        webhook.pk: teams.get(webhook.team_id, "")
        if webhook.team_id
        else organizations.get(webhook.organization_id, "")
        for webhook in webhooks
    }


def _claim_chat(
    reminder: Reminder, context: dict[str, object], claim: dict[str, str]
) -> Notification | None:
    webhook = reminder.webhook
    # The post's own title (product, team, day), not the email's subject.
    title, markdown = render_texts(
        ["chat/deadline-reminder-title.txt", "chat/deadline-reminder.md"],
        context={**context, "group": webhook},
        language=reminder.language or None,
        timezone_name=reminder.timezone_name or None,
    )
    return chat_claim(
        **claim,
        webhook=webhook,
        period=reminder.day.isoformat(),
        title=" ".join(title.split()),
        markdown=markdown.strip(),
    )


def _claim_direct(reminder: Reminder, context: dict[str, object], claim: dict[str, str]) -> None:
    """The person's reminder as a direct message too, linking back to their work."""
    cards = [card for card, _days in reminder.cards + reminder.overdue + reminder.blocked]
    organization = [*cards, *reminder.unowned, *reminder.done][0].board.organization
    notification = direct_claim(
        **claim,
        recipient=reminder.recipient,
        period=reminder.day.isoformat(),
        template="deadline-reminder",
        context=context,
        language=reminder.language or None,
        timezone_name=reminder.timezone_name or None,
        organization_id=reminder.organization_id,
        link=settings.SITE_URL + reverse("projects:my_work", args=[organization.slug]),
    )
    if notification is not None:
        deliver_notification.delay_on_commit(notification.pk)


def _item(card: Card, days: int | None = None) -> dict[str, object]:
    """A card as the message lists it, with its address."""
    path = card_panel_path(
        org_slug=card.board.organization.slug, board_id=card.board_id, card_id=card.pk
    )
    return {"card": card, "days": days, "url": settings.SITE_URL + path}
