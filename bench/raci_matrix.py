"""How long the RACI matrix takes at 300 cards x 40 people (and 100 x 20).

Four teams of ten people (two teams of ten for the small one) work on one
project; every card has an R, an A and a team Consulted. Prints the matrix
page's queries, median and 95th percentile through Django's test client,
and the same for one cell click (htmx, which returns the row and the summary).

    .venv/bin/python bench/raci_matrix.py
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from common import Client, throwaway_database
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kanban.models import Card
from kanban.ranks import STEP
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.models import Project
from raci.models import RaciAssignment, RaciRole

SHAPES = [(100, 2), (300, 4)]  # cards, teams of ten
RUNS = 10


def seed(cards: int, teams: int) -> tuple[User, Project, list[Card]]:
    organization = Organization.objects.create(name=f"Bench {cards}", slug=f"bench-{cards}")
    team_list = Team.objects.bulk_create(
        Team(organization=organization, name=f"Team {n}") for n in range(teams)
    )
    people = User.objects.bulk_create(
        User(email=f"p{n}@bench{cards}.test", full_name=f"Person {n}") for n in range(teams * 10)
    )
    memberships = Membership.objects.bulk_create(
        Membership(organization=organization, user=user, role=Role.LEAD if n == 0 else Role.MEMBER)
        for n, user in enumerate(people)
    )
    Membership.teams.through.objects.bulk_create(
        Membership.teams.through(membership_id=m.pk, team_id=team_list[n // 10].pk)
        for n, m in enumerate(memberships)
    )
    today = timezone.localdate()
    project = Project.objects.create(
        organization=organization,
        name="Project",
        start_date=today,
        due_date=today + timedelta(days=90),
    )
    project.teams.set(team_list)
    board = project.boards.get()
    columns = list(board.columns.order_by("position"))
    card_list = Card.objects.bulk_create(
        Card(
            board=board,
            column=columns[n % 3],
            rank=STEP * (n + 1),
            title=f"Card {n}",
            assignee=people[n % len(people)],
        )
        for n in range(cards)
    )
    RaciAssignment.objects.bulk_create(
        role
        for n, card in enumerate(card_list)
        for role in (
            RaciAssignment(card=card, role=RaciRole.RESPONSIBLE, user=people[n % len(people)]),
            RaciAssignment(
                card=card, role=RaciRole.ACCOUNTABLE, user=people[(n + 1) % len(people)]
            ),
            RaciAssignment(card=card, role=RaciRole.CONSULTED, team=team_list[n % teams]),
        )
    )
    return people[0], project, card_list


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
        print(
            f"{'cards':>6} {'people':>6} {'what':<7} {'queries':>7} {'median ms':>10} {'p95 ms':>8}"
        )
        for cards, teams in SHAPES:
            lead, project, card_list = seed(cards, teams)
            client = Client()
            client.force_login(lead)
            url = f"/o/bench-{cards}/raci/projects/{project.pk}/"
            client.get(url)
            queries, median, p95 = timed(lambda url=url, client=client: client.get(url))
            print(
                f"{cards:>6} {teams * 10:>6} {'matrix':<7} {queries:>7} {median:>10.1f} {p95:>8.1f}"
            )
            cell = f"/o/bench-{cards}/raci/cards/{card_list[0].pk}/cell/"
            holder = f"team:{project.teams.order_by('name').last().pk}"

            def click(cell=cell, holder=holder, client=client) -> None:
                client.post(cell, {"holder": holder}, headers={"HX-Request": "true"})

            queries, median, p95 = timed(click)
            print(
                f"{cards:>6} {teams * 10:>6} {'click':<7} {queries:>7} {median:>10.1f} {p95:>8.1f}"
            )


if __name__ == "__main__":
    main()
