"""The fixed cost of a signed-in request, in this process's CPU, against the references in turns.

Seeds a 100-card board (``http_harness.seed_board``) in a throwaway database and
requests, through Django's test client with the site's middleware under
``bench/settings.py`` (the production settings, the session and tiles in Redis),
alternately:

- the board page against the cheapest board (``bench/references.py``);
- the "changed since" poll that answers 204 against one ORM get answered as JSON;
- the first page of the cards API (100 cards, the default size) against one ORM get.

It prints each one's median wall-clock and CPU milliseconds (the client's and the
server's Python, not PostgreSQL's) and their ratios. CPU time is what a busy
machine disturbs least: on the shared 2-core box the HTTP benchmark's wall-clock
ratios (``board_http.py``) move by 0.3 from one run to the next. No timer is
asserted.

    .venv/bin/python bench/frame.py [--rounds 300]
"""

from __future__ import annotations

import argparse
import statistics
import time

from django.conf import settings
from django.core.cache import cache
from django.test import Client
from http_harness import (
    _collect_static,
    seed_board,
    session_for,
    throwaway_database,
)

from kanban.models import Board


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    with throwaway_database():
        _collect_static()
        cache.clear()
        board = seed_board(100)
        client = Client(headers={"Accept-Encoding": "gzip"})
        client.cookies[settings.SESSION_COOKIE_NAME] = session_for(board.lead)
        revision = Board.objects.values_list("revision", flat=True).get(pk=board.board_id)
        one_row = f"/bench/one-row/{board.todo_cards[0]}/"
        runs = {
            "board, 100 cards": (board.url(), 200),
            "cheapest board": (board.reference_url(), 200),
            "poll, nothing new": (board.url(f"changes/?since={revision}"), 204),
            "cards API, a page of 100": (
                f"/api/v1/organizations/{board.slug}/boards/{board.board_id}/cards/",
                200,
            ),
            "one ORM get": (one_row, 200),
        }
        for name, (url, status) in runs.items():
            for _ in range(10):
                assert client.get(url).status_code == status, name
        wall: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, (url, _status) in runs.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                wall[name].append((time.perf_counter() - start) * 1000)
                cpu[name].append((time.process_time() - start_cpu) * 1000)

        def median(of: dict[str, list[float]], name: str) -> float:
            return statistics.median(of[name])

        print(f"median of {args.rounds} rounds, alternated:")
        print(f"{'':<26} {'wall ms':>8} {'cpu ms':>7}   against{'':<18} {'wall':>6} {'cpu':>6}")
        for name, reference in (
            ("board, 100 cards", "cheapest board"),
            ("poll, nothing new", "one ORM get"),
            ("cards API, a page of 100", "one ORM get"),
        ):
            print(
                f"{name:<26} {median(wall, name):>8.2f} {median(cpu, name):>7.2f}   {reference:<25}"
                f" {median(wall, name) / median(wall, reference):>5.2f}x"
                f" {median(cpu, name) / median(cpu, reference):>5.2f}x"
            )
        for reference in ("cheapest board", "one ORM get"):
            print(f"{reference:<26} {median(wall, reference):>8.2f} {median(cpu, reference):>7.2f}")


if __name__ == "__main__":
    main()
