"""The computed KPIs: each one an aggregate query over the cards of a scope and a period.

Periods are half-open, [start, end), in the organisation's time zone: a week
starts on Monday, a month on its first day. For a period still running, the
"as of" moment for snapshot figures (overdue, work in progress, blocked) is now.
The formulas are in docs/metrics.md and in each tile's tooltip.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Extract, Greatest, Least
from django.utils import timezone

from kanban.models import (
    Card,
    CardEvent,
    CardQuerySet,
    EventKind,
    was_blocked,
    was_open,
    was_overdue,
)
from projects.goals import goal_tracking
from projects.models import CheckIn, Goal, GoalState

from .models import PULSE_MIN_ANSWERS, Frequency, Kpi, PulseAnswer, Source
from .requests import request_figures
from .scopes import Scope

DAY_SECONDS = 86400


def period_start(frequency: str, day: date) -> date:
    if frequency == Frequency.MONTHLY:
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def period_end(frequency: str, start: date) -> date:
    if frequency == Frequency.MONTHLY:
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=7)


def previous_period(frequency: str, start: date) -> date:
    return period_start(frequency, start - timedelta(days=1))


def periods(frequency: str, last: date, count: int) -> list[date]:
    """The ``count`` periods ending with the one that starts on ``last``, oldest first."""
    starts = [last]
    while len(starts) < count:
        starts.append(previous_period(frequency, starts[-1]))
    return starts[::-1]


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont: the value below which ``fraction`` of the rows fall."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: object, fraction: float, **extra: object) -> None:
        super().__init__(expression, fraction=fraction, **extra)


def _percentile(queryset: QuerySet[Card], seconds: object, fraction: float) -> float | None:
    """``PercentileCont`` for SQLite (the zero-configuration `make run`), which has no
    percentile_cont: the durations ordered in the database, the value interpolated here."""
    values = sorted(
        v for v in queryset.annotate(s=seconds).values_list("s", flat=True) if v is not None
    )
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def bounds(
    frequency: str, start: date, zone: zoneinfo.ZoneInfo
) -> tuple[datetime, datetime, datetime]:
    """The period starting on ``start`` as moments in ``zone``: its beginning, its end, and
    the moment snapshot figures are read at (its end, or now for a period still running)."""
    begin = datetime.combine(start, time.min, tzinfo=zone)
    end = datetime.combine(period_end(frequency, start), time.min, tzinfo=zone)
    return begin, end, min(end, timezone.now())


def is_finished(frequency: str, start: date, zone: zoneinfo.ZoneInfo) -> bool:
    """Whether the period starting on ``start`` has ended in ``zone``: its figures no longer
    move with the clock, so they can be computed once and stored."""
    return bounds(frequency, start, zone)[1] <= timezone.now()


def counted_cards(scope: Scope, source: str, frequency: str, start: date) -> CardQuerySet | None:
    """The cards a computed figure counts or measures for the period starting on ``start``:
    what the figure is worked out from, and what its drill-down lists. None for the
    figures not read from cards (goal progress, the pulse, those entered by hand).

    Each is a rule of ``CardQuerySet``: done in the period (those with a due date for the
    on-time rate, those started for the cycle time: ``DONE_COUNTED``); open, overdue or
    blocked as of the period's end, read from the history; blocked at some time in the
    period.
    """
    begin, end, as_of = bounds(frequency, start, scope.zone)
    cards = scope.cards()
    if source in DONE_COUNTED:
        return cards.done_in(begin, end).filter(DONE_COUNTED[source])
    if source in SNAPSHOTS:
        return cards.filter(snapshot_counted(source, as_of, scope.zone))
    if source == Source.BLOCKED_DAYS:
        return cards.blocked_during(begin, as_of)
    return None


# The figures of the work done in a period, and which of the cards done they count.
DONE_COUNTED = {
    Source.ON_TIME_RATE: Q(due_date__isnull=False),
    Source.THROUGHPUT: Q(),
    Source.CYCLE_TIME_MEDIAN: Q(started_at__isnull=False),
    Source.CYCLE_TIME_P85: Q(started_at__isnull=False),
    Source.LEAD_TIME_MEDIAN: Q(),
}
# The counts of cards in a state at the period's end (or now, while it runs).
SNAPSHOTS = (Source.OVERDUE_OPEN, Source.WORK_IN_PROGRESS, Source.BLOCKED)


def snapshot_counted(source: str, as_of: datetime, zone: zoneinfo.ZoneInfo) -> Q:
    """The cards a snapshot figure (of ``SNAPSHOTS``) counts, as a condition: open and
    overdue, open and started, or open and blocked at ``as_of``; each among the cards open
    then (``kanban.models.was_open`` and its kin, the rules of ``CardQuerySet.open_as_of``
    and the like)."""
    if source == Source.OVERDUE_OPEN:
        return was_overdue(as_of, zone)
    if source == Source.WORK_IN_PROGRESS:
        return was_open(as_of) & Q(started_at__lt=as_of)
    return was_blocked(as_of)


# The figures of requests between teams, read from their response clocks and ratings
# (``metrics.requests``), each from the period's figures.
REQUEST_FIGURES = {
    Source.FIRST_RESPONSE_ON_TIME: lambda figures: figures.first_response_rate,
    Source.RESOLUTION_ON_TIME: lambda figures: figures.resolution_rate,
    Source.REQUESTER_SATISFACTION: lambda figures: figures.satisfaction,
}


# The percentiles among them: of the days from which moment to done, and which fraction.
PERCENTILES = {
    Source.CYCLE_TIME_MEDIAN: ("started_at", 0.5),
    Source.CYCLE_TIME_P85: ("started_at", 0.85),
    Source.LEAD_TIME_MEDIAN: ("created_at", 0.5),
}


def compute(kpi: Kpi, start: date) -> Decimal | None:
    """The KPI's value for the period starting on ``start``; None when there is nothing to measure."""
    return compute_for(kpi.scope, kpi.source, kpi.frequency, start)


