"""Reads for the KPI dashboards: tiles with their trend, and the cards behind a number."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kanban.models import Card
from opsboard.tenancy.models import Membership, Organization, Team

from .computations import (
    bounds,
    compute_kpis,
    compute_together,
    counted_cards,
    is_finished,
    period_start,
    periods,
    previous_period,
)
from .models import Frequency, Kpi, Measurement, Source
from .requests import TeamRequests, request_figures_by_team
from .scopes import Scope
from .services import computed_measurements_store, rag

TREND_PERIODS = 12
REQUEST_WEEKS = 4  # the dashboard's requests between teams: the four weeks to the day shown


@dataclass
class Tile:
    kpi: Kpi
    period: date  # the period the value is for
    value: Decimal | None
    previous: Decimal | None
    rag: str | None
    series: list[tuple[date, Decimal | None]]

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def sparkline(self) -> str:
        """SVG polyline points for the trend, 100 x 24."""
        values = [v for _p, v in self.series if v is not None]
        if len(values) < 2:
            return ""
        low, high = min(values), max(values)
        span = (high - low) or Decimal(1)
        step = 100 / (len(self.series) - 1)
        points = [
            f"{index * step:.1f},{22 - float((value - low) / span) * 20:.1f}"
            for index, (_period, value) in enumerate(self.series)
            if value is not None
        ]
        return " ".join(points)


def kpi_get_for_user(*, membership: Membership, kpi_id: int) -> Kpi:
    return get_object_or_404(
        Kpi.objects.select_related("organization", "team", "project", "goal", "request_type"),
        organization_id=membership.organization_id,
        pk=kpi_id,
    )


def kpis_for(*, organization: Organization) -> QuerySet[Kpi]:
    """The organisation's KPIs in reading order; ``metrics.filters.KpiFilter`` narrows them."""
    return (
        Kpi.objects.filter(organization=organization)
        .select_related("organization", "team", "project", "goal", "request_type")
        .in_reading_order()
    )


def tiles(kpis: list[Kpi], *, today: date) -> list[Tile]:
    """Each KPI's value for the period containing ``today`` (computed live while it runs, or
    the value entered), the one before, and its trend over the last twelve periods.

    A finished period of a computed KPI is read from what was stored for it (by the nightly
    job, or here the first time it was read: ``computed_measurements_store``); only the
    running period is computed live, on every read.
    """
    oldest = min(
        (periods(k.frequency, period_start(k.frequency, today), TREND_PERIODS)[0] for k in kpis),
        default=today,
    )
    stored: dict[int, dict[date, Decimal | None]] = defaultdict(dict)
    for kpi_id, start, value in Measurement.objects.filter(
        kpi__in=kpis, period_start__gte=oldest
    ).values_list("kpi_id", "period_start", "value"):
        stored[kpi_id][start] = value
    trends = {
        kpi.pk: periods(kpi.frequency, period_start(kpi.frequency, today), TREND_PERIODS)
        for kpi in kpis
    }
    missing = [
        (kpi, start)
        for kpi in kpis
        if kpi.is_computed
        for start in trends[kpi.pk]
        if start not in stored[kpi.pk] and is_finished(kpi.frequency, start, kpi.organization.zone)
    ]
    for (kpi_id, start), value in computed_measurements_store(periods=missing).items():
        stored[kpi_id][start] = value
    running = compute_kpis(
        [
            (kpi, trends[kpi.pk][-1])
            for kpi in kpis
            if kpi.is_computed and trends[kpi.pk][-1] not in stored[kpi.pk]
        ]
    )
    result = []
    for kpi in kpis:
        starts = trends[kpi.pk]
        current = starts[-1]
        values = stored[kpi.pk]
        if (kpi.pk, current) in running:
            values = {**values, current: running[(kpi.pk, current)]}  # the running period
        series = [(start, values.get(start)) for start in starts]
        value, shown_period = values.get(current), current
        if value is None and not kpi.is_computed:
            # Nothing entered for this period yet: show the last value entered.
            entered = [(start, v) for start, v in series if v is not None]
            if entered:
                shown_period, value = entered[-1]
        # Compare with the period before the one shown (in the trend for a computed KPI).
        before = previous_period(kpi.frequency, shown_period)
        previous = values.get(before)
        result.append(Tile(kpi, shown_period, value, previous, rag(kpi, value), series))
    return result


