"""The monthly retrospective job's emails travel through Redis to a real worker and SMTP, once."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from pathlib import Path

import pytest

from metrics.retrospectives.schedule import build_retrospectives
from opsboard.notify.models import Notification, Status
from tests.conftest import Tenant
from tests.factories import ProjectFactory
from tests.integration.processes import (
    SmtpServer,
    celery_worker_command,
    running,
    wait_for_worker,
    wait_until,
    worker_environment,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_the_job_run_twice_mails_owner_and_lead_once(
    tenant: Tenant, queued_tasks: None, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    project = ProjectFactory(
        organization=tenant.organization, teams=[tenant.team], owner=tenant.manager.user
    )
    project.created_at = datetime(2026, 9, 1, tzinfo=SHANGHAI)
    project.save()
    now = datetime(2026, 11, 2, 8, tzinfo=SHANGHAI)
    log = tmp_path / "worker.log"
    with running(
        celery_worker_command(), environment=worker_environment(smtp_server.port), log=log
    ):
        wait_for_worker(log)
        assert len(build_retrospectives(now=now)) == 1
        wait_until(lambda: len(smtp_server.mailbox.messages) == 2, timeout=30, what="two emails")
        assert build_retrospectives(now=now) == []
        wait_until(
            lambda: set(Notification.objects.values_list("status", flat=True)) == {Status.SENT},
            timeout=30,
            what="the ledger rows sent",
        )
    assert sorted(m["To"] for m in smtp_server.mailbox.messages) == sorted(
        [tenant.manager.user.email, tenant.lead.user.email]
    )
    assert {" ".join(str(m["Subject"]).split()) for m in smtp_server.mailbox.messages} == {
        f"[Opsboard] {project.name}: the retrospective of October 2026 is ready for review"
    }
    text = smtp_server.mailbox.messages[0].get_payload()[0].get_payload(decode=True).decode()
    assert (
        "https://opsboard.example.com/o/acme/retrospectives/" in text or "/retrospectives/" in text
    )
