"""The flow of work for charts: cumulative flow, cycle times, throughput per week.

Each is one query over the scope's cards; the day and week boundaries are the
organisation's.
"""

from __future__ import annotations

import zoneinfo
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import TypeVar

from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, DateTimeField, Func, IntegerField, Q, Value
from django.db.models.functions import TruncWeek
from django.utils import timezone

from kanban.models import CardQuerySet

from .computations import DAY_SECONDS, period_start, seconds_since
from .models import Frequency
from .scopes import Scope

T = TypeVar("T")


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
    span = _span(today, days)
    return Flow(span, *_counts_at(cards, span, zone))


def scope_flow(scope: Scope, *, today: date, days: int) -> Flow:
    """``cumulative_flow`` of a scope's cards, its finished days read from the cache.

    The days that have ended are counted together once a day (the first read after
    midnight, in the organisation's time zone) and kept until the day is over; only the day
    still running is counted on every read. So a late change to old cards (a card reopened,
    archived or deleted) shows on the chart from the next day, when the nightly job also
    brings it to the KPIs.
    """
    span, zone = _span(today, days), scope.zone
    finished = _finished(_ends(span, zone))
    todo: list[int] = []
    doing: list[int] = []
    done: list[int] = []
    if finished:
        todo, doing, done = _kept(
            f"flow:{_scope_key(scope)}:{today}:{days}:{finished}",
            lambda: _counts_at(scope.cards(), span[:finished], zone),
        )
    if finished < len(span):
        running = _counts_at(scope.cards(), span[finished:], zone)
        todo, doing, done = todo + running[0], doing + running[1], done + running[2]
    return Flow(span, todo, doing, done)


def scope_throughput(scope: Scope, *, today: date, weeks: int) -> list[tuple[date, int]]:
    """``weekly_throughput`` of a scope's cards, its finished weeks kept as ``scope_flow``
    keeps its finished days."""
    zone = scope.zone
    last = period_start(Frequency.WEEKLY, today)
    starts = [last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    finished = _finished(
        [datetime.combine(start + timedelta(days=7), time.min, tzinfo=zone) for start in starts]
    )
    counts: list[tuple[date, int]] = []
    if finished:
        counts = _kept(
            f"throughput:{_scope_key(scope)}:{today}:{weeks}:{finished}",
            lambda: weekly_throughput(
                scope.cards(), today=starts[finished - 1], weeks=finished, zone=zone
            ),
        )
    if finished < weeks:
        counts = counts + weekly_throughput(
            scope.cards(), today=today, weeks=weeks - finished, zone=zone
        )
    return counts


def scope_cycle_times(
    scope: Scope, *, since: datetime, limit: int
) -> list[tuple[date, float, str, int]]:
    """``cycle_times`` of a scope's cards (the latest ``limit`` done since ``since``), those
    done before today kept as ``scope_flow`` keeps its finished days: only the cards done
    today are read on every read, and the latest of both shown."""
    today = datetime.combine(scope.organization.today(), time.min, tzinfo=scope.zone)
    before_today = _kept(
        f"cycles:{_scope_key(scope)}:{since.isoformat()}:{today.date()}:{limit}",
        lambda: cycle_times(
            scope.cards().filter(done_at__lt=today), since=since, zone=scope.zone, limit=limit
        ),
    )
    done_today = cycle_times(scope.cards(), since=today, zone=scope.zone, limit=limit)
    return (before_today + done_today)[-limit:]


# A day and a bit: a key names the day shown, so it is not read after the day is over.
KEPT_SECONDS = 26 * 3600


def _finished(ends: list[datetime]) -> int:
    """How many of the periods ending at ``ends`` (oldest first) have ended."""
    now = timezone.now()
    return sum(1 for end in ends if end <= now)


def _scope_key(scope: Scope) -> str:
    return (
        f"{scope.organization.pk}:{scope.team_id}:{scope.project_id}:{scope.goal_id}:"
        f"{scope.zone.key}"
    )


def _kept(key: str, count: Callable[[], T]) -> T:
    """What ``count`` gives for finished days or weeks: from the cache, else counted and
    kept there."""
    key = f"metrics:{key}"
    kept = cache.get(key)
    if kept is None:
        kept = count()
        cache.set(key, kept, timeout=KEPT_SECONDS)
    return kept


def _span(today: date, days: int) -> list[date]:
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def _ends(span: list[date], zone: zoneinfo.ZoneInfo) -> list[datetime]:
    return [datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone) for day in span]


