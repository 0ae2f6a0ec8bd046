"""Telling people what happens on cards: the followers of a card its comments, moves,
due dates, blocks and unblocks (and its "done", a move into a done column), and a person
mentioned in a comment or a description that they were.

Everything goes through the notification ledger (``opsboard.notify``), one row per
change and person under its unique constraint, claimed in a task once the change
committed (``kanban.tasks``), so a retried task tells no one twice; never to whoever made
the change. Each row shows in the person's notifications at once. By email:

- a mention at once (when the person takes email at all);
- a card's activity as the person chose (``Preference.activity_email``): at once (the row
  is an email), or bundled hourly or daily: the row is written in the app only, and the
  periodic scan ``send_activity_bundles`` (beat every 15 minutes, or ``manage.py
  send_activity_bundles --now ISO --dry-run``) claims one email per person, organisation
  and hour (or day, from their reminder hour) listing the rows of that period they have
  not read in the app meanwhile.

A person who takes direct messages and whom their organisation's connected app knows
(``Preference.direct_message``) gets mentions and followed cards' activity there too: a
mention at once, the activity at the pace they chose for it, as for email (a message
each, or one message for each hour or day). Each message is a row of its own in the
ledger beside the email or in-app one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from opsboard.accounts.models import User, zone
from opsboard.notify.models import (
    ActivityEmail,
    Channel,
    DirectIdentity,
    Notification,
    Preference,
)
from opsboard.notify.services import direct_claim, notification_claim
from opsboard.notify.tasks import deliver_notification
from opsboard.tenancy.models import Organization

from .links import card_panel_path
from .models import Card, CardEvent, CardFollower, ColumnKind, Comment, EventKind, Mention

ACTIVITY = "card_activity"
BUNDLE = "card_activity_bundle"
MENTION = "mention"
# How far back the scan looks for rows not yet bundled: a day of hours, two of days.
LOOK_BACK = {ActivityEmail.HOURLY: timedelta(hours=26), ActivityEmail.DAILY: timedelta(days=2)}
EXCERPT = 280  # characters of a comment an email quotes


def card_url(card: Card, anchor: str = "") -> str:
    """A card's address in a message: open beside its board, in the panel."""
    return settings.SITE_URL + card_panel_path(
        org_slug=card.board.organization.slug,
        board_id=card.board_id,
        card_id=card.pk,
        anchor=anchor,
    )


def excerpt(text: str) -> str:
    """A comment as an email quotes it: mentions as "@Name", cut at ``EXCERPT``."""
    from .mentions import MENTION as MENTION_TOKEN

    plain = " ".join(MENTION_TOKEN.sub(lambda match: f"@{match['name']}", text).split())
    return plain if len(plain) <= EXCERPT else plain[: EXCERPT - 1] + "…"


@dataclass
class Change:
    """One change as a message tells it."""

    card: Card
    kind: str  # "commented", "done" or an EventKind
    actor: User | None
    subject_key: str
    anchor: str
    at: datetime
    event: CardEvent | None = None
    comment: Comment | None = None
    quote: str = ""

    @property
    def url(self) -> str:
        return card_url(self.card, self.anchor)

    @property
    def source(self) -> str:
        """The column a move left, by the name it has now (or its kind's)."""
        column = self.event.from_column if self.event else None
        return column.display_name if column else self.event.get_from_kind_display()

    @property
    def target(self) -> str:
        column = self.event.to_column if self.event else None
        return column.display_name if column else self.event.get_to_kind_display()

    @property
    def due_from(self) -> date | None:
        return _day(self.event.old_value) if self.event else None

    @property
    def due_to(self) -> date | None:
        return _day(self.event.new_value) if self.event else None


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


_CARD = ("card__board__organization", "card__board__project")


def changes(subject_keys: list[str]) -> dict[str, Change]:
    """The changes the ledger's keys name (``card-event:ID``, ``comment:ID``), two queries
    at most; a change no longer there (a deleted comment) is left out."""
    ids: dict[str, list[int]] = defaultdict(list)
    for key in subject_keys:
        source, _, number = key.partition(":")
        if number.isdigit():
            ids[source].append(int(number))
    found: dict[str, Change] = {}
    if ids["comment"]:
        for comment in Comment.objects.select_related(*_CARD, "author").filter(
            pk__in=ids["comment"]
        ):
            found[f"comment:{comment.pk}"] = Change(
                card=comment.card,
                kind="commented",
                actor=comment.author,
                subject_key=f"comment:{comment.pk}",
                anchor=f"comment-{comment.pk}",
                at=comment.created_at,
                comment=comment,
                quote=excerpt(comment.body),
            )
    if ids["card-event"]:
        for event in CardEvent.objects.select_related(
            *_CARD, "actor", "from_column", "to_column"
        ).filter(pk__in=ids["card-event"]):
            done = event.kind == EventKind.MOVED and event.to_kind == ColumnKind.DONE
            found[f"card-event:{event.pk}"] = Change(
                card=event.card,
                kind="done" if done else event.kind,
                actor=event.actor,
                subject_key=f"card-event:{event.pk}",
                anchor="history",
                at=event.at,
                event=event,
            )
    return found


