"""How the weekly digest job scales with its recipients.

Seeds one organisation with 500 teams of 20 team leads each (10,000 recipients),
two KPIs per team (one entered by hand with twelve weeks of values, one computed:
throughput), an organisation-wide KPI, 20 cards per team (done last week, overdue,
blocked, open) and an active goal per team. Then runs the job on a Monday morning:
planning alone, then the whole job (plan, claim each ledger row with its rendered
email, enqueue the delivery on Redis db 11), then the same moment again. Prints time
and queries, and queries per recipient.

    .venv/bin/python bench/digest.py
"""

from __future__ import annotations

import time
import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

import redis
from common import throwaway_database
from django.db import connection
from django.test import override_settings

from kanban.models import Card
from metrics.digest import plan_digests, send_weekly_digests
from metrics.models import Kpi, Measurement, Source
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.models import Direction, Goal, GoalState, Project

TEAMS = 500
LEADS_PER_TEAM = 20
QUEUE = "redis://127.0.0.1:6379/11"  # emptied before and after
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)


def seed() -> Organization:
    organization = Organization.objects.create(
        name="Bench digest", slug="bench-digest", timezone="Asia/Shanghai"
    )
    teams = Team.objects.bulk_create(
        Team(organization=organization, name=f"Team {n}") for n in range(TEAMS)
    )
    users = User.objects.bulk_create(
        User(email=f"lead{n}@bench.test", full_name=f"Lead {n}")
        for n in range(TEAMS * LEADS_PER_TEAM)
    )
    memberships = Membership.objects.bulk_create(
        Membership(organization=organization, user=user, role=Role.LEAD) for user in users
    )
    Membership.teams.through.objects.bulk_create(
        Membership.teams.through(membership_id=membership.pk, team_id=teams[n // LEADS_PER_TEAM].pk)
        for n, membership in enumerate(memberships)
    )
    project = Project.objects.create(
        organization=organization,
        name="Everything",
        start_date=date(2026, 1, 1),
        due_date=date(2026, 12, 31),
    )
    project.teams.set(teams)
    board = project.boards.get()
    todo, _doing, done = board.columns.order_by("position")
    week = datetime(2026, 11, 16, 12, tzinfo=SHANGHAI)
    cards = []
    for team in teams:
        for n in range(20):
            kind = n % 4
            cards.append(
                Card(
                    board=board,
                    column=done if kind == 0 else todo,
                    rank=n,
                    title=f"{team.name} card {n}",
                    team=team,
                    done_at=week + timedelta(days=n % 5) if kind == 0 else None,
                    due_date=date(2026, 11, 10) if kind == 1 else date(2026, 12, 20),
                    blocked=kind == 2,
                    blocked_at=week if kind == 2 else None,
                )
            )
    Card.objects.bulk_create(cards, batch_size=2000)
    kpis = []
    for team in teams:
        kpis.append(
            Kpi(
                organization=organization,
                name=f"{team.name} churn",
                team=team,
                direction=Direction.DECREASE,
                target=17,
                amber_threshold=18,
                red_threshold=19,
            )
        )
        kpis.append(
            Kpi(
                organization=organization,
                name=f"{team.name} throughput",
                team=team,
                source=Source.THROUGHPUT,
                unit="count",
                decimals=0,
                target=5,
                amber_threshold=5,
                red_threshold=2,
            )
        )
    kpis.append(
        Kpi(
            organization=organization,
            name="On-time rate",
            source=Source.ON_TIME_RATE,
            target=90,
            amber_threshold=90,
            red_threshold=80,
        )
    )
    kpis = Kpi.objects.bulk_create(kpis)
    Measurement.objects.bulk_create(
        Measurement(
            kpi=kpi, period_start=date(2026, 11, 16) - timedelta(weeks=w), value=Decimal(17 + w % 3)
        )
        for kpi in kpis
        if kpi.source == Source.MANUAL
        for w in range(12)
    )
    Goal.objects.bulk_create(
        Goal(
            organization=organization,
            team=team,
            title=f"{team.name} goal",
            statement="s",
            metric_name="m",
            unit="percent",
            direction=Direction.DECREASE,
            baseline=20,
            target=17,
            decimals=1,
            confidence=4,
            start_date=date(2026, 10, 1),
            due_date=date(2026, 12, 31),
            state=GoalState.ACTIVE,
        )
        for team in teams
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return organization


def timed(label: str, job, recipients: int | None = None) -> list:
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        result = job()
        elapsed = time.perf_counter() - start
    people = recipients or len(result) or 1
    print(
        f"{label:<24} {elapsed:>7.1f} s {queries:>7,} queries {len(result):>7,} digests"
        f"  {queries / people:.2f} queries and {elapsed * 1000 / people:.1f} ms a recipient"
    )
    return result


def main() -> None:
    with throwaway_database():
        start = time.perf_counter()
        seed()
        print(
            f"seeded {TEAMS} teams, {TEAMS * LEADS_PER_TEAM:,} leads in {time.perf_counter() - start:.0f} s"
        )
        broker = redis.Redis.from_url(QUEUE)
        broker.flushdb()
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=QUEUE):
            planned = timed("plan", lambda: plan_digests(now=MONDAY))
            timed("plan + claim + enqueue", lambda: send_weekly_digests(now=MONDAY))
            print(f"{'deliveries queued':<28} {broker.llen('celery'):>8,}")
            timed("the same moment again", lambda: send_weekly_digests(now=MONDAY), len(planned))
        broker.flushdb()


if __name__ == "__main__":
    main()
