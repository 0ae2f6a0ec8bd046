"""The matrix draws its first rows; the rest come in chunks from the same URL with an
offset (as the user scrolls, or as pages behind a "Next cards" link without script).
Here a chunk is two rows, so the three cards of ``raci`` make two chunks."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kanban.models import Card
from kanban.ranks import STEP
from kanban.services import card_move
from raci import views
from raci.services import raci_set
from tests.conftest import RaciSetup, Tenant
from tests.factories import GoalFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def two_rows_a_chunk(monkeypatch) -> None:
    monkeypatch.setattr(views, "CHUNK_ROWS", 2)


def matrix_url(raci: RaciSetup, org_slug: str = "acme") -> str:
    return reverse("raci:matrix", args=[org_slug, raci.project.pk])


def card_rows(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="card-(\d+)"', html)]


def row_indexes(html: str) -> list[int]:
    return [int(index) for index in re.findall(r'<tr[^>]* aria-rowindex="(\d+)"', html)]


def test_the_page_holds_the_first_chunk_and_counts_every_row(
    tenant: Tenant, raci: RaciSetup, client
) -> None:
    client.force_login(tenant.viewer.user)
    page = client.get(matrix_url(raci))
    assert card_rows(page.text) == [card.pk for card in raci.cards[:2]]
    # The summary counts all three cards, loaded or not.
    assert {kind: count for kind, count, _ in page.context["matrix"].summary} == {
        "no_accountable": 3,
        "no_responsible": 3,
    }
    assert "Showing cards 1–2 of 3" in page.text
    # The summary links each card it names: to its row here, else to the page holding it.
    first, _second, third = raci.cards
    assert f'<a href="#card-{first.pk}" data-card="{first.pk}">' in page.text
    assert f'<a href="?offset=2#card-{third.pk}" data-card="{third.pk}">' in page.text
    on_the_second_page = client.get(matrix_url(raci), {"offset": 2, "problems": "on"}).text
    assert f'<a href="?problems=on#card-{first.pk}" data-card="{first.pk}">' in on_the_second_page
    assert f'<a href="#card-{third.pk}" data-card="{third.pk}">' in on_the_second_page
    assert 'role="status"' in page.text
    # The head's two rows, the column's group row, then the cards: four rows of six.
    assert 'aria-rowcount="6"' in page.text
    assert row_indexes(page.text) == [1, 2, 3, 4, 5]
    # The next rows without script: a link to them as a page, the filters kept.
    assert '<a href="?offset=2">Next cards</a>' in page.text
    assert "js/raci.js" in page.text  # loads them as the user scrolls


def test_a_chunk_is_the_next_rows_alone(tenant: Tenant, raci: RaciSetup, client) -> None:
    client.force_login(tenant.lead.user)
    chunk = client.get(matrix_url(raci), {"offset": 2}, headers=HTMX)
    assert chunk.status_code == 200
    assert "HX-Request" in chunk["Vary"]
    assert "<html" not in chunk.text and "raci-summary" not in chunk.text
    assert card_rows(chunk.text) == [raci.cards[2].pk]
    assert row_indexes(chunk.text) == [6]  # its place in the whole table
    # The status counts from the first row of the page the chunk joins (?from=).
    assert "Showing cards 1–3 of 3" in chunk.text
    assert "Next cards" not in chunk.text  # the last chunk
    joining = client.get(matrix_url(raci), {"offset": 2, "from": 2}, headers=HTMX)
    assert "Showing cards 3–3 of 3" in joining.text and "Previous cards" in joining.text
    for garbage in ("9", "x", "-1"):  # past the chunk, or not a number: clamped
        clamped = client.get(matrix_url(raci), {"offset": 2, "from": garbage}, headers=HTMX)
        assert clamped.status_code == 200
    assert 'name="cards"' in chunk.text  # an editor's rows: the bulk form selects them


def test_without_script_the_next_rows_are_a_page(tenant: Tenant, raci: RaciSetup, client) -> None:
    client.force_login(tenant.lead.user)
    page = client.get(matrix_url(raci), {"offset": 2})
    assert card_rows(page.text) == [raci.cards[2].pk]
    assert '<a href="?">Previous cards</a>' in page.text
    assert "Next cards" not in page.text and "raci-summary" in page.text
    # A printout has every row.
    for query in ({"print": "1"}, {"offset": 2, "print": "1"}):
        printed = client.get(matrix_url(raci), query)
        assert card_rows(printed.text) == [card.pk for card in raci.cards]
        assert "Next cards" not in printed.text and "Previous cards" not in printed.text


@pytest.mark.parametrize("offset", ["3", "4", "999999999"])
def test_past_the_end_is_404(tenant: Tenant, raci: RaciSetup, client, offset: str) -> None:
    client.force_login(tenant.lead.user)
    assert client.get(matrix_url(raci), {"offset": offset}, headers=HTMX).status_code == 404
    assert client.get(matrix_url(raci), {"offset": offset}).status_code == 404


@pytest.mark.parametrize("offset", ["abc", "-1", "1.5", "2e3", "١", "9" * 30, " 2"])
def test_garbage_offsets_are_400(tenant: Tenant, raci: RaciSetup, client, offset: str) -> None:
    client.force_login(tenant.lead.user)
    assert client.get(matrix_url(raci), {"offset": offset}, headers=HTMX).status_code == 400
    assert client.get(matrix_url(raci), {"offset": offset}).status_code == 400


def test_an_empty_offset_is_the_first_chunk(tenant: Tenant, raci: RaciSetup, client) -> None:
    client.force_login(tenant.lead.user)
    page = client.get(matrix_url(raci), {"offset": ""})
    assert card_rows(page.text) == [card.pk for card in raci.cards[:2]]


def test_filters_apply_to_chunks(tenant: Tenant, raci: RaciSetup, client) -> None:
    doing = raci.board.columns.get(kind="doing")
    for card in raci.cards:
        card_move(actor=tenant.lead, card=card, column=doing)
    todo = raci.board.columns.get(kind="todo")
    client.force_login(tenant.lead.user)
    page = client.get(matrix_url(raci), {"column": doing.pk})
    assert card_rows(page.text) == [card.pk for card in raci.cards[:2]]
    next_link = f'<a href="?column={doing.pk}&amp;offset=2">Next cards</a>'
    assert next_link in page.text
    chunk = client.get(matrix_url(raci), {"column": doing.pk, "offset": 2}, headers=HTMX)
    assert card_rows(chunk.text) == [raci.cards[2].pk]
    # Another filter, another set of rows: none in the "to do" column now.
    assert client.get(matrix_url(raci), {"column": todo.pk, "offset": 2}).status_code == 404
    assert "No cards match." in client.get(matrix_url(raci), {"column": todo.pk}).text


def test_another_organisations_project_is_404_for_chunks(
    tenant: Tenant, other_tenant: Tenant, raci: RaciSetup, client
) -> None:
    client.force_login(other_tenant.lead.user)
    for offset in ("0", "2", "abc"):
        response = client.get(matrix_url(raci, "rival"), {"offset": offset}, headers=HTMX)
        assert response.status_code == 404
    assert client.get(matrix_url(raci), {"offset": 2}, headers=HTMX).status_code == 404


def test_a_clicked_row_keeps_its_place(tenant: Tenant, raci: RaciSetup, client) -> None:
    card = raci.cards[2]
    client.force_login(tenant.lead.user)
    response = client.post(
        reverse("raci:cell", args=["acme", card.pk]),
        {"holder": f"user:{tenant.member.user.pk}"},
        headers=HTMX,
    )
    assert response.text.lstrip().startswith(f'<tr id="card-{card.pk}" aria-rowindex="6"')


@pytest.mark.parametrize("more_cards", [0, 60])
def test_a_chunk_reads_a_fixed_number_of_queries(
    tenant: Tenant, raci: RaciSetup, client, django_assert_num_queries, more_cards: int
) -> None:
    """A chunk reads its own rows: the same queries for a matrix of 3 cards or of 63."""
    todo = raci.board.columns.get(kind="todo")
    last_rank = max(card.rank for card in raci.cards)
    Card.objects.bulk_create(
        Card(board=raci.board, column=todo, rank=last_rank + STEP * (n + 1), title=f"More {n}")
        for n in range(more_cards)
    )
    # The chunk's card has an Accountable person: the rules read what concerns them.
    card = raci.cards[2]
    raci_set(actor=tenant.lead, card=card, role="A", user=tenant.member.user)
    raci_set(actor=tenant.lead, card=card, role="R", team=raci.engineering)
    client.force_login(tenant.lead.user)
    client.get(matrix_url(raci), {"offset": 2}, headers=HTMX)
    with django_assert_num_queries(CHUNK_QUERIES):
        chunk = client.get(matrix_url(raci), {"offset": 2}, headers=HTMX)
    rows = card_rows(chunk.text)
    assert rows[0] == card.pk and len(rows) == (2 if more_cards else 1)
    assert "Showing cards 1–4 of 63" in chunk.text if more_cards else "1–3 of 3" in chunk.text


# The person with their memberships (one query, opsboard.tenancy.middleware; the session
# is in the cache), the project and its teams: 3; the columns of people, the board's columns, every card as values (the table's order
# needs every card's group), which of the chunk's cards are unfinished, their roles: 5; the
# rules' thresholds, and the open cards each of the chunk's Accountables is Accountable
# for, and their teams: 3. The rules check the chunk's cards alone.
CHUNK_QUERIES = 11


@pytest.mark.parametrize(
    "query", [{}, {"group_by": "goal"}, {"problems": "on"}, {"group_by": "goal", "problems": "on"}]
)
def test_chunks_read_alone_are_the_rows_of_the_whole_table(
    tenant: Tenant, raci: RaciSetup, client, query: dict[str, str]
) -> None:
    """A chunk reads only its own rows; put together, the chunks are the printout's rows
    (every row, read at once): the same rows in the same places, group rows included."""
    doing = raci.board.columns.get(kind="doing")
    goal = GoalFactory(organization=tenant.organization, project=raci.project, title="Fewer")
    todo = raci.board.columns.get(kind="todo")
    last_rank = max(card.rank for card in raci.cards)
    more = Card.objects.bulk_create(
        Card(board=raci.board, column=todo, rank=last_rank + STEP * (n + 1), title=f"More {n}")
        for n in range(4)
    )
    cards = [*raci.cards, *more]
    card_move(actor=tenant.lead, card=cards[1], column=doing)
    Card.objects.filter(pk__in=[cards[3].pk, cards[5].pk]).update(goal=goal)
    for card in cards[::2]:  # every other card has no problems
        raci_set(actor=tenant.lead, card=card, role="A", user=tenant.member.user)
        raci_set(actor=tenant.lead, card=card, role="R", team=raci.engineering)
    client.force_login(tenant.lead.user)
    printed = client.get(matrix_url(raci), {**query, "print": "1"}).text
    table = printed.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    pieces = [client.get(matrix_url(raci), query).text.split("<tbody>", 1)[1].split("</tbody>")[0]]
    offset = 2
    while (
        chunk := client.get(matrix_url(raci), {**query, "offset": offset}, headers=HTMX)
    ).status_code == 200:
        pieces.append(chunk.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0])
        offset += 2
    assert chunk.status_code == 404
    assert re.sub(r">\s+<", "><", "".join(pieces)).strip() == re.sub(r">\s+<", "><", table).strip()
    assert len(card_rows(table)) == (3 if "problems" in query else 7)
    if query.get("group_by") == "goal":
        # The cards without a goal make a group without a row of its own.
        assert '<th colspan="9">Fewer</th>' in table and '<th colspan="9"></th>' not in table
    indexes = row_indexes(table)
    assert indexes == list(range(3, 3 + len(indexes)))
