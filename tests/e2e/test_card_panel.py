"""The card beside the board, in a real browser: a tile opens the card in the panel at
its own address, Escape closes it and gives focus back to the tile, the address opens the
same panel, and the board's poll goes on underneath without taking the focus."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kanban.services import CardInput, card_create, card_update
from tests.conftest import Tenant
from tests.e2e.test_accessibility import axe_problems
from tests.e2e.test_sign_in_and_language import sign_in
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(browser, live_server):
    """A page that lets axe in as a script tag, which the site's CSP refuses (see
    test_accessibility.py); the panel's own script runs from a file either way."""
    context = browser.new_context(
        bypass_csp=True,
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
    )
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def board(tenant: Tenant):
    project = ProjectFactory(
        organization=tenant.organization, name="Reduce customer churn", teams=[tenant.team]
    )
    board = project.boards.get()
    for title in ("Segment users", "Interview customers"):
        card_create(
            actor=tenant.lead,
            board=board,
            data=CardInput(title=title, description=f"About {title.lower()}"),
        )
    return board


def test_open_a_card_beside_the_board_and_close_it_with_escape(page, tenant: Tenant, board) -> None:
    sign_in(page, tenant.member.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/boards/{board.pk}/")
    card = board.cards.get(title="Interview customers")
    tile = page.locator(f'#board [data-card="{card.pk}"]')
    tile.locator("a").click()

    panel = page.locator("#card-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("#card-title")).to_have_text("Interview customers")
    expect(panel).to_contain_text("About interview customers")
    page.wait_for_url(re.compile(rf"/o/acme/boards/{board.pk}/\?card={card.pk}$"))
    expect(page.locator("#card-title")).to_be_focused()
    assert axe_problems(page) == []

    # A colleague changes the other card: the poll swaps its tile, focus stays in the panel.
    other = board.cards.get(title="Segment users")
    other.board.organization = tenant.organization
    card_update(actor=tenant.lead, card=other, data=CardInput(title="Segment users by plan"))
    expect(page.locator("#board .card", has_text="Segment users by plan")).to_be_visible(
        timeout=10_000
    )
    expect(page.locator("#card-title")).to_be_focused()

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(tile).to_be_focused()
    page.wait_for_url(re.compile(rf"/o/acme/boards/{board.pk}/$"))

    # From the keyboard: Enter on the focused tile opens it again.
    page.keyboard.press("Enter")
    expect(panel.locator("#card-title")).to_have_text("Interview customers")
    page.keyboard.press("Escape")
    expect(tile).to_be_focused()


def test_the_panel_address_opens_the_same_panel(page, tenant: Tenant, board) -> None:
    card = board.cards.get(title="Segment users")
    MembershipFactory(organization=tenant.organization, user=UserFactory(full_name="张三"))
    sign_in(page, tenant.member.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/boards/{board.pk}/?card={card.pk}")
    panel = page.locator("#card-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("#card-title")).to_have_text("Segment users")
    expect(page.locator("#card-title")).to_be_focused()
    assert page.evaluate("document.getElementById('card-panel').matches(':modal')")

    # Writing a comment in the panel: "@" offers the organisation's people; Escape closes
    # the list first, then the panel.
    box = panel.locator("textarea[data-mentions]")
    box.focus()
    page.keyboard.type("@zs")
    expect(
        page.get_by_role("listbox").get_by_role("option", name=re.compile("张三"))
    ).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page.locator(f'#board [data-card="{card.pk}"]')).to_be_focused()
    assert page.url.endswith(f"/o/acme/boards/{board.pk}/")


def test_the_cards_forms_stay_in_the_panel(page, tenant: Tenant, board) -> None:
    """A checklist item, its box, a comment and a move, all from the keyboard in the
    panel: the board stays at its address underneath, the focus stays in the panel, and
    a refused comment shows its error there."""
    card = board.cards.get(title="Segment users")
    sign_in(page, tenant.member.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    address = f"/o/acme/boards/{board.pk}/?card={card.pk}"
    page.goto(address)
    panel = page.locator("#card-panel")
    expect(panel.locator("#card-title")).to_be_focused()

    item = panel.get_by_label("New item")
    item.fill("Call Li Na")
    item.press("Enter")
    toggle = panel.locator("#checklist li", has_text="Call Li Na").get_by_role("button")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_be_focused()

    comment = panel.locator("textarea[data-mentions]")
    panel.get_by_role("button", name="Comment", exact=True).click()
    expect(panel.locator(".field-error")).to_be_visible()
    expect(comment).to_be_focused()
    comment.fill("Segments agreed with Finance")
    panel.get_by_role("button", name="Comment", exact=True).click()
    expect(panel.locator("#comments")).to_contain_text("Segments agreed with Finance")

    panel.get_by_label("Move to").select_option(label="Done")
    panel.get_by_role("button", name="Move", exact=True).click()
    expect(panel.locator("hgroup .badge")).to_have_text("Done")
    # The board underneath catches up, and nothing left the panel or its address.
    expect(page.locator(f'#board .kind-done [data-card="{card.pk}"]')).to_have_count(1)
    expect(panel).to_be_visible()
    assert page.url.endswith(address)
    assert page.evaluate("document.getElementById('card-panel').matches(':modal')")
    card.refresh_from_db()
    assert card.column.kind == "done"
    assert list(card.checklist.values_list("text", "done")) == [("Call Li Na", True)]
    assert axe_problems(page) == []
