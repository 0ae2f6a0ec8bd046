"""Who hears about a card: one routing for one card and for the reminder scan's many."""

from __future__ import annotations

import pytest

from kanban.models import Card
from kanban.services import CardInput, card_create
from raci.selectors import Occasion, Routing, recipients, routable
from raci.services import raci_set
from tests.conftest import RaciSetup, Tenant


def test_a_reminder_nobody_owns_goes_to_the_accountable_else_the_owner(
    tenant: Tenant, raci: RaciSetup
) -> None:
    card = raci.cards[0]  # nobody Responsible, nobody assigned
    raci.project.owner = tenant.manager.user
    raci.project.save()
    assert recipients(card=card, occasion=Occasion.REMINDER) == [tenant.manager.user]
    raci_set(actor=tenant.lead, card=card, role="A", user=tenant.lead.user)
    assert recipients(card=card, occasion=Occasion.REMINDER) == [tenant.lead.user]
    assert recipients(card=card, occasion=Occasion.BLOCKED) == [tenant.lead.user]
    one = Card.objects.filter(pk=card.pk)
    route = Routing(one, organization_id=tenant.organization.pk).route(
        routable(one).get(), Occasion.REMINDER
    )
    assert route.unowned


@pytest.mark.parametrize("extra", [0, 20])
def test_routing_many_cards_reads_as_much_as_routing_one(
    tenant: Tenant, raci: RaciSetup, django_assert_num_queries, extra: int
) -> None:
    for n in range(extra):
        card = card_create(actor=tenant.lead, board=raci.board, data=CardInput(title=f"More {n}"))
        raci_set(actor=tenant.lead, card=card, role="R", team=raci.engineering)
    raci_set(actor=tenant.lead, card=raci.cards[0], role="A", team=raci.product)
    raci_set(actor=tenant.lead, card=raci.cards[1], role="R", team=raci.engineering)
    cards = routable(Card.objects.filter(board=raci.board))
    listed = list(cards)
    routing = Routing(cards, organization_id=tenant.organization.pk)
    # Two roles, each read once, each with a team: two queries apiece.
    with django_assert_num_queries(4):
        for card in listed:
            for occasion in (Occasion.REMINDER, Occasion.OVERDUE, Occasion.BLOCKED):
                routing.route(card, occasion)
