"""Open boards catch up on what changed, and only that; tiles come from the cache but are
never stale, and never cross organisations, languages or roles."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kanban import live
from kanban.models import BuiltinLabel, Label
from kanban.services import (
    CardInput,
    card_archive,
    card_assign,
    card_move,
    card_update,
    column_update,
    comment_add,
)
from tests.admin_pages import change_page_data
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup, board_setup


def changes(client, kanban: BoardSetup, since, **query):
    url = reverse("kanban:board_changes", args=[kanban.board.organization.slug, kanban.board.pk])
    return client.get(url, {"since": since, **query})


def revision(kanban: BoardSetup) -> int:
    kanban.board.refresh_from_db()
    return kanban.board.revision


def board_page(client, kanban: BoardSetup, **query) -> str:
    url = reverse("kanban:board_detail", args=[kanban.board.organization.slug, kanban.board.pk])
    return client.get(url, query).text


def test_a_board_catches_up_on_a_move_with_that_card_alone(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    a, b, c = (kanban.add(tenant, title) for title in ("a", "b", "c"))
    card_move(actor=tenant.member, card=a, column=kanban.doing)
    client.force_login(tenant.viewer.user)
    seen = revision(kanban)
    assert changes(client, kanban, seen).status_code == 204

    card_move(actor=tenant.lead, card=c, column=kanban.doing)
    response = changes(client, kanban, seen)
    answer = response.json()
    assert answer["revision"] == seen + 1 == int(response.headers["X-Board-Revision"])
    (moved,) = answer["cards"]
    # Below a, which went to In progress first.
    assert (moved["id"], moved["lane"], moved["column"], moved["after"]) == (
        c.pk,
        "all",
        kanban.doing.pk,
        a.pk,
    )
    assert ">c</a>" in moved["html"]
    assert answer["removed"] == []
    assert answer["lanes"] == ["all"]
    # Every column's count, as the board writes it.
    assert answer["counts"][f"all|{kanban.todo.pk}"] == '<span class="count">1</span>'
    assert answer["counts"][f"all|{kanban.doing.pk}"] == '<span class="count">2</span>'
    assert len(response.content) < 2_000
    del b


def test_an_archived_card_and_one_filtered_out_are_removed(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    gone = kanban.add(tenant, "gone")
    mine = kanban.add(tenant, "mine", assignee=tenant.member.user)
    client.force_login(tenant.member.user)
    seen = revision(kanban)
    card_archive(actor=tenant.lead, card=gone)
    card_assign(actor=tenant.lead, card=mine, assignee=tenant.lead.user)
    answer = changes(client, kanban, seen, mine="on").json()
    assert sorted(answer["removed"]) == sorted([gone.pk, mine.pk])
    assert answer["cards"] == []
    # Without the filter the reassigned card is still there, with its new person.
    answer = changes(client, kanban, seen).json()
    assert answer["removed"] == [gone.pk]
    assert [card["id"] for card in answer["cards"]] == [mine.pk]
    assert tenant.lead.user.display_name in answer["cards"][0]["html"]


def test_comments_count_as_a_change_of_the_card(tenant: Tenant, kanban: BoardSetup, client) -> None:
    card = kanban.add(tenant, "talked about")
    client.force_login(tenant.member.user)
    seen = revision(kanban)
    comment_add(actor=tenant.lead, card=card, body="Looks good")
    (changed,) = changes(client, kanban, seen).json()["cards"]
    assert "✎ 1" in changed["html"]


@pytest.mark.parametrize("since", ["abc", "-1", "", "1e3", "99999999999999999999999", "1.5"])
def test_a_garbage_revision_gets_the_whole_board(
    tenant: Tenant, kanban: BoardSetup, client, since: str
) -> None:
    kanban.add(tenant, "a")
    client.force_login(tenant.member.user)
    response = changes(client, kanban, since)
    assert response.status_code == 200
    assert 'id="board"' in response.json()["board"]


def test_a_revision_the_board_never_had_gets_the_whole_board(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    other = board_setup(tenant, name="Other")
    for n in range(5):
        other.add(tenant, f"other {n}")
    kanban.add(tenant, "here")
    client.force_login(tenant.member.user)
    # A revision from the other board, ahead of this one's.
    answer = changes(client, kanban, revision(other)).json()
    assert "here" in answer["board"]
    assert "other 0" not in answer["board"]


def test_a_change_of_columns_gets_the_whole_board(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    kanban.add(tenant, "a")
    client.force_login(tenant.member.user)
    seen = revision(kanban)
    column_update(
        actor=tenant.lead,
        column=kanban.doing,
        name="Building",
        kind="doing",
        wip_limit=None,
        wip_hard=False,
    )
    answer = changes(client, kanban, seen).json()
    assert "Building" in answer["board"]
    assert answer["revision"] == seen + 1


def test_readers_alike_share_one_answer(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries
) -> None:
    card = kanban.add(tenant, "a")
    seen = revision(kanban)
    card_move(actor=tenant.lead, card=card, column=kanban.doing)
    client.force_login(tenant.member.user)
    first = changes(client, kanban, seen).json()
    client.force_login(tenant.lead.user)
    changes(client, kanban, revision(kanban))  # the first visit remembers the organisation
    # The person with their memberships (one query: opsboard.tenancy.middleware) and the
    # board (the session is in the cache): the answer is the member's, from the cache.
    with django_assert_num_queries(2):
        assert changes(client, kanban, seen).json() == first


def test_catching_up_takes_a_fixed_number_of_queries(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries
) -> None:
    cards = [kanban.add(tenant, f"card {n}", team=tenant.team) for n in range(30)]
    client.force_login(tenant.member.user)
    seen = revision(kanban)
    changes(client, kanban, seen)  # the first visit remembers the organisation
    # The person with their memberships (one query: opsboard.tenancy.middleware) and the
    # board (the session is cached): 204.
    with django_assert_num_queries(2):
        changes(client, kanban, seen)
    for card in cards[:10]:
        card_move(actor=tenant.lead, card=card, column=kanban.doing)
    # + the changed cards, where the shown cards are, the changed ones' rows, the labels,
    # the counts and the columns (the 204's two, and six); the first read of the day also
    # reads the board's history for the aging badge (its columns, cards and events, three:
    # metrics.board_flow), kept for the rest of the day.
    with django_assert_num_queries(8 + 3):
        answer = changes(client, kanban, seen).json()
    assert len(answer["cards"]) == 10
    seen = answer["revision"]
    for card in cards[10:20]:
        card_move(actor=tenant.lead, card=card, column=kanban.doing)
    with django_assert_num_queries(8):
        answer = changes(client, kanban, seen).json()
    assert len(answer["cards"]) == 10


def test_readers_at_different_revisions_share_one_window(
    tenant: Tenant, kanban: BoardSetup, client, django_assert_num_queries
) -> None:
    a, b, c = (kanban.add(tenant, title) for title in ("a", "b", "c"))
    client.force_login(tenant.member.user)
    start = revision(kanban)
    changes(client, kanban, start)  # the first visit remembers the organisation
    card_move(actor=tenant.lead, card=a, column=kanban.doing)
    card_move(actor=tenant.lead, card=b, column=kanban.doing)
    card_move(actor=tenant.lead, card=a, column=kanban.done)  # a again: sent once, as it is now
    card_move(actor=tenant.lead, card=c, column=kanban.doing)
    behind = changes(client, kanban, start).json()
    assert {card["id"]: card["column"] for card in behind["cards"]} == {
        a.pk: kanban.done.pk,
        b.pk: kanban.doing.pk,
        c.pk: kanban.doing.pk,
    }
    # A reader who saw the first two moves gets the last two, from the same window: the
    # person with their memberships (one query, opsboard.tenancy.middleware) and the board.
    with django_assert_num_queries(2):
        nearer = changes(client, kanban, start + 2).json()
    assert sorted(card["id"] for card in nearer["cards"]) == [a.pk, c.pk]
    assert nearer["counts"] == behind["counts"]
    assert "changed_at" not in nearer["cards"][0]
    with django_assert_num_queries(2):
        assert [card["id"] for card in changes(client, kanban, start + 3).json()["cards"]] == [c.pk]


def test_a_reader_behind_the_window_gets_an_answer_of_their_own(
    tenant: Tenant, kanban: BoardSetup, client, settings
) -> None:
    first, *others = (kanban.add(tenant, f"card {n}") for n in range(live.WINDOW + 3))
    client.force_login(tenant.member.user)
    start = revision(kanban)
    card_archive(actor=tenant.lead, card=first)
    for card in others:
        card_move(actor=tenant.lead, card=card, column=kanban.doing)
    # The window covers the last WINDOW revisions: not the archiving.
    answer = changes(client, kanban, start).json()
    assert answer["removed"] == [first.pk]
    assert len(answer["cards"]) == len(others)
    answer = changes(client, kanban, start + 1).json()
    assert answer["removed"] == []
    assert len(answer["cards"]) == len(others)


def test_the_window_ends_where_the_newest_cards_do(
    tenant: Tenant, kanban: BoardSetup, client, monkeypatch
) -> None:
    monkeypatch.setattr(live, "MOST_CARDS", 3)
    cards = [kanban.add(tenant, f"card {n}") for n in range(5)]
    client.force_login(tenant.member.user)
    start = revision(kanban)
    for card in cards:
        card_move(actor=tenant.lead, card=card, column=kanban.doing)
    # Five cards changed: too many for one reader who saw none of it...
    assert "board" in changes(client, kanban, start).json()
    # ...but the last three are what a reader who saw the first two needs.
    answer = changes(client, kanban, start + 2).json()
    assert [card["id"] for card in answer["cards"]] == [card.pk for card in cards[2:]]


def test_renaming_a_card_a_label_or_a_person_changes_the_cached_tile(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    label = Label.objects.create(board=kanban.board, name="urgent", color="#b00020")
    card = kanban.add(tenant, "Old title", assignee=tenant.member.user, labels=[label])
    client.force_login(tenant.viewer.user)
    assert "Old title" in board_page(client, kanban)
    card_update(
        actor=tenant.lead,
        card=card,
        data=CardInput(title="New title", assignee=tenant.member.user, labels=[label]),
    )
    page = board_page(client, kanban)
    assert "New title" in page
    assert "Old title" not in page

    # A label renamed or recoloured in the admin, where no revision moves.
    Label.objects.filter(pk=label.pk).update(name="blocker", color="#005500")
    page = board_page(client, kanban)
    assert ">blocker</span>" in page
    assert "--label:#005500" in page
    assert ">urgent</span>" not in page

    user = tenant.member.user
    user.full_name = "Zhang Wei"
    user.save()
    page = board_page(client, kanban)
    assert '<abbr title="Zhang Wei">ZW</abbr>' in page


def test_cached_tiles_never_cross_languages_roles_or_organisations(
    tenant: Tenant, other_tenant: Tenant, kanban: BoardSetup, client
) -> None:
    bug = Label.objects.create(board=kanban.board, builtin=BuiltinLabel.BUG, color="#b00020")
    kanban.add(tenant, "Same title", labels=[bug])
    theirs = board_setup(other_tenant, name="Churn")
    theirs.add(other_tenant, "Same title")

    client.force_login(tenant.member.user)
    editor = board_page(client, kanban)
    assert 'aria-describedby="move-help"' in editor
    client.force_login(tenant.viewer.user)
    viewer = board_page(client, kanban)
    assert "Same title" in viewer
    assert "move-help" not in viewer

    with translation.override("zh-hans"):
        client.cookies["django_language"] = "zh-hans"
        chinese = board_page(client, kanban)
    assert ">缺陷</span>" in chinese
    del client.cookies["django_language"]
    assert ">bug</span>" in board_page(client, kanban)

    client.force_login(other_tenant.member.user)
    other = board_page(client, theirs)
    assert f"/o/{other_tenant.organization.slug}/cards/" in other
    assert "/o/acme/cards/" not in other


def test_the_cached_filter_bar_shows_new_choices_and_the_readers_errors(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    client.force_login(tenant.member.user)
    assert ">ops-review</option>" not in board_page(client, kanban)
    Label.objects.create(board=kanban.board, name="ops-review", color="#005500")
    assert ">ops-review</option>" in board_page(client, kanban)
    # Bound to what the reader chose: the wrong value is named, the right one kept.
    assert "field-error" in board_page(client, kanban, due="someday")
    assert "field-error" not in board_page(client, kanban, due="overdue")
    assert 'value="overdue" selected' in board_page(client, kanban, due="overdue")


def test_open_boards_catch_up_on_what_an_ops_manager_changes_in_the_admin(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    card = kanban.add(tenant, "Old title")
    gone = kanban.add(tenant, "Duplicate")
    manager = tenant.manager.user
    manager.is_staff = True
    manager.save()
    reader = Client()
    reader.force_login(tenant.member.user)
    client.force_login(manager)

    seen = revision(kanban)
    url = reverse("admin:kanban_card_change", args=[card.pk])
    data = change_page_data(client, url)
    assert client.post(url, {**data, "title": "New title"}).status_code == 302
    (changed,) = changes(reader, kanban, seen).json()["cards"]
    assert ">New title</a>" in changed["html"]

    # A card deleted there cannot be named as removed: the whole board, without it.
    seen = revision(kanban)
    url = reverse("admin:kanban_card_delete", args=[gone.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    board = changes(reader, kanban, seen).json()["board"]
    assert "Duplicate" not in board
    assert "New title" in board

    seen = revision(kanban)
    url = reverse("admin:kanban_board_change", args=[kanban.board.pk])
    data = change_page_data(client, url)
    (row,) = (key for key, value in data.items() if value == kanban.doing.pk)
    data[row.replace("-id", "-name")] = "Building"
    assert client.post(url, data).status_code == 302
    assert "Building" in changes(reader, kanban, seen).json()["board"]
