"""Retrospectives through the API, in the admin, and in the demo."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from kanban.models import Card
from metrics.models import Retrospective
from metrics.retrospectives.schedule import working_day
from metrics.retrospectives.services import retrospective_build
from opsboard.accounts.models import User
from opsboard.tenancy.calendar import WorkingCalendar
from opsboard.tenancy.models import Organization
from projects.models import Project
from tests.conftest import Tenant
from tests.factories import ProjectFactory
from tests.metrics.test_computed_kpis import SHANGHAI


@pytest.fixture
def retro(tenant: Tenant) -> Retrospective:
    project = ProjectFactory(organization=tenant.organization, teams=[tenant.team])
    return retrospective_build(project=project, month=date(2026, 10, 1))[0]


def test_api_reads_and_writes_the_review(tenant: Tenant, retro: Retrospective, client) -> None:
    client.force_login(tenant.member.user)
    url = reverse("metrics_api:retrospective_detail", args=["acme", retro.pk])
    body = client.get(url).json()
    assert body["month"] == "2026-10" and body["state"] == "draft"
    assert "on_time_rate" in body["figures"]
    answer = client.patch(url, {"highlights": "<b>Dashboard</b>"}, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["highlights"] == "<b>Dashboard</b>"
    listing = reverse("metrics_api:project_retrospective_list", args=["acme", retro.project_id])
    assert [r["id"] for r in client.get(listing).json()["results"]] == [retro.pk]


def test_api_final_review_needs_a_manager(tenant: Tenant, retro: Retrospective, client) -> None:
    retro.state = "final"
    retro.save()
    url = reverse("metrics_api:retrospective_detail", args=["acme", retro.pk])
    client.force_login(tenant.lead.user)
    assert client.patch(url, {"problems": "x"}, content_type="application/json").status_code == 403
    client.force_login(tenant.manager.user)
    assert client.patch(url, {"problems": "x"}, content_type="application/json").status_code == 200


def test_manager_sees_and_rebuilds_retrospectives_in_the_admin(demo: None, client) -> None:
    manager = User.objects.get(email="manager@demo.opsboard.test")
    client.force_login(manager)
    changelist = reverse("admin:metrics_retrospective_changelist")
    assert "Reduce customer churn" in client.get(changelist).text
    retro = Retrospective.objects.get(project__name="Reduce customer churn")
    assert (
        client.get(reverse("admin:metrics_retrospective_change", args=[retro.pk])).status_code
        == 200
    )
    before = retro.built_at
    client.post(changelist, {"action": "rebuild", "_selected_action": [retro.pk]})
    retro.refresh_from_db()
    assert retro.built_at > before
    assert retro.actions.count() == 3


def test_demo_story_the_command_on_the_first_and_an_action_from_the_page(db: None, client) -> None:
    """Done when: with the demo data and --now on the first of a month, the churn project's
    retrospective page shows the month's story, and adding an action puts a card on the board."""
    this_month = timezone.localdate().replace(day=1)
    # The demo organisation keeps mainland China's holidays, as a new one does.
    calendar = WorkingCalendar(Organization(holiday_region="CN"))
    first = datetime.combine(working_day(calendar, this_month), time(9), tzinfo=SHANGHAI)
    # A newcomer seeds the demo and tries the command on the first working day of a month.
    with time_machine.travel(first, tick=True):
        call_command("seed_demo", stdout=io.StringIO())
        organization = Organization.objects.get(slug="demo-ops")
        churn = Project.objects.get(organization=organization, name="Reduce customer churn")
        call_command("build_retrospectives", "--now", first.isoformat(), stdout=io.StringIO())
        retro = Retrospective.objects.get(project=churn)  # the demo's, built once
        assert retro.month == (this_month - timedelta(days=1)).replace(day=1)
        client.force_login(User.objects.get(email="lead@demo.opsboard.test"))
        page = client.get(reverse("metrics:retrospective_detail", args=["demo-ops", retro.pk])).text
        assert f"{date_format(retro.month, 'YEAR_MONTH_FORMAT')} in figures" in page
        finished = retro.figures["done"]
        assert finished > 0  # the demo's history has cards done in the month before
        assert ("1 card finished" if finished == 1 else f"{finished} cards finished") in page
        assert "Collaboration star of the month" in page
        assert "Name one owner for every cross-team access request" in page
        response = client.post(
            reverse("metrics:retrospective_action_add", args=["demo-ops", retro.pk]),
            {
                "title": "Share the churn dashboard with Finance",
                "owner": User.objects.get(email="zhao.lei@demo.opsboard.test").pk,
                "due_date": (timezone.localdate() + timedelta(days=7)).isoformat(),
            },
        )
        assert response.status_code == 302
        card = Card.objects.get(title="Share the churn dashboard with Finance")
        assert card.board.project == churn
