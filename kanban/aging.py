"""How long a card may sit in its column before it is old, for the board and the standup.

The limits come from the board's own history, which metrics reads (``metrics.board_flow``);
kanban cannot import metrics, so metrics registers its reading here in its
``AppConfig.ready()`` and the board asks ``aging_for(board)``. With nothing registered (or
too little history) no card is old and the board says nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Board


@dataclass(frozen=True)
class Aging:
    """A board's limits: per column id, the age in it past which a card is old (the 85th
    percentile of the time the board's cards spent there); and its service level
    expectation in words, with where to read more."""

    limits: Mapping[int, timedelta] = field(default_factory=dict)
    expectation: str = ""
    flow_url: str = ""

    def is_old(self, column_id: int, since: datetime | None, now: datetime) -> bool:
        """Whether a card in ``column_id`` since ``since`` is older there than the limit."""
        limit = self.limits.get(column_id)
        return limit is not None and since is not None and now - since > limit


NONE = Aging()

_reader: Callable[[Board], Aging] | None = None


def register_aging(reader: Callable[[Board], Aging]) -> None:
    global _reader
    _reader = reader


def aging_for(board: Board) -> Aging:
    return NONE if _reader is None else _reader(board)
