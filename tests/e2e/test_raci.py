"""The RACI matrix in a real browser: a click fixes a problem and the summary follows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from raci.models import RaciAssignment
from raci.services import raci_set
from tests.conftest import RaciSetup, Tenant
from tests.e2e.test_sign_in_and_language import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def column(page, holder: str) -> int:
    """Where ``holder``'s column is among the role cells (its header's data-holder)."""
    index = page.locator("thead th[data-holder]").evaluate_all(
        "(heads, holder) => heads.findIndex((head) => head.dataset.holder === holder)", holder
    )
    assert index >= 0, holder
    return index


def cell(page, card, holder: str):
    """The role cell of ``holder`` on ``card``'s row."""
    return page.locator(f"#card-{card.pk} > td").nth(column(page, holder))


def test_clicking_a_cell_updates_the_row_and_the_summary(
    page, tenant: Tenant, raci: RaciSetup
) -> None:
    card = raci.cards[0]
    raci_set(actor=tenant.lead, card=card, role="R", user=tenant.member.user)
    sign_in(page, tenant.lead.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/raci/projects/{raci.project.pk}/")
    summary = page.locator("#raci-summary")
    assert "3 No Accountable" in re.sub(r"\s+", " ", summary.inner_text())
    assert page.locator(".raci-matrix").get_attribute("role") == "grid"

    lead = f"user:{tenant.lead.user.pk}"
    cell(page, card, lead).click()  # none -> R
    expect(cell(page, card, lead)).to_have_text("R")
    cell(page, card, lead).click()  # R -> A
    expect(cell(page, card, lead)).to_have_text("A")
    page.wait_for_function(
        "() => document.querySelector('#raci-summary').innerText.replace(/\\s+/g, ' ').includes('2 No Accountable')"
    )
    assert RaciAssignment.objects.get(card=card, user=tenant.lead.user).role == "A"
    # The clicked cell keeps the focus through the row's swap, and is the grid's tab stop.
    expect(cell(page, card, lead)).to_be_focused()
    assert page.locator(".raci-matrix [tabindex='0']").count() == 1

    # From the keyboard: along the row with the arrow keys, then C; Delete clears it.
    product = f"team:{raci.product.pk}"
    steps = column(page, product) - column(page, lead)
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")
    expect(cell(page, card, product)).to_be_focused()
    page.keyboard.press("c")
    expect(cell(page, card, product)).to_have_text("C")
    assert RaciAssignment.objects.get(card=card, team=raci.product).role == "C"
    expect(cell(page, card, product)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(cell(page, raci.cards[1], product)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Delete")
    expect(cell(page, card, product)).to_have_text("")
    assert not RaciAssignment.objects.filter(card=card, team=raci.product).exists()


def test_the_grid_is_one_tab_stop(page, tenant: Tenant, raci: RaciSetup) -> None:
    sign_in(page, tenant.lead.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/raci/projects/{raci.project.pk}/")
    first_row = page.locator(".raci-matrix tbody tr[id^='card-']").first
    first_cell = first_row.locator("td").first
    assert page.locator(".raci-matrix [tabindex='0']").count() == 1
    assert first_cell.get_attribute("tabindex") == "0"
    first_row.locator("th a").focus()
    page.keyboard.press("Tab")
    expect(first_cell).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(first_row.locator("td").nth(1)).to_be_focused()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # the card's name is not a cell: the focus stays
    expect(first_cell).to_be_focused()
