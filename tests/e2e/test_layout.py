"""Layout in a real browser: the column settings form lines up; a phone gets a usable board."""

from __future__ import annotations

import os
import re

import pytest

from kanban.models import Column, ColumnKind
from kanban.services import CardInput, card_create, card_move
from tests.conftest import Tenant
from tests.e2e.test_sign_in_and_language import sign_in
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("OPSBOARD_SCREENSHOTS")  # a folder to look at the pages in


def shoot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def board(tenant: Tenant):
    project = ProjectFactory(
        organization=tenant.organization, name="Reduce customer churn", teams=[tenant.team]
    )
    board = project.boards.get()
    Column.objects.create(board=board, name="Review", kind=ColumnKind.DOING, position=5)
    for title in ("Segment users", "Interview customers", "Instrument events"):
        card_create(
            actor=tenant.lead, board=board, data=CardInput(title=title, assignee=tenant.member.user)
        )
    return board


def test_column_settings_line_up_under_their_headers(page, tenant: Tenant, board) -> None:
    sign_in(page, tenant.lead.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/boards/{board.pk}/columns/")
    shoot(page, "columns-1280")
    table = page.locator("table.columns-table")
    headers = table.locator("thead th")
    rows = table.locator("tbody tr")
    assert rows.count() == 4
    for row_index in range(rows.count()):
        row = rows.nth(row_index)
        fields = [
            row.locator("input[name$='-name']"),
            row.locator("select[name$='-kind']"),
            row.locator("input[name$='-wip_limit']"),
            row.locator("input[name$='-wip_hard']"),
        ]
        for column_index, field in enumerate(fields):
            header = headers.nth(column_index).bounding_box()
            box = field.bounding_box()
            # Each field starts under its header and ends before the next header starts.
            assert abs(box["x"] - header["x"]) <= 16, (row_index, column_index, box, header)
            assert box["x"] + box["width"] <= header["x"] + header["width"] + 1
    hard = rows.first.locator("input[name$='-wip_hard']")
    box = hard.bounding_box()
    assert box["width"] >= 16 and box["height"] >= 16
    assert abs(box["width"] - box["height"]) <= 2

    # The fields in their cells still belong to their row's form.
    second = rows.nth(1)
    second.locator("input[name$='-wip_limit']").fill("3")
    second.locator("input[name$='-wip_hard']").check()
    second.get_by_role("button", name="Save").click()
    page.get_by_text("Column saved.").wait_for()
    doing = board.columns.get(kind="doing", name="")
    assert (doing.wip_limit, doing.wip_hard) == (3, True)


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def page_scrolls_sideways(page) -> bool:
    return page.evaluate(
        "() => document.scrollingElement.scrollWidth > document.documentElement.clientWidth"
    )


def in_first_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_a_phone_gets_the_board_first_and_no_sideways_page(phone, tenant: Tenant, board) -> None:
    page = phone
    sign_in(page, tenant.member.user.email)
    page.wait_for_url(re.compile(r"/o/acme/$"))
    shoot(page, "phone-dashboard")
    assert not page_scrolls_sideways(page)
    page.goto("/o/acme/kpis/")
    shoot(page, "phone-kpis")
    assert not page_scrolls_sideways(page)

    page.goto(f"/o/acme/boards/{board.pk}/")
    shoot(page, "phone-board")
    assert not page_scrolls_sideways(page)
    assert in_first_screen(page.get_by_role("heading", name=board.name, level=1))
    assert in_first_screen(page.locator(".card").first)
    # The columns scroll inside their own box, not the page.
    columns = page.locator(".lane .columns").first
    assert columns.evaluate("el => el.scrollWidth > el.clientWidth")

    # The menu opens from the keyboard.
    boards_link = page.get_by_role("link", name="Boards", exact=True)
    assert not boards_link.is_visible()
    page.locator(".nav-menu > summary").focus()
    page.keyboard.press("Enter")
    boards_link.wait_for()
    shoot(page, "phone-menu")
    assert in_first_screen(boards_link)
    page.keyboard.press("Enter")

    card = board.cards.get(title="Interview customers")
    card_move(actor=tenant.member, card=card, column=board.columns.get(kind="doing", name=""))
    page.goto(f"/o/acme/boards/{board.pk}/standup/")
    page.get_by_text("Interview customers").wait_for()
    shoot(page, "phone-standup")
    assert not page_scrolls_sideways(page)


def test_a_wide_screen_shows_the_navigation_and_filters_without_a_click(
    page, tenant: Tenant, board
) -> None:
    sign_in(page, tenant.member.user.email)
    page.wait_for_url(re.compile(r"/o/acme/$"))
    page.goto(f"/o/acme/boards/{board.pk}/")
    assert page.get_by_role("link", name="Boards", exact=True).is_visible()
    assert page.locator("select[name=assignee]").is_visible()
    assert not page.locator(".nav-menu > summary").is_visible()
