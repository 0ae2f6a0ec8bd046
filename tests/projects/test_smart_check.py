"""The SMART check: pass, warn and fail for each criterion."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from opsboard.tenancy.models import Organization
from projects.goals import Criterion, Level, smart_check
from projects.models import Direction, Goal, GoalState, Project, Unit

TODAY = date(2026, 11, 24)


def make_goal(**changes) -> Goal:
    """A goal that passes every criterion, changed as asked (not saved)."""
    organization = changes.pop("organization", None) or Organization(pk=1, name="Acme", slug="acme")
    fields = {
        "pk": 10,
        "organization": organization,
        "project": None,
        "parent": None,
        "title": "Cut customer churn",
        "statement": "Fewer paying customers leave us each month.",
        "metric_name": "Monthly churn",
        "unit": Unit.PERCENT,
        "direction": Direction.DECREASE,
        "baseline": Decimal(20),
        "target": Decimal(17),
        "decimals": 1,
        "confidence": 4,
        "resources_note": "Two analysts and one engineer for a quarter.",
        "start_date": date(2026, 11, 1),
        "due_date": date(2027, 2, 28),
        "state": GoalState.DRAFT,
    }
    fields.update(changes)
    return Goal(**fields)


def result_for(goal: Goal, criterion: Criterion):
    [result] = [r for r in smart_check(goal, today=TODAY).results if r.criterion == criterion]
    return result


def test_a_good_goal_passes_everything() -> None:
    check = smart_check(make_goal(), today=TODAY)
    assert [r.level for r in check.results] == [Level.PASS] * 5
    assert check.passes
    assert check.as_dict()["passes"] is True


@pytest.mark.parametrize(
    ("changes", "level", "message"),
    [
        ({"title": "  "}, Level.FAIL, "Give the goal a title."),
        ({"statement": ""}, Level.WARN, "Say what changes, and for whom."),
        ({"statement": "Less churn"}, Level.WARN, "The statement is very short"),
        ({}, Level.PASS, "Says what changes and for whom."),
    ],
)
def test_specific(changes, level, message) -> None:
    result = result_for(make_goal(**changes), Criterion.SPECIFIC)
    assert result.level == level
    assert message in result.message


@pytest.mark.parametrize(
    ("changes", "level", "message"),
    [
        ({"metric_name": ""}, Level.FAIL, "Name the metric that shows progress."),
        ({"baseline": None}, Level.FAIL, "The baseline is missing."),
        ({"target": None}, Level.FAIL, "The target is missing."),
        ({"target": Decimal(20)}, Level.FAIL, "The target equals the baseline."),
        (
            {"target": Decimal(25)},
            Level.FAIL,
            "The target is above the baseline, but the goal is to decrease.",
        ),
        (
            {"direction": Direction.INCREASE},
            Level.FAIL,
            "The target is below the baseline, but the goal is to increase.",
        ),
        (
            {"target": Decimal(120), "direction": Direction.INCREASE},
            Level.FAIL,
            "A percentage must be between 0 and 100.",
        ),
        ({"direction": Direction.RANGE}, Level.FAIL, "Give the upper end of the range."),
        (
            {"direction": Direction.RANGE, "target_high": Decimal(10)},
            Level.FAIL,
            "The upper end of the range is below its lower end.",
        ),
        (
            {"unit": Unit.COUNT, "baseline": Decimal(150), "target": Decimal(120)},
            Level.PASS,
            "from 150.0 to 120.0",
        ),
        ({}, Level.PASS, "Measured by Monthly churn: from 20.0% to 17.0%."),
        (
            {"direction": Direction.RANGE, "target": Decimal(2), "target_high": Decimal(4)},
            Level.PASS,
            "between 2.0% and 4.0%",
        ),
    ],
)
def test_measurable(changes, level, message) -> None:
    result = result_for(make_goal(**changes), Criterion.MEASURABLE)
    assert result.level == level
    assert message in result.message


@pytest.mark.parametrize(
    ("changes", "level", "message"),
    [
        ({"confidence": 1}, Level.FAIL, "Confidence is 1 of 5"),
        ({"confidence": None}, Level.WARN, "Say how confident the team is"),
        ({"confidence": 2}, Level.WARN, "Confidence is low (2 of 5)."),
        ({"resources_note": ""}, Level.WARN, "Note the resources and constraints."),
        ({}, Level.PASS, "Confidence 4 of 5, resources noted."),
    ],
)
def test_achievable(changes, level, message) -> None:
    result = result_for(make_goal(**changes), Criterion.ACHIEVABLE)
    assert result.level == level
    assert message in result.message


def test_relevant() -> None:
    organization = Organization(pk=1, name="Acme", slug="acme")
    project = Project(
        pk=3, organization=organization, start_date=date(2026, 10, 1), due_date=date(2027, 3, 31)
    )
    objective = make_goal(
        pk=1, organization=organization, title="Keep customers", state=GoalState.ACTIVE
    )

    assert result_for(make_goal(), Criterion.RELEVANT).message == "An organisation objective."
    result = result_for(make_goal(project=project), Criterion.RELEVANT)
    assert (result.level, result.message) == (Level.FAIL, "Not linked to any objective.")
    result = result_for(make_goal(project=project, parent=objective), Criterion.RELEVANT)
    assert (result.level, result.message) == (Level.PASS, "Serves “Keep customers”.")

    foreign = make_goal(pk=2, organization=Organization(pk=2, name="Rival", slug="rival"))
    result = result_for(make_goal(project=project, parent=foreign), Criterion.RELEVANT)
    assert (result.level, result.message) == (
        Level.FAIL,
        "The objective belongs to another organisation.",
    )

    dropped = make_goal(pk=4, organization=organization, title="Old", state=GoalState.DROPPED)
    result = result_for(make_goal(project=project, parent=dropped), Criterion.RELEVANT)
    assert (result.level, result.message) == (
        Level.WARN,
        "The objective it serves is closed (Dropped).",
    )

    goal = make_goal(pk=10, project=project)
    child = make_goal(pk=11, organization=organization, parent=goal)
    goal.parent = child
    assert result_for(goal, Criterion.RELEVANT).level == Level.FAIL


@pytest.mark.parametrize(
    ("changes", "level", "message"),
    [
        ({"start_date": None}, Level.FAIL, "Give a start and a due date."),
        ({"due_date": date(2026, 10, 1)}, Level.FAIL, "The due date is before the start."),
        ({"due_date": date(2026, 11, 1)}, Level.WARN, "The goal starts and ends on the same day."),
        (
            {"start_date": date(2026, 9, 1), "due_date": date(2026, 11, 1)},
            Level.WARN,
            "The due date has passed.",
        ),
        ({"due_date": date(2028, 1, 1)}, Level.WARN, "Over a year long"),
        ({}, Level.PASS, "(119 days)"),
    ],
)
def test_time_bound(changes, level, message) -> None:
    result = result_for(make_goal(**changes), Criterion.TIME_BOUND)
    assert result.level == level
    assert message in result.message


def test_time_bound_warns_when_outside_the_project() -> None:
    organization = Organization(pk=1, name="Acme", slug="acme")
    project = Project(
        pk=3, organization=organization, start_date=date(2026, 11, 1), due_date=date(2026, 12, 31)
    )
    result = result_for(make_goal(project=project), Criterion.TIME_BOUND)
    assert result.level == Level.WARN
    assert "outside the project" in result.message


def test_failures_block_activation() -> None:
    check = smart_check(make_goal(target=Decimal(20), confidence=1), today=TODAY)
    assert not check.passes
    assert [r.criterion for r in check.failures] == [Criterion.MEASURABLE, Criterion.ACHIEVABLE]
