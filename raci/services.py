"""Setting RACI roles. A person or a team holds at most one role per card, and
the card's assignee is always among its Responsible."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kanban.models import Card, FollowReason
from kanban.services import card_assign, card_followers_add
from opsboard.accounts.models import User
from opsboard.tenancy.access import require_editor, require_manager
from opsboard.tenancy.models import Membership, Organization, Team

from .models import (
    DEFAULT_BLOCKED_ALERT,
    DEFAULT_OVERDUE_REPEAT,
    RaciAssignment,
    RaciPolicy,
    RaciRole,
)

# The people who hold these roles follow the card (teams hear through their chat groups).
FOLLOWING_ROLES = {
    RaciRole.RESPONSIBLE: FollowReason.RESPONSIBLE,
    RaciRole.ACCOUNTABLE: FollowReason.ACCOUNTABLE,
}

CYCLE = ["", RaciRole.RESPONSIBLE, RaciRole.ACCOUNTABLE, RaciRole.CONSULTED, RaciRole.INFORMED]


def next_role(current: str) -> str:
    """The role a click gives: none -> R -> A -> C -> I -> none."""
    return CYCLE[(CYCLE.index(current) + 1) % len(CYCLE)] if current in CYCLE else ""


def _check_holder(organization_id: int, user: User | None, team: Team | None) -> None:
    if (user is None) == (team is None):
        raise ValidationError(_("Choose one person or one team."))
    if (
        user is not None
        and not Membership.objects.filter(organization_id=organization_id, user=user).exists()
    ):
        raise ValidationError({"user": _("Choose a member of this organisation.")})
    if team is not None and team.organization_id != organization_id:
        raise ValidationError({"team": _("Choose teams of this organisation.")})


@transaction.atomic
def raci_set(
    *, actor: Membership, card: Card, role: str, user: User | None = None, team: Team | None = None
) -> RaciAssignment | None:
    """Give a person or a team ``role`` on the card, replacing their role; "" clears it."""
    require_editor(actor)
    if role not in ("", *RaciRole.values):
        raise ValidationError({"role": _("A role is R, A, C or I.")})
    organization_id = card.board.organization_id
    _check_holder(organization_id, user, team)
    holder = {"user": user} if user is not None else {"team": team}
    # Only the role's row: the default ordering joins the card and its column,
    # which a plain FOR UPDATE would lock as well (and block moves there).
    existing = (
        RaciAssignment.objects.select_for_update(of=("self",)).filter(card=card, **holder).first()
    )
    before = existing.role if existing is not None else ""
    if not role:
        if existing is not None:
            existing.delete()
    elif existing is not None:
        existing.role = role
        existing.save(update_fields=["role"])
    else:
        existing = RaciAssignment.objects.create(card=card, role=role, **holder)
    if user is not None and role in FOLLOWING_ROLES and role != before:
        # A new responsibility for the card: its holder follows it, again if they had stopped.
        card_followers_add(
            card_id=card.pk, user_ids=[user.pk], reason=FOLLOWING_ROLES[role], renew=True
        )
    if user is not None:
        # The assignee is always among the Responsible: being made R assigns an
        # unassigned card; losing R unassigns it.
        if role == RaciRole.RESPONSIBLE and card.assignee_id is None:
            card_assign(actor=actor, card=card, assignee=user)
        elif role != RaciRole.RESPONSIBLE and card.assignee_id == user.pk:
            card_assign(actor=actor, card=card, assignee=None)
    return existing if role else None


@transaction.atomic
def raci_bulk_set(*, actor: Membership, cards: Iterable[Card], team: Team, role: str) -> int:
    """Give a team the same role on many cards.

    The cards' rows are taken in primary key order, whatever order they came
    in, so two people setting roles on the same cards cannot deadlock.
    """
    count = 0
    for card in sorted(cards, key=lambda card: card.pk):
        raci_set(actor=actor, card=card, role=role, team=team)
        count += 1
    return count


def raci_start(*, card: Card, responsible: User | None, accountable: User | None) -> None:
    """A new card's first Responsible and Accountable, given by the system (a request's
    type) rather than by a person's edit: whoever caused the card (a requester) need not be
    someone who may set roles, so no editor's check. The caller has created the card (the
    board held) and chose people of the card's organisation; they follow it as ``raci_set``
    makes people follow."""
    organization_id = card.board.organization_id
    for role, user in ((RaciRole.RESPONSIBLE, responsible), (RaciRole.ACCOUNTABLE, accountable)):
        if user is None:
            continue
        _check_holder(organization_id, user, None)
        RaciAssignment.objects.update_or_create(card=card, user=user, defaults={"role": role})
        card_followers_add(
            card_id=card.pk, user_ids=[user.pk], reason=FOLLOWING_ROLES[role], renew=True
        )


def raci_follow_assignee(card: Card) -> None:
    """Make the card's assignee Responsible (called whenever the assignee changes)."""
    if card.assignee_id is None:
        return
    RaciAssignment.objects.update_or_create(
        card=card, user_id=card.assignee_id, defaults={"role": RaciRole.RESPONSIBLE}
    )


def policy_for(organization: Organization) -> RaciPolicy:
    policy, _created = RaciPolicy.objects.get_or_create(organization=organization)
    return policy


@transaction.atomic
def policy_update(
    *,
    actor: Membership,
    consulted_limit: int,
    accountable_limit: int,
    overdue_repeat_days: int = DEFAULT_OVERDUE_REPEAT,
    blocked_alert_days: int = DEFAULT_BLOCKED_ALERT,
) -> RaciPolicy:
    require_manager(actor)
    policy = policy_for(actor.organization)
    policy.consulted_limit = consulted_limit
    policy.accountable_limit = accountable_limit
    policy.overdue_repeat_days = overdue_repeat_days
    policy.blocked_alert_days = blocked_alert_days
    policy.full_clean()
    policy.save()
    return policy
