"""The process map: a board's columns drawn left to right as the steps of its process, with
the median time cards spend in each, the cards in each now, how much of each step's time is
waiting, and the bottleneck marked. Geometry only: ``templates/metrics/board_flow.html``
(``#process-map``) draws it as SVG, on the flow page, as a download, and through cairosvg
as a PNG.

Every figure is ``metrics.board_flow``'s; this module only places them. What the map can
honestly show as the wait between steps: a card moves from one column to the next in one
event, so the history holds no time between two columns. Work waits in the queue columns
("to do" columns once work has started, drawn dashed) and while blocked in any step; each
step's bar shows that share of its time.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wcwidth import wrap

from kanban.models import ColumnKind
from opsboard.dates import full_date

from .board_flow import HISTORY_DAYS, BoardFlow, Bottleneck, ColumnFlow

BOX_WIDTH = 172
BOX_HEIGHT = 172
GAP = 44  # between two boxes: the arrow
MARGIN = 16
PADDING = 10
NAME_SIZE = 14
TEXT_SIZE = 12
LINE = 16
NAME_LINES = 2
BAR_HEIGHT = 8
# A display cell (wcwidth: a Latin letter is one, a Chinese character two) is about half
# an em in the fonts the map names; a little more, so a line of wide Latin letters fits.
CELL_EM = 0.56
PNG_SCALE = 2

BACKLOG, WORK, QUEUE, DONE = "backlog", "work", "queue", "done"


def drawable(text: str) -> str:
    """``text`` without control characters, which XML (so SVG, so cairo) refuses."""
    return "".join(char for char in text if unicodedata.category(char) != "Cc")


def cells(width: float, size: int) -> int:
    """How many display cells of text at ``size`` pixels fit in ``width`` pixels."""
    return max(1, int(width / (size * CELL_EM)))


def lines_of(text: str, width: float, size: int, max_lines: int) -> tuple[list[str], bool]:
    """``text`` wrapped to ``width`` pixels, at most ``max_lines`` lines, the last ending in
    an ellipsis when cut; and whether it was cut (the drawing then gives it whole in a
    ``<title>``). Chinese breaks between any two characters, other text between words."""
    lines = wrap(text, cells(width, size), max_lines=max_lines, placeholder="…") or [""]
    return lines, "".join(lines).replace(" ", "") != text.replace(" ", "")


@dataclass
class Line:
    """A line of text in a box: where, and how it is set (caption, name or figure)."""

    y: int
    text: str
    style: str


@dataclass
class MapStep:
    column_id: int
    name: str
    role: str  # BACKLOG, WORK, QUEUE or DONE
    x: int
    name_lines: list[str]
    name_cut: bool
    median_days: float | None
    cards_left: int  # cards that left it in the history window
    cards_now: int | None  # open cards in it now; None for a done column
    waiting_share: float | None  # of its time in the window, 0 to 1 (steps only)
    bottleneck: bool
    column: ColumnFlow  # its figures, for the table beside the map
    lines: list[Line] = field(default_factory=list)

    @property
    def text_x(self) -> int:
        return int(self.x) + PADDING

    @property
    def center(self) -> float:
        return round(self.x + BOX_WIDTH / 2, 1)

    @property
    def right(self) -> float:
        return self.x + BOX_WIDTH

    @property
    def waiting_percent(self) -> int | None:
        return None if self.waiting_share is None else round(self.waiting_share * 100)

    @property
    def waiting_bar(self) -> float:
        """The bar's filled width, in pixels."""
        inner = BOX_WIDTH - 2 * PADDING
        return round(inner * (self.waiting_share or 0), 1)


@dataclass
class ProcessMap:
    board_name: str
    as_of: date
    steps: list[MapStep]
    bottleneck: Bottleneck | None
    no_bottleneck: str
    width: int
    # The text above and below the boxes, top to bottom.
    heading: list[Line] = field(default_factory=list)
    notes: list[Line] = field(default_factory=list)
    tag_y: int = 0
    box_y: int = 0
    height: int = 0

    # Fixed offsets inside a box, for the template.
    box_width: int = BOX_WIDTH
    box_height: int = BOX_HEIGHT
    padding: int = PADDING
    line: int = LINE
    bar_height: int = BAR_HEIGHT
    png_scale: int = PNG_SCALE

    @property
    def bottleneck_step(self) -> MapStep | None:
        return next((step for step in self.steps if step.bottleneck), None)

    @property
    def arrows(self) -> list[tuple[float, float]]:
        """(from x, to x) of the arrow between each box and the next."""
        return [(a.right + 4, b.x - 4) for a, b in zip(self.steps, self.steps[1:], strict=False)]

    @property
    def box_middle(self) -> float:
        return self.box_y + BOX_HEIGHT / 2

    @property
    def bar_y(self) -> int:
        return self.box_y + BOX_HEIGHT - PADDING - BAR_HEIGHT

    @property
    def bar_width(self) -> int:
        return BOX_WIDTH - 2 * PADDING


def _role(column: ColumnFlow) -> str:
    if column.kind == ColumnKind.DONE:
        return DONE
    if not column.is_step:
        return BACKLOG
    return QUEUE if column.waits else WORK


def _caption(role: str) -> str:
    return {
        BACKLOG: _("Not started"),
        WORK: _("Work step"),
        QUEUE: _("Queue: waiting"),
        DONE: _("Finished"),
    }[role]