def _audience(card: Card, user_ids: set[int]) -> list[tuple[User, Preference]]:
    """Of ``user_ids``, the active members of the card's organisation, with their
    preferences: one query for the people, one for the preferences."""
    people = list(
        User.objects.filter(
            pk__in=user_ids,
            is_active=True,
            memberships__organization_id=card.board.organization_id,
        ).order_by("pk")
    )
    preferences = {
        p.user_id: p
        for p in Preference.objects.filter(user__in=people).with_direct_reach(
            card.board.organization_id
        )
    }
    return [(person, preferences.get(person.pk) or Preference(user=person)) for person in people]


def claim_for_person(
    *,
    kind: str,
    subject_key: str,
    recipient: User,
    organization: Organization,
    template: str,
    context: dict[str, Any],
    link: str,
    by_email: bool,
    by_direct: bool = False,
    in_app: bool = True,
    period: str = "",
) -> Notification | None:
    """The row of the email (or, without email, of the app's list unless not ``in_app``),
    and the direct message's beside it; the first of them written now, if any."""
    options = {
        "kind": kind,
        "subject_key": subject_key,
        "recipient": recipient,
        "period": period,
        "template": template,
        "context": {**context, "recipient": recipient, "organization": organization},
        "language": organization.language_for(recipient),
        "timezone_name": organization.timezone_for(recipient),
        "organization_id": organization.pk,
        "link": link,
    }
    direct = direct_claim(**options) if by_direct else None
    if direct is not None:
        deliver_notification.delay_on_commit(direct.pk)
    if not (by_email or in_app):
        return direct
    notification = notification_claim(
        **options, channel=Channel.EMAIL if by_email else Channel.IN_APP
    )
    if notification is not None and by_email:
        deliver_notification.delay_on_commit(notification.pk)
    return notification


def tell_followers(*, event_id: int | None = None, comment_id: int | None = None) -> list[int]:
    """Tell the card's followers of one change (a history row, or a comment), once each,
    never its author, nor whoever a comment mentions (they hear of it as a mention).
    Returns the ids of the people told."""
    key = f"comment:{comment_id}" if comment_id is not None else f"card-event:{event_id}"
    change = changes([key]).get(key)
    if change is None:
        return []
    card = change.card
    followers = set(
        CardFollower.objects.filter(card=card, following=True).values_list("user_id", flat=True)
    )
    followers.discard(change.actor.pk if change.actor else None)
    if change.comment is not None and followers:
        followers -= set(change.comment.mentions.values_list("user_id", flat=True))
    if not followers:
        return []
    organization = card.board.organization
    told = []
    with transaction.atomic():
        for person, preference in _audience(card, followers):
            at_once = preference.activity_email == ActivityEmail.IMMEDIATELY
            claimed = claim_for_person(
                kind=ACTIVITY,
                subject_key=change.subject_key,
                recipient=person,
                organization=organization,
                template="card-activity",
                context={"change": change, "card": card, "url": change.url},
                link=change.url,
                by_email=at_once and preference.email,
                by_direct=at_once and preference.direct_reach,
            )
            if claimed is not None:
                told.append(person.pk)
    return told


def tell_mentioned(*, mention_ids: list[int]) -> list[int]:
    """Tell each person mentioned, once per text (the ledger's key is the comment or the
    card's description, and the person), at once: by email when they take email."""
    mentions = list(
        Mention.objects.select_related(
            "card__board__organization", "card__board__project", "comment", "author", "user"
        )
        .filter(pk__in=mention_ids)
        .order_by("pk")
    )
    told = []
    with transaction.atomic():
        for mention in mentions:
            card = mention.card
            audience = _audience(card, {mention.user_id} - {mention.author_id})
            if not audience:  # removed from the organisation meanwhile, or the author
                continue
            person, preference = audience[0]
            source = f"comment:{mention.comment_id}" if mention.comment_id else f"card:{card.pk}"
            anchor = f"comment-{mention.comment_id}" if mention.comment_id else "description"
            text = mention.comment.body if mention.comment else card.description
            claimed = claim_for_person(
                kind=MENTION,
                subject_key=f"mention:{source}",
                recipient=person,
                organization=card.board.organization,
                template="mention",
                context={
                    "mention": mention,
                    "card": card,
                    "author": mention.author,
                    "in_comment": mention.comment_id is not None,
                    "quote": excerpt(text),
                    "url": card_url(card, anchor),
                },
                link=card_url(card, anchor),
                by_email=preference.email,
                by_direct=preference.direct_reach,
            )
            if claimed is not None:
                told.append(person.pk)
    return told


# Bundles ----------------------------------------------------------------------


