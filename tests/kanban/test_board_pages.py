"""The board, card and column pages, driven as people would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kanban.models import Card, CardEvent, Column, ColumnKind, EventKind
from kanban.services import card_move
from tests.conftest import Tenant
from tests.factories import ProjectFactory
from tests.kanban.conftest import BoardSetup

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def board_url(kanban: BoardSetup) -> str:
    return reverse("kanban:board_detail", args=["acme", kanban.board.pk])


def test_board_shows_columns_and_cards(tenant: Tenant, kanban: BoardSetup, client) -> None:
    kanban.add(tenant, "Analyse churn", assignee=tenant.lead.user)
    client.force_login(tenant.viewer.user)
    page = client.get(board_url(kanban)).text
    assert "To do" in page and "In progress" in page and "Done" in page
    assert "Analyse churn" in page
    # Viewers see the board but no way to change it.
    assert "Add a card" not in page
    assert "Sortable.min.js" not in page


def test_quick_add_and_move_without_javascript(tenant: Tenant, kanban: BoardSetup, client) -> None:
    client.force_login(tenant.member.user)
    response = client.post(
        reverse("kanban:card_quick_create", args=["acme", kanban.board.pk]),
        {"title": "Segment users", "column": kanban.todo.pk},
    )
    assert response.status_code == 302
    card = Card.objects.get(title="Segment users")
    response = client.post(
        reverse("kanban:card_move", args=["acme", card.pk]),
        {"column": kanban.doing.pk, "position": "top"},
    )
    assert response["Location"] == board_url(kanban)
    card.refresh_from_db()
    assert card.column == kanban.doing
    assert card.started_at is not None
    assert CardEvent.objects.filter(
        card=card, kind=EventKind.MOVED, actor=tenant.member.user
    ).exists()


def test_drag_and_drop_move_answers_what_it_touched(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    a, b = kanban.add(tenant, "a"), kanban.add(tenant, "b")
    kanban.board.refresh_from_db()
    client.force_login(tenant.member.user)
    response = client.post(
        reverse("kanban:card_move", args=["acme", b.pk]),
        {"column": kanban.todo.pk, "before": a.pk, "since": kanban.board.revision},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["revision"] == kanban.board.revision + 1
    assert response.headers["X-Board-Revision"] == str(answer["revision"])
    # Only the moved card, at the top of To do, and the counts: not the board.
    (moved,) = answer["cards"]
    assert (moved["id"], moved["column"], moved["after"]) == (b.pk, kanban.todo.pk, None)
    assert moved["html"].startswith(f'<li class="card p2" data-card="{b.pk}"')
    assert "board" not in answer
    assert kanban.titles(kanban.todo) == ["b", "a"]

    # A reader who did not say which revision they have gets the whole board.
    response = client.post(
        reverse("kanban:card_move", args=["acme", a.pk]),
        {"column": kanban.doing.pk},
        headers={"X-Requested-With": "fetch"},
    )
    assert 'id="board"' in response.json()["board"]
    assert "<html" not in response.json()["board"]


def test_hard_limit_refusal_snaps_back_with_the_reason(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    Column.objects.filter(pk=kanban.doing.pk).update(wip_limit=1, wip_hard=True)
    first, second = kanban.add(tenant, "first"), kanban.add(tenant, "second")
    card_move(actor=tenant.member, card=first, column=kanban.doing)
    client.force_login(tenant.member.user)
    response = client.post(
        reverse("kanban:card_move", args=["acme", second.pk]),
        {"column": kanban.doing.pk},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 409
    assert "its limit is 1. Finish something there first." in response.text
    second.refresh_from_db()
    assert second.column == kanban.todo
    # Without JavaScript: the same refusal as a message on the board.
    response = client.post(
        reverse("kanban:card_move", args=["acme", second.pk]),
        {"column": kanban.doing.pk},
        follow=True,
    )
    assert "Finish something there first." in response.text


def test_a_column_of_another_board_is_404_or_refused(
    tenant: Tenant, other_tenant: Tenant, kanban: BoardSetup, client
) -> None:
    card = kanban.add(tenant, "a")
    foreign_column = (
        ProjectFactory(organization=other_tenant.organization).boards.get().columns.first()
    )
    client.force_login(tenant.member.user)
    response = client.post(
        reverse("kanban:card_move", args=["acme", card.pk]),
        {"column": foreign_column.pk},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 404
    card.refresh_from_db()
    assert card.column == kanban.todo


def test_live_board_answers_204_until_something_changes(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    client.force_login(tenant.viewer.user)
    kanban.board.refresh_from_db()
    url = reverse("kanban:board_changes", args=["acme", kanban.board.pk])
    assert client.get(url, {"since": kanban.board.revision}).status_code == 204
    kanban.add(tenant, "Someone else's card")
    response = client.get(url, {"since": kanban.board.revision})
    assert response.status_code == 200
    (card,) = response.json()["cards"]
    assert "Someone else&#x27;s card" in card["html"]


def test_filters_and_lanes(tenant: Tenant, kanban: BoardSetup, client) -> None:
    today = tenant.organization.today()  # what "overdue" is read against
    kanban.add(tenant, "mine", assignee=tenant.member.user, due_date=today - timedelta(days=1))
    kanban.add(
        tenant,
        "theirs",
        assignee=tenant.lead.user,
        team=tenant.team,
        due_date=today + timedelta(days=30),
    )
    client.force_login(tenant.member.user)

    def shown(**query) -> set[str]:
        view = client.get(board_url(kanban), query).context["view"]
        return {card["title"] for lane in view.lanes for cell in lane.cells for card in cell.cards}

    assert shown() == {"mine", "theirs"}
    assert shown(mine="on") == {"mine"}
    assert shown(due="overdue") == {"mine"}
    assert shown(team=tenant.team.pk) == {"theirs"}
    assert shown(assignee=tenant.lead.user.pk) == {"theirs"}
    lanes = client.get(board_url(kanban), {"lanes": "assignee"}).context["view"].lanes
    assert [lane.title for lane in lanes] == sorted(
        [tenant.member.user.display_name, tenant.lead.user.display_name], key=str.lower
    )


def test_card_page_edit_history_checklist_and_comments(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    card = kanban.add(tenant, "Instrument events")
    client.force_login(tenant.member.user)
    url = reverse("kanban:card_edit", args=["acme", card.pk])
    response = client.post(
        url, {"title": "Instrument events", "priority": 3, "blocked": "on", "blocked_reason": ""}
    )
    assert response.status_code == 200
    assert "Say why the card is blocked." in response.text
    client.post(
        url,
        {
            "title": "Instrument events",
            "priority": 3,
            "blocked": "on",
            "blocked_reason": "SDK review",
            "assignee": tenant.member.user.pk,
            "due_date": "2026-12-01",
        },
    )
    client.post(reverse("kanban:checklist_add", args=["acme", card.pk]), {"text": "Add the event"})
    client.post(
        reverse("kanban:card_comment", args=["acme", card.pk]), {"body": "**Bold** move " + XSS}
    )
    page = client.get(reverse("kanban:card_detail", args=["acme", card.pk])).text
    assert "Blocked for" in page and "SDK review" in page
    assert "<strong>Bold</strong>" in page
    assert "<script>" not in page.split("<main", 1)[1] and "onerror" not in page
    assert "Add the event" in page
    kinds = set(CardEvent.objects.filter(card=card).values_list("kind", flat=True))
    assert {
        EventKind.CREATED,
        EventKind.ASSIGNED,
        EventKind.DUE_CHANGED,
        EventKind.BLOCKED,
    } <= kinds
    client.post(url, {"title": "Instrument events", "priority": 3})
    assert CardEvent.objects.filter(card=card, kind=EventKind.UNBLOCKED).exists()


def test_xss_in_a_title_is_text_everywhere(tenant: Tenant, kanban: BoardSetup, client) -> None:
    card = kanban.add(tenant, XSS, description=XSS, blocked=True, blocked_reason=XSS)
    client.force_login(tenant.lead.user)
    for url in (
        board_url(kanban),
        reverse("kanban:card_detail", args=["acme", card.pk]),
        reverse("kanban:board_standup", args=["acme", kanban.board.pk]),
    ):
        body = client.get(url).text.split("<main", 1)[1]
        assert '<script>alert("x")' not in body, url
        assert "<img src=x" not in body, url
        assert "&lt;script&gt;" in body, url


def test_columns_can_be_added_renamed_limited_reordered_and_archived(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    client.force_login(tenant.lead.user)
    url = reverse("kanban:board_columns", args=["acme", kanban.board.pk])
    client.post(
        url,
        {
            "action": "add-column",
            "name": "Review",
            "kind": ColumnKind.DOING,
            "wip_limit": "3",
            "wip_hard": "on",
        },
    )
    review = Column.objects.get(board=kanban.board, name="Review")
    assert (review.wip_limit, review.wip_hard, review.position) == (3, True, 3)
    update = reverse("kanban:column_update", args=["acme", review.pk])
    client.post(update, {"action": "left"})
    assert [c.display_name for c in kanban.board.columns.order_by("position")] == [
        "To do",
        "In progress",
        "Review",
        "Done",
    ]
    client.post(
        update,
        {
            "action": "save",
            f"column-{review.pk}-name": "Peer review",
            f"column-{review.pk}-kind": "doing",
            f"column-{review.pk}-wip_limit": "",
        },
    )
    review.refresh_from_db()
    assert (review.name, review.wip_limit, review.wip_hard) == ("Peer review", None, False)
    kanban.add(tenant, "in review", column=review)
    response = client.post(update, {"action": "archive"}, follow=True)
    assert "Move or archive the cards" in response.text
    Card.objects.filter(column=review).update(archived_at=timezone.now())
    client.post(update, {"action": "archive"})
    review.refresh_from_db()
    assert review.archived_at is not None
    client.force_login(tenant.member.user)
    assert client.post(update, {"action": "left"}).status_code == 403


@pytest.mark.parametrize("cards", [3, 40])
def test_board_page_queries_do_not_grow_with_cards(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries, cards: int
) -> None:
    for n in range(cards):
        card = kanban.add(tenant, f"card {n}", assignee=tenant.member.user, team=tenant.team)
        if n % 3 == 0:
            card_move(actor=tenant.member, card=card, column=kanban.doing)
    client.force_login(tenant.member.user)
    client.get(board_url(kanban))
    with django_assert_num_queries(BOARD_PAGE_QUERIES):
        client.get(board_url(kanban))


# The person with their memberships and organisations in one query (the user, the
# membership and the menu's organisations were three: opsboard.tenancy.middleware), the
# board, its labels, columns, cell counts, hidden done cards and card rows, the filters'
# people, teams, labels and goals, the unread count. (The board's history, for the aging
# badge, is read by the first visit of the day: tests/metrics/test_board_flow.py.)
BOARD_PAGE_QUERIES = 12


@pytest.mark.parametrize("cards", [4, 40])
def test_a_move_takes_a_fixed_number_of_queries(
    tenant: Tenant, kanban: BoardSetup, django_assert_num_queries, cards: int
) -> None:
    made = [kanban.add(tenant, f"card {n}") for n in range(cards)]
    with django_assert_num_queries(MOVE_QUERIES):
        card_move(actor=tenant.member, card=made[-1], column=kanban.doing)
    with django_assert_num_queries(MOVE_QUERIES - 1):  # within a column: no history row
        card_move(
            actor=tenant.member,
            card=made[0],
            column=kanban.todo,
            after_card_id=made[1].pk,
            before_card_id=made[2].pk,
        )


# The savepoint of the service's atomic block and its release (BEGIN and COMMIT
# outside a test), then five: the board's lock and new revision (one statement), the
# card with its column and the target, the target's ranks, the history row, the card.
# Was 11 when the move read the card's column, then locked both columns and the card
# inside a savepoint of its own.
MOVE_QUERIES = 7


def test_a_move_request_reads_the_card_its_board_and_the_column_at_once(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries
) -> None:
    card = kanban.add(tenant, "a")
    client.force_login(tenant.member.user)
    client.get(board_url(kanban))
    with django_assert_num_queries(MOVE_REQUEST_QUERIES):
        response = client.post(
            reverse("kanban:card_move", args=["acme", card.pk]), {"column": kanban.doing.pk}
        )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.column == kanban.doing


# The person with their memberships (one query, opsboard.tenancy.middleware: the user and
# the membership were two); the card with its board and the column it goes to, in one
# query (the column's check folded in: it was a query of its own); the move
# (MOVE_QUERIES); then a redirect. Was 2 + 2 + 11.
MOVE_REQUEST_QUERIES = 1 + 1 + MOVE_QUERIES


def test_a_move_to_no_column_of_the_board_is_refused_as_before(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    card = kanban.add(tenant, "a")
    other_board = ProjectFactory(organization=tenant.organization).boards.get()
    url = reverse("kanban:card_move", args=["acme", card.pk])
    client.force_login(tenant.member.user)
    # A column of another board of the organisation, or an archived one: not found.
    assert client.post(url, {"column": other_board.columns.first().pk}).status_code == 404
    Column.objects.filter(pk=kanban.done.pk).update(archived_at=timezone.now())
    assert client.post(url, {"column": kanban.done.pk}).status_code == 404
    # No id at all, or past the largest one: a bad request, not a database error.
    for column in ("", "x", "0", str(2**63)):
        assert client.post(url, {"column": column}).status_code == 302  # with the message
        assert (
            client.post(url, {"column": column}, headers={"X-Requested-With": "fetch"}).status_code
            == 400
        )
    assert (
        client.post(
            url,
            {"column": kanban.doing.pk, "after": str(2**64)},
            headers={"X-Requested-With": "fetch"},
        ).status_code
        == 400
    )
    # A card of no one's: not found; a viewer may not move, whatever the column.
    assert (
        client.post(
            reverse("kanban:card_move", args=["acme", card.pk + 1000]), {"column": kanban.doing.pk}
        ).status_code
        == 404
    )
    client.force_login(tenant.viewer.user)
    for column in (kanban.doing, other_board.columns.first()):
        assert client.post(url, {"column": column.pk}).status_code == 403
    card.refresh_from_db()
    assert card.column == kanban.todo


def test_each_lane_counts_its_own_cards_and_the_limit_counts_the_column(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    Column.objects.filter(pk=kanban.doing.pk).update(wip_limit=5)
    for title in ("a1", "a2"):
        kanban.add(tenant, title, column=kanban.doing, assignee=tenant.member.user)
    kanban.add(tenant, "b1", column=kanban.doing, assignee=tenant.lead.user)
    kanban.add(tenant, "nobody's", column=kanban.todo)
    client.force_login(tenant.member.user)

    response = client.get(board_url(kanban), {"lanes": "assignee"})
    counts = {
        (lane.title, cell.column.display_name): (cell.count, cell.column_count)
        for lane in response.context["view"].lanes
        for cell in lane.cells
    }
    member, lead = tenant.member.user.display_name, tenant.lead.user.display_name
    assert counts[(member, "In progress")] == (2, 3)
    assert counts[(lead, "In progress")] == (1, 3)
    assert counts[(lead, "To do")] == (0, 1)
    assert counts[("Nobody", "To do")] == (1, 1)
    assert ">2 (3 / 5 in the column)</span>" in response.text
    assert ">1 (3 / 5 in the column)</span>" in response.text

    # Without lanes, one count: the column's.
    view = client.get(board_url(kanban)).context["view"]
    assert [(cell.count, cell.column_count) for cell in view.lanes[0].cells] == [
        (1, 1),
        (3, 3),
        (0, 0),
    ]