def compute_kpis(periods: Iterable[tuple[Kpi, date]]) -> dict[tuple[int, date], Decimal | None]:
    """``compute`` of each (KPI, period start), by (KPI id, period start): the KPIs of one
    scope, frequency and period computed together (``compute_together``)."""
    together: dict[tuple[Scope, str, date], list[Kpi]] = defaultdict(list)
    for kpi, start in periods:
        together[(kpi.scope, kpi.frequency, start)].append(kpi)
    values = {}
    for (scope, frequency, start), kpis in together.items():
        figures = compute_together(scope, [kpi.source for kpi in kpis], frequency, start)
        values.update(((kpi.pk, start), figures[kpi.source]) for kpi in kpis)
    return values


def compute_for(scope: Scope, source: str, frequency: str, start: date) -> Decimal | None:
    """A computed figure of ``source`` for a scope and the period of ``frequency`` starting
    on ``start``, as a KPI of that kind computes it (retrospectives ask without a KPI)."""
    return compute_together(scope, [source], frequency, start)[source]


def compute_together(
    scope: Scope, sources: Iterable[str], frequency: str, start: date
) -> dict[str, Decimal | None]:
    """``compute_for`` of several sources for one scope and period, by source: the figures
    of the work done in the period are read together, in one aggregate query over the
    cards done (``_done_figures``), and so are the snapshot counts, whatever their number;
    the request figures from the period's clocks and ratings, in two (``request_figures``)."""
    begin, end, as_of = bounds(frequency, start, scope.zone)
    sources = set(sources)
    values: dict[str, float | None] = {}
    if done := [source for source in sources if source in DONE_COUNTED]:
        values.update(
            _done_figures(
                scope.cards().done_in(begin, end), done, scope.zone, weeks=(end - begin).days / 7
            )
        )
    if snapshots := [source for source in sources if source in SNAPSHOTS]:
        counted = {source: snapshot_counted(source, as_of, scope.zone) for source in snapshots}
        # Each counts cards open at the moment: read those, each figure counting its own.
        counts = (
            scope.cards()
            .filter(was_open(as_of))
            .aggregate(**{f"n_{source}": Count("pk", filter=q) for source, q in counted.items()})
        )
        values.update((source, counts[f"n_{source}"]) for source in snapshots)
    if asked := [source for source in sources if source in REQUEST_FIGURES]:
        figures = request_figures(scope.requests(), begin, as_of)
        values.update((source, REQUEST_FIGURES[source](figures)) for source in asked)
    for source in sources - set(done) - set(snapshots) - set(asked):
        if source == Source.GOAL_PROGRESS:
            values[source] = _goal_progress(scope, scope.organization.day_of(as_of))
        elif source in (Source.PULSE_SATISFACTION, Source.PULSE_NPS):
            values[source] = _pulse(scope, source, start, period_end(frequency, start))
        elif source == Source.BLOCKED_DAYS:
            values[source] = _blocked_days(scope.cards(), begin, as_of)
        else:
            values[source] = None  # entered by hand
    return {
        source: None if value is None else Decimal(str(round(value, 4)))
        for source, value in values.items()
    }