@dataclass
class Bundle:
    """One person's email (or direct message, or both) of a period's activity in one
    organisation."""

    recipient: User
    organization: Organization
    period: str  # the hour (2026-12-04T15) or the day (2026-12-04) it covers, theirs
    cadence: str
    begin: datetime
    end: datetime
    by_email: bool = True
    by_direct: bool = False
    rows: list[Notification] = field(default_factory=list)
    cards: list[tuple[Card, list[Change]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(items) for _card, items in self.cards)


def _fill_bundles(bundles: list[Bundle]) -> None:
    """Each bundle's changes by card, oldest first, read for all of them at once."""
    found = changes([row.subject_key for bundle in bundles for row in bundle.rows])
    for bundle in bundles:
        by_card: dict[int, tuple[Card, list[Change]]] = {}
        for row in bundle.rows:
            change = found.get(row.subject_key)
            if change is not None:
                by_card.setdefault(change.card.pk, (change.card, []))[1].append(change)
        bundle.cards = [
            (card, sorted(items, key=lambda change: change.at)) for card, items in by_card.values()
        ]


def _window(cadence: str, moment: datetime, hour: int) -> tuple[datetime, datetime, str]:
    """The period of ``cadence`` that ``moment`` (aware, in the person's zone) falls in:
    the hour, or the day from ``hour`` to ``hour`` the next day; its key is its start."""
    if cadence == ActivityEmail.HOURLY:
        begin = moment.replace(minute=0, second=0, microsecond=0)
        return begin, begin + timedelta(hours=1), f"{begin:%Y-%m-%dT%H}"
    begin = datetime.combine(moment.date(), time(hour), moment.tzinfo)
    if moment < begin:
        begin = datetime.combine(moment.date() - timedelta(days=1), time(hour), moment.tzinfo)
    end = datetime.combine(begin.date() + timedelta(days=1), time(hour), moment.tzinfo)
    return begin, end, f"{end:%Y-%m-%d}"


def plan_activity_bundles(*, now: datetime) -> list[Bundle]:
    """The bundles due now: each period that has ended, for the people who take activity
    hourly or daily by email or direct message, with its unread in-app activity rows.
    Nothing is written.

    A fixed number of queries whatever the number of people and rows: the rows of the
    last two days with their people and organisations, the preferences, whom connected
    apps know, the bundles already sent, and the comments and history rows the rows are
    about.
    """
    rows = list(
        Notification.objects.filter(
            kind=ACTIVITY,
            channel=Channel.IN_APP,
            read_at__isnull=True,
            created_at__gte=now - max(LOOK_BACK.values()),
            created_at__lt=now,
            recipient__is_active=True,
        )
        .select_related("recipient", "organization")
        .order_by("created_at", "pk")
    )
    if not rows:
        return []
    people = {row.recipient_id for row in rows}
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=people)}
    # (person, organisation) of those whom a connected app knows, of those who chose it.
    known = set(
        DirectIdentity.objects.known()
        .filter(user_id__in=[pk for pk, p in preferences.items() if p.direct_message])
        .values_list("user_id", "app__organization_id")
    )
    sent = set(
        Notification.objects.filter(
            kind=BUNDLE,
            recipient_id__in=people,
            created_at__gte=now - max(LOOK_BACK.values()) - timedelta(days=1),
        ).values_list("recipient_id", "subject_key", "period")
    )
    bundles: dict[tuple[int, int, str], Bundle] = {}
    for row in rows:
        person, organization = row.recipient, row.organization
        preference = preferences.get(person.pk) or Preference(user=person)
        cadence = preference.activity_email
        by_direct = preference.direct_message and (person.pk, row.organization_id) in known
        if not (preference.email or by_direct) or cadence not in LOOK_BACK or not organization:
            continue
        if row.created_at < now - LOOK_BACK[cadence]:
            continue
        local = zone(organization.timezone_for(person), organization.timezone)
        begin, end, period = _window(
            cadence,
            row.created_at.astimezone(local),
            preference.hour_or(organization.reminder_hour),
        )
        if end > now or (person.pk, subject_key(organization.pk), period) in sent:
            continue
        key = (person.pk, organization.pk, period)
        if key not in bundles:
            bundles[key] = Bundle(
                person, organization, period, cadence, begin, end, preference.email, by_direct
            )
        bundles[key].rows.append(row)
    planned = list(bundles.values())
    _fill_bundles(planned)
    return [bundle for bundle in planned if bundle.count]


def subject_key(organization_id: int) -> str:
    return f"activity:{organization_id}"


def send_activity_bundles(*, now: datetime, dry_run: bool = False) -> list[Bundle]:
    """Claim and enqueue each bundle due now; return those sent (or, dry, planned)."""
    planned = plan_activity_bundles(now=now)
    if dry_run:
        return planned
    sent = []
    for bundle in planned:
        with transaction.atomic():
            claimed = claim_for_person(
                kind=BUNDLE,
                subject_key=subject_key(bundle.organization.pk),
                recipient=bundle.recipient,
                organization=bundle.organization,
                template="card-activity-bundle",
                context={"bundle": bundle, "hourly": bundle.cadence == ActivityEmail.HOURLY},
                link=settings.SITE_URL + reverse("notify:list"),
                by_email=bundle.by_email,
                by_direct=bundle.by_direct,
                in_app=False,
                period=bundle.period,
            )
        if claimed is not None:
            sent.append(bundle)
    return sent
