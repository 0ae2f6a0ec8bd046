"""The cumulative flow's finished days kept in the cache, the running day counted live:
the same chart as counting every day, until a late change reaches it the next day."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import time_machine
from django.utils import timezone

from kanban.models import Card
from metrics.flow import (
    cumulative_flow,
    cycle_times,
    scope_cycle_times,
    scope_flow,
    scope_throughput,
    weekly_throughput,
)
from metrics.scopes import Scope
from tests.conftest import Tenant
from tests.metrics.test_stored_periods import SHANGHAI, seed_cards


def test_the_flow_read_from_the_cache_equals_the_live_flow(
    tenant: Tenant, django_assert_num_queries
) -> None:
    seed_cards(tenant)
    scope, today = Scope(tenant.organization), tenant.organization.today()
    live = cumulative_flow(scope.cards(), today=today, days=56, zone=SHANGHAI)
    assert scope_flow(scope, today=today, days=56) == live
    with django_assert_num_queries(1):  # the day still running
        assert scope_flow(scope, today=today, days=56) == live
    # An earlier period's chart has no running day: nothing to count once it is kept.
    earlier = today - timedelta(days=30)
    assert scope_flow(scope, today=earlier, days=56) == cumulative_flow(
        scope.cards(), today=earlier, days=56, zone=SHANGHAI
    )
    with django_assert_num_queries(0):
        scope_flow(scope, today=earlier, days=56)


def test_a_late_change_to_old_cards_reaches_the_flow_the_next_day(tenant: Tenant) -> None:
    seed_cards(tenant)
    scope, today = Scope(tenant.organization), tenant.organization.today()
    before = scope_flow(scope, today=today, days=56)
    card = Card.objects.filter(
        done_at__lt=timezone.now() - timedelta(days=10), archived_at__isnull=True
    ).first()
    Card.objects.filter(pk=card.pk).update(done_at=None)  # reopened
    assert cumulative_flow(scope.cards(), today=today, days=56, zone=SHANGHAI) != before
    # The finished days stand for the rest of the day; the running day counts it now.
    kept = scope_flow(scope, today=today, days=56)
    assert kept.done[:-1] == before.done[:-1]
    assert kept.done[-1] == before.done[-1] - 1
    tomorrow = today + timedelta(days=1)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert scope_flow(scope, today=tomorrow, days=56) == cumulative_flow(
            scope.cards(), today=tomorrow, days=56, zone=SHANGHAI
        )


def test_the_weekly_throughput_keeps_its_finished_weeks(
    tenant: Tenant, django_assert_num_queries
) -> None:
    seed_cards(tenant)
    scope, today = Scope(tenant.organization), tenant.organization.today()
    live = weekly_throughput(scope.cards(), today=today, weeks=12, zone=SHANGHAI)
    assert sum(n for _week, n in live) > 0
    assert scope_throughput(scope, today=today, weeks=12) == live
    with django_assert_num_queries(1):  # the week still running
        assert scope_throughput(scope, today=today, weeks=12) == live
    earlier = today - timedelta(weeks=5)
    assert scope_throughput(scope, today=earlier, weeks=12) == weekly_throughput(
        scope.cards(), today=earlier, weeks=12, zone=SHANGHAI
    )
    with django_assert_num_queries(0):
        scope_throughput(scope, today=earlier, weeks=12)


def test_the_cycle_times_keep_the_cards_done_before_today(
    tenant: Tenant, django_assert_num_queries
) -> None:
    seed_cards(tenant)
    board = Card.objects.first().board
    now = timezone.now()
    Card.objects.create(
        board=board,
        column=board.columns.get(kind="done"),
        title="done today",
        created_at=now - timedelta(days=3),
        started_at=now - timedelta(days=2),
        done_at=now,
    )
    scope, today = Scope(tenant.organization), tenant.organization.today()
    since = datetime.combine(today - timedelta(weeks=12), time.min, tzinfo=SHANGHAI)
    for limit in (3, 500):  # the latest few, and all of them
        live = cycle_times(scope.cards(), since=since, zone=SHANGHAI, limit=limit)
        assert len(live) == 3 or len(live) > 10
        assert live[-1][2] == "done today"
        assert scope_cycle_times(scope, since=since, limit=limit) == live
        with django_assert_num_queries(1):  # the cards done today
            assert scope_cycle_times(scope, since=since, limit=limit) == live


def test_each_day_counted_alone_equals_the_days_counted_together(tenant: Tenant) -> None:
    """The running day alone is counted by conditions, several days by grouping the cards
    by the day of their moments: the same rule, the same bands, midnights and archived
    cards included."""
    seed_cards(tenant)
    scope, today = Scope(tenant.organization), tenant.organization.today()
    together = cumulative_flow(scope.cards(), today=today, days=56, zone=SHANGHAI)
    assert any(together.todo) and any(together.doing) and any(together.done)
    for index, day in enumerate(together.days):
        alone = cumulative_flow(scope.cards(), today=day, days=1, zone=SHANGHAI)
        assert (alone.todo, alone.doing, alone.done) == (
            [together.todo[index]],
            [together.doing[index]],
            [together.done[index]],
        ), day
