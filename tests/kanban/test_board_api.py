from __future__ import annotations

from kanban.models import Card, CardEvent, Column
from kanban.services import label_create
from tests.conftest import Tenant
from tests.factories import ProjectFactory
from tests.kanban.conftest import BoardSetup

API = "/api/v1/organizations/acme"


def test_boards_columns_cards_moves_and_history(tenant: Tenant, kanban: BoardSetup, client) -> None:
    client.force_login(tenant.member.user)
    boards = client.get(f"{API}/boards/").json()["results"]
    assert [b["id"] for b in boards] == [kanban.board.pk]
    board = client.get(f"{API}/boards/{kanban.board.pk}/").json()
    assert [c["kind"] for c in board["columns"]] == ["todo", "doing", "done"]

    response = client.post(
        f"{API}/boards/{kanban.board.pk}/cards/",
        {
            "title": "Segment users",
            "assignee": tenant.member.user.email,
            "team": tenant.team.pk,
            "due_date": "2026-12-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    card_id = response.json()["id"]
    assert response.json()["column"] == kanban.todo.pk

    response = client.post(
        f"{API}/cards/{card_id}/move/", {"column": kanban.doing.pk}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["card"]["column"] == kanban.doing.pk
    assert response.json()["warning"] is None
    assert response.json()["card"]["started_at"] is not None

    response = client.patch(
        f"{API}/cards/{card_id}/",
        {"blocked": True, "blocked_reason": "Waiting for data"},
        content_type="application/json",
    )
    assert response.json()["blocked"] is True
    assert response.json()["title"] == "Segment users"
    kinds = [e["kind"] for e in client.get(f"{API}/cards/{card_id}/events/").json()["results"]]
    assert kinds[0] == "blocked"
    assert {"created", "moved", "assigned", "due_changed"} <= set(kinds)
    assert [
        c["id"]
        for c in client.get(
            f"{API}/boards/{kanban.board.pk}/cards/", {"column": kanban.doing.pk}
        ).json()["results"]
    ] == [card_id]


def test_bad_input_is_400_and_saves_nothing(
    tenant: Tenant, other_tenant: Tenant, kanban: BoardSetup, client
) -> None:
    foreign_column = (
        ProjectFactory(organization=other_tenant.organization).boards.get().columns.first()
    )
    other_board_column = (
        ProjectFactory(organization=tenant.organization).boards.get().columns.first()
    )
    client.force_login(tenant.member.user)
    url = f"{API}/boards/{kanban.board.pk}/cards/"
    for payload, field in (
        ({"title": ""}, "title"),
        ({"title": "x", "assignee": other_tenant.member.user.email}, "assignee"),
        ({"title": "x", "team": other_tenant.team.pk}, "team"),
        ({"title": "x", "column": other_board_column.pk}, "column"),
        ({"title": "x", "blocked": True}, "blocked_reason"),
        ({"title": "x", "due_date": "soon"}, "due_date"),
    ):
        response = client.post(url, payload, content_type="application/json")
        assert response.status_code == 400, payload
        assert field in response.json(), (payload, response.json())
    assert not Card.objects.exists()

    card = kanban.add(tenant, "a")
    for column in (foreign_column, other_board_column):
        response = client.post(
            f"{API}/cards/{card.pk}/move/", {"column": column.pk}, content_type="application/json"
        )
        assert response.status_code == 404
    Column.objects.filter(pk=kanban.doing.pk).update(wip_limit=1, wip_hard=True)
    kanban.add(tenant, "b", column=kanban.doing)
    response = client.post(
        f"{API}/cards/{card.pk}/move/", {"column": kanban.doing.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "Finish something there first." in response.json()["detail"][0]
    assert CardEvent.objects.filter(card=card, kind="moved").count() == 0


def test_other_organisations_boards_are_404(tenant: Tenant, other_tenant: Tenant, client) -> None:
    foreign = ProjectFactory(organization=other_tenant.organization).boards.get()
    client.force_login(tenant.manager.user)
    assert client.get(f"{API}/boards/{foreign.pk}/").status_code == 404
    assert (
        client.post(
            f"{API}/boards/{foreign.pk}/cards/", {"title": "x"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_columns_through_the_api(tenant: Tenant, kanban: BoardSetup, client) -> None:
    client.force_login(tenant.lead.user)
    response = client.post(
        f"{API}/boards/{kanban.board.pk}/columns/",
        {"name": "Review", "kind": "doing", "wip_limit": 2, "wip_hard": True},
        content_type="application/json",
    )
    assert response.status_code == 201
    column_id = response.json()["id"]
    response = client.patch(
        f"{API}/columns/{column_id}/", {"wip_limit": 4}, content_type="application/json"
    )
    assert (response.json()["name"], response.json()["wip_limit"]) == ("Review", 4)
    client.force_login(tenant.member.user)
    assert (
        client.patch(
            f"{API}/columns/{column_id}/", {"wip_limit": 9}, content_type="application/json"
        ).status_code
        == 403
    )


def test_a_page_of_cards_takes_the_same_queries_for_few_and_many(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries
) -> None:
    """The page and its count: as many queries for a board of 1 card as for one of 60."""
    client.force_login(tenant.member.user)
    url = f"{API}/boards/{kanban.board.pk}/cards/?page_size=50"
    label = label_create(actor=tenant.lead, board=kanban.board, name="Data", color="#0172ad")
    kanban.add(tenant, "Card 0", assignee=tenant.member.user, team=tenant.team, labels=[label])
    client.get(url)
    with django_assert_num_queries(CARD_PAGE_QUERIES):
        assert len(client.get(url).json()["results"]) == 1
    for n in range(1, 60):
        kanban.add(
            tenant, f"Card {n}", assignee=tenant.member.user, team=tenant.team, labels=[label]
        )
    with django_assert_num_queries(CARD_PAGE_QUERIES):
        page = client.get(url).json()
    assert (page["count"], len(page["results"])) == (60, 50)


# The person with their memberships and organisations (one query: the session is in the
# cache, opsboard.tenancy.middleware), the board, the page of cards as rows with their label
# ids and the list's length beside each (opsboard.api.CountedPaginator), the labels on the
# page (none read when no card has one).
CARD_PAGE_QUERIES = 4


def test_each_page_of_cards_counts_the_whole_list_in_its_own_query(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    """The count read beside a page's rows (``opsboard.api.CountedPaginator``) is the
    list's, filtered or not; past the end, a page that is no number, and ``last`` answer as
    Django's paginator does."""
    label = label_create(actor=tenant.lead, board=kanban.board, name="Data", color="#0172ad")
    for n in range(7):
        kanban.add(tenant, f"Card {n}", labels=[label] if n % 2 else [])
    client.force_login(tenant.member.user)
    url = f"{API}/boards/{kanban.board.pk}/cards/"
    pages = [client.get(url, {"page_size": 3, "page": n}).json() for n in (1, 2, 3)]
    assert [(page["count"], len(page["results"])) for page in pages] == [(7, 3), (7, 3), (7, 1)]
    assert [card["title"] for page in pages for card in page["results"]] == [
        f"Card {n}" for n in range(7)
    ]
    assert pages[2]["next"] is None
    assert client.get(url, {"page_size": 3, "label": label.pk}).json()["count"] == 3
    last = client.get(url, {"page_size": 3, "page": "last"}).json()
    assert [card["title"] for card in last["results"]] == ["Card 6"]
    for page in (4, 0, "two"):
        assert client.get(url, {"page_size": 3, "page": page}).status_code == 404
    empty = client.get(url, {"assignee": tenant.viewer.user.pk}).json()
    assert (empty["count"], empty["results"]) == (0, [])
