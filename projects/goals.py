"""What Opsboard derives about a goal: the SMART check, progress and status.

Nothing here writes. The rules are written down for people in
``docs/goals.md`` and on the goal page; keep the three in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import CLOSED_GOAL_STATES, Direction, Goal, GoalState, Unit

# Status thresholds: how far progress may trail the time elapsed.
ON_TRACK_GAP = 0.10
AT_RISK_GAP = 0.25
LOW_CONFIDENCE = 2
LONGEST_SENSIBLE_DAYS = 366
SHORT_STATEMENT = 20


class Level(models.TextChoices):
    PASS = "pass", gettext_lazy("Pass")
    WARN = "warn", gettext_lazy("Warning")
    FAIL = "fail", gettext_lazy("Fail")


class Criterion(models.TextChoices):
    SPECIFIC = "specific", gettext_lazy("Specific")
    MEASURABLE = "measurable", gettext_lazy("Measurable")
    ACHIEVABLE = "achievable", gettext_lazy("Achievable")
    RELEVANT = "relevant", gettext_lazy("Relevant")
    TIME_BOUND = "time_bound", gettext_lazy("Time-bound")


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    level: Level
    message: str

    @property
    def label(self) -> str:
        return str(self.criterion.label)


@dataclass(frozen=True)
class SmartCheck:
    results: list[CriterionResult]

    @property
    def passes(self) -> bool:
        """True when no criterion fails: the goal may be made active."""
        return all(result.level != Level.FAIL for result in self.results)

    @property
    def failures(self) -> list[CriterionResult]:
        return [result for result in self.results if result.level == Level.FAIL]

    def as_dict(self) -> dict[str, object]:
        return {
            "passes": self.passes,
            "criteria": [
                {"criterion": r.criterion.value, "level": r.level.value, "message": r.message}
                for r in self.results
            ],
        }


def format_value(value: Decimal | None, decimals: int, unit: str) -> str:
    """A metric's value as people read it: ``17.5%``, ``12 days``, ``4,400,000``."""
    if value is None:
        return "—"
    # Half up, as people round (72.5 -> 73); format() alone rounds half to even (-> 72).
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    number = f"{rounded:,.{decimals}f}"
    if unit == Unit.PERCENT:
        return f"{number}%"
    if unit == Unit.DAYS:
        return _("%(number)s days") % {"number": number}
    if unit == Unit.HOURS:
        return _("%(number)s h") % {"number": number}
    # Counts, scores and money read as plain numbers; the metric's name says which.
    return number


def format_change(change: Decimal | None, decimals: int, unit: str) -> str:
    """A change with its sign, as tiles, retrospectives and emails show it: ``+3.0 days``.

    A change of a percentage is in percentage points (「+2.0 个百分点」): "+2.0%" would
    read as two per cent more of the figure, not 90% against 88%.
    """
    if change is None:
        return "—"
    number = format_value(abs(change), decimals, Unit.COUNT)
    # The sign of what is shown: a change that rounds to 0.0 is no change.
    sign = "±" if not number.strip("0.,") else "+" if change > 0 else "−"
    if unit == Unit.PERCENT:
        # English says "1 percentage point" of exactly one only ("1.0 percentage points").
        return sign + ngettext(
            "%(number)s percentage point",
            "%(number)s percentage points",
            1 if number == "1" else 2,
        ) % {"number": number}
    return sign + format_value(abs(change), decimals, unit)


def smart_check(goal: Goal, *, today: date) -> SmartCheck:
    """Check a goal, saved or not, against each SMART criterion."""
    return SmartCheck(
        [
            _check_specific(goal),
            _check_measurable(goal),
            _check_achievable(goal),
            _check_relevant(goal),
            _check_time_bound(goal, today),
        ]
    )


def _result(criterion: Criterion, level: Level, message: str) -> CriterionResult:
    return CriterionResult(criterion, level, message)


