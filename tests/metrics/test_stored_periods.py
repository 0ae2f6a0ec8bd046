"""Finished periods read from what was stored, the running one computed live: the same
figures as computing every period live, at whatever moment the suite runs (tests/clock.py).
"""

from __future__ import annotations

import random
import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from kanban.models import Card, CardEvent, EventKind
from metrics import selectors
from metrics.computations import compute, is_finished, period_start, periods
from metrics.models import Frequency, Kpi, Source
from metrics.services import KpiInput, kpi_update, record_computed_kpis
from tests.conftest import Tenant
from tests.factories import ProjectFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
COMPUTED = [source for source in Source.values if source != Source.MANUAL]


def seed_cards(tenant: Tenant, *, count: int = 90) -> None:
    """Cards over the last four months, some moved on the stroke of a local midnight."""
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    board = ProjectFactory(organization=tenant.organization, teams=[tenant.team]).boards.get()
    columns = {column.kind: column for column in board.columns.all()}
    now = timezone.now()
    midnight = datetime.combine(timezone.localdate(now, SHANGHAI), datetime.min.time(), SHANGHAI)
    draw = random.Random(15)  # noqa: S311 - test data, the same every run
    for n in range(count):
        created = now - timedelta(days=draw.uniform(0.1, 120))
        started = created + timedelta(days=draw.uniform(0, 6)) if n % 7 else None
        done = started + timedelta(days=draw.uniform(0.2, 15)) if started and n % 5 else None
        if n % 11 == 0:  # on a local midnight, or a minute before one
            done = midnight - timedelta(days=draw.randint(1, 60), minutes=n % 2)
            started = started or done - timedelta(days=2)
            created = min(created, started)
        if done and done > now:
            done = None
        archived = done + timedelta(days=draw.uniform(1, 20)) if done and n % 4 == 0 else None
        card = Card.objects.create(
            board=board,
            column=columns["done" if done else "doing" if started else "todo"],
            title=f"card {n}",
            team=tenant.team,
            created_at=created,
            started_at=started,
            done_at=done,
            archived_at=archived if archived and archived < now else None,
            due_date=(created + timedelta(days=draw.uniform(2, 20))).date() if n % 3 else None,
        )
        if n % 6 == 0:
            blocked = created + timedelta(days=draw.uniform(0, 10))
            if blocked < now:
                CardEvent.objects.create(card=card, board=board, kind=EventKind.BLOCKED, at=blocked)
                unblocked = blocked + timedelta(days=draw.uniform(0.5, 9))
                if unblocked < now:
                    CardEvent.objects.create(
                        card=card, board=board, kind=EventKind.UNBLOCKED, at=unblocked
                    )


def computed_kpis(tenant: Tenant) -> list[Kpi]:
    return [
        Kpi.objects.create(
            organization=tenant.organization,
            source=source,
            frequency=frequency,
            target=1,
            amber_threshold=1,
            red_threshold=1,
            team=tenant.team if frequency == Frequency.MONTHLY else None,
            position=position,
        )
        for position, (source, frequency) in enumerate(
            (source, frequency) for frequency in Frequency.values for source in COMPUTED
        )
    ]


def trend(kpi: Kpi, today: date) -> list[date]:
    return periods(kpi.frequency, period_start(kpi.frequency, today), selectors.TREND_PERIODS)


