"""Create (or bring back) the demo organisations. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from opsboard.accounts.models import User
from projects.models import Membership, Organization, Role, Team

SCHEDULE_EDITORS = "Schedule editors"
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

        # Ops managers who are staff edit the worker's schedules in the admin panel.
        schedule_editors, _ = Group.objects.get_or_create(name=SCHEDULE_EDITORS)
        schedule_editors.permissions.set(
            Permission.objects.filter(content_type__app_label="django_celery_beat")
        )
        User.objects.get(email="manager@demo.opsboard.test").groups.add(schedule_editors)

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
