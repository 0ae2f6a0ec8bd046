"""The job commands run by hand say why nothing (more) is due: already sent when, not due
until when. A fresh demo's beat has usually sent everything before anyone types a command."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from django.core.management import call_command

from opsboard.tenancy.models import Organization
from tests.conftest import Tenant
from tests.metrics.test_retrospective_job import project  # noqa: F401 - the fixture
from tests.metrics.test_weekly_digest import week  # noqa: F401 - the fixture
from tests.notify.test_deadline_reminders import SHANGHAI, due  # noqa: F401 - the fixture


def run(command: str, moment: datetime, *options: str) -> str:
    out = io.StringIO()
    with time_machine.travel(moment, tick=False):
        call_command(command, "--now", moment.isoformat(), *options, stdout=out)
    return out.getvalue()


@pytest.mark.usefixtures("week")
def test_digests_already_sent_or_not_due_until(
    tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    monday = datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)
    out = io.StringIO()
    # Delivered in-process, at that moment.
    with time_machine.travel(monday, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("send_weekly_digests", "--now", monday.isoformat(), stdout=out)
    assert "3 digests sent." in out.getvalue()
    out = run("send_weekly_digests", datetime(2026, 11, 25, 12, tzinfo=SHANGHAI), "--dry-run")
    assert "0 digests would send." in out
    assert (
        "acme: 2026-W47 already sent to 3 (the last at Mon 2026-11-23 09:00 Asia/Shanghai);"
        " the next are due from Mon 2026-11-30 08:00 Asia/Shanghai (--now 2026-11-30T08:00:00+08:00)."
        in out
    )

    out = run("send_weekly_digests", datetime(2026, 11, 30, 7, tzinfo=SHANGHAI), "--dry-run")
    assert "0 digests would send." in out
    assert "acme: 3 not due until Mon 2026-11-30 08:00 Asia/Shanghai" in out

    Organization.objects.filter(pk=tenant.organization.pk).update(digest_weekday=4)
    out = run("send_weekly_digests", datetime(2026, 11, 30, 12, tzinfo=SHANGHAI), "--dry-run")
    assert (
        "acme: 3 not due until Fri 2026-12-04 08:00 Asia/Shanghai (--now 2026-12-04T08:00:00+08:00): the digest day, Friday"
        in out
    )


@pytest.mark.usefixtures("project")
def test_retrospectives_already_built_or_not_due_until(tenant: Tenant) -> None:
    out = run("build_retrospectives", datetime(2026, 11, 2, 6, tzinfo=SHANGHAI), "--dry-run")
    assert "0 retrospectives would build." in out
    assert (
        "acme: 2026-10 not due until Mon 2026-11-02 07:00 Asia/Shanghai (--now 2026-11-02T07:00:00+08:00)"
        in out
    )

    assert "1 retrospectives built." in run(
        "build_retrospectives", datetime(2026, 11, 2, 7, 30, tzinfo=SHANGHAI)
    )
    out = run("build_retrospectives", datetime(2026, 11, 10, 9, tzinfo=SHANGHAI), "--dry-run")
    assert "0 retrospectives would build." in out
    assert (
        "acme: 2026-10 already built for 1 (the last at Mon 2026-11-02 07:30 Asia/Shanghai)" in out
    )
    assert (
        "the next are due from Tue 2026-12-01 07:00 Asia/Shanghai (--now 2026-12-01T07:00:00+08:00)"
        in out
    )


@pytest.mark.usefixtures("due")
def test_reminders_already_sent_or_not_due_until(tenant: Tenant) -> None:
    out = run("send_deadline_reminders", datetime(2026, 11, 24, 7, tzinfo=SHANGHAI), "--dry-run")
    assert "0 reminders would send." in out
    assert (
        "acme: not due until Tue 2026-11-24 08:00 Asia/Shanghai (--now 2026-11-24T08:00:00+08:00)"
        in out
    )

    assert "1 reminders sent." in run(
        "send_deadline_reminders", datetime(2026, 11, 24, 8, 15, tzinfo=SHANGHAI)
    )
    out = run("send_deadline_reminders", datetime(2026, 11, 24, 11, tzinfo=SHANGHAI), "--dry-run")
    assert "acme: 1 of 2026-11-24's reminders already sent (the last at 08:15" in out
