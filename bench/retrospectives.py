"""How the monthly retrospective job scales with the number of projects.

Seeds one organisation (Asia/Shanghai) of 1,000 active projects, each with a
board of 20 cards made in October: 12 done (3 of them late), 8 open (2
overdue, 2 blocked), Accountable and Responsible on half of them, a goal with
a check-in, and the owner and ten team leads to mail. Then runs the whole job
on the first working day of November (build, claim two emails per project,
enqueue them on Redis db 12), and once more for the same moment, which must
build and claim nothing. Prints the time, the queries and the queries per
project of each.

    cd bench && ../.venv/bin/python retrospectives.py
"""

from __future__ import annotations

import time
import zoneinfo
from datetime import date, datetime

import redis
from common import throwaway_database
from django.db import connection
from django.test import override_settings

from kanban.models import Card, CardEvent, EventKind
from metrics.retrospectives.schedule import build_retrospectives
from opsboard.accounts.models import User
from opsboard.notify.models import Notification
from projects.models import (
    CheckIn,
    Goal,
    Membership,
    Organization,
    Project,
    ProjectStatus,
    Role,
    Team,
)
from raci.models import RaciAssignment, RaciRole

PROJECTS = 1_000
QUEUE = "redis://127.0.0.1:6379/12"  # emptied before and after
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)


def at(day: int) -> datetime:
    return datetime(2026, 10, day, 10, tzinfo=SHANGHAI)


def seed() -> Organization:
    organization = Organization.objects.create(name="Bench", slug="bench", timezone="Asia/Shanghai")
    people = User.objects.bulk_create(
        User(email=f"p{n}@bench.test", full_name=f"Person {n}") for n in range(50)
    )
    Membership.objects.bulk_create(
        Membership(organization=organization, user=user, role=Role.LEAD) for user in people
    )
    teams = [
        Team.objects.create(organization=organization, name=f"Team {n}", lead=people[n])
        for n in range(10)
    ]
    cards, goals = [], []
    for n in range(PROJECTS):
        project = Project.objects.create(
            organization=organization, name=f"Project {n}", owner=people[10 + n % 40],
            start_date=date(2026, 9, 1), due_date=date(2027, 3, 31), status=ProjectStatus.ACTIVE,
        )  # fmt: skip
        Project.objects.filter(pk=project.pk).update(
            created_at=datetime(2026, 9, 1, tzinfo=SHANGHAI)
        )
        project.teams.set([teams[n % 10], teams[(n + 1) % 10]])
        board = project.boards.get()
        todo, _doing, done = board.columns.order_by("position")
        for k in range(20):
            finished = k < 12
            cards.append(
                Card(
                    board=board, column=done if finished else todo, title=f"Card {n}.{k}",
                    rank=k, created_at=at(1 + k % 5), started_at=at(3 + k % 5) if finished else None,
                    done_at=at(10 + k) if finished else None,
                    due_date=date(2026, 10, 8 + k) if k % 4 != 3 else date(2026, 10, 12),
                    blocked=k in (18, 19), blocked_at=at(25) if k in (18, 19) else None,
                    blocked_reason="Waiting" if k in (18, 19) else "",
                )
            )  # fmt: skip
        goals.append(
            Goal(
                organization=organization, project=project, title=f"Goal {n}", baseline=20,
                target=17, start_date=date(2026, 9, 1), due_date=date(2027, 2, 28),
            )
        )  # fmt: skip
    Card.objects.bulk_create(cards, batch_size=2000)
    Goal.objects.bulk_create(goals)
    CheckIn.objects.bulk_create(
        CheckIn(goal=goal, value=19, checked_on=date(2026, 10, 15)) for goal in goals
    )
    blocked = [card for card in cards if card.blocked]
    CardEvent.objects.bulk_create(
        CardEvent(card=card, board_id=card.board_id, kind=EventKind.BLOCKED, at=at(25))
        for card in blocked
    )
    RaciAssignment.objects.bulk_create(
        [
            RaciAssignment(card=card, role=role, user=people[(index + offset) % 50])
            for index, card in enumerate(cards)
            if index % 2 == 0
            for offset, role in enumerate((RaciRole.ACCOUNTABLE, RaciRole.RESPONSIBLE))
        ],
        batch_size=5000,
    )
    return organization


def main() -> None:
    with throwaway_database():
        start = time.perf_counter()
        organization = seed()
        print(
            f"seeded {PROJECTS:,} projects, {Card.objects.count():,} cards in {time.perf_counter() - start:.0f} s"
        )
        broker = redis.Redis.from_url(QUEUE)
        broker.flushdb()
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=QUEUE):
            for label in ("build", "again"):
                queries = [0]

                def count(execute, sql, params, many, context, queries=queries):
                    queries[0] += 1
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(count):
                    start = time.perf_counter()
                    built = build_retrospectives(now=NOW)
                    elapsed = time.perf_counter() - start
                print(
                    f"  {label}: {elapsed:,.1f} s, {queries[0]:,} queries"
                    f" ({queries[0] / PROJECTS:.1f} per project), {len(built):,} built,"
                    f" {Notification.objects.filter(organization_id=organization.pk).count():,}"
                    f" emails claimed, {broker.llen('celery'):,} deliveries queued"
                )
        broker.flushdb()


if __name__ == "__main__":
    main()
