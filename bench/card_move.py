"""A card move, alone and with two people moving cards both ways at once, against a reference.

Seeds a board of 100 and one of 500 cards, then alternates, in one run,
Opsboard's ``card_move`` (the board's lock, the WIP rule, ranks, history) with
the cheapest move Django can make: one locked UPDATE of the card's column; and
counts the statements of each. Then two threads move their own cards between To
do and In progress in opposite directions, once with each, and the ratio of
their rates is printed.

    .venv/bin/python bench/card_move.py [--sizes 100 500]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from board_pages import seed
from common import throwaway_database
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kanban.models import Board, Card, Column
from kanban.services import card_move
from opsboard.tenancy.models import Membership

ROUNDS = 200  # single moves of each kind, alternated
BOTH_WAYS = 100  # moves per thread


def reference_move(card: Card, column: Column) -> None:
    with transaction.atomic():
        Card.objects.select_for_update().filter(pk=card.pk).update(column=column)


def opsboard_move(actor: Membership, card: Card, column: Column) -> None:
    card_move(actor=actor, card=Card.objects.get(pk=card.pk), column=column)


def both_ways(move, actor: Membership, cards: list[Card], todo: Column, doing: Column) -> float:
    """Moves per second of two threads moving their cards in opposite directions."""
    errors: list[BaseException] = []

    def worker(card: Card, first: Column, second: Column) -> None:
        try:
            for n in range(BOTH_WAYS):
                move(actor, card, second if n % 2 == 0 else first)
        except BaseException as error:  # noqa: BLE001 - counted, then raised below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(cards[0], todo, doing)),
        threading.Thread(target=worker, args=(cards[1], doing, todo)),
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = time.perf_counter() - start
    if errors:
        raise errors[0]
    return 2 * BOTH_WAYS / taken


def statements(move) -> int:
    """How many statements ``move()`` sends, BEGIN and COMMIT aside."""
    with CaptureQueriesContext(connection) as queries:
        move()
    return sum(1 for q in queries if q["sql"] not in ("BEGIN", "COMMIT"))


def one_size(cards: int) -> tuple[Board, Membership, Column, Column]:
    lead, project = seed(cards)
    board = project.boards.get()
    actor = Membership.objects.select_related("user").get(
        user=lead, organization=project.organization
    )
    todo, doing = board.columns.order_by("position")[:2]
    card = board.cards.filter(column=todo).first()
    timings: dict[str, list[float]] = {"opsboard": [], "reference": []}
    for n in range(ROUNDS):
        target = doing if n % 2 == 0 else todo
        for name in ("reference", "opsboard"):
            start = time.perf_counter()
            if name == "reference":
                reference_move(card, target)
            else:
                opsboard_move(actor, card, target)
            timings[name].append((time.perf_counter() - start) * 1000)
    ours, floor = (statistics.median(timings[k]) for k in ("opsboard", "reference"))
    fresh = Card.objects.get(pk=card.pk)
    counted = statements(lambda: card_move(actor=actor, card=fresh, column=doing))
    print(f"{cards} cards, one move, median of {ROUNDS}:")
    print(f"  card_move {ours:.2f} ms, reference {floor:.2f} ms, ratio {ours / floor:.1f}x")
    print(f"  statements of a move between columns: {counted} (the reference: 1)")
    return board, actor, todo, doing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500])
    args = parser.parse_args()
    with throwaway_database():
        for cards in args.sizes:
            board, actor, todo, doing = one_size(cards)

        # One card in each column, so the two threads move in opposite directions.
        pair = [board.cards.filter(column=todo).first(), board.cards.filter(column=doing).first()]
        rates = {
            "reference": both_ways(
                lambda _actor, c, col: reference_move(c, col), actor, pair, todo, doing
            ),
            "opsboard": both_ways(opsboard_move, actor, pair, todo, doing),
        }
        print(
            f"two people moving both ways on {board.cards.count()} cards, {BOTH_WAYS} moves each, no error:"
        )
        print(
            f"  card_move {rates['opsboard']:.0f} moves/s, reference {rates['reference']:.0f}"
            f" moves/s, ratio {rates['opsboard'] / rates['reference']:.2f}"
        )


if __name__ == "__main__":
    main()