@pytest.fixture
def still():
    """The suite's moment, standing still: a running block grows with a ticking clock."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


def test_stored_finished_periods_equal_the_live_figures(tenant: Tenant, client, still) -> None:
    seed_cards(tenant)
    kpis = computed_kpis(tenant)
    today = tenant.organization.today()
    live = {kpi.pk: [(start, compute(kpi, start)) for start in trend(kpi, today)] for kpi in kpis}
    assert any(value is None for series in live.values() for _start, value in series)
    assert any(value for series in live.values() for _start, value in series)

    client.force_login(tenant.viewer.user)
    url = reverse("metrics:dashboard", args=["acme"])
    first = {tile.kpi.pk: tile for tile in client.get(url).context["tiles"]}
    second = {tile.kpi.pk: tile for tile in client.get(url).context["tiles"]}
    for kpi in kpis:
        for tile in (first[kpi.pk], second[kpi.pk]):
            assert tile.series == live[kpi.pk], kpi.source
            assert tile.value == live[kpi.pk][-1][1]
            assert tile.previous == live[kpi.pk][-2][1]
        # Every finished period is stored, empty ones too; the running one never.
        stored = dict(kpi.measurements.values_list("period_start", "value"))
        assert stored == dict(live[kpi.pk][:-1]), kpi.source
        assert not is_finished(kpi.frequency, live[kpi.pk][-1][0], SHANGHAI)

    # The nightly job computes the period that ended last, by the same rule.
    record_computed_kpis(organization=tenant.organization)
    for kpi in kpis:
        stored = dict(kpi.measurements.values_list("period_start", "value"))
        assert stored == dict(live[kpi.pk][:-1])


def test_a_finished_period_is_computed_once(tenant: Tenant, django_assert_num_queries) -> None:
    seed_cards(tenant, count=20)
    [kpi] = [k for k in computed_kpis(tenant) if k.source == Source.THROUGHPUT][:1]
    kpi = Kpi.objects.select_related("organization").get(pk=kpi.pk)
    today = tenant.organization.today()
    # Eleven finished weeks computed and stored in one insert, the running one computed.
    with django_assert_num_queries(1 + 11 + 1 + 1):
        [cold] = selectors.tiles([kpi], today=today)
    with django_assert_num_queries(1 + 1):
        [warm] = selectors.tiles([kpi], today=today)
    assert cold.series == warm.series
    # A gap (the nightly job did not run that week) is filled the next time it is read.
    gap = trend(kpi, today)[-4]
    value = kpi.measurements.get(period_start=gap).value
    kpi.measurements.filter(period_start=gap).delete()
    with django_assert_num_queries(1 + 1 + 1 + 1):
        [filled] = selectors.tiles([kpi], today=today)
    assert filled.series == warm.series
    assert kpi.measurements.get(period_start=gap).value == value


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 30, 0, 30, tzinfo=SHANGHAI),  # Monday in Shanghai, Sunday in UTC
        datetime(2026, 11, 29, 23, 59, tzinfo=SHANGHAI),  # the last minute of a week
        datetime(2027, 1, 1, 0, 5, tzinfo=SHANGHAI),  # a new year, a new month and week running
    ],
    ids=["monday-0030", "sunday-2359", "new-year"],
)
def test_the_period_that_just_ended_is_stored_and_the_running_one_is_not(
    tenant: Tenant, moment: datetime
) -> None:
    with time_machine.travel(moment, tick=False):
        seed_cards(tenant, count=40)
        kpis = computed_kpis(tenant)
        today = tenant.organization.today()
        tiles = selectors.tiles(kpis, today=today)
        for kpi, tile in zip(kpis, tiles, strict=True):
            running = period_start(kpi.frequency, today)
            assert tile.series[-1][0] == running
            assert not kpi.measurements.filter(period_start=running).exists()
            finished = dict(kpi.measurements.values_list("period_start", "value"))
            assert sorted(finished) == [start for start, _value in tile.series[:-1]]
    # A minute later the week is over: it is stored, with the figure it had then.
    with time_machine.travel(moment + timedelta(days=1), tick=False):
        later = selectors.tiles(kpis, today=tenant.organization.today())
        for kpi, before, after in zip(kpis, tiles, later, strict=True):
            if before.series[-1][0] == after.series[-2][0]:
                assert kpi.measurements.get(period_start=before.series[-1][0]).value == (
                    compute(kpi, before.series[-1][0])
                )


def test_a_changed_definition_drops_the_values_of_the_old_figure(tenant: Tenant) -> None:
    seed_cards(tenant, count=20)
    [throughput] = [k for k in computed_kpis(tenant) if k.source == Source.THROUGHPUT][:1]
    today = tenant.organization.today()
    selectors.tiles([throughput], today=today)
    data = {
        "source": Source.THROUGHPUT,
        "frequency": throughput.frequency,
        "target": Decimal(5),
        "amber_threshold": Decimal(4),
        "red_threshold": Decimal(2),
    }
    kpi_update(actor=tenant.manager, kpi=throughput, data=KpiInput(**data))
    assert throughput.measurements.count() == 11  # a new target: the figures stand
    data |= {"source": Source.LEAD_TIME_MEDIAN, "target": Decimal(2), "red_threshold": 5,
             "amber_threshold": Decimal(3), "direction": "decrease", "unit": "days"}  # fmt: skip
    kpi_update(actor=tenant.manager, kpi=throughput, data=KpiInput(**data))
    assert not throughput.measurements.exists()
    [tile] = selectors.tiles([throughput], today=today)
    assert tile.series == [
        (start, compute(throughput, start)) for start in trend(throughput, today)
    ]
