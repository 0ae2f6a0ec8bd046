"""Several people at once: threads whose steps race, each on its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.db import close_old_connections

Result = TypeVar("Result")


def in_lockstep(*plans: Sequence[Callable[[], Result]], timeout: float = 120) -> list[Result]:
    """Run each plan in a thread of its own, step by step: before each step every thread
    waits for the others, so their steps start together. Returns what the steps returned;
    fails with whatever any step raised."""
    assert len({len(plan) for plan in plans}) == 1, "every plan takes as many steps"
    step = threading.Barrier(len(plans))
    results: list[Result] = []
    errors: list[BaseException] = []

    def run(plan: Sequence[Callable[[], Result]]) -> None:
        try:
            for action in plan:
                step.wait(timeout=30)
                results.append(action())
        except Exception as error:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(error)
            step.abort()
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert errors == []
    return results
