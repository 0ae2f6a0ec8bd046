"""Writes for projects, goals and check-ins.

Each function checks the rules a person would expect (who may edit which
project or goal, teams and people belong to the same organisation) and raises
``ValidationError`` with a message to show.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsboard.accounts.models import User
from opsboard.tenancy.access import require_lead, require_manager
from opsboard.tenancy.models import Membership, Organization, Team
from opsboard.tenancy.services import check_teams

from .goals import smart_check
from .models import (
    CLOSED_GOAL_STATES,
    CheckIn,
    Direction,
    Goal,
    GoalState,
    Project,
    ProjectStatus,
    Unit,
)


def may_edit_project(actor: Membership, project: Project) -> bool:
    return (
        actor.can_manage or (actor.can_lead and actor.can_edit) or project.owner_id == actor.user_id
    )


def may_edit_goal(actor: Membership, goal: Goal) -> bool:
    if goal.project_id is None:
        return actor.can_manage
    return may_edit_project(actor, goal.project) or (
        actor.can_edit and goal.owner_id == actor.user_id
    )


def _require_goal_editor(actor: Membership, goal: Goal) -> None:
    if not may_edit_goal(actor, goal):
        raise PermissionDenied(
            _("Only the goal's owner, the project's leads and ops managers can change it.")
        )


def _check_members(organization: Organization, **people: User | None) -> None:
    for field, person in people.items():
        if (
            person is not None
            and not Membership.objects.filter(organization=organization, user=person).exists()
        ):
            raise ValidationError({field: _("Choose a member of this organisation.")})


def _check_dates(start: date | None, due: date | None, *, field: str = "due_date") -> None:
    if start and due and due < start:
        raise ValidationError({field: _("The due date is before the start.")})


@dataclass
class ProjectInput:
    name: str
    description: str
    teams: list[Team]
    owner: User | None
    start_date: date
    due_date: date
    status: str = ProjectStatus.PLANNED


def _apply_project(project: Project, data: ProjectInput) -> Project:
    _check_dates(data.start_date, data.due_date)
    if not data.teams:
        raise ValidationError({"teams": _("Choose at least one participating team.")})
    teams = check_teams(project.organization, data.teams)
    _check_members(project.organization, owner=data.owner)
    project.name = data.name
    project.description = data.description
    project.owner = data.owner
    project.start_date = data.start_date
    project.due_date = data.due_date
    project.status = data.status
    project.save()
    project.teams.set(teams)
    return project


@transaction.atomic
def project_create(*, actor: Membership, data: ProjectInput) -> Project:
    require_lead(actor)
    return _apply_project(Project(organization=actor.organization), data)


@transaction.atomic
def project_update(*, actor: Membership, project: Project, data: ProjectInput) -> Project:
    if not may_edit_project(actor, project):
        raise PermissionDenied(
            _("Only the project's owner, team leads and ops managers can change it.")
        )
    return _apply_project(project, data)


@dataclass
class GoalInput:
    """The fields a person writes; everything else about a goal is derived."""

    title: str
    baseline: Decimal
    target: Decimal
    statement: str = ""
    metric_name: str = ""
    unit: str = Unit.PERCENT
    direction: str = Direction.INCREASE
    target_high: Decimal | None = None
    decimals: int = 0
    confidence: int | None = None
    resources_note: str = ""
    parent: Goal | None = None
    team: Team | None = None
    owner: User | None = None
    start_date: date | None = None
    due_date: date | None = None

    def apply_to(self, goal: Goal) -> Goal:
        for field in GOAL_INPUT_FIELDS:
            setattr(goal, field, getattr(self, field))
        return goal


GOAL_INPUT_FIELDS = [f.name for f in fields(GoalInput)]


def _check_percentages(unit: str, **values: Decimal | None) -> None:
    if unit != Unit.PERCENT:
        return
    wrong = [
        field for field, value in values.items() if value is not None and not 0 <= value <= 100
    ]
    if wrong:
        raise ValidationError(
            {field: _("A percentage must be between 0 and 100.") for field in wrong}
        )


def _validate_goal(goal: Goal) -> None:
    """The hard rules: what cannot be saved even as a draft."""
    _check_dates(goal.start_date, goal.due_date)
    _check_percentages(
        goal.unit, baseline=goal.baseline, target=goal.target, target_high=goal.target_high
    )
    if (
        goal.direction == Direction.RANGE
        and goal.target_high is not None
        and goal.target_high < goal.target
    ):
        raise ValidationError(
            {"target_high": _("The upper end of the range is below its lower end.")}
        )
    if goal.team_id and goal.team.organization_id != goal.organization_id:
        raise ValidationError({"team": _("Choose teams of this organisation.")})
    _check_members(goal.organization, owner=goal.owner)
    parent = goal.parent
    if parent is not None:
        if parent.organization_id != goal.organization_id:
            raise ValidationError({"parent": _("Choose an objective of this organisation.")})
        node: Goal | None = parent
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            if goal.pk and node.pk == goal.pk:
                raise ValidationError(
                    {"parent": _("A goal cannot serve itself or one of the goals that serve it.")}
                )
            seen.add(node.pk)
            node = node.parent


@transaction.atomic
def goal_create(*, actor: Membership, project: Project | None, data: GoalInput) -> Goal:
    if project is None:
        require_manager(actor)
    elif not may_edit_project(actor, project):
        raise PermissionDenied(
            _("Only the project's owner, team leads and ops managers can add goals.")
        )
    goal = data.apply_to(
        Goal(organization=actor.organization, project=project, created_by=actor.user)
    )
    _validate_goal(goal)
    goal.save()
    return goal


@transaction.atomic
def goal_update(*, actor: Membership, goal: Goal, data: GoalInput) -> Goal:
    _require_goal_editor(actor, goal)
    data.apply_to(goal)
    _validate_goal(goal)
    goal.save()
    return goal


@transaction.atomic
def goal_activate(*, actor: Membership, goal: Goal) -> Goal:
    """Make a draft live. Refused while any SMART criterion fails."""
    _require_goal_editor(actor, goal)
    if goal.state != GoalState.DRAFT:
        raise ValidationError(_("Only a draft can be made active."))
    check = smart_check(goal, today=timezone.localdate())
    if not check.passes:
        raise ValidationError([f"{failure.label}: {failure.message}" for failure in check.failures])
    goal.state = GoalState.ACTIVE
    goal.save(update_fields=["state", "updated_at"])
    return goal


@transaction.atomic
def goal_close(*, actor: Membership, goal: Goal, state: str, note: str) -> Goal:
    _require_goal_editor(actor, goal)
    if state not in CLOSED_GOAL_STATES:
        raise ValidationError({"state": _("Choose how the goal ended.")})
    if goal.is_closed:
        raise ValidationError(_("This goal is already closed."))
    if goal.state == GoalState.DRAFT and state != GoalState.DROPPED:
        raise ValidationError({"state": _("A draft can only be dropped.")})
    if not note.strip():
        raise ValidationError(
            {"note": _("Write a closing note: what happened, and what was learned.")}
        )
    goal.state = state
    goal.closing_note = note.strip()
    goal.closed_at = timezone.now()
    goal.save(update_fields=["state", "closing_note", "closed_at", "updated_at"])
    return goal


@transaction.atomic
def goal_reopen(*, actor: Membership, goal: Goal) -> Goal:
    _require_goal_editor(actor, goal)
    if not goal.is_closed:
        raise ValidationError(_("This goal is not closed."))
    goal.state = GoalState.ACTIVE if goal.state != GoalState.DROPPED else GoalState.DRAFT
    goal.closed_at = None
    goal.save(update_fields=["state", "closed_at", "updated_at"])
    return goal


@transaction.atomic
def check_in_create(
    *,
    actor: Membership,
    goal: Goal,
    value: Decimal,
    checked_on: date,
    confidence: int | None = None,
    note: str = "",
) -> CheckIn:
    if not actor.can_edit:
        raise PermissionDenied(_("Viewers can look but not change anything."))
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if goal.state == GoalState.DRAFT:
        raise ValidationError(_("Make the goal active before checking in."))
    if goal.is_closed:
        raise ValidationError(
            _("This goal is closed (%(state)s): it takes no more check-ins.")
            % {"state": GoalState(goal.state).label}
        )
    _check_percentages(goal.unit, value=value)
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("The date is in the future.")})
    return CheckIn.objects.create(
        goal=goal,
        value=value,
        confidence=confidence,
        note=note.strip(),
        checked_on=checked_on,
        author=actor.user,
    )
