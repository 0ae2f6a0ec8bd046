"""The API's card list reads rows, not model instances: it says of each card what the card's
own answer says, in the reader's language and the organisation's time zone, in as many
queries for one card as for sixty."""

from __future__ import annotations

from datetime import timedelta

from kanban.filters import CardFilter
from kanban.models import BuiltinLabel, Label
from kanban.services import card_archive, card_move, label_create
from tests.conftest import Tenant
from tests.factories import GoalFactory
from tests.kanban.conftest import BoardSetup, board_setup

API = "/api/v1/organizations/acme"


def listed(client, kanban: BoardSetup, query: dict | None = None, **headers) -> dict[int, dict]:
    response = client.get(f"{API}/boards/{kanban.board.pk}/cards/", query or {}, **headers)
    assert response.status_code == 200, response.content[:300]
    return {card["id"]: card for card in response.json()["results"]}


def test_the_list_says_of_each_card_what_its_own_answer_says(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    bug = Label.objects.create(board=kanban.board, builtin=BuiltinLabel.BUG, color="#d1242f")
    data = label_create(actor=tenant.lead, board=kanban.board, name="Data", color="#0172ad")
    everything = kanban.add(
        tenant,
        "Segment users",
        description="**Churned** in the last 90 days",
        assignee=tenant.member.user,
        team=tenant.team,
        goal=GoalFactory(organization=tenant.organization, project=kanban.project),
        due_date=tenant.organization.today() + timedelta(days=3),
        labels=[data, bug],
        blocked=True,
        blocked_reason="Waiting for the data team",
    )
    done = kanban.add(tenant, "Done one", labels=[bug])
    # The admin lets a card carry a label of another board of the organisation.
    elsewhere = board_setup(tenant, name="Supply chain").board
    done.labels.add(Label.objects.create(board=elsewhere, name="Procurement"))
    card_move(actor=tenant.lead, card=done, column=kanban.done)
    kanban.add(tenant, "Bare")
    client.force_login(tenant.member.user)
    for language in ("en", "zh-hans"):
        cards = listed(client, kanban, HTTP_ACCEPT_LANGUAGE=language)
        assert len(cards) == 3
        for card_id, card in cards.items():
            own = client.get(f"{API}/cards/{card_id}/", HTTP_ACCEPT_LANGUAGE=language).json()
            assert card == own, language
    cards = listed(client, kanban, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert cards[everything.pk]["labels"] == ["缺陷", "Data"]
    assert cards[everything.pk]["blocked_at"] is not None
    assert cards[done.pk]["done_at"] is not None
    assert cards[done.pk]["labels"] == ["缺陷", "Procurement"]


def test_a_filtered_list_keeps_every_label_of_its_cards(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    """Filtering by a label narrows the cards, not the labels each card shows."""
    data = label_create(actor=tenant.lead, board=kanban.board, name="Data", color="#0172ad")
    ops = label_create(actor=tenant.lead, board=kanban.board, name="Ops", color="#0172ad")
    both = kanban.add(tenant, "Both", labels=[ops, data])
    kanban.add(tenant, "Ops only", labels=[ops])
    client.force_login(tenant.member.user)
    assert {card["title"]: card["labels"] for card in listed(client, kanban).values()} == {
        "Both": ["Data", "Ops"],
        "Ops only": ["Ops"],
    }
    assert listed(client, kanban, {"label": data.pk}) == {both.pk: listed(client, kanban)[both.pk]}


def test_archived_cards_are_listed_when_asked(tenant: Tenant, kanban: BoardSetup, client) -> None:
    kept = kanban.add(tenant, "Kept")
    gone = kanban.add(tenant, "Gone")
    card_archive(actor=tenant.lead, card=gone)
    client.force_login(tenant.member.user)
    assert list(listed(client, kanban)) == [kept.pk]
    archived = listed(client, kanban, {"archived": "1"})
    assert list(archived) == [gone.pk]
    assert archived[gone.pk] == client.get(f"{API}/cards/{gone.pk}/").json()
    # A query that names no filter skips the FilterSet: the same cards as one that names
    # each filter with nothing chosen.
    nothing_chosen = dict.fromkeys(CardFilter.base_filters, "")
    assert listed(client, kanban, {"page_size": 10}) == listed(client, kanban, nothing_chosen)
