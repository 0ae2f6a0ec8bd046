"""How long the RACI matrix takes at 300 cards x 40 people (and 100 x 20), against a reference.

Four teams of ten people (two teams of ten for the small one) work on one
project; every card has an R, an A and a team Consulted. Through Django's test
client, the matrix page is fetched alternately with the reference, the cheapest
500-card board (``references.py``: one query, one template loop), and the
script prints for each its queries, median, 95th percentile and bytes, and the
ratio of the medians. The page's rows come from the cache once drawn; "first
view" times the page with the cache emptied before each fetch. The page draws its
first CHUNK_ROWS rows; "chunk" times the next chunk as the page's script asks for it
(the same URL with ?offset=, and HX-Request), and "all rows" the page and every
chunk after it, fetched one after another (as a user scrolling to the end does).
Then the same for one cell click (htmx, which returns the row and the summary).

    .venv/bin/python bench/raci_matrix.py
    CACHE_URL=redis://127.0.0.1:6379/1 .venv/bin/python bench/raci_matrix.py  # rows in Redis
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from pathlib import Path

from board_pages import seed as seed_board
from common import Client, throwaway_database
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kanban.models import Card
from kanban.ranks import STEP
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.models import Project
from raci.fragments import CHUNK_ROWS
from raci.models import RaciAssignment, RaciRole

SHAPES = [(100, 2), (300, 4)]  # cards, teams of ten
RUNS = 15
REFERENCE_CARDS = 500


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


class Whole:
    """The page and its chunks as one answer, for Figures: their bytes together."""

    status_code = 200

    def __init__(self, size: int) -> None:
        self.content = b" " * size


class Figures:
    """Queries, timings and bytes of one thing fetched again and again."""

    def __init__(self) -> None:
        self.timings: list[float] = []
        self.queries = 0
        self.size = 0

    def fetch(self, run, *, before=None) -> None:
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = run()
            self.timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        self.queries = len(captured)
        self.size = len(response.content)

    @property
    def median(self) -> float:
        return statistics.median(self.timings)

    @property
    def p95(self) -> float:
        ordered = sorted(self.timings)
        return ordered[max(int(len(ordered) * 0.95) - 1, 0)]

    def line(self, cards: int, people: int, what: str, reference: Figures) -> str:
        return (
            f"{cards:>6} {people:>6} {what:<10} {self.queries:>7} {self.median:>10.1f}"
            f" {self.p95:>8.1f} {self.size / 1000:>9.1f} {self.median / reference.median:>6.1f}x"
        )


def alternately(reference, run, *, before=None) -> tuple[Figures, Figures]:
    """``RUNS`` fetches of each after one warm-up, the reference first in each round."""
    ours, theirs = Figures(), Figures()
    reference()
    run()
    for _ in range(RUNS):
        theirs.fetch(reference)
        ours.fetch(run, before=before)
    return ours, theirs


# The reference's template (the references live in bench/, never in the app).
REFERENCES = Path(__file__).resolve().parent / "templates"


def main() -> None:
    templates = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], REFERENCES]}]
    with (
        throwaway_database(),
        override_settings(ROOT_URLCONF="bench.urls", TEMPLATES=templates),
    ):
        print(f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}")
        _lead, board_project = seed_board(REFERENCE_CARDS)
        reference_url = reverse(
            "bench_cheapest_board",
            args=[board_project.organization.slug, board_project.boards.get().pk],
        )
        print(
            f"{'cards':>6} {'people':>6} {'what':<10} {'queries':>7} {'median ms':>10}"
            f" {'p95 ms':>8} {'KB':>9} {'ratio':>7}"
        )
        anonymous = Client()

        def reference():
            return anonymous.get(reference_url)

        for cards, teams in SHAPES:
            lead, project, card_list = seed(cards, teams)
            people = teams * 10
            client = Client()
            client.force_login(lead)
            url = f"/o/bench-{cards}/raci/projects/{project.pk}/"

            def page(url=url, client=client):
                return client.get(url)

            ours, theirs = alternately(reference, page)
            print(theirs.line(REFERENCE_CARDS, 0, "reference", theirs))
            print(ours.line(cards, people, "matrix", theirs))
            ours, theirs = alternately(reference, page, before=cache.clear)
            print(ours.line(cards, people, "first view", theirs))

            def chunk(url=url, client=client):
                return client.get(
                    url, {"offset": CHUNK_ROWS, "from": 0}, headers={"HX-Request": "true"}
                )

            ours, theirs = alternately(reference, chunk)
            print(ours.line(cards, people, "chunk", theirs))

            def all_rows(url=url, client=client, cards=cards):
                size = len(page().content)
                for offset in range(CHUNK_ROWS, cards, CHUNK_ROWS):
                    size += len(chunk_at(offset).content)
                return Whole(size)

            def chunk_at(offset, url=url, client=client):
                return client.get(
                    url, {"offset": offset, "from": 0}, headers={"HX-Request": "true"}
                )

            ours, theirs = alternately(reference, all_rows)
            print(ours.line(cards, people, "all rows", theirs))

            cell = f"/o/bench-{cards}/raci/cards/{card_list[0].pk}/cell/"
            holder = f"team:{project.teams.order_by('name').last().pk}"

            def click(cell=cell, holder=holder, client=client):
                return client.post(cell, {"holder": holder}, headers={"HX-Request": "true"})

            ours, theirs = alternately(reference, click)
            print(ours.line(cards, people, "click", theirs))


if __name__ == "__main__":
    main()
