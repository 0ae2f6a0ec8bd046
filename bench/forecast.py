"""The forecast of a project with 500 cards left and 8 weeks of throughput (10,000 runs).

Seeds one project whose board has 1,000 cards done over the last year (about 4 a working
day, more some days, none on others) and 500 still to do (about 125 working days a run), in an organisation keeping
China's public holidays. Then prints, each read taking turns with the others: the 10,000
runs alone (``simulate_days``, the issue's goal: 100 ms or less); the whole forecast as the
first read of the day finds it (the two queries and the runs); as most reads find it (kept
under its inputs' digest); the project page with the forecast kept; and the reference, the
same 10,000 runs written the plain way (a ``random.choices`` draw per working day and a
running total), with each median's ratio to the reference.

    .venv/bin/python bench/forecast.py
"""

from __future__ import annotations

import random
import time
from bisect import bisect_left
from datetime import timedelta
from itertools import accumulate

from board_flow import alternately, print_ratios
from common import Client, big_project, throwaway_database
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kanban.models import Card, ColumnKind
from metrics.forecast import RUNS, History, project_forecast, simulate_days
from opsboard.accounts.models import User
from projects.models import Project

DONE = 1000
LEFT = 500
DAYS = 365


def seed() -> tuple[User, Project]:
    random.seed(19)
    lead, project = big_project(days=DAYS, due_in_days=120)
    now = timezone.now()
    board = project.boards.get()
    todo, done = board.columns.get(kind=ColumnKind.TODO), board.columns.get(kind=ColumnKind.DONE)
    cards = [
        Card(
            board=board,
            column=done,
            title=f"Done {n}",
            done_at=now - timedelta(days=random.uniform(0, DAYS)),
        )
        for n in range(DONE)
    ]
    cards += [Card(board=board, column=todo, title=f"To do {n}") for n in range(LEFT)]
    Card.objects.bulk_create(cards, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return lead, project


def plain_runs(history: History) -> list[int]:
    """The reference: each run draws its days one ``random.choices`` call at a time."""
    rng = random.Random(history.digest)
    sample = list(history.done)
    block = round(history.remaining / (sum(sample) / len(sample)) * 1.25) + 5
    lengths = []
    for _run in range(RUNS):
        reached, length = 0, 0
        while True:
            totals = list(accumulate(rng.choices(sample, k=block), initial=reached))
            finished = bisect_left(totals, history.remaining)
            if finished < len(totals):
                lengths.append(length + finished)
                break
            reached, length = totals[-1], length + block
    return sorted(lengths)


def main() -> None:
    with throwaway_database():
        started = time.perf_counter()
        lead, project = seed()
        print(f"seeded {DONE + LEFT} cards in {time.perf_counter() - started:.0f} s")
        client = Client()
        client.force_login(lead)
        url = reverse(
            "projects:project_detail", kwargs={"org_slug": "big", "project_id": project.pk}
        )
        forecast = project_forecast(project)
        history = forecast.history

        def page() -> None:
            assert client.get(url).status_code == 200

        reference_name = "reference: the same runs, one random.choices per day"
        rows = alternately(
            {
                "10,000 runs alone (simulate_days)": (
                    lambda: simulate_days(history.done, history.remaining, seed=history.digest),
                    None,
                ),
                "forecast, first read of a day": (lambda: project_forecast(project), cache.clear),
                "forecast, kept under its inputs": (lambda: project_forecast(project), None),
                "project page, forecast kept": (page, None),
                reference_name: (lambda: plain_runs(history), None),
            }
        )
        print_ratios(rows, reference_name, decimals=2)
        print(
            f"history: {len(history.days)} working days, {history.done_total} cards done;",
            f"{history.remaining} left; working days for 50/85/95%: {forecast.working_days}",
        )


if __name__ == "__main__":
    main()
