"""Where work waits on a board of 50,000 cards and two years of history.

Seeds one board (To do, In progress, Review, Done) with 50,000 cards made over the last
two years, each with its history: made, started, sometimes blocked and unblocked,
reviewed, sometimes sent back, done (the last few weeks' cards still open), about
240,000 events in all. Then prints, for the board's flow page: its queries, median and
95th percentile as most reads find it (the board's history kept for the day), and as
the first read of a day finds it (the cache emptied before each read); the history read
alone; and the cheapest reference, each column's median and 85th percentile time in one
SQL query of window functions (no blocked time, no bottleneck, no aging), on the same
data.

    .venv/bin/python bench/board_flow.py
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta

from common import Client, big_project, throwaway_database
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kanban.models import Board, Card, CardEvent, Column, ColumnKind, EventKind
from metrics.board_flow import HISTORY_DAYS, read_history
from opsboard.accounts.models import User

CARDS = 50_000
DAYS = 730
RUNS = 20
BATCH = 5000


def seed() -> tuple[User, Board]:
    random.seed(19)
    lead, project = big_project(days=DAYS)
    now = timezone.now()
    board = project.boards.get()
    todo, doing, done = (board.columns.get(kind=kind) for kind in ColumnKind.values)
    done.position = 3
    done.save()
    review = Column.objects.create(board=board, name="Review", kind=ColumnKind.TODO, position=2)
    for start in range(0, CARDS, BATCH):
        cards, histories = [], []
        for _n in range(start, min(start + BATCH, CARDS)):
            made = now - timedelta(days=random.uniform(0, DAYS))
            steps = [(EventKind.CREATED, made, todo)]
            moment = made + timedelta(days=random.expovariate(1 / 4))
            steps.append((EventKind.MOVED, moment, doing))
            started = moment
            rounds = 2 if random.random() < 0.1 else 1  # one card in ten is sent back
            for round_ in range(rounds):
                moment += timedelta(days=random.expovariate(1 / 3))
                if random.random() < 0.3:
                    steps.append((EventKind.BLOCKED, moment, None))
                    moment += timedelta(days=random.expovariate(1 / 2))
                    steps.append((EventKind.UNBLOCKED, moment, None))
                moment += timedelta(days=random.expovariate(1 / 2))
                steps.append((EventKind.MOVED, moment, review))
                moment += timedelta(days=random.expovariate(1 / 3))
                steps.append((EventKind.MOVED, moment, doing if round_ < rounds - 1 else done))
            steps = [step for step in steps if step[1] <= now]
            column = next(to for _kind, _at, to in reversed(steps) if to is not None)
            cards.append(
                Card(
                    board=board,
                    column=column,
                    title=f"Card {_n}",
                    created_at=made,
                    started_at=started if started <= now else None,
                    done_at=steps[-1][1] if column == done else None,
                    blocked=steps[-1][0] == EventKind.BLOCKED,
                )
            )
            histories.append(steps)
        Card.objects.bulk_create(cards)
        CardEvent.objects.bulk_create(
            CardEvent(
                card=card,
                board=board,
                kind=kind,
                at=at,
                to_column=to,
                to_kind=to.kind if to else "",
            )
            for card, steps in zip(cards, histories, strict=True)
            for kind, at, to in steps
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return lead, board


def alternately(reads: dict[str, tuple], runs: int = RUNS) -> dict[str, tuple[int, float, float]]:
    """(queries, median ms, 95th percentile ms) of each read, the reads taking turns
    ``runs`` times after one warm-up each, so a busy moment of the machine falls on all of
    them. Each read is ``(read, before)``: ``before`` (or None) runs untimed ahead of it."""
    timings: dict[str, list[float]] = {name: [] for name in reads}
    queries: dict[str, int] = {}
    for read, _before in reads.values():
        read()
    for _ in range(runs):
        for name, (read, before) in reads.items():
            if before:
                before()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                read()
                timings[name].append((time.perf_counter() - start) * 1000)
            queries[name] = len(captured)
    result = {}
    for name, values in timings.items():
        values.sort()
        result[name] = (
            queries[name],
            statistics.median(values),
            values[int(len(values) * 0.95) - 1],
        )
    return result


def print_ratios(rows: dict[str, tuple[int, float, float]], reference: str, decimals: int = 1):
    """``alternately``'s rows as a table: queries, median, p95, and each median's ratio to
    the ``reference`` row's."""
    base = rows[reference][1]
    width = max(len(name) for name in rows) + 2
    print(f"{'':{width}} queries  median ms  p95 ms  median / reference")
    for name, (queries, median, p95) in rows.items():
        print(
            f"{name:{width}} {queries:7}  {median:9.1f}  {p95:6.1f}  {median / base:5.{decimals}f}x"
        )


REFERENCE = """
SELECT to_column_id,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY spent),
       percentile_cont(0.85) WITHIN GROUP (ORDER BY spent)
FROM (
  SELECT to_column_id,
         extract(epoch FROM lead(at) OVER (PARTITION BY card_id ORDER BY at, id) - at) AS spent
  FROM kanban_cardevent
  WHERE board_id = %s AND kind IN ('created', 'moved') AND at >= now() - interval '%s days'
) AS stays
WHERE spent IS NOT NULL
GROUP BY to_column_id
"""


def main() -> None:
    with throwaway_database():
        started = time.perf_counter()
        lead, board = seed()
        events = CardEvent.objects.filter(board=board).count()
        print(f"seeded {CARDS} cards, {events} events in {time.perf_counter() - started:.0f} s")
        client = Client()
        client.force_login(lead)
        url = reverse("metrics:board_flow", kwargs={"org_slug": "big", "board_id": board.pk})

        def page() -> None:
            assert client.get(url).status_code == 200

        def reference() -> None:
            with connection.cursor() as cursor:
                cursor.execute(REFERENCE, [board.pk, HISTORY_DAYS])
                cursor.fetchall()

        reference_name = "reference: percentiles per column in one SQL query"
        rows = alternately(
            {
                "flow page, history kept for the day": (page, None),
                "flow page, first read of a day": (page, cache.clear),
                "history alone (three queries and the walk)": (
                    lambda: read_history(board, now=timezone.now()),
                    None,
                ),
                reference_name: (reference, None),
            }
        )
        history = read_history(board, now=timezone.now())
        print_ratios(rows, reference_name)
        print(
            "bottleneck:",
            history.bottleneck.name if history.bottleneck else None,
            "-",
            history.bottleneck.reason if history.bottleneck else history.no_bottleneck,
        )
        print("SLE days:", history.sle_days, "open cards:", Card.objects.unfinished().count())


if __name__ == "__main__":
    main()
