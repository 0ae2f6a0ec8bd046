"""Moving cards: ranks, history, kinds, WIP limits, stale positions, concurrency."""

from __future__ import annotations

import threading
import time
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.urls import reverse

from kanban.models import Card, CardEvent, Column, EventKind
from kanban.ranks import STEP, rank_between, spread
from kanban.services import Position, WipLimitReached, card_move
from tests.concurrency import in_lockstep
from tests.conftest import Tenant
from tests.factories import ProjectFactory
from tests.kanban.conftest import BoardSetup


def test_rank_between() -> None:
    assert rank_between(None, None) == STEP
    assert rank_between(STEP, None) == 2 * STEP
    assert rank_between(None, STEP) == 0
    assert rank_between(10, 20) == 15
    assert rank_between(10, 11) is None
    assert spread(3) == [STEP, 2 * STEP, 3 * STEP]


def test_move_within_a_column_writes_only_the_moved_card(
    tenant: Tenant, kanban: BoardSetup, django_assert_max_num_queries
) -> None:
    a, b, c = (kanban.add(tenant, title) for title in "abc")
    ranks_before = dict(Card.objects.values_list("title", "rank"))
    card_move(
        actor=tenant.member, card=c, column=kanban.todo, after_card_id=a.pk, before_card_id=b.pk
    )
    assert kanban.titles(kanban.todo) == ["a", "c", "b"]
    ranks_after = dict(Card.objects.values_list("title", "rank"))
    assert {t for t in ranks_after if ranks_after[t] != ranks_before[t]} == {"c"}
    # Same column: no history row, it is not a move between columns.
    assert not CardEvent.objects.filter(kind=EventKind.MOVED).exists()


