"""Each computed KPI, exactly, on a hand-built week of cards (times in Asia/Shanghai)."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine

from kanban.models import Card, CardEvent, EventKind
from metrics.computations import compute, period_end, period_start, periods
from metrics.models import Frequency, Kpi, Source
from metrics.selectors import cards_behind
from projects.models import Direction
from tests.conftest import Tenant
from tests.factories import ProjectFactory, TeamFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
WEEK = date(2026, 11, 16)  # a Monday


def at(day: int, hour: int = 12, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def cards(tenant: Tenant) -> list[Card]:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    board = ProjectFactory(organization=tenant.organization, teams=[tenant.team]).boards.get()
    done = board.columns.get(kind="done")
    todo = board.columns.get(kind="todo")

    def card(title: str, **fields) -> Card:
        return Card.objects.create(
            board=board,
            column=done if fields.get("done_at") else todo,
            title=title,
            team=tenant.team,
            **fields,
        )

    made = [
        card(
            "on time",
            created_at=at(10, 10),
            started_at=at(15, 10),
            done_at=at(17, 10),
            due_date=date(2026, 11, 17),
        ),
        # Done at 00:30 on the 19th in Shanghai, still the 18th in UTC: late.
        card(
            "late by local day",
            created_at=at(16, 0, 30),
            started_at=at(16, 0, 30),
            done_at=at(19, 0, 30),
            due_date=date(2026, 11, 18),
        ),
        card("no due date", created_at=at(12), started_at=at(19), done_at=at(20)),
        card(
            "late",
            created_at=at(13),
            started_at=at(13),
            done_at=at(21),
            due_date=date(2026, 11, 20),
        ),
        card(
            "reopened, done again",
            created_at=at(14),
            started_at=at(14),
            done_at=at(22),
            due_date=date(2026, 11, 25),
        ),
        card(
            "done the week before",
            created_at=at(2),
            started_at=at(3),
            done_at=at(12),
            due_date=date(2026, 11, 20),
        ),
        card("open and overdue", created_at=at(10), started_at=at(17), due_date=date(2026, 11, 18)),
        card("blocked", created_at=at(10), blocked=True, blocked_at=at(19)),
        card("archived before", created_at=at(1), due_date=date(2026, 11, 10), archived_at=at(11)),
    ]
    CardEvent.objects.create(card=made[7], board=board, kind=EventKind.BLOCKED, at=at(19))
    # The reopened card was first done on the 16th, then moved back: only its last done counts.
    CardEvent.objects.create(
        card=made[4],
        board=board,
        kind=EventKind.MOVED,
        at=at(16),
        from_kind="doing",
        to_kind="done",
    )
    CardEvent.objects.create(
        card=made[4],
        board=board,
        kind=EventKind.MOVED,
        at=at(18),
        from_kind="done",
        to_kind="doing",
    )
    return made


def kpi(tenant: Tenant, source: str, frequency: str = Frequency.WEEKLY, **scope) -> Kpi:
    return Kpi.objects.create(
        organization=tenant.organization,
        name=source,
        source=source,
        frequency=frequency,
        direction=Direction.INCREASE,
        target=90,
        amber_threshold=90,
        red_threshold=75,
        **scope,
    )


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(24, 9), tick=False):
        yield


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (Source.ON_TIME_RATE, Decimal(50)),  # 2 of the 4 done cards that had a due date
        (Source.THROUGHPUT, Decimal(5)),
        (Source.CYCLE_TIME_MEDIAN, Decimal(3)),  # cycle days 1, 2, 3, 8, 8
        (Source.CYCLE_TIME_P85, Decimal(8)),
        (Source.LEAD_TIME_MEDIAN, Decimal(8)),  # lead days 3, 7, 8, 8, 8
        (Source.OVERDUE_OPEN, Decimal(1)),
        (Source.WORK_IN_PROGRESS, Decimal(1)),
        (Source.BLOCKED, Decimal(1)),
        # Blocked from the 19th at noon, still at the week's end (the 23rd at midnight): 3.5 days.
        (Source.BLOCKED_DAYS, Decimal("3.5")),
    ],
)
def test_week_values(tenant: Tenant, cards, source: str, expected: Decimal) -> None:
    assert compute(kpi(tenant, source), WEEK) == expected


def test_a_week_with_nothing_done(tenant: Tenant, cards) -> None:
    quiet = date(2026, 10, 5)
    assert compute(kpi(tenant, Source.ON_TIME_RATE), quiet) is None
    assert compute(kpi(tenant, Source.THROUGHPUT), quiet) == 0
    assert compute(kpi(tenant, Source.CYCLE_TIME_MEDIAN), quiet) is None
    assert (
        compute(kpi(tenant, Source.BLOCKED), date(2026, 11, 9)) == 0
    )  # blocked only from the 19th


def test_the_running_week_counts_as_of_now(tenant: Tenant, cards) -> None:
    # Now is Tuesday the 24th: the open overdue card is still overdue, the blocked one still blocked.
    this_week = date(2026, 11, 23)
    assert compute(kpi(tenant, Source.OVERDUE_OPEN), this_week) == 1
    assert compute(kpi(tenant, Source.BLOCKED), this_week) == 1
    assert compute(kpi(tenant, Source.THROUGHPUT), this_week) == 0


def test_monthly_throughput_is_per_week(tenant: Tenant, cards) -> None:
    # Six cards done in November (30 days = 30/7 weeks).
    assert compute(kpi(tenant, Source.THROUGHPUT, Frequency.MONTHLY), date(2026, 11, 1)) == Decimal(
        "1.4"
    )


def test_scope_by_team(tenant: Tenant, other_tenant: Tenant, cards) -> None:
    elsewhere = TeamFactory(organization=tenant.organization, name="Elsewhere")
    assert compute(kpi(tenant, Source.THROUGHPUT, team=tenant.team), WEEK) == 5
    assert compute(kpi(tenant, Source.THROUGHPUT, team=elsewhere), WEEK) == 0


def test_periods() -> None:
    assert period_start(Frequency.WEEKLY, date(2026, 11, 22)) == date(2026, 11, 16)
    assert period_start(Frequency.MONTHLY, date(2026, 11, 22)) == date(2026, 11, 1)
    assert period_end(Frequency.MONTHLY, date(2026, 12, 1)) == date(2027, 1, 1)
    assert periods(Frequency.WEEKLY, date(2026, 11, 16), 3) == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
    ]
    assert periods(Frequency.MONTHLY, date(2026, 1, 1), 2) == [date(2025, 12, 1), date(2026, 1, 1)]


def test_blocked_days_clip_each_block_to_the_week(tenant: Tenant) -> None:
    board = ProjectFactory(organization=tenant.organization).boards.get()
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    first = Card.objects.create(
        board=board, column=board.columns.first(), title="a", created_at=at(1)
    )
    second = Card.objects.create(
        board=board, column=board.columns.first(), title="b", created_at=at(1)
    )
    for card, kind, moment in (
        (first, EventKind.BLOCKED, at(14)),  # from before the week ...
        (first, EventKind.UNBLOCKED, at(16)),  # ... to Monday noon: half a day inside
        (second, EventKind.BLOCKED, at(17)),
        (second, EventKind.UNBLOCKED, at(18, 0)),  # half a day
        (second, EventKind.BLOCKED, at(22)),  # until the week ends at midnight: half a day
    ):
        CardEvent.objects.create(card=card, board=board, kind=kind, at=moment)
    assert compute(kpi(tenant, Source.BLOCKED_DAYS), WEEK) == Decimal("1.5")


@pytest.mark.parametrize(
    ("source", "listed"),
    [
        (Source.ON_TIME_RATE, ["on time", "late by local day", "late", "reopened, done again"]),
        (Source.CYCLE_TIME_MEDIAN, ["on time", "late by local day", "no due date", "late",
                                    "reopened, done again"]),
        (Source.OVERDUE_OPEN, ["open and overdue"]),
        (Source.WORK_IN_PROGRESS, ["open and overdue"]),
        (Source.BLOCKED, ["blocked"]),
        (Source.BLOCKED_DAYS, ["blocked"]),
        (Source.PULSE_SATISFACTION, None),  # not read from cards: nothing to list
    ],
)  # fmt: skip
def test_the_cards_behind_a_figure_are_the_cards_it_counts(
    tenant: Tenant, cards, source: str, listed: list[str] | None
) -> None:
    drilldown = cards_behind(kpi(tenant, source), WEEK)
    if listed is None:
        assert drilldown is None
        return
    assert [card.title for card in drilldown.counted] == listed
    if source in (Source.OVERDUE_OPEN, Source.WORK_IN_PROGRESS, Source.BLOCKED):
        assert compute(kpi(tenant, source), WEEK) == len(listed)
