"""Layout in a real browser: the column settings form lines up; a phone gets a usable board."""

from __future__ import annotations

import os
import re

import pytest

from kanban.models import Column, ColumnKind
from kanban.services import CardInput, card_create
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
    doing = board.columns.get(name="In progress")
    assert (doing.wip_limit, doing.wip_hard) == (3, True)