def _counts_at(
    cards: CardQuerySet, span: list[date], zone: zoneinfo.ZoneInfo
) -> tuple[list[int], list[int], list[int]]:
    """(waiting, in progress, done) at the end of each day of ``span`` (oldest first), in
    two queries at most, whatever their number.

    At a day's end a card counts if it was created and not yet archived (the rule of
    ``CardQuerySet.open_as_of`` less its "not done": done cards make the done band); it is
    done once done, in progress once started and not done, else waiting.
    """
    if not span:
        return [], [], []
    first = datetime.combine(span[0], time.min, tzinfo=zone)
    ends = _ends(span, zone)
    if len(ends) == 1:
        # The running day alone: the rule as conditions, one filtered count per band over
        # every card, which is cheaper than grouping them.
        [end] = ends
        exists = Q(created_at__lt=end) & _not_archived_by(end)
        done, started = Q(done_at__lt=end), Q(started_at__lt=end)
        counts = cards.aggregate(
            todo=Count("pk", filter=exists & ~started & ~done),
            doing=Count("pk", filter=exists & started & ~done),
            done=Count("pk", filter=exists & done),
        )
        return [counts["todo"]], [counts["doing"]], [counts["done"]]
    # Cards created and done before the window only add to the done band, until they are
    # archived: count them apart, grouped by when they were archived (most never were), so
    # that the day-by-day read is only of the cards still moving in the window.
    before_window = Q(created_at__lt=first, done_at__lt=first)
    archived = list(
        cards.filter(before_window, _not_archived_by(first))
        .order_by()
        .values("archived_at")
        .annotate(n=Count("pk"))
        .values_list("archived_at", "n")
    )
    done_before = [
        sum(n for archived_at, n in archived if archived_at is None or archived_at >= end)
        for end in ends
    ]
    moving = cards.exclude(before_window)
    todo, doing, done = _banded(_moments_by_day(moving, ends), len(ends))
    return todo, doing, [before + n for before, n in zip(done_before, done, strict=True)]


def _not_archived_by(end: datetime) -> Q:
    return Q(archived_at__isnull=True) | Q(archived_at__gte=end)


MOMENTS = ("created_at", "started_at", "done_at", "archived_at")


class WidthBucket(Func):
    """PostgreSQL's width_bucket over an array of bounds: how many of them are at or before
    the moment (NULL for none)."""

    function = "width_bucket"
    output_field = IntegerField()


def _moments_by_day(
    cards: CardQuerySet, ends: list[datetime]
) -> Iterable[tuple[int, int | None, int | None, int | None, int]]:
    """The cards grouped by the day each of their ``MOMENTS`` falls in: for each moment, how
    many of the day ends ``ends`` (ascending) it is at or after, so that it is before the
    end of every day from that index on (None for a moment the card has not had); and how
    many cards share them. Counted in the database on PostgreSQL, here on SQLite."""
    if connection.vendor == "postgresql":
        bounds = Value(ends, output_field=ArrayField(DateTimeField()))
        buckets = {f"{name}_day": WidthBucket(name, bounds) for name in MOMENTS}
        return cards.order_by().values(**buckets).annotate(n=Count("pk")).values_list(*buckets, "n")
    counted = Counter(
        tuple(None if moment is None else bisect_right(ends, moment) for moment in moments)
        for moments in cards.values_list(*MOMENTS)
    )
    return [(*days, n) for days, n in counted.items()]


def _banded(
    cards: Iterable[tuple[int, int | None, int | None, int | None, int]], days: int
) -> tuple[list[int], list[int], list[int]]:
    """(waiting, in progress, done) at each of ``days`` day ends, from the cards counted by
    the day of their moments (``_moments_by_day``): each card adds to a band over a run of
    days, summed from where the runs begin and end."""
    runs = {band: [0] * (days + 1) for band in ("todo", "doing", "done")}

    def add(band: str, begin: int, end: int, n: int) -> None:
        if begin < end:
            runs[band][begin] += n
            runs[band][end] -= n

    for created, started, done, archived, n in cards:
        gone = days if archived is None else archived
        started = days if started is None else started
        done = days if done is None else done
        add("todo", created, min(started, done, gone), n)
        add("doing", max(created, started), min(done, gone), n)
        add("done", max(created, done), gone, n)
    return (
        list(accumulate(runs["todo"][:days])),
        list(accumulate(runs["doing"][:days])),
        list(accumulate(runs["done"][:days])),
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
