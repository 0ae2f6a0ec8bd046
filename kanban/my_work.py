"""kanban's parts of My work (``projects.my_work``): the person's cards by urgency, what
changed on the cards they follow since they last looked, and where they were mentioned."""

from __future__ import annotations

from datetime import timedelta

from django.template import Context
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from projects.my_work import GROUP_LIMIT, Ask, Group, Item, Part, cut

from . import selectors
from .activity import Change, excerpt
from .links import card_panel_path
from .models import Card, CardQuerySet, ColumnKind

# Mentions older than this have been answered or forgotten: the list is for what is new.
MENTIONS_DAYS = 30
MENTIONS_SHOWN = 10
CHANGES_SHOWN = 20

# The urgency groups of "My cards", most urgent first; a card is in the first that holds.
OVERDUE, DUE_SOON, BLOCKED, DOING, NEXT = "overdue", "due_soon", "blocked", "doing", "next"


# What an item reads of a card, its board's project and its column.
CARD_FIELDS = (
    "title",
    "board_id",
    "due_date",
    "blocked",
    "blocked_at",
    "blocked_reason",
    "archived_at",
    "done_at",
    "board__project__name",
    "column__kind",
    "column__name",
)


def my_cards(ask: Ask) -> CardQuerySet:
    """The unfinished cards on the organisation's boards assigned to the person."""
    return (
        Card.objects.shown()
        .unfinished()
        .filter(board__organization_id=ask.organization.pk, assignee_id=ask.user.pk)
        .select_related("board__project", "column")
        .only(*CARD_FIELDS)
        .order_by("due_date", "column__position", "rank", "pk")
    )


def urgency(card: Card, ask: Ask) -> str:
    """Which group of "My cards" a card is in, by the cards' own rules."""
    if card.is_overdue(ask.today):
        return OVERDUE
    if card.is_due_by(ask.due_by):
        return DUE_SOON
    if card.blocked:
        return BLOCKED
    if card.column.kind == ColumnKind.DOING:
        return DOING
    return NEXT


def card_why(card: Card, ask: Ask) -> str:
    """What is up with a card, in one phrase: late, due, blocked (and why)."""
    parts = []
    if card.is_overdue(ask.today):
        days = (ask.today - card.due_date).days
        parts.append(
            ngettext("%(days)s day overdue", "%(days)s days overdue", days) % {"days": days}
        )
    elif card.is_due_by(ask.due_by):
        days = (card.due_date - ask.today).days
        parts.append(
            _("Due today")
            if days == 0
            else ngettext("Due in %(days)s day", "Due in %(days)s days", days) % {"days": days}
        )
    if card.blocked:
        days = (ask.today - timezone.localtime(card.blocked_at, ask.organization.zone).date()).days
        blocked = (
            ngettext("blocked for %(days)s day", "blocked for %(days)s days", days) % {"days": days}
            if card.blocked_at and days > 0
            else _("blocked")
        )
        if card.blocked_reason:
            blocked = pgettext(
                "how long a card is blocked, then why", "%(blocked)s: %(reason)s"
            ) % {
                "blocked": blocked,
                "reason": card.blocked_reason,
            }
        parts.append(blocked)
    if not parts:
        parts.append(card.column.display_name)
    return pgettext("between the names of a list", ", ").join(parts)


def card_item(card: Card, ask: Ask, *, why: str | None = None, tone: str = "") -> Item:
    overdue = card.is_overdue(ask.today)
    return Item(
        kind="card",
        id=card.pk,
        title=card.title,
        url=card_panel_path(
            org_slug=ask.organization.slug, board_id=card.board_id, card_id=card.pk
        ),
        why=why if why is not None else card_why(card, ask),
        where=card.board.project.name,
        tone=tone or ("danger" if overdue else "warning" if card.blocked else ""),
        day=card.due_date,
    )


GROUP_TITLES = {
    OVERDUE: lambda: _("Overdue"),
    DUE_SOON: lambda: _("Due soon"),
    BLOCKED: lambda: _("Blocked"),
    DOING: lambda: _("In progress"),
    NEXT: lambda: _("Next up"),
}


def cards_part(ask: Ask) -> Part:
    grouped: dict[str, list[Card]] = {key: [] for key in GROUP_TITLES}
    for card in my_cards(ask):
        grouped[urgency(card, ask)].append(card)
    # Items only for the cards shown: a person may hold hundreds.
    groups = [
        Group(
            key=key,
            title=title(),
            items=[card_item(card, ask) for card in grouped[key][:GROUP_LIMIT]],
            total=len(grouped[key]),
        )
        for key, title in GROUP_TITLES.items()
    ]
    return Part(
        key="cards",
        title=_("My cards"),
        groups=groups,
        link=ask.url("kanban:board_list"),
        link_label=_("All boards"),
        note=ngettext(
            "Assigned to you, on every board. Due soon: within %(days)s day.",
            "Assigned to you, on every board. Due soon: within %(days)s days.",
            ask.lead_days,
        )
        % {"days": ask.lead_days},
    )


def change_sentence(change: Change) -> str:
    """A change as the activity emails tell it ("Zhang San moved …"), in plain text."""
    template = get_template("emails/parts/card-change.txt")
    return template.template.render(Context({"change": change}, autoescape=False)).strip()


def changes_part(ask: Ask) -> Part:
    changes = selectors.followed_changes_for(
        user=ask.user, organization=ask.organization, limit=CHANGES_SHOWN
    )
    items = [
        Item(
            kind="change",
            id=change.card.pk,
            title=change.card.title,
            url=card_panel_path(
                org_slug=ask.organization.slug,
                board_id=change.card.board_id,
                card_id=change.card.pk,
                anchor=change.anchor,
            ),
            why=change_sentence(change),
            where=change.card.board.project.name,
            at=change.at,
            by=change.actor.display_name if change.actor else "",
        )
        for change in changes
    ]
    return Part(
        key="following",
        title=_("Changes on cards I follow"),
        groups=[cut("changes", _("Since I last looked"), items)],
        note=_("Comments, moves, due dates and blocks by others since you last opened each card."),
    )


def mentions_part(ask: Ask) -> Part:
    since = timezone.now() - timedelta(days=MENTIONS_DAYS)
    mentions = selectors.mentions_for(user=ask.user, organization=ask.organization).filter(
        created_at__gte=since
    )[:MENTIONS_SHOWN]
    items = []
    for mention in mentions:
        card = mention.card
        anchor = f"comment-{mention.comment_id}" if mention.comment_id else "description"
        author = (
            mention.author.display_name
            if mention.author
            else pgettext("card history: an actor whose account is gone", "Someone")
        )
        items.append(
            Item(
                kind="mention",
                id=mention.pk,
                title=card.title,
                url=card_panel_path(
                    org_slug=ask.organization.slug,
                    board_id=card.board_id,
                    card_id=card.pk,
                    anchor=anchor,
                ),
                why=excerpt(mention.comment.body if mention.comment else card.description),
                where=card.board.project.name,
                at=mention.created_at,
                by=author,
            )
        )
    return Part(
        key="mentions",
        title=_("Mentions"),
        groups=[cut("mentions", _("Where you were mentioned"), items)],
        note=ngettext(
            "In comments and card descriptions, the last %(days)s day.",
            "In comments and card descriptions, the last %(days)s days.",
            MENTIONS_DAYS,
        )
        % {"days": MENTIONS_DAYS},
    )
