"""The board in a real browser: drag a card, hit a hard WIP limit, watch a colleague's move, read the standup."""

from __future__ import annotations

import re

import pytest

from kanban.models import Card, Column, ColumnKind
from kanban.services import CardInput, card_create, card_move, card_update
from tests.conftest import Tenant
from tests.e2e.test_sign_in_and_language import sign_in
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board(tenant: Tenant):
    project = ProjectFactory(
        organization=tenant.organization, name="Reduce customer churn", teams=[tenant.team]
    )
    board = project.boards.get()
    for title in ("Segment users", "Interview customers", "Instrument events"):
        card_create(
            actor=tenant.lead, board=board, data=CardInput(title=title, assignee=tenant.member.user)
        )
    return board


def column(board, kind: str) -> Column:
    return board.columns.get(kind=kind)


def drag(page, card_title: str, target_kind_index: int) -> None:
    """Press on the card, move in steps to the target column, let go: as a hand would."""
    card = page.locator(".card", has_text=card_title).bounding_box()
    target = page.locator("ol.cards").nth(target_kind_index).bounding_box()
    page.mouse.move(card["x"] + 20, card["y"] + 10)
    page.mouse.down()
    page.mouse.move(target["x"] + 30, target["y"] + target["height"] / 2, steps=10)
    page.wait_for_timeout(200)
    page.mouse.move(target["x"] + 30, target["y"] + target["height"] - 8, steps=5)
    page.wait_for_timeout(200)
    page.mouse.up()


def test_drag_a_card_and_it_stays_after_reload(page, tenant: Tenant, board) -> None:
    sign_in(page, tenant.member.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/boards/{board.pk}/")
    drag(page, "Segment users", 1)
    doing = page.locator("ol.cards").nth(1)
    doing.get_by_text("Segment users").wait_for()
    page.wait_for_function("() => !document.body.classList.contains('dragging')")
    page.wait_for_timeout(500)
    assert Card.objects.get(title="Segment users").column.kind == ColumnKind.DOING
    page.reload()
    assert page.locator("ol.cards").nth(1).get_by_text("Segment users").is_visible()


def test_a_full_hard_limit_refuses_the_drop_and_says_why(page, tenant: Tenant, board) -> None:
    doing = column(board, ColumnKind.DOING)
    Column.objects.filter(pk=doing.pk).update(wip_limit=1, wip_hard=True)
    card_move(actor=tenant.lead, card=Card.objects.get(title="Interview customers"), column=doing)
    sign_in(page, tenant.member.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/boards/{board.pk}/")
    drag(page, "Segment users", 1)
    page.get_by_text("Finish something there first.").wait_for()
    # The card snapped back to To do.
    assert page.locator("ol.cards").nth(0).get_by_text("Segment users").is_visible()
    assert Card.objects.get(title="Segment users").column.kind == ColumnKind.TODO


def test_two_people_see_each_others_moves(browser, live_server, tenant: Tenant, board) -> None:
    pages = []
    for user in (tenant.member.user, tenant.lead.user):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, user.email)
        page.wait_for_url(re.compile(r"/o/acme/"))
        page.goto(f"/o/acme/boards/{board.pk}/")
        pages.append(page)
    first, second = pages
    drag(first, "Interview customers", 2)
    first.locator("ol.cards").nth(2).get_by_text("Interview customers").wait_for()
    # The other browser picks the move up by itself within a few seconds.
    second.locator("ol.cards").nth(2).get_by_text("Interview customers").wait_for(timeout=12_000)
    for page in pages:
        page.context.close()


def test_standup_lists_the_blocked_card_first(page, tenant: Tenant, board) -> None:
    doing = column(board, ColumnKind.DOING)
    card_move(actor=tenant.lead, card=Card.objects.get(title="Segment users"), column=doing)
    stuck = Card.objects.get(title="Instrument events")
    card_update(
        actor=tenant.lead,
        card=stuck,
        data=CardInput(
            title=stuck.title, assignee=tenant.lead.user, blocked=True, blocked_reason="SDK review"
        ),
    )
    sign_in(page, tenant.viewer.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/boards/{board.pk}/standup/")
    first_lane = page.locator(".standup-lane").first
    assert first_lane.locator("h2").inner_text() == tenant.lead.user.display_name
    assert first_lane.locator(".standup-block").first.get_by_text("Instrument events").is_visible()
    assert "SDK review" in first_lane.inner_text()
    page.get_by_role("button", name="Start").click()
    page.wait_for_timeout(1200)
    assert page.locator("[data-timer]").inner_text() != "15:00"
    # The running timer's button is read as a word, not as the symbol it shows.
    page.get_by_role("button", name="Pause", exact=True).click()
    assert page.get_by_role("button", name="Start", exact=True).is_visible()
    page.get_by_role("button", name="Next person").click()
    assert "is-current" in page.locator(".standup-lane").nth(1).get_attribute("class")
