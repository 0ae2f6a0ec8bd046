"""The board's filter bar and the API's card list are one FilterSet: the same parameters
give the same cards, and the same wrong values are refused (a field error on the page,
400 in the API)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from kanban.models import Card
from kanban.services import card_move, label_create
from tests.conftest import Tenant
from tests.factories import GoalFactory
from tests.kanban.conftest import BoardSetup


@pytest.fixture
def cards(tenant: Tenant, kanban: BoardSetup) -> dict[str, Card]:
    """Cards around the organisation's today: overdue, due this week, done this week, later."""
    today = tenant.organization.today()
    goal = GoalFactory(organization=tenant.organization, project=kanban.project)
    data = label_create(actor=tenant.lead, board=kanban.board, name="Data", color="#0172ad")
    made = {
        "overdue": kanban.add(
            tenant, "overdue", assignee=tenant.member.user, due_date=today - timedelta(days=1)
        ),
        "this week": kanban.add(
            tenant, "this week", assignee=tenant.lead.user, team=tenant.team, due_date=today
        ),
        "done this week": kanban.add(tenant, "done this week", due_date=today),
        "later": kanban.add(
            tenant,
            "later",
            assignee=tenant.lead.user,
            goal=goal,
            labels=[data],
            due_date=today + timedelta(days=30),
        ),
        "no date": kanban.add(tenant, "no date"),
    }
    card_move(actor=tenant.lead, card=made["done this week"], column=kanban.done)
    return made


def on_the_page(client, kanban: BoardSetup, query: dict) -> set[str]:
    response = client.get(reverse("kanban:board_detail", args=["acme", kanban.board.pk]), query)
    assert response.status_code == 200
    view = response.context["view"]
    return {card["title"] for lane in view.lanes for cell in lane.cells for card in cell.cards}


def in_the_api(client, kanban: BoardSetup, query: dict) -> set[str]:
    response = client.get(f"/api/v1/organizations/acme/boards/{kanban.board.pk}/cards/", query)
    assert response.status_code == 200, response.json()
    return {card["title"] for card in response.json()["results"]}


def test_the_page_and_the_api_show_the_same_cards(
    tenant: Tenant, kanban: BoardSetup, cards: dict[str, Card], client
) -> None:
    lead = tenant.lead.user
    card = cards["later"]
    client.force_login(tenant.member.user)
    for query, expected in (
        ({}, set(cards)),
        ({"mine": "on"}, {"overdue"}),
        ({"due": "overdue"}, {"overdue"}),
        # Still to do from today to Sunday: a card done already is not due.
        ({"due": "week"}, {"this week"}),
        ({"team": tenant.team.pk}, {"this week"}),
        ({"assignee": lead.pk}, {"this week", "later"}),
        ({"assignee": lead.pk, "due": "week"}, {"this week"}),
        ({"label": card.labels.get().pk}, {"later"}),
        ({"goal": card.goal_id}, {"later"}),
    ):
        assert on_the_page(client, kanban, query) == expected, query
        assert in_the_api(client, kanban, query) == expected, query
    # The API also names people by email, and says yes with 1 or true.
    assert in_the_api(client, kanban, {"assignee": lead.email.upper()}) == {"this week", "later"}
    assert in_the_api(client, kanban, {"mine": "true"}) == {"overdue"}
    assert in_the_api(client, kanban, {"mine": "0"}) == set(cards)


def test_the_api_filters_by_column_and_reads_archived_cards(
    tenant: Tenant, kanban: BoardSetup, cards: dict[str, Card], client
) -> None:
    Card.objects.filter(pk=cards["no date"].pk).update(archived_at=cards["no date"].created_at)
    client.force_login(tenant.viewer.user)
    assert in_the_api(client, kanban, {"column": kanban.done.pk}) == {"done this week"}
    assert in_the_api(client, kanban, {"archived": "1"}) == {"no date"}
    assert "no date" not in in_the_api(client, kanban, {})


def test_a_wrong_value_is_a_field_error_on_the_page_and_400_in_the_api(
    tenant: Tenant, other_tenant: Tenant, kanban: BoardSetup, cards: dict[str, Card], client
) -> None:
    client.force_login(tenant.member.user)
    for field, value in (
        ("due", "someday"),
        ("team", other_tenant.team.pk),
        ("assignee", other_tenant.member.user.pk),
        ("assignee", "nobody@example.test"),
        ("label", "data"),
    ):
        page = client.get(
            reverse("kanban:board_detail", args=["acme", kanban.board.pk]), {field: value}
        )
        assert page.status_code == 200
        assert page.context["filter_form"]["cards"].errors[field], (field, value)
        assert 'class="field-error"' in page.text
        # A wrong filter narrows nothing on the page: every card stays in sight.
        assert on_the_page(client, kanban, {field: value}) == set(cards)
        response = client.get(
            f"/api/v1/organizations/acme/boards/{kanban.board.pk}/cards/", {field: value}
        )
        assert response.status_code == 400, (field, value)
        assert response.json()[field] == page.context["filter_form"]["cards"].errors[field]
