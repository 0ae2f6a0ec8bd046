"""The flow of work on a hand-built board."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

import time_machine

from kanban.models import Card
from metrics.flow import cumulative_flow, cycle_times, weekly_throughput
from tests.conftest import Tenant
from tests.factories import ProjectFactory

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=ZONE)


def test_cumulative_flow_cycle_times_and_throughput(tenant: Tenant) -> None:
    board = ProjectFactory(organization=tenant.organization).boards.get()
    column = board.columns.first()
    for title, created, started, done in (
        ("early done", at(1), at(2), at(3)),
        ("done in window", at(1), at(9), at(11)),
        ("in progress", at(9), at(10), None),
        ("waiting", at(10), None, None),
    ):
        Card.objects.create(
            board=board,
            column=column,
            title=title,
            created_at=created,
            started_at=started,
            done_at=done,
        )
    cards = Card.objects.filter(board=board)
    with time_machine.travel(at(12), tick=False):
        flow = cumulative_flow(cards, today=date(2026, 11, 12), days=4, zone=ZONE)
        assert flow.days == [date(2026, 11, d) for d in (9, 10, 11, 12)]
        assert flow.done == [1, 1, 2, 2]
        assert flow.doing == [1, 2, 1, 1]
        assert flow.todo == [1, 1, 1, 1]
        assert [(d, days, t) for d, days, t, _pk in cycle_times(cards, since=at(5), zone=ZONE)] == [
            (date(2026, 11, 11), 2.0, "done in window")
        ]
        assert cycle_times(cards, since=at(1), zone=ZONE, limit=1)[0][2] == "done in window"
        assert weekly_throughput(cards, today=date(2026, 11, 12), weeks=2, zone=ZONE) == [
            (date(2026, 11, 2), 1),
            (date(2026, 11, 9), 1),
        ]


def test_a_card_done_early_in_the_morning_is_done_that_day_where_the_team_is(
    tenant: Tenant,
) -> None:
    """07:00 in Shanghai is 23:00 the day before in UTC, where the database answers."""
    board = ProjectFactory(organization=tenant.organization).boards.get()
    Card.objects.create(
        board=board,
        column=board.columns.first(),
        title="early",
        created_at=at(9),
        started_at=at(9),
        done_at=at(11, hour=7),
    )
    [(done_on, _days, _title, _pk)] = cycle_times(
        Card.objects.filter(board=board), since=at(1), zone=ZONE
    )
    assert done_on == date(2026, 11, 11)


def test_a_card_done_before_the_window_leaves_the_done_band_when_archived(
    tenant: Tenant,
) -> None:
    """As a card done in the window does: the done band counts the cards on the board."""
    board = ProjectFactory(organization=tenant.organization).boards.get()
    for title, done, archived in (
        ("done long ago, archived in the window", at(2), at(10)),
        ("done in the window, archived in it", at(9), at(11)),
        ("done long ago, still there", at(3), None),
    ):
        Card.objects.create(
            board=board,
            column=board.columns.first(),
            title=title,
            created_at=at(1),
            started_at=at(1),
            done_at=done,
            archived_at=archived,
        )
    with time_machine.travel(at(12), tick=False):
        flow = cumulative_flow(
            Card.objects.filter(board=board), today=date(2026, 11, 12), days=4, zone=ZONE
        )
    assert flow.days == [date(2026, 11, d) for d in (9, 10, 11, 12)]
    assert flow.done == [3, 2, 1, 1]
