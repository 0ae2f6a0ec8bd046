"""An organisation tunes when its jobs send (reminder hour, digest day, retrospective day) on
its own settings page, and the jobs honour it; people's own hour still wins."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse

from metrics.digest import plan_digests
from metrics.retrospectives.schedule import build_retrospectives
from opsboard.notify.models import Preference
from projects.models import Organization
from raci.reminders import plan_reminders
from tests.conftest import Tenant
from tests.factories import ProjectFactory
from tests.metrics.test_weekly_digest import MONDAY, week  # noqa: F401 - the fixture
from tests.notify.test_deadline_reminders import (  # noqa: F401 - the fixture
    SHANGHAI,
    due,
    morning,
)

SETTINGS = {
    "name": "Acme",
    "timezone": "Asia/Shanghai",
    "language": "en",
    "reminder_lead_days": 3,
    "reminder_hour": 6,
    "digest_weekday": 2,  # Wednesday
    "retrospective_working_day": 3,
}


def save_settings(client, tenant: Tenant, **changes: object):
    return client.post(
        reverse("projects:organization_settings", args=[tenant.organization.slug]),
        {**SETTINGS, **changes},
    )


def test_a_manager_sets_the_job_times_and_they_are_checked(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    page = client.get(reverse("projects:organization_settings", args=["acme"]))
    assert "Weekly digest day" in page.text and "Retrospective day" in page.text
    assert save_settings(client, tenant).status_code == 302
    organization = Organization.objects.get(pk=tenant.organization.pk)
    assert (
        organization.reminder_hour,
        organization.digest_weekday,
        organization.retrospective_working_day,
    ) == (6, 2, 3)

    response = save_settings(
        client, tenant, reminder_hour=24, digest_weekday=7, retrospective_working_day=0
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "reminder_hour",
        "digest_weekday",
        "retrospective_working_day",
    }
    assert save_settings(client, tenant, retrospective_working_day=11).status_code == 200
    assert Organization.objects.get(pk=tenant.organization.pk).retrospective_working_day == 3


@pytest.mark.usefixtures("due")
def test_reminders_go_out_from_the_organisations_hour_unless_a_person_chose_theirs(
    tenant: Tenant,
) -> None:
    assert plan_reminders(now=morning(24, 6)) == []  # before the default 08:00
    Organization.objects.filter(pk=tenant.organization.pk).update(reminder_hour=6)
    [reminder] = plan_reminders(now=morning(24, 6))
    assert reminder.recipient == tenant.member.user
    assert plan_reminders(now=morning(24, 5)) == []

    Preference.objects.create(user=tenant.member.user, reminder_hour=10)
    assert plan_reminders(now=morning(24, 9)) == []
    assert [r.recipient for r in plan_reminders(now=morning(24, 10))] == [tenant.member.user]


@pytest.mark.usefixtures("week")
def test_the_digest_goes_out_on_the_organisations_day(tenant: Tenant) -> None:
    assert plan_digests(now=MONDAY)  # Monday 09:00: the default day and hour
    Organization.objects.filter(pk=tenant.organization.pk).update(digest_weekday=2, reminder_hour=7)
    assert plan_digests(now=MONDAY) == []
    assert plan_digests(now=datetime(2026, 11, 24, 12, tzinfo=SHANGHAI)) == []  # Tuesday
    assert plan_digests(now=datetime(2026, 11, 25, 6, 59, tzinfo=SHANGHAI)) == []  # Wednesday
    wednesday = plan_digests(now=datetime(2026, 11, 25, 7, tzinfo=SHANGHAI))
    assert {digest.period for digest in wednesday} == {"2026-W47"}  # the week before
    # A person's own hour wins over the organisation's.
    Preference.objects.create(user=tenant.manager.user, reminder_hour=9)
    early = plan_digests(now=datetime(2026, 11, 25, 8, tzinfo=SHANGHAI))
    assert tenant.manager.user not in {digest.membership.user for digest in early}
    assert tenant.lead.user in {digest.membership.user for digest in early}


def test_retrospectives_are_built_on_the_organisations_working_day(tenant: Tenant) -> None:
    Organization.objects.filter(pk=tenant.organization.pk).update(
        timezone="Asia/Shanghai", retrospective_working_day=3
    )
    project = ProjectFactory(organization=tenant.organization, teams=[tenant.team])
    project.created_at = datetime(2026, 9, 1, tzinfo=SHANGHAI)
    project.save()
    # November 2026: Monday 2nd is the first working day, Wednesday 4th the third.
    assert build_retrospectives(now=datetime(2026, 11, 2, 9, tzinfo=SHANGHAI), dry_run=True) == []
    assert build_retrospectives(now=datetime(2026, 11, 4, 6, tzinfo=SHANGHAI), dry_run=True) == []
    built = build_retrospectives(now=datetime(2026, 11, 4, 7, tzinfo=SHANGHAI), dry_run=True)
    assert project in {retrospective.project for retrospective in built}
