"""The demo's weekly digests travel through Redis to a real worker and a real SMTP server: one
per recipient, with the numbers the job planned, and nothing new when the job runs again."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.utils import translation

from metrics.digest import plan_digests, send_weekly_digests
from metrics.templatetags.metric_tags import kpi_value
from opsboard.notify.models import Notification, Status
from tests.integration.processes import (
    SmtpServer,
    celery_worker_command,
    running,
    wait_for_worker,
    wait_until,
    worker_environment,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MONDAY = datetime(2026, 11, 23, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def test_the_demo_weeks_digests_arrive_once_with_their_numbers(
    demo: None, queued_tasks: None, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    planned = {d.membership.user.email: d for d in plan_digests(now=MONDAY)}
    assert "lead@demo.opsboard.test" in planned and "manager@demo.opsboard.test" in planned
    log = tmp_path / "worker.log"
    with running(
        celery_worker_command(), environment=worker_environment(smtp_server.port), log=log
    ):
        wait_for_worker(log)
        assert len(send_weekly_digests(now=MONDAY)) == len(planned)
        wait_until(
            lambda: Notification.objects.filter(kind="weekly_digest", status=Status.SENT).count()
            == len(planned),
            timeout=60,
            what="every digest sent",
        )
        assert send_weekly_digests(now=MONDAY.replace(hour=11)) == []  # the job again
    received = {message["To"]: message for message in smtp_server.mailbox.messages}
    assert len(smtp_server.mailbox.messages) == len(received) == len(planned)
    for email, digest in planned.items():
        message = received[email]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # The week it tells, named: last week, with its days (and their year when the
        # suite runs in another).
        subject = str(make_header(decode_header(message["Subject"])))
        assert re.match(
            r"\[Opsboard\] Weekly KPI digest · .+ · Last week "
            r"\(Nov 16(, 2026)? – Nov 22(, 2026)?\): "
            r"|【Opsboard】KPI 周报｜.+｜上周（(2026年)?11月16日—(2026年)?11月22日）：",
            subject,
        ), subject
        [text] = [
            part.get_payload(decode=True).decode()
            for part in message.walk()
            if part.get_content_type() == "text/plain"
        ]
        # Each KPI of the plan, with the value the plan has, in the email that arrived.
        # "- name: value (target …" in English, 「- name：value（目标值 …」 in Chinese.
        rows = re.findall(r"^- (.+?)(?:: |：)(.+?)(?: \(|（)", text, flags=re.MULTILINE)
        rows = rows[: len(digest.rows)]
        user = digest.membership.user
        with translation.override(user.language or digest.membership.organization.language):
            assert rows == [(t.kpi.label, kpi_value(t.value, t.kpi)) for t in digest.rows], email
