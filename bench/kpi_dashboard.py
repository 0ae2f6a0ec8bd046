"""The KPI dashboard of an organisation with 50,000 cards and two years of history.

Seeds 10 boards of 5,000 cards done over the last two years (and a few
hundred open), eight KPIs with 104 weeks of stored values, then prints the
first read of a day (in a process already warm), and the dashboard's queries,
median and 95th percentile, alternately with the same page counting every
finished day of its charts again (the cache emptied before each read), and
PostgreSQL's plan for the cards done in a week, to show it reads an index
rather than every card.

    .venv/bin/python bench/kpi_dashboard.py
"""

from __future__ import annotations

import math
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from common import Client, throwaway_database
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kanban.models import Card
from kanban.ranks import STEP
from metrics.computations import period_start, periods
from metrics.models import Frequency, Kpi, Measurement, Source
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.models import Direction, Project

CARDS = 50_000
BOARDS = 10
RUNS = 20


def seed() -> User:
    random.seed(7)
    organization = Organization.objects.create(name="Big", slug="big", timezone="Asia/Shanghai")
    manager = User.objects.create(email="manager@big.test")
    Membership.objects.create(organization=organization, user=manager, role=Role.MANAGER)
    teams = Team.objects.bulk_create(
        Team(organization=organization, name=f"Team {n}") for n in range(BOARDS)
    )
    now = timezone.now()
    for n in range(BOARDS):
        project = Project.objects.create(
            organization=organization,
            name=f"P{n}",
            start_date=(now - timedelta(days=730)).date(),
            due_date=now.date(),
        )
        board = project.boards.get()
        columns = {c.kind: c for c in board.columns.all()}
        batch = []
        for i in range(CARDS // BOARDS):
            created = now - timedelta(days=random.uniform(1, 730))
            started = created + timedelta(days=random.uniform(0, 5))
            done = started + timedelta(days=random.uniform(0.5, 12))
            is_open = i % 50 == 0 or done > now
            batch.append(
                Card(
                    board=board,
                    column=columns["doing" if is_open else "done"],
                    rank=STEP * (i + 1),
                    title=f"Card {n}-{i}",
                    team=teams[n],
                    created_at=created,
                    started_at=started,
                    done_at=None if is_open else done,
                    due_date=(created + timedelta(days=random.uniform(3, 14))).date()
                    if i % 3
                    else None,
                )
            )
        Card.objects.bulk_create(batch, batch_size=2000)
    sources = [Source.ON_TIME_RATE, Source.THROUGHPUT, Source.CYCLE_TIME_MEDIAN, Source.CYCLE_TIME_P85,
               Source.LEAD_TIME_MEDIAN, Source.OVERDUE_OPEN, Source.WORK_IN_PROGRESS, Source.BLOCKED]  # fmt: skip
    weeks = periods(Frequency.WEEKLY, period_start(Frequency.WEEKLY, now.date()), 105)[:-1]
    for source in sources:
        kpi = Kpi.objects.create(organization=organization, name=source, source=source, direction=Direction.INCREASE,
                                 target=90, amber_threshold=90, red_threshold=75)  # fmt: skip
        Measurement.objects.bulk_create(
            Measurement(kpi=kpi, period_start=week, value=Decimal(random.randint(50, 100)))
            for week in weeks
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return manager


def main() -> None:
    with throwaway_database():
        start = time.perf_counter()
        manager = seed()
        print(f"seeded {Card.objects.count():,} cards in {time.perf_counter() - start:.0f} s")
        client = Client()
        client.force_login(manager)
        # Warm the process (templates, URLs, the ORM's first queries) on a team's dashboard,
        # whose kept days are not the organisation's, so the first read below measures the
        # page's own first read of a day, not the process starting.
        team = Team.objects.filter(organization__slug="big").first()
        assert client.get(f"/o/big/kpis/?team={team.pk}").status_code == 200
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            client.get("/o/big/kpis/")
            cold = (time.perf_counter() - begin) * 1000
        print(
            f"first read of the day (no finished day kept yet, the process warm): "
            f"{len(captured)} queries, {cold:.1f} ms"
        )
        # Alternately: the page as served (finished days kept) and the same page with the
        # cache emptied before each read, every finished day of the flow counted again.
        timings: dict[str, list[float]] = {"kept": [], "counted": []}
        counts = {}
        for _ in range(RUNS):
            for name in timings:
                if name == "counted":
                    cache.clear()
                with CaptureQueriesContext(connection) as captured:
                    begin = time.perf_counter()
                    assert client.get("/o/big/kpis/").status_code == 200
                    timings[name].append((time.perf_counter() - begin) * 1000)
                counts[name] = len(captured)
        for name, label in (
            ("kept", "dashboard"),
            ("counted", "reference, finished days and weeks counted anew"),
        ):
            ordered = sorted(timings[name])
            print(
                f"{label}: {counts[name]} queries, median {statistics.median(ordered):.1f} ms, "
                f"p95 {ordered[math.ceil(len(ordered) * 0.95) - 1]:.1f} ms"
            )
        ratio = statistics.median(timings["kept"]) / statistics.median(timings["counted"])
        print(f"ratio, median: {ratio:.2f}")
        with CaptureQueriesContext(connection) as captured:
            client.get("/o/big/kpis/")
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        print(f"slowest query: {float(slowest['time']) * 1000:.1f} ms, {slowest['sql'][:100]}")
        kpi = Kpi.objects.get(source=Source.ON_TIME_RATE)
        now = timezone.now()
        done = kpi.scope.cards().done_in(now - timedelta(days=7), now)
        print("plan for the cards done in a week:")
        print(done.explain())


if __name__ == "__main__":
    main()
