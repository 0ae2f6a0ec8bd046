"""My work in an organisation of 100,000 cards, 300 of them the reader's.

Seeds 20 boards of 5,000 cards (most done, some open, some overdue or blocked), the
reader's 300 spread over them (overdue, due soon, blocked, in progress, to do), 100 of a
colleague's cards the reader is Accountable for, 300 cards the reader follows with a
colleague's moves and comments since they last looked, 50 mentions, 20 goals they own
and eight KPIs (six entered, two computed from the cards), then prints the page's and
the API's queries, median and 95th percentile, and PostgreSQL's plan for the reader's
cards.

    .venv/bin/python bench/my_work.py
"""

from __future__ import annotations

import math
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from common import Client, throwaway_database
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kanban.models import Card, CardEvent, CardFollower, Comment, EventKind, Mention
from kanban.ranks import STEP
from metrics.computations import period_start, periods
from metrics.models import Frequency, Kpi, Measurement, Source
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.models import CheckIn, Direction, Goal, GoalState, Project
from projects.my_work import _sources, ask_for
from raci.models import RaciAssignment, RaciRole

CARDS = 100_000
BOARDS = 20
MINE = 300
ACCOUNTABLE = 100
FOLLOWED = 300
MENTIONS = 50
GOALS = 20
RUNS = 30