def _check_specific(goal: Goal) -> CriterionResult:
    c = Criterion.SPECIFIC
    if not goal.title.strip():
        return _result(c, Level.FAIL, _("Give the goal a title."))
    statement = goal.statement.strip()
    if not statement:
        return _result(c, Level.WARN, _("Say what changes, and for whom."))
    if len(statement) < SHORT_STATEMENT:
        return _result(
            c, Level.WARN, _("The statement is very short: say what changes, and for whom.")
        )
    return _result(c, Level.PASS, _("Says what changes and for whom."))


def _check_measurable(goal: Goal) -> CriterionResult:
    c = Criterion.MEASURABLE
    if not goal.metric_name.strip():
        return _result(c, Level.FAIL, _("Name the metric that shows progress."))
    if goal.baseline is None:
        return _result(c, Level.FAIL, _("The baseline is missing."))
    if goal.target is None:
        return _result(c, Level.FAIL, _("The target is missing."))
    values = [goal.baseline, goal.target]
    if goal.direction == Direction.RANGE:
        if goal.target_high is None:
            return _result(c, Level.FAIL, _("Give the upper end of the range."))
        if goal.target_high < goal.target:
            return _result(c, Level.FAIL, _("The upper end of the range is below its lower end."))
        values.append(goal.target_high)
    if goal.unit == Unit.PERCENT and any(value < 0 or value > 100 for value in values):
        return _result(c, Level.FAIL, _("A percentage must be between 0 and 100."))
    if goal.direction != Direction.RANGE:
        if goal.target == goal.baseline:
            return _result(c, Level.FAIL, _("The target equals the baseline."))
        if goal.direction == Direction.INCREASE and goal.target < goal.baseline:
            return _result(
                c, Level.FAIL, _("The target is below the baseline, but the goal is to increase.")
            )
        if goal.direction == Direction.DECREASE and goal.target > goal.baseline:
            return _result(
                c, Level.FAIL, _("The target is above the baseline, but the goal is to decrease.")
            )
    if goal.direction == Direction.RANGE:
        target = _("between %(low)s and %(high)s") % {
            "low": format_value(goal.target, goal.decimals, goal.unit),
            "high": format_value(goal.target_high, goal.decimals, goal.unit),
        }
    else:
        target = format_value(goal.target, goal.decimals, goal.unit)
    return _result(
        c,
        Level.PASS,
        _("Measured by %(metric)s: from %(baseline)s to %(target)s.")
        % {
            "metric": goal.metric_name,
            "baseline": format_value(goal.baseline, goal.decimals, goal.unit),
            "target": target,
        },
    )


def _check_achievable(goal: Goal) -> CriterionResult:
    c = Criterion.ACHIEVABLE
    if goal.confidence is None:
        return _result(c, Level.WARN, _("Say how confident the team is, from 1 to 5."))
    if goal.confidence <= 1:
        return _result(
            c,
            Level.FAIL,
            _(
                "Confidence is 1 of 5: the team does not expect to reach it. Lower the target or add resources."
            ),
        )
    if goal.confidence <= LOW_CONFIDENCE:
        return _result(
            c,
            Level.WARN,
            _("Confidence is low (%(confidence)s of 5).") % {"confidence": goal.confidence},
        )
    if not goal.resources_note.strip():
        return _result(c, Level.WARN, _("Note the resources and constraints."))
    return _result(
        c,
        Level.PASS,
        _("Confidence %(confidence)s of 5, resources noted.") % {"confidence": goal.confidence},
    )


def _check_relevant(goal: Goal) -> CriterionResult:
    c = Criterion.RELEVANT
    parent = goal.parent if goal.parent_id else None
    if parent is None:
        if goal.project_id is None:
            return _result(c, Level.PASS, _("An organisation objective."))
        return _result(c, Level.FAIL, _("Not linked to any objective."))
    if parent.organization_id != goal.organization_id:
        return _result(c, Level.FAIL, _("The objective belongs to another organisation."))
    if goal.pk and _is_ancestor_or_self(goal, parent):
        return _result(
            c, Level.FAIL, _("A goal cannot serve itself or one of the goals that serve it.")
        )
    if parent.state in CLOSED_GOAL_STATES:
        return _result(
            c,
            Level.WARN,
            _("The objective it serves is closed (%(state)s).")
            % {"state": GoalState(parent.state).label},
        )
    return _result(c, Level.PASS, _("Serves “%(objective)s”.") % {"objective": parent.title})


