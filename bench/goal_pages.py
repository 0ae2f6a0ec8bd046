"""How the goal pages scale with the number of goals and check-ins.

Seeds an organisation with 10, 100 and 1,000 goals under 10 objectives, each
with 12 weekly check-ins, then times the alignment tree, a project page and
a goal page, counting queries.

    .venv/bin/python bench/goal_pages.py
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from common import Client, measure, throwaway_database

from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.models import CheckIn, Direction, Goal, GoalState, Project, Unit

SIZES = [10, 100, 1000]
OBJECTIVES = 10
CHECK_INS = 12
START = date(2026, 9, 1)


def seed(size: int) -> tuple[User, Project, Goal]:
    organization = Organization.objects.create(name=f"Bench {size}", slug=f"bench-{size}")
    team = Team.objects.create(organization=organization, name="Operations")
    manager = User.objects.create(email=f"manager@bench{size}.test")
    Membership.objects.create(organization=organization, user=manager, role=Role.MANAGER)
    project = Project.objects.create(
        organization=organization,
        name="Project",
        start_date=START,
        due_date=START + timedelta(days=180),
    )
    project.teams.set([team])
    common = {
        "organization": organization,
        "metric_name": "Churn",
        "unit": Unit.PERCENT,
        "direction": Direction.DECREASE,
        "baseline": Decimal(20),
        "target": Decimal(17),
        "confidence": 4,
        "start_date": START,
        "due_date": START + timedelta(days=180),
        "state": GoalState.ACTIVE,
    }
    objectives = Goal.objects.bulk_create(
        Goal(title=f"Objective {n}", **common) for n in range(OBJECTIVES)
    )
    goals = Goal.objects.bulk_create(
        Goal(
            title=f"Goal {n}",
            project=project,
            parent=objectives[n % OBJECTIVES],
            team=team,
            **common,
        )
        for n in range(size)
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            goal=goal,
            value=Decimal(20) - Decimal(week) / 10,
            checked_on=START + timedelta(weeks=week),
        )
        for goal in goals
        for week in range(CHECK_INS)
    )
    return manager, project, goals[0]


def main() -> None:
    with throwaway_database():
        print(f"{'goals':>6} {'page':<10} {'queries':>7} {'median ms':>10}")
        for size in SIZES:
            manager, project, goal = seed(size)
            client = Client()
            client.force_login(manager)
            slug = f"bench-{size}"
            pages = {
                "tree": f"/o/{slug}/goals/",
                "project": f"/o/{slug}/projects/{project.pk}/",
                "goal": f"/o/{slug}/goals/{goal.pk}/",
            }
            for name, url in pages.items():
                queries, median = measure(client, url, runs=5 if size >= 1000 else 15)
                print(f"{size:>6} {name:<10} {queries:>7} {median:>10.1f}")


if __name__ == "__main__":
    main()
