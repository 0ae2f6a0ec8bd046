"""The RACI matrix in a real browser: a click fixes a problem and the summary follows."""

from __future__ import annotations

import re

import pytest

from raci.models import RaciAssignment
from raci.services import raci_set
from tests.conftest import RaciSetup, Tenant
from tests.e2e.test_sign_in_and_language import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


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

    row = page.locator(f"#card-{card.pk}")
    lead_cell = row.locator(f'.raci-cell[data-holder="user:{tenant.lead.user.pk}"]')
    lead_cell.click()  # none -> R
    page.locator(
        f'#card-{card.pk} .raci-cell[data-holder="user:{tenant.lead.user.pk}"]', has_text="R"
    ).wait_for()
    page.locator(
        f'#card-{card.pk} .raci-cell[data-holder="user:{tenant.lead.user.pk}"]'
    ).click()  # R -> A
    page.locator(
        f'#card-{card.pk} .raci-cell[data-holder="user:{tenant.lead.user.pk}"]', has_text="A"
    ).wait_for()
    page.wait_for_function(
        "() => document.querySelector('#raci-summary').innerText.replace(/\\s+/g, ' ').includes('2 No Accountable')"
    )
    assert RaciAssignment.objects.get(card=card, user=tenant.lead.user).role == "A"

    # From the keyboard: focus a cell and press C.
    cell = page.locator(f'#card-{card.pk} .raci-cell[data-holder="team:{raci.product.pk}"]')
    cell.focus()
    page.keyboard.press("c")
    page.locator(
        f'#card-{card.pk} .raci-cell[data-holder="team:{raci.product.pk}"]', has_text="C"
    ).wait_for()
    assert RaciAssignment.objects.get(card=card, team=raci.product).role == "C"
