"""The computed KPIs: each one an aggregate query over the cards of a scope and a period.

Periods are half-open, [start, end), in the organisation's time zone: a week
starts on Monday, a month on its first day. For a period still running, the
"as of" moment for snapshot figures (overdue, work in progress, blocked) is now.
The formulas are in docs/metrics.md and in each tile's tooltip.
"""

from __future__ import annotations

import zoneinfo
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
from django.db.models.functions import Coalesce, Extract, Greatest, Least, TruncDate
from django.utils import timezone

from kanban.models import Card, CardEvent, EventKind
from projects.goals import goal_tracking
from projects.models import CheckIn, Goal, GoalState

from .models import PULSE_MIN_ANSWERS, Frequency, Kpi, PulseAnswer, Source

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

    def __init__(self, expression: object, fraction: float) -> None:
        super().__init__(expression, fraction=fraction)


def _percentile(queryset: QuerySet[Card], seconds: object, fraction: float) -> float | None:
    if connection.vendor == "postgresql":
        return queryset.aggregate(value=PercentileCont(seconds, fraction))["value"]
    # SQLite (the zero-configuration `make run`) has no percentile_cont: order the
    # durations in the database and read the interpolated value from the list.
    values = sorted(
        v for v in queryset.annotate(s=seconds).values_list("s", flat=True) if v is not None
    )
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def scope_cards(kpi: Kpi) -> QuerySet[Card]:
    cards = Card.objects.filter(board__organization_id=kpi.organization_id)
    if kpi.team_id:
        cards = cards.filter(team_id=kpi.team_id)
    if kpi.project_id:
        cards = cards.filter(board__project_id=kpi.project_id)
    if kpi.goal_id:
        cards = cards.filter(goal_id=kpi.goal_id)
    return cards


def _bounds(kpi: Kpi, start: date, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime, datetime]:
    begin = datetime.combine(start, time.min, tzinfo=zone)
    end = datetime.combine(period_end(kpi.frequency, start), time.min, tzinfo=zone)
    return begin, end, min(end, timezone.now())


def open_at(cards: QuerySet[Card], moment: datetime) -> QuerySet[Card]:
    """Cards that existed at ``moment`` and were neither done nor archived then."""
    return cards.filter(created_at__lt=moment).filter(
        Q(done_at__isnull=True) | Q(done_at__gte=moment),
        Q(archived_at__isnull=True) | Q(archived_at__gte=moment),
    )


def compute(kpi: Kpi, start: date) -> Decimal | None:
    """The KPI's value for the period starting on ``start``; None when there is nothing to measure."""
    zone = zoneinfo.ZoneInfo(kpi.organization.timezone)
    begin, end, as_of = _bounds(kpi, start, zone)
    cards = scope_cards(kpi)
    done = cards.filter(done_at__gte=begin, done_at__lt=end)
    source = kpi.source
    value: float | None
    if source == Source.ON_TIME_RATE:
        total, on_time = _on_time_counts(done, zone)
        value = None if not total else 100 * on_time / total
    elif source == Source.THROUGHPUT:
        weeks = (end - begin).days / 7
        value = done.count() / weeks
    elif source in (Source.CYCLE_TIME_MEDIAN, Source.CYCLE_TIME_P85):
        seconds = seconds_since("started_at")
        fraction = 0.5 if source == Source.CYCLE_TIME_MEDIAN else 0.85
        result = _percentile(done.filter(started_at__isnull=False), seconds, fraction)
        value = None if result is None else result / DAY_SECONDS
    elif source == Source.LEAD_TIME_MEDIAN:
        seconds = seconds_since("created_at")
        result = _percentile(done, seconds, 0.5)
        value = None if result is None else result / DAY_SECONDS
    elif source == Source.OVERDUE_OPEN:
        value = open_at(cards, as_of).filter(due_date__lt=as_of.astimezone(zone).date()).count()
    elif source == Source.WORK_IN_PROGRESS:
        value = open_at(cards, as_of).filter(started_at__lt=as_of).count()
    elif source == Source.BLOCKED:
        last_block_event = (
            CardEvent.objects.filter(
                card=OuterRef("pk"), kind__in=[EventKind.BLOCKED, EventKind.UNBLOCKED], at__lt=as_of
            )
            .order_by("-at", "-pk")
            .values("kind")[:1]
        )
        value = (
            open_at(cards, as_of)
            .annotate(last=Subquery(last_block_event))
            .filter(last=EventKind.BLOCKED)
            .count()
        )
    elif source == Source.BLOCKED_DAYS:
        value = _blocked_days(cards, begin, as_of)
    elif source == Source.GOAL_PROGRESS:
        value = _goal_progress(kpi, as_of.astimezone(zone).date())
    elif source in (Source.PULSE_SATISFACTION, Source.PULSE_NPS):
        value = _pulse(kpi, start, period_end(kpi.frequency, start))
    else:
        return None
    return None if value is None else Decimal(str(round(value, 4)))


def _on_time_counts(done: QuerySet[Card], zone: zoneinfo.ZoneInfo) -> tuple[int, int]:
    """(cards done with a due date, of those done on or before it), the day read in ``zone``."""
    counts = (
        done.filter(due_date__isnull=False)
        .annotate(done_day=TruncDate("done_at", tzinfo=zone))
        .aggregate(total=Count("pk"), on_time=Count("pk", filter=Q(done_day__lte=F("due_date"))))
    )
    return counts["total"], counts["on_time"]


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


def _pulse(kpi: Kpi, start: date, end: date) -> float | None:
    answers = PulseAnswer.objects.filter(
        organization_id=kpi.organization_id, month__gte=start, month__lt=end
    )
    if kpi.team_id:
        answers = answers.filter(team_id=kpi.team_id)
    elif kpi.project_id:  # how the project's teams were rated
        answers = answers.filter(team__projects=kpi.project_id)
    _count, mean, nps = pulse_figures(answers)
    return mean if kpi.source == Source.PULSE_SATISFACTION else nps


def _goal_progress(kpi: Kpi, on: date) -> float | None:
    """The goal's progress in percent, or the mean over the scope's active goals."""
    goals = Goal.objects.filter(organization_id=kpi.organization_id, state=GoalState.ACTIVE)
    if kpi.goal_id:
        goals = Goal.objects.filter(pk=kpi.goal_id)
    elif kpi.project_id:
        goals = goals.filter(project_id=kpi.project_id)
    elif kpi.team_id:
        goals = goals.filter(team_id=kpi.team_id)
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
