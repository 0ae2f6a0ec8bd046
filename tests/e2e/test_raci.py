"""The RACI matrix in a real browser: a click fixes a problem and the summary follows; rows
past the first chunk load as the user scrolls or moves down the grid."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kanban.models import Card
from kanban.ranks import STEP
from raci.fragments import CHUNK_ROWS
from raci.models import RaciAssignment, RaciRole
from raci.services import policy_update, raci_set
from tests.conftest import RaciSetup, Tenant
from tests.e2e.test_accessibility import axe_problems
from tests.e2e.test_sign_in_and_language import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def open_matrix(page, email: str, raci: RaciSetup) -> None:
    """Sign in as ``email`` and open the project's matrix."""
    sign_in(page, email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/raci/projects/{raci.project.pk}/")


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
    open_matrix(page, tenant.lead.user.email, raci)
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
    open_matrix(page, tenant.lead.user.email, raci)
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


@pytest.fixture
def long_matrix(raci: RaciSetup) -> list[Card]:
    """The project's cards with enough more for three chunks, in the matrix's order."""
    todo = raci.board.columns.get(kind="todo")
    last_rank = max(card.rank for card in raci.cards)
    Card.objects.bulk_create(
        Card(board=raci.board, column=todo, rank=last_rank + STEP * (n + 1), title=f"More {n}")
        for n in range(2 * CHUNK_ROWS + 10 - len(raci.cards))
    )
    return list(Card.objects.filter(board=raci.board).order_by("column__position", "rank"))


def test_scrolling_to_the_end_loads_every_row(
    page, tenant: Tenant, raci: RaciSetup, long_matrix: list[Card]
) -> None:
    open_matrix(page, tenant.viewer.user.email, raci)
    rows = page.locator(".raci-matrix tbody tr[id^='card-']")
    expect(rows).to_have_count(CHUNK_ROWS)
    # Nothing more loads until the reader scrolls: the page's first rendering lays out
    # the rows it drew, and no more.
    page.wait_for_timeout(500)
    assert rows.count() == CHUNK_ROWS
    table = page.locator(".raci-matrix")
    assert table.get_attribute("aria-rowcount") == str(len(long_matrix) + 3)
    last = page.locator(f"#card-{long_matrix[-1].pk}")
    wrap = page.locator(".raci-wrap")
    for _ in range(10):
        if last.count():
            break
        wrap.evaluate("(wrap) => { wrap.scrollTop = wrap.scrollHeight; }")
        page.wait_for_timeout(200)
    expect(last).to_be_attached()
    last.scroll_into_view_if_needed()
    expect(last).to_be_visible()
    expect(rows).to_have_count(len(long_matrix))
    expect(page.locator("#raci-status")).to_have_text(
        f"Showing cards 1–{len(long_matrix)} of {len(long_matrix)}"
    )
    assert last.get_attribute("aria-rowindex") == str(len(long_matrix) + 3)
    expect(page.locator("#raci-more a")).to_have_count(0)
    # Each chunk came in a body of its own.
    assert table.locator("tbody").count() == -(-len(long_matrix) // CHUNK_ROWS)


def test_arrow_keys_go_past_the_first_chunk(
    page, tenant: Tenant, raci: RaciSetup, long_matrix: list[Card]
) -> None:
    open_matrix(page, tenant.lead.user.email, raci)
    holder = f"team:{raci.engineering.pk}"
    page.locator(f"#card-{long_matrix[0].pk} th a").focus()
    page.keyboard.press("Tab")
    expect(cell(page, long_matrix[0], holder)).to_be_focused()
    # Down the grid one row at a time, past the last loaded row: the focus never leaves it.
    for card in long_matrix[1 : CHUNK_ROWS + 5]:
        page.keyboard.press("ArrowDown")
        expect(cell(page, card, holder)).to_be_focused()
    # A cell loaded late is edited like any other.
    card = long_matrix[CHUNK_ROWS + 4]
    page.keyboard.press("i")
    expect(cell(page, card, holder)).to_have_text("I")
    expect(cell(page, card, holder)).to_be_focused()
    assert RaciAssignment.objects.get(card=card, team=raci.engineering).role == "I"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_matrix_in_chunks_reads_well(
    browser, live_server, tenant: Tenant, raci: RaciSetup, long_matrix: list[Card], language: str
) -> None:
    """axe on the first chunk and after the next has loaded, in both languages."""
    tenant.lead.user.language = language
    tenant.lead.user.save()
    # axe goes in as a script tag, which the site's CSP refuses (see test_accessibility.py).
    context = browser.new_context(
        bypass_csp=True, base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        open_matrix(page, tenant.lead.user.email, raci)
        assert page.locator("html").get_attribute("lang") == language
        assert axe_problems(page) == []
        rows = page.locator(".raci-matrix tbody tr[id^='card-']")
        page.locator(".raci-wrap").evaluate("(wrap) => { wrap.scrollTop = wrap.scrollHeight; }")
        expect(rows).to_have_count(2 * CHUNK_ROWS)  # the end of the second is out of reach
        shown = (
            f"Showing cards 1–{2 * CHUNK_ROWS} of {len(long_matrix)}"
            if language == "en"
            else f"正在显示第 1–{2 * CHUNK_ROWS} 张卡片，共 {len(long_matrix)} 张"
        )
        expect(page.locator("#raci-status")).to_have_text(shown)
        assert axe_problems(page) == []
    finally:
        context.close()


def test_a_summary_link_loads_its_card(
    page, tenant: Tenant, raci: RaciSetup, long_matrix: list[Card]
) -> None:
    """The summary names only cards past the first chunk: a click loads rows up to it."""
    fine = long_matrix[: 2 * CHUNK_ROWS]
    RaciAssignment.objects.bulk_create(
        RaciAssignment(card=card, role=role, user=user)
        for card in fine
        for role, user in (
            (RaciRole.RESPONSIBLE, tenant.member.user),
            (RaciRole.ACCOUNTABLE, tenant.lead.user),
        )
    )
    policy_update(actor=tenant.owner, consulted_limit=3, accountable_limit=len(long_matrix))
    open_matrix(page, tenant.viewer.user.email, raci)
    target = long_matrix[2 * CHUNK_ROWS]
    link = page.locator(f"#raci-summary a[data-card='{target.pk}']").first
    assert link.get_attribute("href").endswith(f"offset={2 * CHUNK_ROWS}#card-{target.pk}")
    link.click()
    expect(page.locator(f"#card-{target.pk}")).to_be_in_viewport()
    assert page.url.endswith(f"/projects/{raci.project.pk}/#card-{target.pk}")  # no page load