def test_move_between_columns_sets_started_and_done_and_records_history(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    card = kanban.add(tenant, "Analyse churn")
    card_move(actor=tenant.member, card=card, column=kanban.doing)
    card.refresh_from_db()
    assert card.started_at is not None
    assert card.done_at is None
    card_move(actor=tenant.member, card=card, column=kanban.done)
    card.refresh_from_db()
    assert card.done_at is not None
    started = card.started_at
    card_move(actor=tenant.member, card=card, column=kanban.doing)
    card.refresh_from_db()
    assert (card.done_at, card.started_at) == (None, started)
    moves = list(
        CardEvent.objects.filter(card=card, kind=EventKind.MOVED).values_list(
            "from_kind", "to_kind", "actor"
        )
    )
    assert moves == [
        ("todo", "doing", tenant.member.user.pk),
        ("doing", "done", tenant.member.user.pk),
        ("done", "doing", tenant.member.user.pk),
    ]
    assert kanban.board.__class__.objects.get(pk=kanban.board.pk).revision > 0


def test_ranks_rebalance_when_there_is_no_room(tenant: Tenant, kanban: BoardSetup) -> None:
    first, second = kanban.add(tenant, "first"), kanban.add(tenant, "second")
    Card.objects.filter(pk=first.pk).update(rank=100)
    Card.objects.filter(pk=second.pk).update(rank=101)
    third = kanban.add(tenant, "third", column=kanban.doing)
    card_move(
        actor=tenant.member,
        card=third,
        column=kanban.todo,
        after_card_id=first.pk,
        before_card_id=second.pk,
    )
    assert kanban.titles(kanban.todo) == ["first", "third", "second"]
    assert len(set(Card.objects.filter(column=kanban.todo).values_list("rank", flat=True))) == 3


def test_a_stale_position_still_gives_a_whole_order(tenant: Tenant, kanban: BoardSetup) -> None:
    a, b = kanban.add(tenant, "a"), kanban.add(tenant, "b")
    elsewhere = kanban.add(tenant, "elsewhere", column=kanban.doing)
    moving = kanban.add(tenant, "moving", column=kanban.done)
    # The browser thought "elsewhere" sat in To do; it does not any more.
    card_move(actor=tenant.member, card=moving, column=kanban.todo, after_card_id=elsewhere.pk)
    assert kanban.titles(kanban.todo) == ["a", "b", "moving"]
    # Neighbours given in the wrong order: placed after the one above.
    card_move(
        actor=tenant.member,
        card=moving,
        column=kanban.todo,
        after_card_id=b.pk,
        before_card_id=a.pk,
    )
    assert kanban.titles(kanban.todo) == ["a", "b", "moving"]
    card_move(actor=tenant.member, card=moving, column=kanban.todo, before_card_id=a.pk)
    assert kanban.titles(kanban.todo) == ["moving", "a", "b"]


def test_a_card_goes_to_the_top_or_the_bottom_when_no_neighbour_is_named(
    tenant: Tenant, kanban: BoardSetup, client
) -> None:
    _a, b, c = (kanban.add(tenant, title) for title in "abc")
    card_move(actor=tenant.member, card=c, column=kanban.todo, position=Position.TOP)
    assert kanban.titles(kanban.todo) == ["c", "a", "b"]
    # The card at the top, sent to the top, stays there.
    card_move(actor=tenant.member, card=c, column=kanban.todo, position=Position.TOP)
    assert kanban.titles(kanban.todo) == ["c", "a", "b"]
    card_move(actor=tenant.member, card=c, column=kanban.todo)
    assert kanban.titles(kanban.todo) == ["a", "b", "c"]
    # The card page's no-script form asks for the top the same way.
    client.force_login(tenant.member.user)
    client.post(
        reverse("kanban:card_move", args=["acme", b.pk]),
        {"column": kanban.todo.pk, "position": "top"},
    )
    assert kanban.titles(kanban.todo) == ["b", "a", "c"]


def test_a_column_of_another_board_is_refused(tenant: Tenant, kanban: BoardSetup) -> None:
    card = kanban.add(tenant, "a")
    foreign = ProjectFactory(organization=tenant.organization).boards.get().columns.first()
    with pytest.raises(ValidationError):
        card_move(actor=tenant.member, card=card, column=foreign)


def test_soft_limit_warns_and_hard_limit_refuses(tenant: Tenant, kanban: BoardSetup) -> None:
    Column.objects.filter(pk=kanban.doing.pk).update(wip_limit=1)
    kanban.doing.refresh_from_db()
    first, second, third = (kanban.add(tenant, title) for title in ("first", "second", "third"))
    assert card_move(actor=tenant.member, card=first, column=kanban.doing).warning is None
    result = card_move(actor=tenant.member, card=second, column=kanban.doing)
    assert "already holds 1 cards, its limit is 1" in result.warning
    assert kanban.titles(kanban.doing) == ["first", "second"]

    Column.objects.filter(pk=kanban.doing.pk).update(wip_hard=True)
    kanban.doing.refresh_from_db()
    with pytest.raises(WipLimitReached, match=r"Finish something there first\."):
        card_move(actor=tenant.member, card=third, column=kanban.doing)
    third.refresh_from_db()
    assert third.column == kanban.todo
    # Moving within the full column is still fine.
    card_move(actor=tenant.member, card=second, column=kanban.doing, before_card_id=first.pk)
    assert kanban.titles(kanban.doing) == ["second", "first"]


@pytest.mark.django_db(transaction=True)
def test_two_people_racing_into_the_last_place_get_one_in(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    Column.objects.filter(pk=kanban.doing.pk).update(wip_limit=1, wip_hard=True)
    kanban.doing.refresh_from_db()
    cards = [kanban.add(tenant, f"card {n}") for n in range(2)]
    actors = [tenant.member, tenant.lead]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def move(card: Card, actor) -> None:
        start.wait()
        try:
            card_move(actor=actor, card=card, column=kanban.doing)
            outcomes.append("moved")
        except WipLimitReached:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=move, args=(card, actor))
        for card, actor in zip(cards, actors, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["moved", "refused"]
    assert Card.objects.filter(column=kanban.doing).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_moving_cards_both_ways_between_two_columns_do_not_deadlock(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    rounds = 15
    there = kanban.add(tenant, "todo to doing")
    back = kanban.add(tenant, "doing to todo", column=kanban.doing)
    # Each round both people move at once, in opposite directions, then both move back.
    plans = [
        (tenant.member, there, [kanban.doing, kanban.todo]),
        (tenant.lead, back, [kanban.todo, kanban.doing]),
    ]
    in_lockstep(
        *(
            [
                partial(card_move, actor=actor, card=card, column=column)
                for _round in range(rounds)
                for column in columns
            ]
            for actor, card, columns in plans
        )
    )
    assert kanban.titles(kanban.todo) == ["todo to doing"]
    assert kanban.titles(kanban.doing) == ["doing to todo"]
    assert CardEvent.objects.filter(kind=EventKind.MOVED).count() == 2 * 2 * rounds


def _wait_until_someone_waits_for_a_lock() -> None:
    with connection.cursor() as cursor:
        for _attempt in range(300):
            # Inside a transaction the statistics views are read once, unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("nobody waited for a lock")


@pytest.mark.django_db(transaction=True)
def test_a_card_moved_by_someone_else_meanwhile_is_moved_from_where_it_is(
    tenant: Tenant, kanban: BoardSetup
) -> None:
    card = kanban.add(tenant, "a")
    errors: list[BaseException] = []

    def move_to_done() -> None:
        try:
            card_move(actor=tenant.member, card=card, column=kanban.done)
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            close_old_connections()

    # The lead's move to "doing" holds the card's column when the member's
    # move to "done" starts, so the member's move read "todo" as the card's
    # column and only learns otherwise once the lead's move is in.
    with transaction.atomic():
        card_move(actor=tenant.lead, card=card, column=kanban.doing)
        other = threading.Thread(target=move_to_done)
        other.start()
        _wait_until_someone_waits_for_a_lock()
    other.join(timeout=30)
    assert errors == []
    moves = CardEvent.objects.filter(kind=EventKind.MOVED).order_by("pk")
    assert [(e.from_column, e.to_column) for e in moves] == [
        (kanban.todo, kanban.doing),
        (kanban.doing, kanban.done),
    ]
    assert kanban.titles(kanban.done) == ["a"]


def test_viewer_cannot_move(tenant: Tenant, kanban: BoardSetup) -> None:
    from django.core.exceptions import PermissionDenied

    card = kanban.add(tenant, "a")
    with pytest.raises(PermissionDenied):
        card_move(actor=tenant.viewer, card=card, column=kanban.doing)
