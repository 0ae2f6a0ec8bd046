"""A goal's chart as SVG geometry: check-ins against the straight line to target.

Drawn on the server so it works without JavaScript, prints, and can be read
in tests; the page draws it with a few SVG elements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import pgettext

from opsboard.dates import day

from .goals import format_value
from .models import CheckIn, Direction, Goal

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 32
TICKS = 5


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str

    def __post_init__(self) -> None:
        # One decimal is plenty for an SVG coordinate and keeps the markup short.
        object.__setattr__(self, "x", round(self.x, 1))
        object.__setattr__(self, "y", round(self.y, 1))


@dataclass(frozen=True)
class GoalChart:
    width: int
    height: int
    plan: tuple[Point, Point]
    check_ins: list[Point]
    band: tuple[float, float] | None  # top and bottom of a range goal's band
    y_ticks: list[Point]
    x_ticks: list[Point]
    today_x: float | None

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.check_ins)

    @property
    def band_height(self) -> float:
        return round(self.band[1] - self.band[0], 1) if self.band else 0.0

    @property
    def plot_width(self) -> int:
        return self.width - LEFT - RIGHT

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT

    @property
    def plot_top(self) -> int:
        return TOP

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM


def goal_chart(goal: Goal, check_ins: Sequence[CheckIn], *, today: date) -> GoalChart | None:
    """Geometry for the goal's chart; None until it has dates, a baseline and a target."""
    if (
        goal.start_date is None
        or goal.due_date is None
        or goal.baseline is None
        or goal.target is None
    ):
        return None
    first_day = min([goal.start_date, *(c.checked_on for c in check_ins)])
    last_day = max([goal.due_date, *(c.checked_on for c in check_ins)])
    span_days = max(1, (last_day - first_day).days)
    values = [goal.baseline, goal.target, *(c.value for c in check_ins)]
    if goal.direction == Direction.RANGE and goal.target_high is not None:
        values.append(goal.target_high)
    low, high = min(values), max(values)
    margin = (high - low) * Decimal("0.1") or Decimal(1)
    low, high = low - margin, high + margin

    def x(on: date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (on - first_day).days / span_days

    def y(value: Decimal) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * float((high - value) / (high - low))

    def label(value: Decimal) -> str:
        return format_value(value, goal.decimals, goal.unit)

    plan_end = goal.target
    if goal.direction == Direction.RANGE and goal.target_high is not None:
        plan_end = (goal.target + goal.target_high) / 2
    band = None
    if goal.direction == Direction.RANGE and goal.target_high is not None:
        band = (round(y(goal.target_high), 1), round(y(goal.target), 1))
    step = (high - low) / (TICKS - 1)
    colon = pgettext("between a label and its value", ": ")
    return GoalChart(
        width=WIDTH,
        height=HEIGHT,
        plan=(
            Point(x(goal.start_date), y(goal.baseline), label(goal.baseline)),
            Point(x(goal.due_date), y(plan_end), label(plan_end)),
        ),
        check_ins=[
            Point(
                x(c.checked_on),
                y(c.value),
                f"{day(c.checked_on)}{colon}{label(c.value)}",
            )
            for c in check_ins
        ],
        band=band,
        y_ticks=[Point(LEFT, y(low + step * n), label(low + step * n)) for n in range(TICKS)],
        x_ticks=[
            Point(x(tick), HEIGHT - 10, day(tick))
            for tick in (first_day, goal.due_date if goal.due_date != first_day else last_day)
        ],
        today_x=round(x(today), 1) if first_day <= today <= last_day else None,
    )
