"""Reads for projects, goals and check-ins, each scoped to the person asking.

The ``*_get_for_user`` helpers take the requester's membership (resolved from
the organisation in the address) and answer 404 for anything outside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from opsboard.tenancy.models import Membership, Organization, Team

from .goals import GoalStatus, Tracking, goal_tracking
from .models import CheckIn, Goal, GoalState, Project


def project_get_for_user(*, membership: Membership, project_id: int) -> Project:
    return get_object_or_404(
        Project.objects.select_related("owner").prefetch_related(
            Prefetch("teams", queryset=Team.objects.order_by("name"))
        ),
        organization_id=membership.organization_id,
        pk=project_id,
    )


def goal_get_for_user(*, membership: Membership, goal_id: int) -> Goal:
    return get_object_or_404(
        with_latest_check_in(Goal.objects.select_related("project", "parent", "team", "owner")),
        organization_id=membership.organization_id,
        pk=goal_id,
    )


def projects_for_organization(*, organization: Organization) -> QuerySet[Project]:
    """The organisation's projects, newest first; ``projects.filters.ProjectFilter`` narrows them."""
    return (
        Project.objects.filter(organization=organization)
        .select_related("owner")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .annotate(goal_count=Count("goals", distinct=True))
        .order_by("-start_date", "name")
    )


def with_latest_check_in(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    """Annotate each goal with its latest check-in's value, confidence and date."""
    latest = CheckIn.objects.filter(goal=OuterRef("pk")).order_by("-checked_on", "-created_at")
    return goals.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_confidence=Subquery(latest.values("confidence")[:1]),
        latest_checked_on=Subquery(latest.values("checked_on")[:1]),
    )


@dataclass
class TrackedGoal:
    goal: Goal
    tracking: Tracking
    children: list[TrackedGoal] = field(default_factory=list)


def track(goal: Goal, *, on: date) -> TrackedGoal:
    """Pair a goal (annotated by ``with_latest_check_in``) with where it stands."""
    return TrackedGoal(
        goal,
        goal_tracking(
            goal, latest_value=goal.latest_value, latest_confidence=goal.latest_confidence, on=on
        ),  # type: ignore[attr-defined]
    )


def goals_for_project(*, project: Project, on: date) -> list[TrackedGoal]:
    goals = with_latest_check_in(
        Goal.objects.filter(project=project).select_related("parent", "team", "owner")
    ).order_by("due_date", "title")
    return [track(goal, on=on) for goal in goals]


def goal_tree(
    *, organization: Organization, on: date, matching: QuerySet[Goal] | None = None
) -> list[TrackedGoal]:
    """The organisation's goals as a tree: objectives, then the goals that serve them.

    Given ``matching`` (the goals ``projects.filters.GoalFilter`` chose, read in the same
    query), those goals are kept with the goals above them, so every branch still reads
    from the objective down.
    """
    goals = Goal.objects.filter(organization=organization).select_related("project", "team")
    if matching is not None:
        goals = goals.annotate(matches=Exists(matching.filter(pk=OuterRef("pk"))))
    goals = list(with_latest_check_in(goals).order_by("due_date", "title"))
    by_id = {goal.pk: track(goal, on=on) for goal in goals}
    if matching is not None:
        keep = set()
        for goal in goals:
            node = by_id[goal.pk] if goal.matches else None
            while node is not None and node.goal.pk not in keep:
                keep.add(node.goal.pk)
                node = by_id.get(node.goal.parent_id) if node.goal.parent_id else None
        by_id = {goal_id: node for goal_id, node in by_id.items() if goal_id in keep}
    roots = []
    for node in by_id.values():
        parent = by_id.get(node.goal.parent_id) if node.goal.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def check_ins_for_goal(*, goal: Goal) -> QuerySet[CheckIn]:
    return (
        CheckIn.objects.filter(goal=goal)
        .select_related("author")
        .order_by("checked_on", "created_at")
    )


def goals_needing_attention(
    *, organization: Organization, on: date, limit: int = 8
) -> list[TrackedGoal]:
    """Active goals at risk or off track, the furthest behind first."""
    goals = with_latest_check_in(
        Goal.objects.filter(organization=organization, state=GoalState.ACTIVE).select_related(
            "project"
        )
    )
    tracked = [track(goal, on=on) for goal in goals]
    behind = [t for t in tracked if t.tracking.status in (GoalStatus.AT_RISK, GoalStatus.OFF_TRACK)]
    behind.sort(
        key=lambda t: (t.tracking.expected or 0)
        - (t.tracking.progress.fraction if t.tracking.progress else 0),
        reverse=True,
    )
    return behind[:limit]
