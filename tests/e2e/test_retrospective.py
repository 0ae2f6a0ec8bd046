"""In a real browser: the team adds an improvement action on the retrospective page and finds
it on the project's board."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from kanban.models import Card
from metrics.retrospectives.services import retrospective_build
from tests.conftest import Tenant
from tests.e2e.test_sign_in_and_language import sign_in
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_action_added_in_the_review_lands_on_the_board(page, tenant: Tenant) -> None:
    project = ProjectFactory(organization=tenant.organization, teams=[tenant.team], name="Churn")
    retro, _built = retrospective_build(project=project, month=date(2026, 10, 1))
    due = timezone.localdate() + timedelta(days=10)
    sign_in(page, tenant.member.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto(f"/o/acme/retrospectives/{retro.pk}/")
    page.get_by_label("Our highlights").fill("The dashboard went live")
    page.get_by_role("button", name="Save the review").click()
    page.get_by_text("The review is saved.").wait_for()
    page.get_by_label("Improvement action").fill("Owner for every access request")
    page.get_by_label("Owner").select_option(str(tenant.lead.user.pk))
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Add the action to the board").click()
    page.get_by_text("The action is on the project's board.").wait_for()
    page.locator("#actions").get_by_role("link", name="Owner for every access request").click()
    page.wait_for_url(re.compile(r"/o/acme/cards/\d+/"))
    assert page.get_by_role("link", name="the retrospective of October 2026").is_visible()
    card = Card.objects.get(title="Owner for every access request")
    assert card.board == project.boards.get()
    assert card.assignee == tenant.lead.user and card.due_date == due
