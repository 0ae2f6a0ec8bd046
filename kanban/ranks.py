"""Ordering cards in a column with integer ranks.

New cards and moved cards take the midpoint between their neighbours, so a
move writes one row. When two neighbours have no room left between them the
column is spread out again (a rebalance), which is rare.
"""

from __future__ import annotations

STEP = 1 << 16  # room for 16 halvings between two fresh neighbours


def rank_between(before: int | None, after: int | None) -> int | None:
    """A rank strictly between two neighbours' ranks, or None when there is no room.

    ``before`` is the card above (lower rank), ``after`` the card below; either
    may be None at the ends of the column.
    """
    if before is None and after is None:
        return STEP
    if before is None:
        return after - STEP  # type: ignore[operator]
    if after is None:
        return before + STEP
    if after - before < 2:
        return None
    return before + (after - before) // 2


def spread(count: int) -> list[int]:
    """Evenly spaced ranks for ``count`` cards, for a rebalance."""
    return [STEP * (n + 1) for n in range(count)]
