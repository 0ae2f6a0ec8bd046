"""The card beside the board: the board's address with ?card=<id> draws the card in the
panel; the card page answers the panel's htmx request with its body only, and so do the
card's forms sent from the panel; links in messages open the panel."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from kanban.activity import card_url
from kanban.links import card_panel_path
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup, board_setup
from tests.kanban.files import ELF, png
from tests.kanban.files import upload as upload_file


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


# The card's forms in the panel: static/js/card_panel.js sends them with htmx into the
# panel's body; the answer is the card's body again, never a page or the board.
PANEL = {"HX-Request": "true", "HX-Target": "card-panel-body"}


def _body(response) -> str:
    text = response.content.decode()
    assert "<html" not in text and 'id="board"' not in text, text[:300]
    assert 'id="card-title"' in text
    return text


def test_a_comment_from_the_panel_answers_with_the_card(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    card = kanban.add(tenant, "Segment users")
    client.force_login(tenant.member.user)
    url = reverse("kanban:card_comment", args=["acme", card.pk])
    answer = client.post(url, {"body": "Plan B works"}, headers=PANEL, follow=True)
    assert answer.status_code == 200
    assert "Plan B works" in _body(answer)
    assert card.comments.get().body == "Plan B works"

    refused = client.post(url, {"body": "  "}, headers=PANEL)
    assert refused.status_code == 400
    text = _body(refused)
    assert 'aria-invalid="true"' in text and "field-error" in text
    assert card.comments.count() == 1


def test_the_checklist_from_the_panel(tenant: Tenant, kanban: BoardSetup, client) -> None:
    card = kanban.add(tenant, "Segment users")
    client.force_login(tenant.member.user)
    add = reverse("kanban:checklist_add", args=["acme", card.pk])
    assert "Call Li Na" in _body(
        client.post(add, {"text": "Call Li Na"}, headers=PANEL, follow=True)
    )
    item = card.checklist.get()
    toggle = reverse("kanban:checklist_toggle", args=["acme", item.pk])
    text = _body(client.post(toggle, headers=PANEL, follow=True))
    assert 'aria-pressed="true"' in text
    assert client.post(add, {"text": ""}, headers=PANEL).status_code == 400
    assert card.checklist.count() == 1


def test_a_move_from_the_panel_answers_with_the_card_and_its_warning(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    kanban.doing.wip_limit = 1
    kanban.doing.save()
    kanban.add(tenant, "Already doing", column=kanban.doing)
    card = kanban.add(tenant, "Segment users")
    client.force_login(tenant.member.user)
    url = reverse("kanban:card_move", args=["acme", card.pk])
    answer = client.post(url, {"column": kanban.doing.pk}, headers=PANEL, follow=True)
    text = _body(answer)
    assert "already holds 1 cards, its limit is 1" in text and "message-warning" in text
    card.refresh_from_db()
    assert card.column_id == kanban.doing.pk
    # The board's own htmx requests still get the board.
    board = client.post(url, {"column": kanban.todo.pk}, headers={"HX-Request": "true"})
    assert 'id="board"' in board.content.decode()


def test_files_and_archiving_from_the_panel(tenant: Tenant, kanban: BoardSetup, client) -> None:
    card = kanban.add(tenant, "Segment users")
    client.force_login(tenant.member.user)
    upload = reverse("kanban:attachment_upload", args=["acme", card.pk])
    text = _body(client.post(upload, {"files": [png("funnel.png")]}, headers=PANEL, follow=True))
    assert "funnel.png" in text and "1 file attached." in text
    refused = client.post(upload, {"files": [upload_file("tool.png", ELF)]}, headers=PANEL)
    assert refused.status_code == 400 and "tool.png" in _body(refused)
    assert card.attachments.count() == 1

    archive = reverse("kanban:card_archive", args=["acme", card.pk])
    text = _body(client.post(archive, headers=PANEL, follow=True))
    assert "Card archived." in text and "Restore" in text


def test_editing_from_the_panel_comes_back_to_the_panel(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    card = kanban.add(tenant, "Segment users")
    client.force_login(tenant.member.user)
    panel_path = card_panel_path(org_slug="acme", board_id=kanban.board.pk, card_id=card.pk)
    edit = reverse("kanban:card_edit", args=["acme", card.pk])
    body = _body(client.get(reverse("kanban:card_detail", args=["acme", card.pk]), headers=PANEL))
    assert f'href="{edit}?next=/o/acme/boards/{kanban.board.pk}/%3Fcard%3D{card.pk}"' in body
    # Without the panel, the card page's links carry no way back.
    assert (
        f'href="{edit}"' in client.get(reverse("kanban:card_detail", args=["acme", card.pk])).text
    )

    answer = client.post(
        f"{edit}?next={panel_path}", {"title": "Segment users by plan", "priority": card.priority}
    )
    assert answer.status_code == 302 and answer.url == panel_path
    # Anywhere else is not followed: back to the card's page.
    answer = client.post(
        f"{edit}?next=https://evil.example/", {"title": "Again", "priority": card.priority}
    )
    assert answer.url == reverse("kanban:card_detail", args=["acme", card.pk])