@dataclass
class Drilldown:
    """The cards behind a computed number: counted, and for the on-time rate the late ones apart."""

    counted: list[Card]
    late: list[Card]


# Figures of the work done in the period: their cards are listed in the order they were done.
DONE_SOURCES = frozenset(
    {
        Source.ON_TIME_RATE,
        Source.THROUGHPUT,
        Source.CYCLE_TIME_MEDIAN,
        Source.CYCLE_TIME_P85,
        Source.LEAD_TIME_MEDIAN,
    }
)


def cards_behind(kpi: Kpi, start: date) -> Drilldown | None:
    """The cards the KPI's figure for the period counts (``counted_cards``, the rule the
    tile is computed by), and for the on-time rate the late ones among them."""
    counted = counted_cards(kpi.scope, kpi.source, kpi.frequency, start)
    if counted is None:
        return None
    counted = counted.select_related("board", "assignee", "column")
    if kpi.source in DONE_SOURCES:
        cards = list(counted.order_by("done_at"))
    else:
        cards = list(counted.order_by("due_date", "pk"))
    if kpi.source == Source.ON_TIME_RATE:
        zone = kpi.organization.zone
        return Drilldown(counted=cards, late=[card for card in cards if card.was_late(zone)])
    return Drilldown(counted=cards, late=[])


COMPARED = [
    Source.ON_TIME_RATE,
    Source.THROUGHPUT,
    Source.CYCLE_TIME_MEDIAN,
    Source.OVERDUE_OPEN,
    Source.BLOCKED,
]


@dataclass
class TeamRow:
    team: Team
    cells: list[
        tuple[Kpi, Decimal | None, Decimal | None, str | None]
    ]  # kpi, this period, last period, colour


def team_comparison(*, organization: Organization, today: date) -> tuple[list[Kpi], list[TeamRow]]:
    """The computed KPIs for every team side by side, this week and last. Colours come
    from the organisation-wide KPI of the same kind, when there is one."""
    reference = {
        kpi.source: kpi for kpi in Kpi.objects.filter(organization=organization).organization_wide()
    }
    columns = [
        reference.get(source)
        or Kpi(
            organization=organization,
            source=source,
            target=0,
            amber_threshold=0,
            red_threshold=0,
        )
        for source in COMPARED
    ]
    this_week = period_start(Frequency.WEEKLY, today)
    last_week = previous_period(Frequency.WEEKLY, this_week)
    rows = []
    for team in Team.objects.filter(organization=organization).order_by("name"):
        scope = Scope(organization, team_id=team.pk)
        now = compute_together(scope, COMPARED, Frequency.WEEKLY, this_week)
        before = compute_together(scope, COMPARED, Frequency.WEEKLY, last_week)
        cells = []
        for column in columns:
            kpi = Kpi(
                organization=organization,
                name=column.name,
                source=column.source,
                frequency=Frequency.WEEKLY,
                unit=column.unit,
                decimals=column.decimals,
                direction=column.direction,
                target=column.target,
                amber_threshold=column.amber_threshold,
                red_threshold=column.red_threshold,
                team=team,
            )
            now_value = now[column.source]
            colour = rag(column, now_value) if column.source in reference else None
            cells.append((kpi, now_value, before[column.source], colour))
        rows.append(TeamRow(team, cells))
    return columns, rows


@dataclass
class RequestsBetweenTeams:
    """The dashboard's requests between teams: each team's figures over some weeks."""

    first_day: date
    last_day: date
    teams: list[TeamRequests]


def requests_between_teams(scope: Scope, *, today: date) -> RequestsBetweenTeams:
    """The figures of the requests the scope's teams were sent, per team and request type,
    over the ``REQUEST_WEEKS`` weeks ending with ``today``'s (up to now while it runs)."""
    this_week = period_start(Frequency.WEEKLY, today)
    first_week = this_week - timedelta(weeks=REQUEST_WEEKS - 1)
    begin = bounds(Frequency.WEEKLY, first_week, scope.zone)[0]
    until = bounds(Frequency.WEEKLY, this_week, scope.zone)[2]
    return RequestsBetweenTeams(
        first_day=first_week,
        last_day=scope.organization.day_of(until - timedelta(microseconds=1)),
        teams=request_figures_by_team(scope.requests(), begin, until),
    )
