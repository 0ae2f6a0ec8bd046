"""How the board page and a move scale with the number of cards.

Seeds boards of 100, 1,000 and 5,000 cards (a third each in To do, In
progress and Done, with labels, assignees and a month of history) in a
throwaway database, then prints for each the board page's server time
(median and 95th percentile through Django's test client) and queries, and
the same for the move endpoint.

    .venv/bin/python bench/board_pages.py
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from common import Client, throwaway_database
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kanban.models import Card, CardEvent, ColumnKind, Label
from kanban.ranks import STEP
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.models import Project

SIZES = [100, 1000, 5000]
RUNS = 15


def seed(size: int) -> tuple[User, Project]:
    organization = Organization.objects.create(name=f"Bench {size}", slug=f"bench-{size}")
    team = Team.objects.create(organization=organization, name="Operations")
    people = User.objects.bulk_create(
        User(email=f"p{n}@bench{size}.test", full_name=f"Person {n}") for n in range(20)
    )
    Membership.objects.bulk_create(
        Membership(organization=organization, user=user, role=Role.LEAD if n == 0 else Role.MEMBER)
        for n, user in enumerate(people)
    )
    now = timezone.now()
    project = Project.objects.create(
        organization=organization,
        name="Project",
        start_date=now.date(),
        due_date=now.date() + timedelta(days=90),
    )
    project.teams.set([team])
    board = project.boards.get()
    columns = list(board.columns.order_by("position"))
    labels = Label.objects.bulk_create(Label(board=board, name=f"label {n}") for n in range(5))
    cards = Card.objects.bulk_create(
        Card(
            board=board,
            column=columns[n % 3],
            rank=STEP * (n + 1),
            title=f"Card {n}",
            assignee=people[n % 20],
            team=team,
            due_date=now.date() + timedelta(days=n % 30 - 10),
            started_at=now - timedelta(days=n % 30) if n % 3 else None,
            done_at=now - timedelta(days=n % 30) if n % 3 == 2 else None,
            created_at=now - timedelta(days=30),
        )
        for n in range(size)
    )
    Card.labels.through.objects.bulk_create(
        Card.labels.through(card_id=card.pk, label_id=labels[n % 5].pk)
        for n, card in enumerate(cards)
    )
    CardEvent.objects.bulk_create(
        CardEvent(
            card=card,
            board=board,
            kind="moved",
            at=now - timedelta(days=n % 30),
            to_kind=ColumnKind.DOING,
        )
        for n, card in enumerate(cards)
    )
    return people[0], project


def timed(run) -> tuple[int, float, float]:
    timings, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            run()
            timings.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    timings.sort()
    return queries, statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def main() -> None:
    with throwaway_database():
        print(f"{'cards':>6} {'what':<11} {'queries':>7} {'median ms':>10} {'p95 ms':>8}")
        for size in SIZES:
            lead, project = seed(size)
            board = project.boards.get()
            client = Client()
            client.force_login(lead)
            url = f"/o/bench-{size}/boards/{board.pk}/"
            client.get(url)
            queries, median, p95 = timed(lambda url=url, client=client: client.get(url))
            print(f"{size:>6} {'board page':<11} {queries:>7} {median:>10.1f} {p95:>8.1f}")
            todo, doing = board.columns.order_by("position")[:2]
            card = board.cards.filter(column=todo).first()
            moves = iter([doing, todo] * RUNS)

            move_url = f"/o/bench-{size}/cards/{card.pk}/move/"

            def move(url=move_url, client=client, moves=moves) -> None:
                client.post(url, {"column": next(moves).pk})

            queries, median, p95 = timed(move)
            print(f"{size:>6} {'move':<11} {queries:>7} {median:>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
