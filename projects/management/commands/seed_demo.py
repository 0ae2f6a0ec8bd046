"""Create (or bring back) the demo organisations. Safe to run again."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Organization, Role, Team
from projects.demo import run_demo_seeders
from projects.models import CheckIn, Direction, Goal, GoalState, Project, ProjectStatus, Unit

DEMO_PASSWORD = "opsboard-demo"  # noqa: S105 - printed for people trying the demo

DEMO_TEAMS = [
    (
        "User Operations 用户运营部",
        "Owns user data and analysis; leads the churn work from the data side.",
    ),
    ("Product 产品部", "Designs and improves product features."),
    ("Engineering 技术部", "Builds and runs the systems."),
    ("Procurement 采购部", "Buys materials and services; negotiates with suppliers."),
    ("Logistics 物流部", "Moves goods between warehouses and customers."),
    ("Finance 财务部", "Budgets, costs and savings."),
]

# email, full name, role, teams, leads these teams, staff
DEMO_PEOPLE = [
    ("owner@demo.opsboard.test", "Liu Yang 刘洋", Role.OWNER, [], [], False),
    ("manager@demo.opsboard.test", "Li Na 李娜", Role.MANAGER, [], [], True),
    ("lead@demo.opsboard.test", "Wang Fang 王芳", Role.LEAD, [0], [0], False),
    ("member@demo.opsboard.test", "Zhang Wei 张伟", Role.MEMBER, [1], [], False),
    ("viewer@demo.opsboard.test", "Chen Jing 陈静", Role.VIEWER, [], [], False),
    ("zhao.lei@demo.opsboard.test", "Zhao Lei 赵磊", Role.LEAD, [1], [1], False),
    ("sun.hao@demo.opsboard.test", "Sun Hao 孙浩", Role.LEAD, [2], [2], False),
    ("huang.tao@demo.opsboard.test", "Huang Tao 黄涛", Role.MEMBER, [2], [], False),
    ("xu.jie@demo.opsboard.test", "Xu Jie 徐杰", Role.MEMBER, [0], [], False),
    ("zhou.min@demo.opsboard.test", "Zhou Min 周敏", Role.LEAD, [3], [3], False),
    ("wu.qiang@demo.opsboard.test", "Wu Qiang 吴强", Role.LEAD, [4], [4], False),
    ("zheng.li@demo.opsboard.test", "Zheng Li 郑丽", Role.LEAD, [5], [5], False),
]

SIGN_IN_ACCOUNTS = [
    ("manager@demo.opsboard.test", "ops manager, admin panel"),
    ("lead@demo.opsboard.test", "team lead, User Operations"),
    ("member@demo.opsboard.test", "member, Product"),
    ("viewer@demo.opsboard.test", "viewer (read-only)"),
    ("owner@demo.opsboard.test", "owner"),
    ("other@other.opsboard.test", "owner of Other Co (isolation)"),
]


def _person(email: str, full_name: str, *, staff: bool = False) -> User:
    user = User.objects.filter(email__iexact=email).first() or User(email=email)
    user.full_name = full_name
    user.is_staff = staff
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


class Command(BaseCommand):
    help = "Create the demo organisations 'Demo Ops' and 'Other Co' with their teams and people."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        demo, _ = Organization.objects.update_or_create(
            slug="demo-ops",
            defaults={
                "name": "Demo Ops",
                "timezone": "Asia/Shanghai",
                "language": "zh-hans",
                "reminder_lead_days": 3,
            },
        )
        teams = []
        for name, description in DEMO_TEAMS:
            team, _ = Team.objects.update_or_create(
                organization=demo, name=name, defaults={"description": description}
            )
            teams.append(team)
        for email, full_name, role, member_of, leads, staff in DEMO_PEOPLE:
            user = _person(email, full_name, staff=staff)
            membership, _ = Membership.objects.update_or_create(
                organization=demo, user=user, defaults={"role": role}
            )
            membership.teams.set([teams[index] for index in member_of])
            for index in leads:
                Team.objects.filter(pk=teams[index].pk).update(lead=user)

        today = timezone.localdate()
        seed_goals(demo, {team.name.split(" ")[0]: team for team in teams}, today=today)
        # Boards, RACI and KPIs add theirs (projects/demo.py).
        run_demo_seeders(demo, today)

        # The worker's schedules are global, for superusers only; an ops manager
        # tunes the organisation's job times on its settings page.

        other, _ = Organization.objects.update_or_create(
            slug="other-co",
            defaults={"name": "Other Co", "timezone": "Europe/Berlin", "language": "en"},
        )
        other_team, _ = Team.objects.update_or_create(
            organization=other,
            name="Operations",
            defaults={"description": "Other Co's own operations team."},
        )
        other_user = _person("other@other.opsboard.test", "Olivia Other")
        other_membership, _ = Membership.objects.update_or_create(
            organization=other, user=other_user, defaults={"role": Role.OWNER}
        )
        other_membership.teams.set([other_team])
        Team.objects.filter(pk=other_team.pk).update(lead=other_user)

        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"Sign in with any of these accounts, password: {DEMO_PASSWORD}")
        for email, what in SIGN_IN_ACCOUNTS:
            self.stdout.write(f"  {email:<30} {what}")


def _goal(organization: Organization, title: str, **fields: Any) -> Goal:
    goal, _ = Goal.objects.update_or_create(organization=organization, title=title, defaults=fields)
    return goal


def _check_ins(goal: Goal, author: User, readings: list[tuple[date, str, int, str]]) -> None:
    """Weekly readings, written once: a re-run keeps what people have added since."""
    if goal.check_ins.exists():
        return
    CheckIn.objects.bulk_create(
        CheckIn(
            goal=goal,
            checked_on=day,
            value=Decimal(value),
            confidence=confidence,
            note=note,
            author=author,
        )
        for day, value, confidence, note in readings
    )


def seed_goals(demo: Organization, teams: dict[str, Team], *, today: date) -> None:
    """The source material's cases: a churn project, a supply-chain cost project, their objectives."""
    people = {
        user.email.split("@")[0]: user
        for user in User.objects.filter(memberships__organization=demo)
    }
    manager, lead = people["manager"], people["lead"]

    on_time = _goal(
        demo,
        "On-time task completion of 90% or more",
        statement="Cross-team tasks finish by their due date, so no team waits on another.",
        metric_name="On-time task completion rate",
        unit=Unit.PERCENT,
        direction=Direction.INCREASE,
        baseline=Decimal(78),
        target=Decimal(90),
        decimals=0,
        confidence=4,
        resources_note="Kanban boards for every cross-team project, daily 15-minute standups, reminders 3 days ahead.",
        start_date=today - timedelta(days=56),
        due_date=today + timedelta(days=126),
        owner=manager,
        state=GoalState.ACTIVE,
    )
    _check_ins(
        on_time,
        manager,
        [
            (today - timedelta(days=28), "80", 4, "First month with boards in every project."),
            (today - timedelta(days=1), "83", 4, "Standups caught three blocked tasks early."),
        ],
    )
    retention = _goal(
        demo,
        "Keep more of our customers",
        statement="Paying customers stay with us longer, so growth is not spent replacing the ones who leave.",
        metric_name="Twelve-month customer retention",
        unit=Unit.PERCENT,
        direction=Direction.INCREASE,
        baseline=Decimal(62),
        target=Decimal(70),
        confidence=3,
        resources_note="The churn project this quarter; the loyalty programme next.",
        start_date=today - timedelta(days=42),
        due_date=today + timedelta(days=323),
        owner=manager,
        state=GoalState.ACTIVE,
    )
    _check_ins(
        retention,
        manager,
        [
            (today - timedelta(days=30), "62.5", 3, "Quarterly cohort report."),
            (today - timedelta(days=2), "63.4", 3, "Churn project starting to show."),
        ],
    )
    cost = _goal(
        demo,
        "Lower the cost to serve",
        statement="Every order costs less to buy, store and deliver, without slower delivery.",
        metric_name="Cost to serve per order",
        unit=Unit.CURRENCY,
        direction=Direction.DECREASE,
        baseline=Decimal("48.00"),
        target=Decimal("42.00"),
        decimals=2,
        confidence=3,
        resources_note="Procurement, Logistics and Finance each name one owner.",
        start_date=today - timedelta(days=60),
        due_date=today + timedelta(days=305),
        owner=manager,
        state=GoalState.ACTIVE,
    )

    _check_ins(
        cost,
        manager,
        [
            (today - timedelta(days=31), "47.60", 3, "Supplier prices renegotiated."),
            (today - timedelta(days=3), "46.90", 3, "Eastern routes merged."),
        ],
    )

    churn_project, _ = Project.objects.update_or_create(
        organization=demo,
        name="Reduce customer churn",
        defaults={
            "description": (
                "Four weeks across three teams: User Operations analyses who leaves and why, "
                "Product fixes the features they leave over, Engineering makes the systems faster. "
                "Week 1 joint analysis, week 2 agree the problem list, weeks 3-4 each team delivers, then evaluate."
            ),
            "owner": lead,
            "start_date": today - timedelta(days=42),
            "due_date": today + timedelta(days=91),
            "status": ProjectStatus.ACTIVE,
        },
    )
    churn_project.teams.set([teams["User"], teams["Product"], teams["Engineering"]])
    churn = _goal(
        demo,
        "Cut monthly churn from 20% to 17%",
        project=churn_project,
        parent=retention,
        team=teams["User"],
        statement="Fewer paying customers cancel each month, especially in their first 90 days.",
        metric_name="Monthly churn rate",
        unit=Unit.PERCENT,
        direction=Direction.DECREASE,
        baseline=Decimal(20),
        target=Decimal(17),
        decimals=1,
        confidence=4,
        resources_note="Two analysts in User Operations, one product manager, one engineer for the quarter.",
        start_date=today - timedelta(days=42),
        due_date=today + timedelta(days=91),
        owner=lead,
        state=GoalState.ACTIVE,
    )
    _check_ins(
        churn,
        lead,
        [
            (
                today - timedelta(days=35),
                "19.8",
                4,
                "Joint analysis done: onboarding drop-off is the biggest cause.",
            ),
            (
                today - timedelta(days=28),
                "19.5",
                4,
                "Problem list agreed with Product and Engineering.",
            ),
            (today - timedelta(days=21), "19.6", 3, "Slight rise: a payment outage on the 12th."),
            (
                today - timedelta(days=14),
                "19.1",
                4,
                "New onboarding checklist live for half of new users.",
            ),
            (today - timedelta(days=7), "18.8", 4, "Checklist for everyone; page load 30% faster."),
        ],
    )
    _goal(
        demo,
        "Raise NPS by 5 points",
        project=churn_project,
        team=teams["Product"],
        statement="Customers recommend us more after the onboarding changes.",
        metric_name="Net Promoter Score",
        unit=Unit.SCORE,
        direction=Direction.INCREASE,
        baseline=Decimal(32),
        target=Decimal(37),
        confidence=3,
        start_date=today,
        due_date=today + timedelta(days=91),
        owner=people["member"],
        state=GoalState.DRAFT,
    )

    supply_project, _ = Project.objects.update_or_create(
        organization=demo,
        name="Cut supply-chain cost",
        defaults={
            "description": (
                "Procurement renegotiates the top suppliers, Logistics consolidates routes and warehouses, "
                "Finance tracks the total cost. Target: total cost down 12%."
            ),
            "owner": people["zhou.min"],
            "start_date": today - timedelta(days=60),
            "due_date": today + timedelta(days=120),
            "status": ProjectStatus.ACTIVE,
        },
    )
    supply_project.teams.set([teams["Procurement"], teams["Logistics"], teams["Finance"]])
    supply = _goal(
        demo,
        "Cut total supply-chain cost by 12%",
        project=supply_project,
        parent=cost,
        team=teams["Procurement"],
        statement="The monthly cost of buying, storing and moving goods falls by 12% at the same service level.",
        metric_name="Monthly supply-chain cost (CNY)",
        unit=Unit.CURRENCY,
        direction=Direction.DECREASE,
        baseline=Decimal(5_000_000),
        target=Decimal(4_400_000),
        decimals=0,
        confidence=4,
        resources_note="Procurement leads supplier talks; Logistics plans routes; Finance owns the numbers.",
        start_date=today - timedelta(days=60),
        due_date=today + timedelta(days=120),
        owner=people["zhou.min"],
        state=GoalState.ACTIVE,
    )
    _check_ins(
        supply,
        people["zheng.li"],
        [
            (today - timedelta(days=46), "4930000", 4, "Two suppliers agreed new prices."),
            (today - timedelta(days=32), "4850000", 4, "Routes in the east merged."),
            (today - timedelta(days=18), "4810000", 3, "Fuel prices up; savings slower."),
            (today - timedelta(days=4), "4720000", 4, "Warehouse consolidation started."),
        ],
    )
