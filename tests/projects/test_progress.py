"""Progress and status, derived from check-ins."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from projects import goals
from projects.goals import (
    GoalStatus,
    Progress,
    expected_progress,
    goal_status,
    progress,
    status_rule,
)
from projects.models import Direction

numbers = st.decimals(
    min_value=-10_000, max_value=10_000, allow_nan=False, allow_infinity=False, places=2
)


@given(baseline=numbers, target=numbers, value=numbers)
def test_progress_is_exact_and_its_bar_stays_within_bounds(baseline, target, value) -> None:
    assume(baseline != target)
    direction = Direction.INCREASE if target > baseline else Direction.DECREASE
    measured = progress(direction=direction, baseline=baseline, target=target, value=value)
    assert 0.0 <= measured.fraction <= 1.0
    assert 0 <= measured.percent <= 100
    # Honest: moving away from the target is negative, reaching it is 1 or more.
    moved_towards_target = (value - baseline) * (target - baseline) > 0
    if value == baseline:
        assert measured.raw == 0
    elif moved_towards_target:
        assert measured.raw > 0
    else:
        assert measured.wrong_way
    assert measured.reached == (
        value >= target if direction == Direction.INCREASE else value <= target
    )


@given(baseline=numbers, target=numbers, first=numbers, second=numbers)
def test_progress_respects_direction(baseline, target, first, second) -> None:
    """A value closer to the target never shows less progress."""
    assume(baseline != target)
    direction = Direction.INCREASE if target > baseline else Direction.DECREASE
    closer, farther = sorted([first, second], key=lambda v: abs(target - v))
    assume((closer - baseline) * (target - baseline) >= (farther - baseline) * (target - baseline))
    assert (
        progress(direction=direction, baseline=baseline, target=target, value=closer).raw
        >= progress(direction=direction, baseline=baseline, target=target, value=farther).raw
    )


@given(
    baseline=numbers,
    low=numbers,
    width=st.decimals(min_value=0, max_value=1000, places=2),
    value=numbers,
)
def test_range_progress_stays_within_bounds(baseline, low, width, value) -> None:
    high = low + width
    measured = progress(
        direction=Direction.RANGE, baseline=baseline, target=low, target_high=high, value=value
    )
    assert 0.0 <= measured.fraction <= 1.0
    assert measured.reached == (low <= value <= high)


def test_progress_examples() -> None:
    churn = {"direction": Direction.DECREASE, "baseline": Decimal(20), "target": Decimal(17)}
    assert progress(**churn, value=Decimal("18.5")).percent == 50
    assert progress(**churn, value=Decimal(21)).raw == pytest.approx(-1 / 3)
    assert progress(**churn, value=Decimal(21)).percent == 0
    assert progress(**churn, value=Decimal(16)).percent == 100
    assert progress(**churn, value=None) is None
    assert (
        progress(
            direction=Direction.INCREASE, baseline=Decimal(5), target=Decimal(5), value=Decimal(6)
        )
        is None
    )
    stay = {"direction": Direction.RANGE, "target": Decimal(2), "target_high": Decimal(4)}
    assert progress(**stay, baseline=Decimal(8), value=Decimal(6)).percent == 50
    assert progress(**stay, baseline=Decimal(3), value=Decimal(5)).percent == 0


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    length=st.integers(min_value=0, max_value=800),
    offset=st.integers(min_value=-100, max_value=1000),
)
def test_expected_progress_follows_the_calendar(start, length, offset) -> None:
    due = start + timedelta(days=length)
    expected = expected_progress(start=start, due=due, on=start + timedelta(days=offset))
    assert 0.0 <= expected <= 1.0
    if offset <= 0 and length > 0:
        assert expected == 0.0
    if offset >= length:
        assert expected == 1.0


START, DUE = date(2026, 1, 1), date(2026, 4, 11)  # 100 days


def status(
    raw: float, on: date, *, confidence: int | None = 4, direction: str = Direction.DECREASE
) -> GoalStatus | None:
    return goal_status(
        direction=direction,
        progress=Progress(raw),
        expected=expected_progress(start=START, due=DUE, on=on),
        due=DUE,
        on=on,
        confidence=confidence,
    )


@pytest.mark.parametrize(
    ("raw", "day", "confidence", "expected"),
    [
        (0.50, 50, 4, GoalStatus.ON_TRACK),  # exactly on the line
        (0.41, 50, 4, GoalStatus.ON_TRACK),  # 9 points behind
        (0.50, 50, 2, GoalStatus.AT_RISK),  # on the line, but the team doubts it
        (0.30, 50, 4, GoalStatus.AT_RISK),  # 20 points behind
        (0.20, 50, 4, GoalStatus.OFF_TRACK),  # 30 points behind
        (-0.3, 50, 4, GoalStatus.OFF_TRACK),  # moving the wrong way
        (1.00, 50, 4, GoalStatus.ACHIEVED),
        (0.90, 101, 4, GoalStatus.MISSED),
        (0.00, 0, 4, GoalStatus.ON_TRACK),  # nothing expected on day one
    ],
)
def test_status_rule(raw, day, confidence, expected) -> None:
    assert status(raw, START + timedelta(days=day), confidence=confidence) == expected


def test_a_range_goal_is_achieved_only_at_its_end() -> None:
    assert status(1.0, START + timedelta(days=50), direction=Direction.RANGE) == GoalStatus.ON_TRACK
    assert status(1.0, DUE, direction=Direction.RANGE) == GoalStatus.ACHIEVED


def test_no_status_without_measurement() -> None:
    assert (
        goal_status(
            direction=Direction.INCREASE,
            progress=None,
            expected=0.5,
            due=DUE,
            on=START,
            confidence=3,
        )
        is None
    )


def test_the_goal_page_words_the_thresholds_the_status_is_decided_by(monkeypatch) -> None:
    assert status_rule()[2:] == [
        "On track: progress trails the time elapsed by 10 points or less,"
        " and confidence is above 2 of 5.",
        "At risk: progress trails by 25 points or less,"
        " or the team's confidence is 2 of 5 or lower.",
        "Off track: progress trails by more than 25 points.",
    ]
    monkeypatch.setattr(goals, "ON_TRACK_GAP", 0.15)
    monkeypatch.setattr(goals, "AT_RISK_GAP", 0.30)
    monkeypatch.setattr(goals, "LOW_CONFIDENCE", 1)
    assert status(0.36, START + timedelta(days=50), confidence=2) == GoalStatus.ON_TRACK
    words = " ".join(status_rule())
    assert "by 15 points or less, and confidence is above 1 of 5" in words
    assert "by more than 30 points" in words
