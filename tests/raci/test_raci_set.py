"""Setting roles: one per person, the assignee among the Responsible, bad input refused."""

from __future__ import annotations

from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kanban.services import CardInput, card_update
from raci.models import RaciAssignment, RaciRole
from raci.selectors import Occasion, recipients
from raci.services import next_role, raci_bulk_set, raci_set
from tests.concurrency import in_lockstep
from tests.conftest import RaciSetup, Tenant
from tests.factories import MembershipFactory, TeamFactory, UserFactory


def roles(card) -> set[tuple[str, object]]:
    return {(a.role, a.user_id or f"team:{a.team_id}") for a in card.raci.all()}


def test_cycle() -> None:
    assert [next_role(r) for r in ("", "R", "A", "C", "I")] == ["R", "A", "C", "I", ""]


def test_a_person_holds_one_role_per_card(tenant: Tenant, raci: RaciSetup) -> None:
    card = raci.cards[0]
    raci_set(actor=tenant.lead, card=card, role="C", user=tenant.member.user)
    raci_set(actor=tenant.lead, card=card, role="I", user=tenant.member.user)
    assert roles(card) == {("I", tenant.member.user.pk)}
    raci_set(actor=tenant.lead, card=card, role="", user=tenant.member.user)
    assert roles(card) == set()


def test_making_someone_responsible_assigns_an_unassigned_card(
    tenant: Tenant, raci: RaciSetup
) -> None:
    card = raci.cards[0]
    raci_set(actor=tenant.lead, card=card, role="R", user=tenant.member.user)
    card.refresh_from_db()
    assert card.assignee == tenant.member.user
    # A second Responsible does not take the card over.
    raci_set(actor=tenant.lead, card=card, role="R", user=tenant.lead.user)
    card.refresh_from_db()
    assert card.assignee == tenant.member.user
    # The assignee made Accountable is no longer the assignee.
    raci_set(actor=tenant.lead, card=card, role="A", user=tenant.member.user)
    card.refresh_from_db()
    assert card.assignee is None


def test_assigning_on_the_board_adds_responsible(tenant: Tenant, raci: RaciSetup) -> None:
    card = raci.cards[1]
    card_update(
        actor=tenant.lead, card=card, data=CardInput(title=card.title, assignee=tenant.member.user)
    )
    assert ("R", tenant.member.user.pk) in roles(card)


def test_bad_input_is_refused_and_nothing_saved(
    tenant: Tenant, other_tenant: Tenant, raci: RaciSetup
) -> None:
    card = raci.cards[0]
    for kwargs in (
        {"role": "X", "user": tenant.member.user},
        {"role": "R", "user": other_tenant.member.user},
        {"role": "R", "user": UserFactory()},
        {"role": "R", "team": other_tenant.team},
        {"role": "R"},
        {"role": "R", "user": tenant.member.user, "team": raci.product},
    ):
        with pytest.raises(ValidationError):
            raci_set(actor=tenant.lead, card=card, **kwargs)
    with pytest.raises(PermissionDenied):
        raci_set(actor=tenant.viewer, card=card, role="R", user=tenant.member.user)
    assert not RaciAssignment.objects.exists()


def test_routing(tenant: Tenant, raci: RaciSetup) -> None:
    card = raci.cards[0]
    informed_team = TeamFactory(organization=tenant.organization, name="Finance")
    in_finance = MembershipFactory(organization=tenant.organization, teams=[informed_team])
    retired = MembershipFactory(organization=tenant.organization, teams=[informed_team])
    retired.user.is_active = False
    retired.user.save()
    raci_set(actor=tenant.lead, card=card, role="R", user=tenant.member.user)
    raci_set(actor=tenant.lead, card=card, role="A", user=tenant.lead.user)
    raci_set(actor=tenant.lead, card=card, role="C", user=tenant.manager.user)
    raci_set(actor=tenant.lead, card=card, role="I", team=informed_team)
    raci_set(actor=tenant.lead, card=card, role="I", user=tenant.viewer.user)
    assert recipients(card=card, occasion=Occasion.REMINDER) == [tenant.member.user]
    assert recipients(card=card, occasion=Occasion.OVERDUE) == [tenant.lead.user]
    assert recipients(card=card, occasion=Occasion.INPUT) == [tenant.manager.user]
    assert set(recipients(card=card, occasion=Occasion.DONE)) == {
        in_finance.user,
        tenant.viewer.user,
    }


def test_routing_falls_back(tenant: Tenant, raci: RaciSetup) -> None:
    card = raci.cards[2]
    raci.project.owner = tenant.manager.user
    raci.project.save()
    card.assignee = tenant.member.user
    card.save()
    assert recipients(card=card, occasion=Occasion.REMINDER) == [tenant.member.user]
    assert recipients(card=card, occasion=Occasion.OVERDUE) == [tenant.manager.user]
    assert recipients(card=card, occasion=Occasion.DONE) == []


def test_team_roles_reach_the_team(tenant: Tenant, raci: RaciSetup) -> None:
    card = raci.cards[0]
    raci_set(actor=tenant.lead, card=card, role=RaciRole.RESPONSIBLE, team=raci.engineering)
    assert recipients(card=card, occasion=Occasion.REMINDER) == [tenant.lead.user]


@pytest.mark.django_db(transaction=True)
def test_two_people_setting_a_team_on_the_same_cards_in_opposite_orders_do_not_deadlock(
    tenant: Tenant, raci: RaciSetup
) -> None:
    for card in raci.cards:
        raci_set(actor=tenant.lead, card=card, role="C", team=raci.engineering)
    rounds = 10
    plans = [
        (tenant.lead, raci.cards, ["I", "C"]),
        (tenant.member, raci.cards[::-1], ["C", "I"]),
    ]
    in_lockstep(
        *(
            [
                partial(raci_bulk_set, actor=actor, cards=cards, team=raci.engineering, role=role)
                for _round in range(rounds)
                for role in roles
            ]
            for actor, cards, roles in plans
        )
    )
    # One role per card for the team, whoever won each round.
    assert RaciAssignment.objects.filter(team=raci.engineering).count() == len(raci.cards)
