"""The flow of work for charts: cumulative flow, cycle times, throughput per week.

Each is one query over the scope's cards; the day and week boundaries are the
organisation's.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek

from kanban.models import CardQuerySet

from .computations import DAY_SECONDS, period_start, seconds_since
from .models import Frequency


@dataclass
class Flow:
    days: list[date]
    todo: list[int]
    doing: list[int]
    done: list[int]


def cumulative_flow(
    cards: CardQuerySet, *, today: date, days: int, zone: zoneinfo.ZoneInfo
) -> Flow:
    """For each day's end: cards waiting, in progress, and done (cumulative)."""
    span = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    first = datetime.combine(span[0], time.min, tzinfo=zone)
    ends = [datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone) for day in span]

    # CardQuerySet.open_as_of's rule less its "not done" (done cards make the done band),
    # written as conditions so that every day is counted in one aggregate query.
    def not_archived_by(end: datetime) -> Q:
        return Q(archived_at__isnull=True) | Q(archived_at__gte=end)

    aggregates = {}
    for index, end in enumerate(ends):
        exists = Q(created_at__lt=end) & not_archived_by(end)
        done = Q(done_at__lt=end)
        started = Q(started_at__lt=end)
        aggregates[f"done_{index}"] = Count("pk", filter=exists & done)
        aggregates[f"doing_{index}"] = Count("pk", filter=exists & started & ~done)
        aggregates[f"todo_{index}"] = Count("pk", filter=exists & ~started & ~done)
    counts = cards.filter(Q(done_at__isnull=True) | Q(done_at__gte=first)).aggregate(**aggregates)
    # Cards done before the window only add to the done band, until they are archived: count
    # them apart, so that the day-by-day read above is only of the cards still moving in the
    # window (an index range), and group them by when they were archived (most never were).
    archived = list(
        cards.filter(not_archived_by(first), done_at__lt=first)
        .order_by()
        .values("archived_at")
        .annotate(n=Count("pk"))
        .values_list("archived_at", "n")
    )
    done_before = [
        sum(n for archived_at, n in archived if archived_at is None or archived_at >= end)
        for end in ends
    ]
    return Flow(
        days=span,
        todo=[counts[f"todo_{i}"] for i in range(len(span))],
        doing=[counts[f"doing_{i}"] for i in range(len(span))],
        done=[done_before[i] + counts[f"done_{i}"] for i in range(len(span))],
    )


def cycle_times(
    cards: CardQuerySet, *, since: datetime, zone: zoneinfo.ZoneInfo, limit: int | None = None
) -> list[tuple[date, float, str, int]]:
    """(done day, cycle days, title, card id) for cards done since ``since``, oldest first;
    with ``limit``, only the latest ones. The done day is the organisation's."""
    rows = (
        cards.filter(done_at__gte=since, started_at__isnull=False)
        .with_done_day(zone)
        .annotate(seconds=seconds_since("started_at"))
        .order_by("-done_at")
        .values_list("done_day", "seconds", "title", "pk")
    )
    rows = list(rows[:limit] if limit else rows)[::-1]
    return [
        (done_day, round(float(seconds) / DAY_SECONDS, 1), title, pk)
        for done_day, seconds, title, pk in rows
    ]


def weekly_throughput(
    cards: CardQuerySet, *, today: date, weeks: int, zone: zoneinfo.ZoneInfo
) -> list[tuple[date, int]]:
    """Cards done in each of the last ``weeks`` weeks (Monday to Sunday), oldest first: the
    cards done in the whole span, counted by the week of their done day in ``zone``."""
    last = period_start(Frequency.WEEKLY, today)
    starts = [last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    span = cards.done_in(
        datetime.combine(starts[0], time.min, tzinfo=zone),
        datetime.combine(last + timedelta(days=7), time.min, tzinfo=zone),
    )
    counts = dict(
        span.with_done_day(zone)
        .annotate(week=TruncWeek("done_day"))
        .order_by()
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    return [(start, counts.get(start, 0)) for start in starts]