def seed() -> User:
    random.seed(7)
    organization = Organization.objects.create(name="Big", slug="big", timezone="Asia/Shanghai")
    me = User.objects.create(email="lead@big.test", full_name="Wang Fang 王芳")
    colleague = User.objects.create(email="member@big.test", full_name="Zhang Wei 张伟")
    teams = Team.objects.bulk_create(
        Team(organization=organization, name=f"Team {n}") for n in range(BOARDS)
    )
    mine = Membership.objects.create(organization=organization, user=me, role=Role.LEAD)
    mine.teams.set(teams[:2])
    theirs = Membership.objects.create(organization=organization, user=colleague, role=Role.MEMBER)
    theirs.teams.set(teams[:2])
    now = timezone.now()
    today = organization.today()
    mine_left, accountable_left = MINE, ACCOUNTABLE
    for n in range(BOARDS):
        project = Project.objects.create(
            organization=organization,
            name=f"P{n}",
            start_date=today - timedelta(days=365),
            due_date=today + timedelta(days=90),
        )
        board = project.boards.get()
        columns = {c.kind: c for c in board.columns.all()}
        batch = []
        for i in range(CARDS // BOARDS):
            created = now - timedelta(days=random.uniform(1, 365))
            is_open = i % 10 == 0
            assignee = None
            if is_open and mine_left and i % 20 == 0:
                assignee, mine_left = me, mine_left - 1
            elif is_open:
                assignee = colleague
            kind = "doing" if is_open and i % 30 == 0 else "todo" if is_open else "done"
            batch.append(
                Card(
                    board=board,
                    column=columns[kind],
                    rank=STEP * (i + 1),
                    title=f"Card {n}-{i}",
                    team=teams[n],
                    assignee=assignee,
                    created_at=created,
                    done_at=None if is_open else created + timedelta(days=3),
                    due_date=today + timedelta(days=random.randint(-10, 20)) if i % 3 else None,
                    blocked=is_open and i % 70 == 0,
                    blocked_at=now - timedelta(days=random.randint(0, 6))
                    if is_open and i % 70 == 0
                    else None,
                )
            )
        cards = Card.objects.bulk_create(batch, batch_size=2000)
        accountable = [c for c in cards if c.assignee_id == colleague.pk][: ACCOUNTABLE // BOARDS]
        RaciAssignment.objects.bulk_create(
            RaciAssignment(card=c, role=RaciRole.ACCOUNTABLE, user=me) for c in accountable
        )
        accountable_left -= len(accountable)
    assert mine_left == 0, mine_left
    # What the reader follows: their own cards, with a colleague's moves and comments since.
    followed = list(Card.objects.filter(assignee=me)[:FOLLOWED])
    last_seen = now - timedelta(days=3)
    CardFollower.objects.bulk_create(
        CardFollower(
            card=card,
            user=me,
            reason="assignee",
            since=now - timedelta(days=30),
            last_seen_at=last_seen,
        )
        for card in followed
    )
    CardEvent.objects.bulk_create(
        CardEvent(
            card=card,
            board_id=card.board_id,
            kind=EventKind.MOVED,
            actor=colleague,
            at=now - timedelta(hours=random.randint(1, 60)),
            from_kind="todo",
            to_kind="doing",
        )
        for card in followed
    )
    comments = Comment.objects.bulk_create(
        Comment(
            card=card,
            author=colleague,
            body=f"@[Wang Fang 王芳](user:{me.pk}) see {n}",
            created_at=now - timedelta(hours=random.randint(1, 60)),
        )
        for n, card in enumerate(followed)
    )
    Mention.objects.bulk_create(
        Mention(card=c.card, comment=c, user=me, author=colleague, created_at=c.created_at)
        for c in comments[:MENTIONS]
    )
    goals = Goal.objects.bulk_create(
        Goal(
            organization=organization,
            title=f"Goal {n}",
            owner=me,
            state=GoalState.ACTIVE,
            direction=Direction.DECREASE,
            baseline=20,
            target=17,
            start_date=today - timedelta(days=60),
            due_date=today + timedelta(days=60),
        )
        for n in range(GOALS)
    )
    CheckIn.objects.bulk_create(
        CheckIn(goal=goal, value=19, checked_on=today - timedelta(days=n % 14)) for n, goal in enumerate(goals)
    )  # fmt: skip
    weeks = periods(Frequency.WEEKLY, period_start(Frequency.WEEKLY, today), 13)
    for n in range(6):
        kpi = Kpi.objects.create(organization=organization, name=f"KPI {n}", team=teams[n % 3],
                                 source=Source.MANUAL, direction=Direction.INCREASE,
                                 target=90, amber_threshold=85, red_threshold=75)  # fmt: skip
        Measurement.objects.bulk_create(
            Measurement(kpi=kpi, period_start=week, value=Decimal(random.randint(60, 100)))
            for week in weeks
        )
    for source in (Source.ON_TIME_RATE, Source.OVERDUE_OPEN):
        Kpi.objects.create(organization=organization, name="", source=source, direction=Direction.INCREASE,
                           target=90, amber_threshold=85, red_threshold=75)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return me


def timed(client: Client, url: str) -> tuple[int, list[float]]:
    client.get(url)  # warm: templates, the stored periods of the computed KPIs
    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            begin = time.perf_counter()
            assert client.get(url).status_code == 200
            timings.append((time.perf_counter() - begin) * 1000)
    return len(captured), sorted(timings)


def main() -> None:
    with throwaway_database():
        start = time.perf_counter()
        me = seed()
        print(
            f"seeded {Card.objects.count():,} cards, {Card.objects.filter(assignee=me).count()} "
            f"of them the reader's, in {time.perf_counter() - start:.0f} s"
        )
        client = Client()
        client.force_login(me)
        for name, url in (("page", "/o/big/"), ("API", "/api/v1/organizations/big/my-work/")):
            queries, timings = timed(client, url)
            print(
                f"My work {name}: {queries} queries, median {statistics.median(timings):.1f} ms, "
                f"p95 {timings[math.ceil(len(timings) * 0.95) - 1]:.1f} ms"
            )
        # Each part alone, to see where the time goes.
        membership = Membership.objects.select_related("organization", "user").get(user=me)
        ask = ask_for(membership)
        for source in _sources:
            spent = []
            for _ in range(RUNS):
                with CaptureQueriesContext(connection) as captured:
                    begin = time.perf_counter()
                    source.read(ask)
                    spent.append((time.perf_counter() - begin) * 1000)
            print(
                f"  {source.key:<12} {len(captured):>2} queries, median {statistics.median(spent):.1f} ms"
            )
        with CaptureQueriesContext(connection) as captured:
            client.get("/o/big/")
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        print(f"slowest query: {float(slowest['time']) * 1000:.1f} ms, {slowest['sql'][:120]}")
        print("plan for the reader's cards:")
        print(
            Card.objects.shown()
            .unfinished()
            .filter(board__organization__slug="big", assignee=me)
            .explain()
        )


if __name__ == "__main__":
    main()
