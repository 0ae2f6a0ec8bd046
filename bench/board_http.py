"""The board and what keeps it live, over HTTP under gunicorn, each against a reference in turns.

Seeds boards of 100, 500 and 2,000 cards (``http_harness.seed_board``) in a
throwaway PostgreSQL database and serves them with gunicorn (3 sync workers,
the production settings, ``bench/settings.py``). For each board, Opsboard and
its reference take turns in the same run:

- the board page against the cheapest board (``bench/references.py``: the same
  cards in one query and one template loop): p50 and p95 at one connection,
  requests per second at 32 connections (wrk), and bytes;
- a move from the board page (a POST with ``X-Requested-With: fetch`` and the
  board's revision in ``since``, alternating To do and In progress), and the "changed since" poll when nothing
  changed, each against one ORM get answered as JSON;
- an open board catching up on one move (``changes/?since=`` the revision
  before it): its bytes and the server's time.

Times are the client's (p50 / p95) with the server's own in brackets (the
``Server-Timing`` header). No timer is asserted.

    .venv/bin/python bench/board_http.py [--sizes 100 500 2000] [--requests 200] [--budget 30]
"""

from __future__ import annotations

import argparse
from itertools import cycle

from http_harness import (
    CONNECTIONS,
    FETCH,
    Answer,
    Client,
    SeededBoard,
    alternate,
    alternate_rates,
    machine_load,
    ms,
    p50,
    p95,
    seed_board,
    served,
    session_for,
    settle,
    size_of,
)


def ratio(ours: list[Answer], reference: list[Answer], of: str = "ms") -> str:
    """How many times the reference's p50 time (or size) Opsboard's is."""
    measure = (lambda a: a.ms) if of == "ms" else (lambda a: len(a.body))
    return f"{p50([measure(a) for a in ours]) / p50([measure(a) for a in reference]):.1f}x"


def row(what: str, ours: str, reference: str, times: str) -> None:
    print(f"  {what:<28} {ours:<44} {reference:<36} {times}")


def measure(port: int, board: SeededBoard, args: argparse.Namespace) -> None:
    session = session_for(board.lead)
    client = Client(port, session)
    one_row = f"/bench/one-row/{board.todo_cards[-1]}/"
    print(f"== {board.size:,} cards {machine_load()}")
    row("", "Opsboard", "reference", "ratio")
    # What one ORM get takes on an idle server: the sign that a load run's queue is worked off.
    quiet_ms = 5 * p50([client.get(one_row).ms for _ in range(20)]) + 20

    def versus(what: str, opsboard, reference) -> dict[str, list[Answer]]:
        """Opsboard and the reference alternately; their p50/p95 and the ratio on a row."""
        answers = alternate(
            {"opsboard": opsboard, "reference": reference},
            requests=args.requests,
            budget=args.budget,
        )
        row(
            what,
            ms(answers["opsboard"]),
            ms(answers["reference"]),
            ratio(answers["opsboard"], answers["reference"]),
        )
        return answers

    pages = versus(
        "board, 1 connection, p50/p95",
        lambda: client.get(board.url()).expect(200),
        lambda: client.get(board.reference_url()).expect(200),
    )
    row(
        "board, bytes",
        size_of(pages["opsboard"]),
        size_of(pages["reference"]),
        ratio(pages["opsboard"], pages["reference"], of="bytes"),
    )
    base = f"http://127.0.0.1:{port}"
    slowest = max(p95([a.ms for a in pages[name]]) for name in pages)
    rates = alternate_rates(
        {"opsboard": base + board.url(), "reference": base + board.reference_url()},
        client.headers,
        rounds=args.wrk_rounds,
        # Long enough for many answers from each worker, however slow the page.
        seconds=max(args.wrk_seconds, 10 * p50([a.ms for a in pages["opsboard"]]) / 1000),
        settled=lambda: settle(port, one_row, quiet_ms=quiet_ms, longest_ms=slowest),
    )
    ours, reference = ([r.per_second for r in rates[name]] for name in ("opsboard", "reference"))
    errors = sum(r.errors for name in rates for r in rates[name])
    row(
        f"board, {CONNECTIONS} connections, req/s",
        " ".join(f"{r:.1f}" for r in ours),
        " ".join(f"{r:.1f}" for r in reference),
        (f"{p50(ours) / p50(reference):.2f}" if p50(reference) else "n/a")
        + (f" ({errors} errors)" if errors else ""),
    )

    card = board.todo_cards[0]
    columns = cycle([board.doing_id, board.todo_id])
    known = [board.revision()]

    def move() -> Answer:
        """A move from an open board: it sends its revision, as the browser does."""
        answer = client.post(
            board.move_url(card), {"column": next(columns), "since": known[0]}, FETCH
        ).expect(200)
        known[0] = answer.revision if answer.revision is not None else board.revision()
        return answer

    moves = versus("move from the board", move, lambda: client.get(one_row).expect(200))
    row("move, bytes", size_of(moves["opsboard"]), size_of(moves["reference"]), "")

    since = board.url(f"changes/?since={board.revision()}")
    versus(
        "poll, nothing new",
        lambda: client.get(since).expect(204),
        lambda: client.get(one_row).expect(200),
    )

    def catch_up() -> Answer:
        before = known[0]
        move()
        return client.get(board.url(f"changes/?since={before}")).expect(200)

    caught = alternate({"opsboard": catch_up}, requests=args.requests // 2, budget=args.budget)
    row("catching up on one move", ms(caught["opsboard"]), "", "")
    row("catching up, bytes", size_of(caught["opsboard"]), "", "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--requests", type=int, default=200, help="rounds per figure, at most")
    parser.add_argument("--budget", type=float, default=30, help="seconds per figure, about")
    parser.add_argument(
        "--wrk-seconds", type=float, default=10, help="at least; 10 board answers at most"
    )
    parser.add_argument("--wrk-rounds", type=int, default=2)
    args = parser.parse_args()
    with served(lambda: [seed_board(size) for size in args.sizes]) as (server, boards):
        for board in boards:
            measure(server.port, board, args)


if __name__ == "__main__":
    main()
