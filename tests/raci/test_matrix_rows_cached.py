"""The matrix's rows are drawn once and then read from the cache, keyed by what they show:
a change to what a row shows draws it again, and no row crosses organisations, languages
or what the viewer may do."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from kanban.models import Card
from raci import fragments
from raci.fragments import matrix_rows_html
from raci.selectors import MatrixFilters, matrix
from raci.services import policy_update, raci_set
from tests.conftest import RaciSetup, Tenant


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


@pytest.fixture
def drawn(monkeypatch) -> list[int]:
    """The card ids whose rows were drawn (not read from the cache), in order."""
    cards: list[int] = []
    draw = fragments.render_to_string

    def counting(template_name: str, context: dict) -> str:
        cards.append(context["card_id"])
        return draw(template_name, context)

    monkeypatch.setattr(fragments, "render_to_string", counting)
    return cards


def matrix_url(raci: RaciSetup) -> str:
    return reverse("raci:matrix", args=["acme", raci.project.pk])


def row_html(page: str, card: Card) -> str:
    match = re.search(rf'<tr id="card-{card.pk}".*?</tr>', page, re.S)
    assert match, f"no row for card {card.pk}"
    return match.group(0)


def test_a_second_view_reads_its_rows_from_the_cache(
    tenant: Tenant, raci: RaciSetup, client, drawn: list[int]
) -> None:
    client.force_login(tenant.lead.user)
    first = client.get(matrix_url(raci)).text
    assert sorted(drawn) == sorted(card.pk for card in raci.cards)
    drawn.clear()
    again = client.get(matrix_url(raci)).text
    assert drawn == []
    assert [row_html(again, card) for card in raci.cards] == [
        row_html(first, card) for card in raci.cards
    ]


def test_renaming_a_card_draws_its_row_again(
    tenant: Tenant, raci: RaciSetup, client, drawn: list[int]
) -> None:
    card = raci.cards[0]
    client.force_login(tenant.lead.user)
    client.get(matrix_url(raci))
    drawn.clear()
    # Even written straight to the table, with no service or signal told.
    Card.objects.filter(pk=card.pk).update(title="Call the churned customers")
    page = client.get(matrix_url(raci)).text
    assert "Call the churned customers" in row_html(page, card)
    assert drawn == [card.pk]  # the other rows did not change


def test_changing_a_role_draws_the_row_again(
    tenant: Tenant, raci: RaciSetup, client, drawn: list[int]
) -> None:
    card = raci.cards[1]
    client.force_login(tenant.lead.user)
    before = row_html(client.get(matrix_url(raci)).text, card)
    drawn.clear()
    raci_set(actor=tenant.lead, card=card, role="C", team=raci.engineering)
    page = client.get(matrix_url(raci)).text
    assert '<td class="role-C">C</td>' in row_html(page, card)
    assert drawn == [card.pk]

    # And back: the row as it was is read again from its own, older key.
    drawn.clear()
    raci_set(actor=tenant.lead, card=card, role="", team=raci.engineering)
    assert row_html(client.get(matrix_url(raci)).text, card) == before
    assert drawn == []


def test_renaming_a_person_changes_the_rows_that_name_them(
    tenant: Tenant, raci: RaciSetup, client, drawn: list[int]
) -> None:
    # One open card is too many to be Accountable for: each row names its Accountable.
    policy_update(actor=tenant.owner, consulted_limit=3, accountable_limit=1)
    for card in raci.cards[:2]:
        raci_set(actor=tenant.lead, card=card, role="A", user=tenant.member.user)
    client.force_login(tenant.lead.user)
    client.get(matrix_url(raci))
    drawn.clear()
    tenant.member.user.full_name = "Lin Xiaoyu"
    tenant.member.user.save()
    page = client.get(matrix_url(raci)).text
    assert "Lin Xiaoyu" in page.split("</thead>")[0]  # the column's head
    for card in raci.cards[:2]:
        assert "Lin Xiaoyu is Accountable for 2 open cards" in row_html(page, card)
    assert sorted(drawn) == sorted(card.pk for card in raci.cards[:2])  # not the third


def test_a_viewer_never_gets_an_editors_rows(tenant: Tenant, raci: RaciSetup, client) -> None:
    client.force_login(tenant.lead.user)
    editors = client.get(matrix_url(raci)).text
    assert 'name="cards"' in row_html(editors, raci.cards[0])
    assert "data-cell-url" in editors

    client.force_login(tenant.viewer.user)
    page = client.get(matrix_url(raci)).text
    assert 'name="cards"' not in page and "data-cell-url" not in page
    assert "js/raci.js" not in page

    # And the other way round: an editor after a viewer still gets the selection boxes.
    cache.clear()
    client.get(matrix_url(raci))
    client.force_login(tenant.member.user)  # members change the work too (can_edit)
    assert 'name="cards"' in row_html(client.get(matrix_url(raci)).text, raci.cards[0])


def test_english_and_chinese_do_not_share_rows(tenant: Tenant, raci: RaciSetup, client) -> None:
    client.force_login(tenant.lead.user)
    english = row_html(client.get(matrix_url(raci)).text, raci.cards[0])
    assert "Nobody is Accountable" in english and 'aria-label="Select"' in english

    tenant.lead.user.language = "zh-hans"
    tenant.lead.user.save()
    chinese = row_html(client.get(matrix_url(raci)).text, raci.cards[0])
    assert "没有最终负责人" in chinese and 'aria-label="选择"' in chinese
    assert "Nobody is Accountable" not in chinese


def test_rows_do_not_cross_organisations(
    tenant: Tenant, other_tenant: Tenant, raci: RaciSetup, drawn: list[int]
) -> None:
    """The same rows drawn for two organisations: each its own keys and its own links."""
    rows = matrix(project=raci.project, filters=MatrixFilters())
    ours = matrix_rows_html(
        rows.rows, holders=rows.holders, organization=tenant.organization, may_edit=False
    )
    theirs = matrix_rows_html(
        rows.rows, holders=rows.holders, organization=other_tenant.organization, may_edit=False
    )
    card = raci.cards[0]
    assert "/o/acme/" in ours[card.pk] and "/o/acme/" not in theirs[card.pk]
    assert len(drawn) == 6  # three rows for each, none shared


def test_a_row_is_a_few_bytes_per_empty_cell(tenant: Tenant, raci: RaciSetup, client) -> None:
    raci_set(actor=tenant.lead, card=raci.cards[0], role="I", team=raci.engineering)
    client.force_login(tenant.lead.user)
    page = client.get(matrix_url(raci))
    holders = len(page.context["matrix"].holders)
    row = row_html(page.text, raci.cards[0])
    cells = re.findall(r"<td[^>]*>[^<]*</td>", row)  # the role cells (the problems hold spans)
    assert len(cells) == holders
    assert cells.count("<td></td>") == holders - 1
    assert '<td class="role-I">I</td>' in cells
