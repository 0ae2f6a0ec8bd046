"""A team lead in a real browser: the SMART check answers as they type, then the goal goes live."""

from __future__ import annotations

import re

import pytest

from projects.models import Goal, GoalState
from tests.conftest import Tenant
from tests.e2e.test_sign_in_and_language import sign_in
from tests.factories import GoalFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_goal_from_draft_to_check_in(page, tenant: Tenant) -> None:
    objective = GoalFactory(organization=tenant.organization, title="Keep more of our customers")
    project = ProjectFactory(
        organization=tenant.organization, name="Reduce customer churn", teams=[tenant.team]
    )
    sign_in(page, tenant.lead.user.email)
    page.wait_for_url(re.compile(r"/o/acme/$"))

    page.goto(f"/o/acme/projects/{project.pk}/goals/new/")
    panel = page.locator("#smart-check")
    page.get_by_label("Title").fill("Cut monthly churn")
    page.get_by_label("Metric").fill("Monthly churn rate")
    page.get_by_label("Direction").select_option("decrease")
    page.get_by_label("Baseline").fill("20")
    page.locator("#id_target").fill("20")
    # The panel follows the typing, without a page load.
    panel.get_by_text("The target equals the baseline.").wait_for()
    page.locator("#id_target").fill("17")
    panel.get_by_text("Measured by Monthly churn rate: from 20% to 17%.").wait_for()
    assert panel.get_by_text("Not linked to any objective.").is_visible()

    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url(re.compile(r"/o/acme/goals/\d+/$"))
    goal = Goal.objects.get(title="Cut monthly churn")
    assert goal.state == GoalState.DRAFT
    assert page.get_by_role("button", name="Make active").is_disabled()

    page.get_by_role("button", name="Edit goal").click()
    page.get_by_label("Serves the objective").select_option(str(objective.pk))
    page.get_by_label("What changes, for whom").fill("Fewer paying customers leave us each month.")
    page.get_by_label("Confidence").select_option("4")
    page.get_by_label("Resources and constraints").fill("Two analysts and one engineer.")
    panel.get_by_text("Nothing fails").wait_for()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Make active").click()
    page.get_by_text("The goal is active.").wait_for()

    page.get_by_label("Value").fill("18.5")
    page.get_by_role("button", name="Record check-in").click()
    page.get_by_text("Check-in recorded.").wait_for()
    assert page.locator(".goal-chart circle.actual-point").count() == 1
    assert page.locator(".figures").get_by_text("50%").is_visible()
