"""GET /api/v1/organizations/<slug>/search/: the page's results a page at a time."""

from __future__ import annotations

import pytest

from tests.conftest import Tenant

from .conftest import Place

pytestmark = pytest.mark.django_db

URL = "/api/v1/organizations/{}/search/"


def test_results_best_first_with_why_they_matched(place: Place, indexed, client_for) -> None:
    card = place.card("Carrier review", comments=("承运商 <b>delay</b> 报告",))
    place.card("Weekly notes", description="the carrier called")
    indexed()
    client = client_for(place.tenant.member.user)
    answer = client.get(URL.format("acme"), {"q": "carrier"}).json()
    assert answer["count"] == 2
    assert [r["title"] for r in answer["results"]] == ["Carrier review", "Weekly notes"]
    first, second = answer["results"]
    assert first == {
        "kind": "card",
        "id": card.pk,
        "title": "Carrier review",
        "url": f"/o/acme/cards/{card.pk}/",
        "context": "Churn programme › Churn programme",
        "marks": [],
        "matched_in": None,
        "snippet": None,
        "rank": first["rank"],
    }
    assert second["matched_in"] == "In the description"
    assert second["snippet"] == "the <mark>carrier</mark> called"
    found = client.get(URL.format("acme"), {"q": "承运", "kind": "card"}).json()["results"]
    assert found[0]["snippet"] == "<mark>承运</mark>商 &lt;b&gt;delay&lt;/b&gt; 报告"


def test_pages_and_kinds(place: Place, indexed, client_for) -> None:
    for n in range(3):
        place.card(f"Dock slot {n}")
    indexed()
    client = client_for(place.tenant.member.user)
    answer = client.get(URL.format("acme"), {"q": "dock", "page_size": 2}).json()
    assert answer["count"] == 3 and len(answer["results"]) == 2 and answer["next"]
    assert client.get(URL.format("acme"), {"q": "dock", "kind": "goal"}).json()["count"] == 0
    state = client.get(URL.format("acme"), {"q": "dock", "kind": "card", "state": "open"})
    assert state.json()["count"] == 3


def test_no_text_is_no_results(place: Place, client_for) -> None:
    client = client_for(place.tenant.member.user)
    for query in ({}, {"q": ""}, {"q": "%_%"}):
        answer = client.get(URL.format("acme"), query).json()
        assert answer == {"count": 0, "next": None, "previous": None, "results": []}


def test_bad_input_is_a_400_with_a_message(place: Place, client_for) -> None:
    client = client_for(place.tenant.member.user)
    long = client.get(URL.format("acme"), {"q": "x" * 10_000})
    assert long.status_code == 400
    assert long.json() == {"q": ["Search for at most 200 characters (this is 10000)."]}
    kind = client.get(URL.format("acme"), {"q": "x", "kind": "invoice"})
    assert kind.status_code == 400
    assert kind.json() == {
        "kind": ["Select a valid choice. invoice is not one of the available choices."]
    }
    state = client.get(URL.format("acme"), {"q": "x", "state": "done"})
    assert state.status_code == 400
    assert state.json() == {"state": ["Choose cards first: only they are open or done."]}


def test_another_organisation_is_a_404_and_finds_nothing_of_ours(
    place: Place, other_tenant: Tenant, indexed, client_for
) -> None:
    place.card("Acme payroll 工资单")
    indexed()
    client = client_for(other_tenant.owner.user)
    assert client.get(URL.format("acme"), {"q": "payroll"}).status_code == 404
    answer = client.get(URL.format("rival"), {"q": "Acme payroll 工资单"}).json()
    assert answer["count"] == 0


@pytest.mark.parametrize("count", [1, 30])
def test_queries_do_not_grow_with_the_results(
    place: Place, indexed, client_for, django_assert_num_queries, count: int
) -> None:
    for n in range(count):
        place.card(f"Crate {n}", comments=(f"木箱 {n}",))
    indexed()
    client = client_for(place.tenant.member.user)
    client.get(URL.format("acme"), {"q": "木箱"})
    # The membership with its organisation (1; the session is in the cache), the list's
    # length and a page of rows (2: opsboard.api.CountApartPagination), what the cards
    # show (1).
    with django_assert_num_queries(4):
        answer = client.get(URL.format("acme"), {"q": "木箱"}).json()
    assert answer["count"] == count


def test_the_schema_documents_the_search(client) -> None:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/organizations/{org_slug}/search/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert {"q", "kind", "state", "page", "page_size"} <= set(parameters)
    assert set(parameters["kind"]["schema"]["enum"]) == {
        "card", "goal", "project", "kpi", "person", "retrospective",
    }  # fmt: skip
    assert "400" in operation["responses"]
