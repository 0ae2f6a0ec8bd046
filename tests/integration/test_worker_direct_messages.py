"""A real worker delivering direct messages through the loopback Feishu app is killed in
the middle of the batch, once the service has taken a message but before the worker
heard back: the ledger's sweep sends what it left pending, and every person gets their
reminder once (Feishu drops the resend of a message under the same ``uuid``)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from opsboard.notify.models import Channel, ConnectedApp, Notification, Preference, Status
from opsboard.notify.services import direct_identities_look_up
from raci.reminders import send_deadline_reminders
from tests.conftest import Tenant
from tests.direct_servers import APP_ID, SECRET, DirectServer, Message
from tests.integration.conftest import people_with_a_card_due_today
from tests.integration.processes import (
    ROOT,
    SmtpServer,
    celery_worker_command,
    running,
    wait_until,
    worker_environment,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PEOPLE = 20
KILLED_AT = 7  # the n-th message of the batch


def test_a_worker_killed_mid_batch_of_direct_messages_and_restarted_sends_each_once(
    tenant: Tenant,
    queued_tasks: None,
    smtp_server: SmtpServer,
    direct_server: DirectServer,
    tmp_path: Path,
) -> None:
    people = people_with_a_card_due_today(tenant, PEOPLE)
    for n, person in enumerate(people):
        direct_server.people[person.email] = f"ou_{n:04d}"
    Preference.objects.bulk_create(
        Preference(user=person, email=False, direct_message=True) for person in people
    )
    app = ConnectedApp.objects.create(
        organization=tenant.organization, service="feishu", app_id=APP_ID, app_secret=SECRET
    )
    assert direct_identities_look_up(app_id=app.pk) == PEOPLE

    worker: list[subprocess.Popen[bytes]] = []
    killed: list[Message] = []

    def kill_at_the_nth(message: Message) -> None:
        if worker and not killed and direct_server.sends == KILLED_AT:
            worker[0].kill()  # SIGKILL: nothing acknowledged, the row not marked sent
            worker[0].wait(timeout=10)
            worker.clear()
            killed.append(message)

    direct_server.on_message = kill_at_the_nth
    assert len(send_deadline_reminders(now=timezone.now().replace(hour=12))) == PEOPLE

    environment = worker_environment(
        smtp_server.port, DIRECT_FEISHU_API=direct_server.url, SITE_URL=settings.SITE_URL
    )
    with running(
        celery_worker_command(), environment=environment, log=tmp_path / "killed.log"
    ) as process:
        worker.append(process)
        wait_until(lambda: bool(killed), timeout=60, what="the worker killed")
    taken_before_the_kill = len(direct_server.messages)
    assert 0 < taken_before_the_kill < PEOPLE

    later = datetime.now(UTC) + settings.NOTIFICATION_STALE_AFTER + timedelta(seconds=1)
    sweep = subprocess.run(
        [sys.executable, "manage.py", "requeue_notifications", "--now", later.isoformat()],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "notifications queued again." in sweep.stdout

    direct = Notification.objects.filter(channel=Channel.DIRECT)
    with running(celery_worker_command(), environment=environment, log=tmp_path / "restarted.log"):
        wait_until(
            lambda: direct.filter(status=Status.SENT).count() == PEOPLE,
            timeout=60,
            what="every direct message sent",
        )

    # Each person got one message; the one the worker died on was asked twice, taken once.
    received = Counter(message.to for message in direct_server.messages)
    assert received == Counter(f"ou_{n:04d}" for n in range(PEOPLE))
    assert direct_server.sends == PEOPLE + 1
    [twice] = [row for row in direct if row.attempts == 2]
    assert twice.recipient.email == next(
        email for email, user_id in direct_server.people.items() if user_id == killed[0].to
    )
    assert all((row.status, row.error) == (Status.SENT, "") for row in direct)
