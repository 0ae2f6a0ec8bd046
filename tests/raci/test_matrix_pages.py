"""The matrix page, clicks, bulk roles, exports and the API."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from kanban.services import CardInput, card_create, card_move
from raci.fragments import CHUNK_ROWS
from raci.models import RaciAssignment
from raci.services import raci_set
from tests.conftest import RaciSetup, Tenant

XSS = '<b>=HYPERLINK("http://evil")</b>'


def matrix_url(raci: RaciSetup, **query) -> str:
    return reverse("raci:matrix", args=["acme", raci.project.pk])


def cell_url(card) -> str:
    return reverse("raci:cell", args=["acme", card.pk])


def test_matrix_shows_teams_people_and_problems(tenant: Tenant, raci: RaciSetup, client) -> None:
    client.force_login(tenant.viewer.user)
    page = client.get(matrix_url(raci))
    text = page.text
    matrix = page.context["matrix"]
    assert [team.name for team, _ in matrix.teams] == ["Engineering", "Product"]
    assert tenant.lead.user.display_name in text and tenant.member.user.display_name in text
    summary = {kind: count for kind, count, _ in matrix.summary}
    assert summary == {"no_accountable": 3, "no_responsible": 3}
    # The summary marks each kind as rules.py says: both of these break the rules.
    summary_html = text.split('id="raci-summary"', 1)[1].split("</section>", 1)[0]
    assert summary_html.count('<li class="error">') == 2 and 'class="warning"' not in summary_html
    assert "hx-post" not in text and 'role="grid"' not in text  # viewers read only


def test_a_click_cycles_the_cell_and_returns_the_row_and_summary(
    tenant: Tenant, raci: RaciSetup, client
) -> None:
    card = raci.cards[0]
    client.force_login(tenant.lead.user)
    holder = f"user:{tenant.member.user.pk}"
    response = client.post(cell_url(card), {"holder": holder}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="card-{card.pk}"')
    assert 'id="raci-summary"' in response.text and 'hx-swap-oob="true"' in response.text
    assert RaciAssignment.objects.get(card=card).role == "R"
    client.post(cell_url(card), {"holder": holder}, headers={"HX-Request": "true"})
    assert RaciAssignment.objects.get(card=card).role == "A"
    client.post(cell_url(card), {"holder": holder, "role": ""}, headers={"HX-Request": "true"})
    assert not RaciAssignment.objects.filter(card=card).exists()
    # Without JavaScript: back to the matrix, at the row.
    response = client.post(cell_url(card), {"holder": f"team:{raci.product.pk}", "role": "I"})
    assert response["Location"].endswith(f"#card-{card.pk}")


def test_bad_cells_are_400_and_save_nothing(
    tenant: Tenant, other_tenant: Tenant, raci: RaciSetup, client
) -> None:
    client.force_login(tenant.lead.user)
    card = raci.cards[0]
    assert (
        client.post(
            cell_url(card), {"holder": f"user:{tenant.member.user.pk}", "role": "X"}
        ).status_code
        == 400
    )
    assert client.post(cell_url(card), {"holder": "someone"}).status_code == 400
    assert (
        client.post(
            cell_url(card), {"holder": f"user:{other_tenant.member.user.pk}", "role": "R"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            cell_url(card), {"holder": f"team:{other_tenant.team.pk}", "role": "R"}
        ).status_code
        == 404
    )
    assert not RaciAssignment.objects.exists()


def test_bulk_gives_a_team_a_role_on_selected_rows(tenant: Tenant, raci: RaciSetup, client) -> None:
    client.force_login(tenant.lead.user)
    response = client.post(
        reverse("raci:bulk", args=["acme", raci.project.pk]),
        {
            "team": raci.engineering.pk,
            "bulk_role": "I",
            "cards": [raci.cards[0].pk, raci.cards[2].pk],
        },
    )
    assert response.status_code == 302
    assert set(RaciAssignment.objects.values_list("card_id", "team_id", "role")) == {
        (raci.cards[0].pk, raci.engineering.pk, "I"),
        (raci.cards[2].pk, raci.engineering.pk, "I"),
    }


def test_filters_and_grouping(tenant: Tenant, raci: RaciSetup, client) -> None:
    good = raci.cards[0]
    raci_set(actor=tenant.lead, card=good, role="R", user=tenant.member.user)
    raci_set(actor=tenant.lead, card=good, role="A", user=tenant.lead.user)
    card_move(actor=tenant.lead, card=raci.cards[1], column=raci.board.columns.get(kind="doing"))
    client.force_login(tenant.lead.user)
    only_problems = client.get(matrix_url(raci), {"problems": "on"}).context["matrix"]
    assert good.pk not in [row.card.pk for row in only_problems.rows]
    doing = client.get(
        matrix_url(raci), {"column": raci.board.columns.get(kind="doing").pk}
    ).context["matrix"]
    assert [row.card.pk for row in doing.rows] == [raci.cards[1].pk]


def test_exports_read_back(tenant: Tenant, raci: RaciSetup, client) -> None:
    card = card_create(actor=tenant.lead, board=raci.board, data=CardInput(title=XSS))
    raci_set(actor=tenant.lead, card=card, role="R", user=tenant.member.user)
    raci_set(actor=tenant.lead, card=card, role="A", team=raci.engineering)
    client.force_login(tenant.viewer.user)
    response = client.get(reverse("raci:export_xlsx", args=["acme", raci.project.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "C3"
    header = [cell.value for cell in sheet[2]]
    assert header[0] == "Card" and header[-1] == "Problems"
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    row = rows["'" + XSS] if "'" + XSS in rows else rows[XSS]
    assert row[0].data_type == "s"  # text, never a formula
    member_column = header.index(tenant.member.user.display_name)
    assert row[member_column].value == "R"
    assert row[member_column].fill.fgColor.rgb.endswith("C8E6C9")
    assert row[header.index("Engineering")].value == "A"
    assert [c.value for c in book["Legend"]["A"]][1:] == ["R", "A", "C", "I"]
    assert "Nobody is Accountable" in str(rows["Task 0"][-1].value)

    response = client.get(reverse("raci:export_csv", args=["acme", raci.project.pk]))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:2] == ["Card", "Column"]
    assert XSS in [line[0] for line in lines[1:]]


def test_markup_in_names_is_text_on_the_page(tenant: Tenant, raci: RaciSetup, client) -> None:
    tenant.member.user.full_name = "<script>alert(1)</script>"
    tenant.member.user.save()
    card_create(
        actor=tenant.lead, board=raci.board, data=CardInput(title="<img src=x onerror=alert(1)>")
    )
    client.force_login(tenant.lead.user)
    body = client.get(matrix_url(raci)).text.split("<main", 1)[1]
    assert "<script>alert(1)" not in body and "<img src=x" not in body
    assert "&lt;script&gt;" in body


def test_card_page_shows_its_raci(tenant: Tenant, raci: RaciSetup, client) -> None:
    card = raci.cards[0]
    raci_set(actor=tenant.lead, card=card, role="R", user=tenant.member.user)
    raci_set(actor=tenant.lead, card=card, role="I", team=raci.engineering)
    client.force_login(tenant.viewer.user)
    page = client.get(reverse("kanban:card_detail", args=["acme", card.pk])).text
    assert "Responsible" in page and tenant.member.user.display_name in page
    assert "Informed" in page and "Engineering" in page
    assert "Nobody is Accountable" in page


@pytest.mark.parametrize("cards", [3, 60])
@pytest.mark.parametrize("rows_cached", [True, False])
def test_matrix_queries_do_not_grow(
    tenant: Tenant,
    raci: RaciSetup,
    client,
    django_assert_num_queries,
    cards: int,
    rows_cached: bool,
) -> None:
    for n in range(cards):
        card = card_create(
            actor=tenant.lead,
            board=raci.board,
            data=CardInput(title=f"more {n}", assignee=tenant.member.user),
        )
        raci_set(actor=tenant.lead, card=card, role="A", user=tenant.lead.user)
    client.force_login(tenant.lead.user)
    client.get(matrix_url(raci))
    if not rows_cached:
        cache.clear()  # drawing the rows reads nothing more; the session is read again
    with django_assert_num_queries(MATRIX_QUERIES + (not rows_cached)):
        page = client.get(matrix_url(raci))
    # The first chunk of rows only (tests/raci/test_matrix_chunks.py): the queries are the
    # same, since the summary still counts every row.
    assert page.text.count('<tr id="card-') == min(3 + cards, CHUNK_ROWS)


# The person with their memberships and organisations, for the access check and the menu
# (one query, opsboard.tenancy.middleware; the session is in the cache), the unread count;
# the project and its teams; the people of those teams; the columns, the unfinished cards,
# the cards, their roles; the thresholds, the Accountables' loads, everyone's teams; the
# filters' columns and goals.
MATRIX_QUERIES = 14


def test_api_reads_the_matrix_and_sets_roles(
    tenant: Tenant, other_tenant: Tenant, raci: RaciSetup, client
) -> None:
    client.force_login(tenant.lead.user)
    api = "/api/v1/organizations/acme"
    card = raci.cards[0]
    response = client.post(
        f"{api}/cards/{card.pk}/raci/",
        {"role": "R", "user": tenant.member.user.email},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["roles"] == [
        {"role": "R", "user": tenant.member.user.email, "team": None}
    ]
    assert {p["kind"] for p in response.json()["problems"]} == {"no_accountable"}
    response = client.post(
        f"{api}/cards/{card.pk}/raci/",
        {"role": "A", "team": raci.engineering.pk},
        content_type="application/json",
    )
    assert response.json()["problems"] == []
    matrix = client.get(f"{api}/projects/{raci.project.pk}/raci/").json()
    row = next(r for r in matrix["rows"] if r["card"] == card.pk)
    assert row["roles"] == {
        f"user:{tenant.member.user.pk}": "R",
        f"team:{raci.engineering.pk}": "A",
    }
    for payload, field in (
        ({"role": "X", "user": tenant.member.user.email}, "role"),
        ({"role": "R", "user": other_tenant.member.user.email}, "user"),
        ({"role": "R", "team": other_tenant.team.pk}, "team"),
        ({"role": "R"}, "non_field_errors"),
    ):
        response = client.post(
            f"{api}/cards/{card.pk}/raci/", payload, content_type="application/json"
        )
        assert response.status_code == 400
        assert field in response.json()
    response = client.post(
        f"{api}/cards/{card.pk}/raci/",
        {"role": "", "team": raci.engineering.pk},
        content_type="application/json",
    )
    assert [r["role"] for r in response.json()["roles"]] == ["R"]
    assert (
        client.get(f"/api/v1/organizations/rival/projects/{raci.project.pk}/raci/").status_code
        == 404
    )