def _box_lines(step: MapStep, top: int) -> list[Line]:
    """The caption, the name and the figures, top to bottom, ``top`` the box's top."""
    y = top + PADDING + TEXT_SIZE
    lines = [Line(y, _caption(step.role), "caption")]
    y += LINE + 4
    for part in step.name_lines:
        lines.append(Line(y, part, "name"))
        y += LINE + 2
    y += 4
    if step.role == DONE:
        return lines
    if step.median_days is None:
        lines.append(Line(y, _("Median: none has left it yet"), "figure"))
    else:
        lines.append(Line(y, _("Median: %(days)s days") % {"days": step.median_days}, "figure"))
        y += LINE
        lines.append(
            Line(
                y,
                ngettext(
                    "of %(count)d card that left it",
                    "of %(count)d cards that left it",
                    step.cards_left,
                )
                % {"count": step.cards_left},
                "caption",
            )
        )
    y += LINE
    now = step.cards_now or 0
    lines.append(
        Line(
            y, ngettext("%(count)d card now", "%(count)d cards now", now) % {"count": now}, "figure"
        )
    )
    if step.waiting_percent is not None:
        lines.append(
            Line(
                top + BOX_HEIGHT - PADDING - BAR_HEIGHT - 4,
                _("Waiting: %(percent)d%%") % {"percent": step.waiting_percent},
                "figure",
            )
        )
    return lines


def legend() -> str:
    return _(
        "Each box is a column of the board, left to right. The time in a box is the median: "
        "of the cards that left the column over the last %(days)d days, half spent less time "
        "in it and half more. A card moves from one column to the next in one step, so the board "
        "records no time between columns: work waits in queue columns (dashed boxes: to do "
        "columns after work has started) and while blocked. The bar at the foot of each step "
        "is the share of its time that cards waited there. The bottleneck is hatched and "
        "labelled."
    ) % {"days": HISTORY_DAYS}


def process_map(
    flow: BoardFlow, *, board_name: str, as_of: date, cards_now: dict[int, int]
) -> ProcessMap:
    """The map of ``flow``'s columns; ``cards_now`` is the open cards per column (the counts
    the board's columns show)."""
    history = flow.history
    bottleneck_id = history.bottleneck.column_id if history.bottleneck else None
    steps = []
    for n, column in enumerate(history.columns):
        role = _role(column)
        name = drawable(column.name)
        name_lines, cut = lines_of(name, BOX_WIDTH - 2 * PADDING, NAME_SIZE, NAME_LINES)
        steps.append(
            MapStep(
                column_id=column.column_id,
                name=name,
                role=role,
                x=MARGIN + n * (BOX_WIDTH + GAP),
                name_lines=name_lines,
                name_cut=cut,
                median_days=column.median_days,
                cards_left=column.cards,
                cards_now=None if role == DONE else cards_now.get(column.column_id, 0),
                waiting_share=column.waiting_share if column.is_step else None,
                bottleneck=column.column_id == bottleneck_id,
                column=column,
            )
        )
    width = max(2 * MARGIN + len(steps) * BOX_WIDTH + max(len(steps) - 1, 0) * GAP, 480)
    text_width = width - 2 * MARGIN
    heading = _("Process map of %(board)s") % {"board": drawable(board_name)}
    if history.bottleneck:
        reason = _("Bottleneck: %(step)s. %(reason)s") % {
            "step": history.bottleneck.name,
            "reason": history.bottleneck.reason,
        }
    else:
        reason = history.no_bottleneck
    reason = drawable(reason)
    drawn = ProcessMap(
        board_name=drawable(board_name),
        as_of=as_of,
        steps=steps,
        bottleneck=history.bottleneck,
        no_bottleneck=history.no_bottleneck,
        width=width,
    )
    y = MARGIN
    for part in lines_of(heading, text_width, NAME_SIZE + 2, 2)[0]:
        y += LINE + 4
        drawn.heading.append(Line(y, part, "heading"))
    y += LINE
    drawn.heading.append(Line(y, _("As of %(day)s") % {"day": full_date(as_of)}, "caption"))
    drawn.tag_y = y + 10
    drawn.box_y = drawn.tag_y + LINE + 10
    y = drawn.box_y + BOX_HEIGHT + LINE
    for part in lines_of(reason, text_width, TEXT_SIZE, 4)[0]:
        y += LINE
        drawn.notes.append(Line(y, part, "reason" if history.bottleneck else "figure"))
    y += LINE // 2
    for part in lines_of(legend(), text_width, TEXT_SIZE - 1, 8)[0]:
        y += LINE
        drawn.notes.append(Line(y, part, "caption"))
    drawn.height = y + MARGIN
    for step in steps:
        step.lines = _box_lines(step, drawn.box_y)
    return drawn


# A drawing's PNG is kept a day under the drawing's digest, as the board's history is: the
# same board, day and language are drawn once (90-640 ms) however often they are downloaded.
PNG_KEPT_SECONDS = 24 * 60 * 60


def png_of(svg: str, *, scale: int = PNG_SCALE) -> bytes:
    """The drawing as a PNG, ``scale`` times its size in pixels (sharp when printed).
    cairosvg loads Debian's libcairo2 when imported: only here, so a machine without it
    serves everything but this."""
    key = f"process-map-png:{scale}:{hashlib.sha256(svg.encode()).hexdigest()}"
    picture = cache.get(key)
    if picture is None:
        try:
            import cairosvg
        except (ImportError, OSError) as error:  # OSError: the system lacks libcairo2
            raise PictureUnavailable from error
        picture = cairosvg.svg2png(bytestring=svg.encode(), scale=scale)
        cache.set(key, picture, PNG_KEPT_SECONDS)
    return picture


class PictureUnavailable(Exception):
    """This server cannot draw PNGs: its system lacks the cairo library."""