def _is_ancestor_or_self(goal: Goal, parent: Goal) -> bool:
    seen: set[int] = set()
    node: Goal | None = parent
    while node is not None and node.pk not in seen:
        if node.pk == goal.pk:
            return True
        seen.add(node.pk)
        node = node.parent if node.parent_id else None
    return False


def _check_time_bound(goal: Goal, today: date) -> CriterionResult:
    c = Criterion.TIME_BOUND
    if goal.start_date is None or goal.due_date is None:
        return _result(c, Level.FAIL, _("Give a start and a due date."))
    if goal.due_date < goal.start_date:
        return _result(c, Level.FAIL, _("The due date is before the start."))
    if goal.due_date == goal.start_date:
        return _result(c, Level.WARN, _("The goal starts and ends on the same day."))
    if goal.due_date < today and not goal.is_closed:
        return _result(c, Level.WARN, _("The due date has passed."))
    project = goal.project if goal.project_id else None
    if project is not None and (
        goal.start_date < project.start_date or goal.due_date > project.due_date
    ):
        return _result(
            c,
            Level.WARN,
            _("The dates fall outside the project (%(start)s to %(due)s).")
            % {
                "start": date_format(project.start_date, "SHORT_DATE_FORMAT"),
                "due": date_format(project.due_date, "SHORT_DATE_FORMAT"),
            },
        )
    days = (goal.due_date - goal.start_date).days
    if days > LONGEST_SENSIBLE_DAYS:
        return _result(c, Level.WARN, _("Over a year long: split it into shorter goals."))
    return _result(
        c,
        Level.PASS,
        _("From %(start)s to %(due)s (%(days)s days).")
        % {
            "start": date_format(goal.start_date, "SHORT_DATE_FORMAT"),
            "due": date_format(goal.due_date, "SHORT_DATE_FORMAT"),
            "days": days,
        },
    )


@dataclass(frozen=True)
class Progress:
    """How far a value has come from the baseline to the target.

    ``raw`` is honest: below 0 when the value moved the wrong way, above 1
    past the target. ``fraction`` is the same, clamped to 0..1, for bars.
    """

    raw: float

    @property
    def fraction(self) -> float:
        return min(1.0, max(0.0, self.raw))

    @property
    def percent(self) -> int:
        return round(self.fraction * 100)

    @property
    def wrong_way(self) -> bool:
        return self.raw < 0

    @property
    def reached(self) -> bool:
        return self.raw >= 1


def progress(
    *,
    direction: str,
    baseline: Decimal | None,
    target: Decimal | None,
    target_high: Decimal | None = None,
    value: Decimal | None,
) -> Progress | None:
    """Progress of ``value`` from ``baseline`` towards ``target``; None when not measurable."""
    if baseline is None or target is None or value is None:
        return None
    if direction == Direction.RANGE:
        if target_high is None or target_high < target:
            return None
        if target <= value <= target_high:
            return Progress(1.0)
        start_distance = _distance_to_range(baseline, target, target_high)
        if start_distance == 0:
            # It started inside the range and has left it.
            return Progress(0.0)
        return Progress(float(1 - _distance_to_range(value, target, target_high) / start_distance))
    if target == baseline:
        return None
    return Progress(float((value - baseline) / (target - baseline)))


