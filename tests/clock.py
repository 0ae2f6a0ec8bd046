"""The moment the suite runs at: never the wall clock, unless asked for.

Every test runs at a pinned moment, so a test that passes today passes on any
day. ``OPSBOARD_TEST_NOW`` chooses the moment (``default``, a name in ``AWKWARD_MOMENTS``, an ISO date-time with its
offset such as ``2028-02-29T09:00:00+08:00``, or ``wall`` for the real clock);
``.ci/run`` runs the date-sensitive tests again at the awkward ones in
``AWKWARD_MOMENTS``. The clock ticks from there, so timeouts still expire.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import time_machine

# A Wednesday morning in the middle of a month in Shanghai: nothing special.
DEFAULT_MOMENT = "2026-11-18T10:00:00+08:00"

AWKWARD_MOMENTS = {
    "first-of-month": "2026-12-01T09:00:00+08:00",
    "monday-0030-shanghai": "2026-11-30T00:30:00+08:00",  # still Sunday in UTC
    "new-years-eve": "2026-12-31T23:30:00+08:00",
    "leap-day": "2028-02-29T09:00:00+08:00",
}


def pinned_moment() -> datetime | None:
    """The moment from ``OPSBOARD_TEST_NOW`` (a name above or an ISO date-time); None for the wall clock."""
    chosen = os.environ.get("OPSBOARD_TEST_NOW") or "default"
    if chosen == "wall":
        return None
    moment = datetime.fromisoformat(
        {"default": DEFAULT_MOMENT, **AWKWARD_MOMENTS}.get(chosen, chosen)
    )
    if moment.tzinfo is None:
        raise ValueError(f"OPSBOARD_TEST_NOW needs an offset, e.g. {DEFAULT_MOMENT}")
    return moment


def child_clock_environment(at: datetime | None = None) -> dict[str, str]:
    """The environment that starts a child process at this test's moment (clock_site/);
    outside a test (a process the whole session shares), at ``at``, the moment the tests
    start from, from which the child's clock runs on ahead of theirs."""
    if time_machine.escape_hatch.is_travelling():
        offset = time.time() - time_machine.escape_hatch.time.time()
    elif at is not None:
        offset = at.timestamp() - time.time()
    else:
        return {}
    return {
        "PYTHONPATH": str(Path(__file__).resolve().parent / "clock_site"),
        "OPSBOARD_TEST_CLOCK_OFFSET": repr(offset),
    }
