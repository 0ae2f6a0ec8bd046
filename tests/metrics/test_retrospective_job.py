"""The monthly job: due on the first working day in each organisation's time zone, one report
per project and month, emails to the owner and leads through the ledger, once."""

from __future__ import annotations

import io
import zoneinfo
from datetime import date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from metrics.models import Retrospective
from metrics.retrospectives.schedule import build_retrospectives, working_day
from opsboard.notify.models import Notification
from opsboard.tenancy.calendar import WorkingCalendar
from projects.models import Project, ProjectStatus
from tests.conftest import Tenant
from tests.factories import ProjectFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def project(tenant: Tenant) -> Project:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    project = ProjectFactory(
        organization=tenant.organization, teams=[tenant.team], owner=tenant.manager.user,
        name="Churn <b>bold</b>",
    )  # fmt: skip
    project.created_at = datetime(2026, 9, 1, tzinfo=SHANGHAI)
    project.save()
    return project


def test_first_working_day_skips_the_weekend_and_public_holidays(tenant: Tenant) -> None:
    calendar = WorkingCalendar(tenant.organization)
    assert working_day(calendar, date(2026, 11, 1)) == date(2026, 11, 2)  # a Sunday
    assert working_day(calendar, date(2026, 8, 1)) == date(2026, 8, 3)  # a Saturday
    assert working_day(calendar, date(2026, 10, 1)) == date(2026, 10, 8)  # National Day
    assert working_day(calendar, date(2026, 12, 1)) == date(2026, 12, 1)


def test_due_from_seven_on_the_first_working_day_in_the_organisations_zone(
    tenant: Tenant, project: Project
) -> None:
    ProjectFactory(organization=tenant.organization, status=ProjectStatus.DONE)
    assert build_retrospectives(now=datetime(2026, 11, 1, 12, tzinfo=SHANGHAI)) == []  # Sunday
    assert build_retrospectives(now=datetime(2026, 11, 2, 6, 59, tzinfo=SHANGHAI)) == []
    [built] = build_retrospectives(now=datetime(2026, 11, 2, 7, tzinfo=SHANGHAI))
    assert built.project == project and built.month == date(2026, 10, 1)


@pytest.mark.django_db(transaction=True)
def test_built_email_goes_to_owner_and_leads_once_and_escapes_html(
    tenant: Tenant, project: Project, settings, django_capture_on_commit_callbacks
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    now = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        build_retrospectives(now=now)
        again = build_retrospectives(now=now)
    assert again == []
    assert Retrospective.objects.count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [tenant.manager.user.email, tenant.lead.user.email]
    )
    message = mail.outbox[0]
    assert message.subject == (
        "[Opsboard] Churn <b>bold</b>: the retrospective of October 2026 is ready for review"
    )
    html = message.alternatives[0][0]
    assert "Churn &lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert "Churn <b>bold</b>" in message.body
    assert "Nothing moved on this project in October 2026" in message.body
    assert set(Notification.objects.values_list("kind", "period")) == {
        ("retrospective_built", "2026-10")
    }


@pytest.mark.django_db(transaction=True)
def test_finalising_mails_the_review_escaped(
    tenant: Tenant, project: Project, client, settings, django_capture_on_commit_callbacks
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    now = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)
    with time_machine.travel(now, tick=False):
        [retro] = build_retrospectives(now=now)
        mail.outbox.clear()
        client.force_login(tenant.lead.user)
        client.post(
            reverse("metrics:retrospective_edit", args=["acme", retro.pk]),
            {"highlights": "<script>alert(1)</script> shipped", "problems": ""},
        )
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("metrics:retrospective_finalise", args=["acme", retro.pk]))
            client.post(reverse("metrics:retrospective_finalise", args=["acme", retro.pk]))
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.subject.endswith(": the retrospective of October 2026 is final")
    assert "<script>alert(1)</script> shipped" in message.body
    html = message.alternatives[0][0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; shipped" in html
    assert "<script>" not in html


def test_command_dry_run_builds_nothing_then_builds(tenant: Tenant, project: Project) -> None:
    out = io.StringIO()
    call_command("build_retrospectives", "--now", "2026-11-02T09:00+08:00", "--dry-run", stdout=out)
    assert "1 retrospectives would build." in out.getvalue()
    assert not Retrospective.objects.exists()
    out = io.StringIO()
    call_command("build_retrospectives", "--now", "2026-11-02T09:00+08:00", stdout=out)
    assert "acme / Churn <b>bold</b>: 2026-10" in out.getvalue()
    out = io.StringIO()
    call_command("build_retrospectives", "--now", "2026-11-02T10:00+08:00", stdout=out)
    assert "0 retrospectives built." in out.getvalue()