def _distance_to_range(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    if value < low:
        return low - value
    if value > high:
        return value - high
    return Decimal(0)


def expected_progress(*, start: date | None, due: date | None, on: date) -> float | None:
    """The share of the goal's time that has passed on ``on``, 0..1."""
    if start is None or due is None or due < start:
        return None
    if due == start:
        return 1.0 if on >= due else 0.0
    return min(1.0, max(0.0, (on - start).days / (due - start).days))


class GoalStatus(models.TextChoices):
    ON_TRACK = "on_track", gettext_lazy("On track")
    AT_RISK = "at_risk", gettext_lazy("At risk")
    OFF_TRACK = "off_track", gettext_lazy("Off track")
    ACHIEVED = "achieved", gettext_lazy("Achieved")
    MISSED = "missed", gettext_lazy("Missed")


@dataclass(frozen=True)
class Tracking:
    """A goal's position on a day: current value, progress, expected progress, status."""

    current: Decimal | None
    progress: Progress | None
    expected: float | None
    status: GoalStatus | None

    @property
    def expected_percent(self) -> int | None:
        return None if self.expected is None else round(self.expected * 100)


def goal_status(
    *,
    direction: str,
    progress: Progress | None,
    expected: float | None,
    due: date | None,
    on: date,
    confidence: int | None,
) -> GoalStatus | None:
    """The status rule (docs/goals.md; ``status_rule`` words it for the goal page):

    1. The target is met: achieved. A range goal is achieved only when it is
       inside the range on or after its due date; before that, inside is on track.
    2. Past the due date and not met: missed.
    3. Progress trails the time elapsed by at most ``ON_TRACK_GAP``: on track, unless
       the latest confidence is ``LOW_CONFIDENCE`` or lower, which makes it at risk.
    4. Trails by at most ``AT_RISK_GAP``: at risk. More: off track.
    """
    if progress is None or expected is None or due is None:
        return None
    if progress.reached:
        if direction != Direction.RANGE or on >= due:
            return GoalStatus.ACHIEVED
        return GoalStatus.ON_TRACK
    if on > due:
        return GoalStatus.MISSED
    gap = expected - progress.fraction
    if gap <= ON_TRACK_GAP:
        if confidence is not None and confidence <= LOW_CONFIDENCE:
            return GoalStatus.AT_RISK
        return GoalStatus.ON_TRACK
    if gap <= AT_RISK_GAP:
        return GoalStatus.AT_RISK
    return GoalStatus.OFF_TRACK


def status_rule() -> list[str]:
    """The status rule as the goal page explains it, one line per status, with the
    thresholds ``goal_status`` decides by."""
    on_track = {"points": round(ON_TRACK_GAP * 100), "confidence": LOW_CONFIDENCE}
    at_risk = {"points": round(AT_RISK_GAP * 100), "confidence": LOW_CONFIDENCE}
    return [
        _(
            "Achieved: the latest value meets the target (a range goal: inside the range on its due date)."
        ),
        _("Missed: the due date has passed and the target is not met."),
        _(
            "On track: progress trails the time elapsed by %(points)s points or less, and confidence is above %(confidence)s of 5."
        )
        % on_track,
        _(
            "At risk: progress trails by %(points)s points or less, or the team's confidence is %(confidence)s of 5 or lower."
        )
        % at_risk,
        _("Off track: progress trails by more than %(points)s points.") % at_risk,
    ]


def goal_tracking(
    goal: Goal, *, latest_value: Decimal | None, latest_confidence: int | None, on: date
) -> Tracking:
    """Where a goal stands on ``on``, from its latest check-in (or its baseline when none)."""
    current = latest_value if latest_value is not None else goal.baseline
    measured = progress(
        direction=goal.direction,
        baseline=goal.baseline,
        target=goal.target,
        target_high=goal.target_high,
        value=current,
    )
    expected = expected_progress(start=goal.start_date, due=goal.due_date, on=on)
    status = None
    if goal.state == GoalState.ACTIVE:
        status = goal_status(
            direction=goal.direction,
            progress=measured,
            expected=expected,
            due=goal.due_date,
            on=on,
            confidence=latest_confidence if latest_confidence is not None else goal.confidence,
        )
    return Tracking(current=current, progress=measured, expected=expected, status=status)
