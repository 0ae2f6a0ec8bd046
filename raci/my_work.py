"""raci's part of My work (``projects.my_work``): the open cards the person is
Accountable for (themselves, or through a team of theirs) that need them: nobody is
Responsible, the card is overdue, or it has been blocked for the days after which the
Accountable is told (``RaciPolicy.blocked_alert_days``).

Opsboard has no notion of a card "waiting on a decision" (no decision field or request
state), so that is not a reason here; a blocked card's reason says what it waits for.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from kanban.models import Card, CardQuerySet, overdue_on
from kanban.my_work import CARD_FIELDS, card_item
from projects.my_work import GROUP_LIMIT, Ask, Group, Part

from .models import DEFAULT_BLOCKED_ALERT, RaciAssignment, RaciPolicy, RaciRole
from .rules import ProblemKind


def accountable_cards(ask: Ask) -> CardQuerySet:
    """The unfinished cards of the organisation the person is Accountable for, as a person
    or through one of their teams, each with ``has_responsible``."""
    accountable = RaciAssignment.objects.filter(card=OuterRef("pk"), role=RaciRole.ACCOUNTABLE)
    accountable = accountable.filter(Q(user_id=ask.user.pk) | Q(team_id__in=ask.team_ids))
    responsible = RaciAssignment.objects.filter(card=OuterRef("pk"), role=RaciRole.RESPONSIBLE)
    return (
        Card.objects.shown()
        .unfinished()
        .filter(Exists(accountable), board__organization_id=ask.organization.pk)
        .annotate(has_responsible=Exists(responsible))
    )


def accountable_part(ask: Ask) -> Part:
    blocked_days = (
        RaciPolicy.objects.filter(organization_id=ask.organization.pk)
        .values_list("blocked_alert_days", flat=True)
        .first()
        or DEFAULT_BLOCKED_ALERT
    )
    blocked_long = Card.objects.blocked_for(blocked_days, ask.today, ask.organization.zone)
    cards = (
        accountable_cards(ask)
        .annotate(blocked_long=Exists(blocked_long.filter(pk=OuterRef("pk"))))
        .filter(Q(has_responsible=False) | overdue_on(ask.today) | Q(blocked_long=True))
        .select_related("board__project", "column")
        .only(*CARD_FIELDS)
        .order_by("due_date", "pk")
    )
    cards = list(cards)
    items = []
    for card in cards[:GROUP_LIMIT]:  # items only for the cards shown
        reasons = []
        if not card.has_responsible:
            reasons.append(ProblemKind.NO_RESPONSIBLE.label)
        if card.is_overdue(ask.today):
            days = (ask.today - card.due_date).days
            reasons.append(
                ngettext("%(days)s day overdue", "%(days)s days overdue", days) % {"days": days}
            )
        if card.blocked_long:
            reasons.append(
                _("blocked: %(reason)s") % {"reason": card.blocked_reason}
                if card.blocked_reason
                else _("blocked")
            )
        items.append(
            card_item(
                card,
                ask,
                why=pgettext("between the names of a list", ", ").join(str(r) for r in reasons),
                tone="danger",
            )
        )
    return Part(
        key="accountable",
        title=_("Cards I am Accountable for that need me"),
        groups=[
            Group(
                key="accountable",
                title=_("Need a decision from you"),
                items=items,
                total=len(cards),
            )
        ],
        link=ask.url("raci:matrix_list"),
        link_label=_("RACI"),
        note=ngettext(
            "Nobody Responsible, overdue, or blocked for %(days)s day or more.",
            "Nobody Responsible, overdue, or blocked for %(days)s days or more.",
            blocked_days,
        )
        % {"days": blocked_days},
    )
