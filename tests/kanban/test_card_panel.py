"""The card beside the board: the board's address with ?card=<id> draws the card in the
panel; the card page answers the panel's htmx request with its body only; links in
messages open the panel."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from kanban.activity import card_url
from kanban.links import card_panel_path
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup, board_setup


def test_the_panel_address_draws_the_board_with_the_card_open(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    card = kanban.add(tenant, "Segment users", description="Split by plan")
    client.force_login(tenant.member.user)
    page = client.get(card_panel_path(org_slug="acme", board_id=kanban.board.pk, card_id=card.pk))
    assert page.status_code == 200
    text = page.content.decode()
    panel = text.split('<dialog id="card-panel"', 1)[1].split("</dialog>", 1)[0]
    assert f'open data-open="{card.pk}"' in panel
    assert '<h1 id="card-title">Segment users</h1>' in panel
    assert "Split by plan" in panel
    assert reverse("kanban:card_detail", args=["acme", card.pk]) in panel  # the full page
    assert 'id="board"' in text  # the board is still there, underneath
    # The board's own live address does not carry the panel.
    assert "changes/?card=" not in text and "changes/?&" not in text


def test_the_plain_board_has_a_closed_empty_panel(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    client.force_login(tenant.member.user)
    text = client.get(reverse("kanban:board_detail", args=["acme", kanban.board.pk])).text
    panel = text.split('<dialog id="card-panel"', 1)[1].split("</dialog>", 1)[0]
    assert " open" not in panel.split(">", 1)[0]
    assert 'id="card-title"' not in panel


def test_a_card_of_another_board_or_organisation_is_not_found(
    tenant: Tenant, other_tenant: Tenant, kanban: BoardSetup, client
) -> None:
    other_board = board_setup(tenant, name="Logistics")
    elsewhere = other_board.add(tenant, "Elsewhere")
    theirs = board_setup(other_tenant, name="Rival").add(other_tenant, "Theirs")
    client.force_login(tenant.member.user)
    board = reverse("kanban:board_detail", args=["acme", kanban.board.pk])
    for wrong in (str(elsewhere.pk), str(theirs.pk), "abc", "", "-1", "99999999"):
        assert client.get(board, {"card": wrong}).status_code == 404, wrong


def test_the_card_page_answers_the_panel_with_its_body(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    card = kanban.add(tenant, "Segment users")
    client.force_login(tenant.member.user)
    url = reverse("kanban:card_detail", args=["acme", card.pk])
    body = client.get(url, headers={"HX-Request": "true"}).text
    assert '<h1 id="card-title">Segment users</h1>' in body
    assert "<html" not in body and "<dialog" not in body
    page = client.get(url).text
    assert "<html" in page and '<h1 id="card-title">Segment users</h1>' in page


def test_links_in_messages_open_the_panel(tenant: Tenant, kanban: BoardSetup) -> None:
    card = kanban.add(tenant, "Segment users")
    card.board.organization = tenant.organization
    assert card_url(card, "comment-3") == (
        f"{settings.SITE_URL}/o/acme/boards/{kanban.board.pk}/?card={card.pk}#comment-3"
    )
