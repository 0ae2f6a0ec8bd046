"""Where work waits on a board: time in each column, the bottleneck, aging work and the SLE.

Read from the board's card history (``CardEvent``) in three queries, whatever the number
of cards: the columns, the cards of the history window, and their events, ordered by card
and time, walked once here.

Definitions, in the words the pages use:

- A card's **time in a column** is the sum of its stays there (a card that went back comes
  twice); the part of it while the card was blocked is **blocked**, the rest **in column**.
  Time in a done column, and while archived, is not counted: the work is over or off the
  board.
- The **history window** is the last ``HISTORY_DAYS`` days: a column's percentiles are of
  the cards that left it in the window (all their time there, even from before); its totals
  (waiting against worked) are of the time inside the window.
- **Waiting** is time in "to do" columns and blocked time anywhere; **worked** is the rest of
  the time in "in progress" columns.
- The **steps** of the process are the columns from the first "in progress" one on, done
  columns apart: the backlog before them is work not yet started, so neither a bottleneck
  nor aging work.
- The **bottleneck** is the step whose queue grew most over the last ``QUEUE_DAYS`` days
  (``QUEUE_GROWTH`` cards or more, and half again as many in as out); failing that, the
  step where cards spend the longest median time (``MIN_SAMPLE`` cards or more).
- An open card in a step is **aging** once it has been in its column longer than the 85th
  percentile of that column; it is **at risk** when aging, or when started longer ago than
  the board's SLE.
- The **service level expectation** (SLE): 85% of the cards finished in the window took at
  most N days from start to done (N the 85th percentile, rounded up).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kanban.aging import Aging
from kanban.models import Board, Card, CardEvent, Column, ColumnKind, EventKind

from .computations import DAY_SECONDS

HISTORY_DAYS = 84
QUEUE_DAYS = 28
QUEUE_GROWTH = 3
MIN_SAMPLE = 5
SLE_PERCENT = 85
# A day and a bit: the history is read once a day per board (its key names the day).
KEPT_SECONDS = 26 * 3600

ENTERS = {EventKind.CREATED, EventKind.MOVED}
READ_KINDS = [
    EventKind.CREATED,
    EventKind.MOVED,
    EventKind.BLOCKED,
    EventKind.UNBLOCKED,
    EventKind.ARCHIVED,
    EventKind.RESTORED,
]

QUEUE_RULE, WAIT_RULE = "queue", "wait"


def percentile(values: list[float], percent: float) -> float | None:
    """The ``percent`` percentile of ``values``, interpolated between the two nearest ranks
    (as spreadsheets' PERCENTILE.INC): the median of 1, 2, 3, 4 is 2.5."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * percent / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / DAY_SECONDS, 1)


@dataclass
class ColumnFlow:
    """One column's figures (times in seconds)."""

    column_id: int
    name: str
    kind: str
    is_step: bool
    times: list[float] = field(default_factory=list)  # per card that left it in the window
    in_column: float = 0.0  # inside the window, not blocked
    blocked: float = 0.0  # inside the window, blocked
    arrived: int = 0  # over the last QUEUE_DAYS
    left: int = 0

    @property
    def cards(self) -> int:
        return len(self.times)

    @property
    def median(self) -> float | None:
        return percentile(self.times, 50)

    @property
    def p85(self) -> float | None:
        return percentile(self.times, 85)

    @property
    def p95(self) -> float | None:
        return percentile(self.times, 95)

    @property
    def median_days(self) -> float | None:
        return days(self.median)

    @property
    def p85_days(self) -> float | None:
        return days(self.p85)

    @property
    def p95_days(self) -> float | None:
        return days(self.p95)

    @property
    def blocked_share(self) -> float | None:
        """The share of its time in the window that cards were blocked in it, 0 to 1."""
        total = self.in_column + self.blocked
        return None if total == 0 else self.blocked / total

    @property
    def waits(self) -> bool:
        return self.kind == ColumnKind.TODO

    @property
    def waiting(self) -> float:
        """Its waiting time inside the window: all of it in a queue, the blocked part elsewhere."""
        return self.blocked + (self.in_column if self.waits else 0)

    @property
    def waiting_share(self) -> float | None:
        """The share of its time in the window that cards waited in it, 0 to 1."""
        total = self.in_column + self.blocked
        return None if total == 0 else self.waiting / total

    @property
    def growth(self) -> int:
        return self.arrived - self.left


@dataclass
class Bottleneck:
    column_id: int
    name: str
    rule: str  # QUEUE_RULE or WAIT_RULE
    reason: str


@dataclass
class History:
    """What the board's history says, read once a day."""

    as_of: datetime
    columns: list[ColumnFlow]
    cycle_times: list[float]  # seconds from start to done, cards done in the window
    bottleneck: Bottleneck | None
    no_bottleneck: str  # why none is named, when none is

    @property
    def sle_days(self) -> int | None:
        if len(self.cycle_times) < MIN_SAMPLE:
            return None
        p85 = percentile(self.cycle_times, SLE_PERCENT) or 0
        return max(1, math.ceil(p85 / DAY_SECONDS))

    @property
    def waiting_percent(self) -> int | None:
        share = self.waiting_share
        return None if share is None else round(share * 100)

    @property
    def waiting_share(self) -> float | None:
        """The share of the steps' time spent waiting (queues and blocked), 0 to 1."""
        steps = [column for column in self.columns if column.is_step]
        waiting = sum(column.waiting for column in steps)
        total = sum(column.in_column + column.blocked for column in steps)
        return None if total == 0 else waiting / total

    def limits(self) -> dict[int, timedelta]:
        """Per step, the age past which a card in it is old: its 85th percentile."""
        return {
            column.column_id: timedelta(seconds=column.p85)
            for column in self.columns
            if column.is_step and column.cards >= MIN_SAMPLE and column.p85 is not None
        }


def expectation(sle: int | None) -> str:
    if sle is None:
        return _("Too little history for a service level expectation yet.")
    return ngettext(
        "%(percent)d%% of cards finish within %(days)d day.",
        "%(percent)d%% of cards finish within %(days)d days.",
        sle,
    ) % {"percent": SLE_PERCENT, "days": sle}


def read_history(board: Board, *, now: datetime) -> History:
    """The board's history up to ``now``, in three queries (see the module's docstring)."""
    start = now - timedelta(days=HISTORY_DAYS)
    queue_start = now - timedelta(days=QUEUE_DAYS)
    columns = list(Column.objects.filter(board=board).order_by("position", "pk"))
    first_step = next(
        (
            column.position
            for column in columns
            if column.kind == ColumnKind.DOING and column.archived_at is None
        ),
        None,
    )
    kinds = {column.pk: column.kind for column in columns}
    flows = {
        column.pk: ColumnFlow(
            column_id=column.pk,
            name=column.display_name,
            kind=column.kind,
            is_step=column.kind != ColumnKind.DONE
            and (first_step is None or column.position >= first_step)
            and column.archived_at is None,
        )
        for column in columns
    }
    in_window = Card.objects.filter(board=board).filter(
        Q(done_at__isnull=True, archived_at__isnull=True)
        | Q(done_at__gte=start)
        | Q(archived_at__gte=start)
    )
    cycle_times = [
        (done - started).total_seconds()
        for started, done in in_window.filter(
            done_at__gte=start, done_at__lte=now, started_at__isnull=False
        ).values_list("started_at", "done_at")
    ]
    events = (
        CardEvent.objects.filter(
            board=board, card__in=in_window.values("pk"), kind__in=READ_KINDS, at__lte=now
        )
        .order_by("card_id", "at", "pk")
        .values_list("card_id", "kind", "at", "to_column_id")
    )
    walk = _Walk(flows, kinds, start=start, queue_start=queue_start, now=now)
    for card_id, kind, at, to_column_id in events:
        walk.event(card_id, kind, at.timestamp(), to_column_id)
    walk.finish()
    shown = [flows[column.pk] for column in columns if column.archived_at is None]
    bottleneck, why_none = _bottleneck([column for column in shown if column.is_step])
    return History(
        as_of=now,
        columns=shown,
        cycle_times=cycle_times,
        bottleneck=bottleneck,
        no_bottleneck=why_none,
    )


class _Walk:
    """One pass over the events, ordered by card and time: each card's state (column,
    blocked, archived) is constant between two of its events, and each stretch is added to
    its column's time. Moments are POSIX seconds here: the walk is the history read's
    hot loop."""

    def __init__(
        self,
        flows: dict[int, ColumnFlow],
        kinds: dict[int, str],
        *,
        start: datetime,
        queue_start: datetime,
        now: datetime,
    ) -> None:
        self.flows = flows
        # The columns whose time counts: not done ones (archived ones too, for the totals).
        self.counted = {pk for pk, kind in kinds.items() if kind != ColumnKind.DONE}
        self.start, self.queue_start = start.timestamp(), queue_start.timestamp()
        self.now = now.timestamp()
        self.card_id: int | None = None

    def _begin(self, card_id: int) -> None:
        self.card_id = card_id
        self.column: int | None = None
        self.blocked = False
        self.archived = False
        self.since: float | None = None
        self.spent: dict[int, float] = defaultdict(float)  # per column, all the card's time
        self.last_left: dict[int, float] = {}

    def _stretch(self, until: float) -> None:
        """Add the time from the card's last event to ``until`` to its column."""
        if self.since is None or self.archived or self.column not in self.counted:
            return
        assert self.column is not None
        self.spent[self.column] += until - self.since
        inside = until - max(self.since, self.start)
        if inside > 0:
            flow = self.flows[self.column]
            if self.blocked:
                flow.blocked += inside
            else:
                flow.in_column += inside

    def _leave(self, at: float) -> None:
        if self.column in self.flows and not self.archived:
            self.last_left[self.column] = at
            if at >= self.queue_start:
                self.flows[self.column].left += 1

    def _enter(self, column: int | None, at: float) -> None:
        self.column = column
        if column in self.flows and at >= self.queue_start:
            self.flows[column].arrived += 1

    def event(self, card_id: int, kind: str, at: float, to_column_id: int | None) -> None:
        if card_id != self.card_id:
            self.finish()
            self._begin(card_id)
        self._stretch(at)
        self.since = at
        if kind in ENTERS and to_column_id is not None:
            if self.column is not None:
                self._leave(at)
            self._enter(to_column_id, at)
        elif kind == EventKind.BLOCKED:
            self.blocked = True
        elif kind == EventKind.UNBLOCKED:
            self.blocked = False
        elif kind == EventKind.ARCHIVED and not self.archived:
            self._leave(at)
            self.archived = True
        elif kind == EventKind.RESTORED and self.archived:
            self.archived = False
            self._enter(self.column, at)

    def finish(self) -> None:
        """The card's last stretch runs to now; each column it has left in the window adds
        its time there to the column's percentiles."""
        if self.card_id is None:
            return
        self._stretch(self.now)
        still_in = None if self.archived else self.column
        for column, left_at in self.last_left.items():
            if column != still_in and left_at >= self.start and self.spent.get(column):
                self.flows[column].times.append(self.spent[column])
        self.card_id = None


def _bottleneck(steps: list[ColumnFlow]) -> tuple[Bottleneck | None, str]:
    """The bottleneck among the steps, by the rule that fires first, and why; or none and why."""
    growing = [
        step for step in steps if step.growth >= QUEUE_GROWTH and step.arrived * 2 >= step.left * 3
    ]
    if growing:
        step = max(growing, key=lambda s: s.growth)  # the first of equals, in board order
        reason = _(
            "Its queue is growing: %(arrived)d cards came in over the last %(days)d days "
            "and %(left)d left."
        ) % {"arrived": step.arrived, "left": step.left, "days": QUEUE_DAYS}
        return Bottleneck(step.column_id, step.name, QUEUE_RULE, reason), ""
    timed = [step for step in steps if step.cards >= MIN_SAMPLE]
    if not timed:
        return None, ngettext(
            "Too little history to name a bottleneck: one is named once %(count)d card has "
            "passed through a step.",
            "Too little history to name a bottleneck: one is named once %(count)d cards have "
            "passed through a step.",
            MIN_SAMPLE,
        ) % {"count": MIN_SAMPLE}
    ordered = sorted(timed, key=lambda s: -(s.median or 0))
    step = ordered[0]
    figures = {"median": days(step.median), "p85": days(step.p85)}
    if len(ordered) == 1:
        reason = (
            _(
                "Work waits longest here: cards spend a median of %(median)s days in it, and "
                "85%% of them leave within %(p85)s days."
            )
            % figures
        )
    else:
        reason = _(
            "Work waits longest here: cards spend a median of %(median)s days in it (85%% "
            "leave within %(p85)s days), against %(next)s days in %(other)s, the next "
            "slowest step."
        ) % {**figures, "next": days(ordered[1].median), "other": ordered[1].name}
    return Bottleneck(step.column_id, step.name, WAIT_RULE, reason), ""


def board_history(board: Board) -> History:
    """``read_history`` as of the first read of the organisation's day, kept for the day
    (in each language: it holds the columns' names and the reasons in words)."""
    key = f"metrics:board-flow:{board.pk}:{board.organization.today()}:{get_language()}"
    history = cache.get(key)
    if history is None:
        history = read_history(board, now=timezone.now())
        cache.set(key, history, timeout=KEPT_SECONDS)
    return history


@dataclass
class AgingCard:
    card_id: int
    title: str
    column_id: int
    column: str
    since: datetime
    age: float  # seconds in its column
    started_at: datetime | None
    blocked: bool
    aging: bool
    at_risk: bool
    limit: float | None  # its column's 85th percentile, seconds

    @property
    def age_days(self) -> float | None:
        return days(self.age)

    @property
    def limit_days(self) -> float | None:
        return days(self.limit)


@dataclass
class BoardFlow:
    history: History
    cards: list[AgingCard]  # the open cards in the steps, oldest in their column first

    @property
    def aging(self) -> list[AgingCard]:
        return [card for card in self.cards if card.aging]

    @property
    def at_risk(self) -> list[AgingCard]:
        return [card for card in self.cards if card.at_risk]

    @property
    def expectation(self) -> str:
        return expectation(self.history.sle_days)


def board_flow(board: Board, *, now: datetime | None = None) -> BoardFlow:
    """The board's figures (kept for the day) and its open cards in the steps as they are
    now: one query besides the history's."""
    now = now or timezone.now()
    history = board_history(board)
    return BoardFlow(history, open_ages(board, history, now=now))


def open_ages(board: Board, history: History, *, now: datetime) -> list[AgingCard]:
    """The open cards in the steps, each with its age in its column; aging by the rule the
    board's tiles use (``kanban.aging.Aging.is_old``), at risk when aging or started longer
    ago than the SLE."""
    steps = {column.column_id: column for column in history.columns if column.is_step}
    limits = history.limits()
    rule = Aging(limits=limits)
    sle = history.sle_days
    rows = (
        Card.objects.shown()
        .unfinished()
        .filter(board=board, column_id__in=list(steps))
        .with_column_since()
        .values_list("pk", "title", "column_id", "column_since", "started_at", "blocked")
    )
    cards = []
    for card_id, title, column_id, since, started_at, blocked in rows:
        aging = rule.is_old(column_id, since, now)
        since = since or started_at or now  # a card without history: as old as we know
        age = (now - since).total_seconds()
        limit = limits.get(column_id)
        late = sle is not None and started_at is not None and now - started_at > timedelta(days=sle)
        cards.append(
            AgingCard(
                card_id=card_id,
                title=title,
                column_id=column_id,
                column=steps[column_id].name,
                since=since,
                age=age,
                started_at=started_at,
                blocked=blocked,
                aging=aging,
                at_risk=aging or late,
                limit=limit.total_seconds() if limit else None,
            )
        )
    cards.sort(key=lambda card: (-card.age, card.card_id))
    return cards


def board_aging(board: Board) -> Aging:
    """What the board and the standup show (``kanban.aging``): the limits and the SLE."""
    history = board_history(board)
    return Aging(
        limits=history.limits(),
        expectation=expectation(history.sle_days),
        flow_url=reverse(
            "metrics:board_flow",
            kwargs={"org_slug": board.organization.slug, "board_id": board.pk},
        ),
    )


@dataclass
class ChartBand:
    name: str
    x: float
    width: float
    lines: list[tuple[str, float]]  # (50 / 85 / 95, y)
    dots: list[tuple[float, float, AgingCard]]  # (x, y, card)

    @property
    def right(self) -> float:
        return round(self.x + self.width, 1)

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass
class AgingChart:
    """The aging chart's geometry, drawn by the page as SVG: a band per step, a dot per
    open card at its age in the column, and the column's 50th, 85th and 95th percentiles."""

    width: int
    height: int
    top: int
    bottom: int
    left: int
    right: int
    bands: list[ChartBand]
    ticks: list[tuple[float, int]]  # (y, days)


def aging_chart(flow: BoardFlow, *, width: int = 720, height: int = 280) -> AgingChart:
    steps = [column for column in flow.history.columns if column.is_step]
    left, right, top, bottom = 44, width - 8, 12, height - 30
    most = max(
        [card.age for card in flow.cards]
        + [column.p95 or 0 for column in steps if column.cards >= MIN_SAMPLE]
        + [DAY_SECONDS]
    )
    top_days = max(1, math.ceil(most * 1.1 / DAY_SECONDS))

    def y(seconds: float) -> float:
        return round(bottom - (bottom - top) * min(seconds / DAY_SECONDS / top_days, 1), 1)

    step_days = max(1, math.ceil(top_days / 5))
    ticks = [(y(n * DAY_SECONDS), n) for n in range(0, top_days + 1, step_days)]
    band_width = (right - left) / max(len(steps), 1)
    bands = []
    for n, column in enumerate(steps):
        x = left + n * band_width
        cards = [card for card in flow.cards if card.column_id == column.column_id]
        lines = []
        if column.cards >= MIN_SAMPLE:
            lines = [
                ("50", y(column.median or 0)),
                ("85", y(column.p85 or 0)),
                ("95", y(column.p95 or 0)),
            ]
        dots = [
            (round(x + band_width * (i + 1) / (len(cards) + 1), 1), y(card.age), card)
            for i, card in enumerate(sorted(cards, key=lambda card: card.since))
        ]
        bands.append(ChartBand(column.name, round(x, 1), round(band_width, 1), lines, dots))
    return AgingChart(width, height, top, bottom, left, right, bands, ticks)