def _done_figures(
    done: CardQuerySet, sources: list[str], zone: zoneinfo.ZoneInfo, *, weeks: float
) -> dict[str, float | None]:
    """The figures of ``sources`` (of ``DONE_COUNTED``) over the cards ``done`` in a period,
    in one aggregate query: each counts or measures its own cards among them (a filtered
    aggregate); on time is ``CardQuerySet.on_time``, the day read in ``zone``."""
    aggregates: dict[str, Aggregate] = {"done": Count("pk")}
    if Source.ON_TIME_RATE in sources:
        with_due = DONE_COUNTED[Source.ON_TIME_RATE]
        aggregates["with_due"] = Count("pk", filter=with_due)
        aggregates["on_time"] = Count(
            "pk", filter=Q(pk__in=done.filter(with_due).on_time(zone).values("pk"))
        )
    in_database = connection.vendor == "postgresql"
    for source in sources:
        if source in PERCENTILES and in_database:
            field, fraction = PERCENTILES[source]
            aggregates[source] = PercentileCont(
                seconds_since(field), fraction, filter=DONE_COUNTED[source]
            )
    counts = done.aggregate(**aggregates)
    values: dict[str, float | None] = {}
    for source in sources:
        if source == Source.ON_TIME_RATE:
            total = counts["with_due"]
            values[source] = None if not total else 100 * counts["on_time"] / total
        elif source == Source.THROUGHPUT:
            values[source] = counts["done"] / weeks
        else:
            field, fraction = PERCENTILES[source]
            seconds = (
                counts[source]
                if in_database
                else _percentile(done.filter(DONE_COUNTED[source]), seconds_since(field), fraction)
            )
            values[source] = None if seconds is None else seconds / DAY_SECONDS
    return values


class JulianDay(Func):
    """SQLite keeps datetimes as text; julianday() reads them as days."""

    function = "julianday"
    output_field = FloatField()


def seconds_since(field: str) -> object:
    """Seconds from ``field`` to done_at, as a database expression."""
    if connection.vendor == "postgresql":
        return Extract(F("done_at") - F(field), "epoch")
    return (JulianDay(F("done_at")) - JulianDay(F(field))) * DAY_SECONDS


def _blocked_days(cards: QuerySet[Card], begin: datetime, as_of: datetime) -> float:
    """Each block (a blocked event until the next unblocked one, or still running) clipped
    to the period, in days, summed in the database."""
    unblocked = (
        CardEvent.objects.filter(
            card=OuterRef("card"), kind=EventKind.UNBLOCKED, at__gt=OuterRef("at")
        )
        .order_by("at")
        .values("at")[:1]
    )
    blocks = (
        CardEvent.objects.filter(card__in=cards, kind=EventKind.BLOCKED, at__lt=as_of)
        .annotate(until=Coalesce(Subquery(unblocked), Value(as_of)))
        .filter(until__gt=begin)
        .annotate(start=Greatest("at", Value(begin)), stop=Least("until", Value(as_of)))
    )
    if connection.vendor == "postgresql":
        seconds = blocks.aggregate(total=Sum(Extract(F("stop") - F("start"), "epoch")))["total"]
    else:
        seconds = blocks.aggregate(
            total=Sum((JulianDay(F("stop")) - JulianDay(F("start"))) * DAY_SECONDS)
        )["total"]
    return float(seconds or 0) / DAY_SECONDS


def pulse_figures(answers: QuerySet[PulseAnswer]) -> tuple[int, float | None, float | None]:
    """(answers, mean satisfaction, NPS) of some pulse answers; the figures stay None
    below PULSE_MIN_ANSWERS, so nobody's answer can be read off them."""
    figures = answers.aggregate(
        count=Count("pk"),
        mean=Avg("satisfaction"),
        promoters=Count("pk", filter=Q(recommend__gte=9)),
        detractors=Count("pk", filter=Q(recommend__lte=6)),
    )
    count = figures["count"]
    if count < PULSE_MIN_ANSWERS:
        return count, None, None
    return count, figures["mean"], 100 * (figures["promoters"] - figures["detractors"]) / count


def _pulse(scope: Scope, source: str, start: date, end: date) -> float | None:
    answers = PulseAnswer.objects.filter(
        organization_id=scope.organization.pk, month__gte=start, month__lt=end
    )
    if scope.team_id:
        answers = answers.filter(team_id=scope.team_id)
    elif scope.project_id:  # how the project's teams were rated
        answers = answers.filter(team__projects=scope.project_id)
    _count, mean, nps = pulse_figures(answers)
    return mean if source == Source.PULSE_SATISFACTION else nps


def _goal_progress(scope: Scope, on: date) -> float | None:
    """The goal's progress in percent, or the mean over the scope's active goals."""
    goals = Goal.objects.filter(organization_id=scope.organization.pk, state=GoalState.ACTIVE)
    if scope.goal_id:
        goals = Goal.objects.filter(pk=scope.goal_id)
    elif scope.project_id:
        goals = goals.filter(project_id=scope.project_id)
    elif scope.team_id:
        goals = goals.filter(team_id=scope.team_id)
    latest = CheckIn.objects.filter(goal=OuterRef("pk"), checked_on__lte=on).order_by(
        "-checked_on", "-created_at"
    )
    annotated = goals.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_confidence=Subquery(latest.values("confidence")[:1]),
    )
    progresses = [
        tracking.progress.fraction
        for goal in annotated
        if (
            tracking := goal_tracking(
                goal,
                latest_value=goal.latest_value,
                latest_confidence=goal.latest_confidence,
                on=on,
            )
        ).progress
    ]
    return None if not progresses else 100 * sum(progresses) / len(progresses)
