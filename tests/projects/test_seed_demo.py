from __future__ import annotations

import io
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Role, Team
from projects.goals import GoalStatus, goal_tracking, smart_check
from projects.models import CheckIn, Goal, GoalState, Project
from projects.selectors import with_latest_check_in


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent_and_prints_how_to_sign_in(db) -> None:
    output = seed()
    counts = [model.objects.count() for model in (User, Team, Membership, Project, Goal, CheckIn)]
    assert seed() == output
    assert [
        model.objects.count() for model in (User, Team, Membership, Project, Goal, CheckIn)
    ] == counts
    assert "opsboard-demo" in output
    assert "manager@demo.opsboard.test" in output
    for email, role in (
        ("manager@demo.opsboard.test", Role.MANAGER),
        ("lead@demo.opsboard.test", Role.LEAD),
        ("member@demo.opsboard.test", Role.MEMBER),
        ("viewer@demo.opsboard.test", Role.VIEWER),
    ):
        user = User.objects.get(email=email)
        assert user.check_password("opsboard-demo")
        assert Membership.objects.get(user=user, organization__slug="demo-ops").role == role
    assert User.objects.get(email="manager@demo.opsboard.test").is_staff
    assert (
        Team.objects.get(name__startswith="User Operations").lead.email == "lead@demo.opsboard.test"
    )
    assert (
        Membership.objects.get(user__email="other@other.opsboard.test").organization.slug
        == "other-co"
    )


def test_demo_goals_tell_the_source_material_story(db) -> None:
    seed()
    today = timezone.localdate()
    churn = with_latest_check_in(
        Goal.objects.filter(title="Cut monthly churn from 20% to 17%")
    ).get()
    assert (churn.baseline, churn.target, churn.state) == (20, 17, GoalState.ACTIVE)
    assert 85 <= (churn.due_date - today).days <= 95  # about three months out
    assert churn.check_ins.count() == 5
    tracking = goal_tracking(
        churn, latest_value=churn.latest_value, latest_confidence=churn.latest_confidence, on=today
    )
    assert tracking.status == GoalStatus.ON_TRACK
    assert smart_check(churn, today=today).passes
    supply = Goal.objects.get(title="Cut total supply-chain cost by 12%")
    assert supply.target / supply.baseline == Decimal("0.88")
    assert Goal.objects.filter(
        title="On-time task completion of 90% or more", project=None, target=90
    ).exists()
    draft = Goal.objects.get(title="Raise NPS by 5 points")
    assert not smart_check(draft, today=today).passes
