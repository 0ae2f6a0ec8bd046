"""A worker killed in the middle of a batch (of reminders, of digests) and started again: the
ledger's sweep sends what it left pending within minutes, not the broker's hour, and every
recipient gets one message."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from metrics.digest import send_weekly_digests
from metrics.models import Kpi
from opsboard.accounts.models import User
from opsboard.notify.models import Notification, Preference, Status
from opsboard.tenancy.models import Role
from raci.reminders import send_deadline_reminders
from tests.conftest import Tenant
from tests.factories import MembershipFactory, TeamFactory
from tests.integration.conftest import people_with_a_card_due_today
from tests.integration.processes import (
    ROOT,
    Mailbox,
    SmtpServer,
    celery_worker_command,
    free_port,
    running,
    wait_until,
    worker_environment,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PEOPLE = 30
KILLED_AT = 10  # the n-th message of the batch


class KillingMailbox(Mailbox):
    """Kills the worker once, at one step of the SMTP conversation of the n-th message.

    A step of the conversation, rather than a moment, puts the kill in the same
    place on every run.
    """

    def __init__(self, *, step: str, nth: int) -> None:
        super().__init__()
        self.step = step
        self.nth = nth
        self.recipients_seen = 0
        self.worker: subprocess.Popen[bytes] | None = None
        self.killed_while_sending_to = ""
        self.received_before_the_kill = 0

    def kill_worker(self, recipient: str) -> None:
        assert self.worker is not None
        self.worker.kill()  # SIGKILL: no warm shutdown, nothing acknowledged or given back
        self.worker.wait(timeout=10)
        self.worker = None
        self.killed_while_sending_to = recipient
        self.received_before_the_kill = len(self.messages)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        self.recipients_seen += 1
        if self.step == "RCPT" and self.worker and self.recipients_seen == self.nth:
            self.kill_worker(address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if self.step == "DATA" and self.worker and len(self.messages) == self.nth:
            self.kill_worker(envelope.rcpt_tos[0])
        return reply


def reminders_due(tenant: Tenant) -> tuple[list[User], Callable[[], list]]:
    people = people_with_a_card_due_today(tenant, PEOPLE)
    return people, lambda: send_deadline_reminders(now=timezone.now().replace(hour=12))


def digests_due(tenant: Tenant) -> tuple[list[User], Callable[[], list]]:
    """PEOPLE team leads of a team with a KPI, on a Monday morning."""
    team = TeamFactory(organization=tenant.organization, name="Support")
    Kpi.objects.create(
        organization=tenant.organization,
        name="Tickets solved",
        team=team,
        target=90,
        amber_threshold=90,
        red_threshold=80,
    )
    people = [
        MembershipFactory(organization=tenant.organization, role=Role.LEAD, teams=[team]).user
        for _n in range(PEOPLE)
    ]
    Preference.objects.bulk_create(
        Preference(user=user, weekly_digest=False)
        for user in User.objects.filter(memberships__organization=tenant.organization).exclude(
            pk__in=[person.pk for person in people]
        )
    )
    monday = datetime(2026, 11, 23, 10, tzinfo=timezone.get_current_timezone())
    return people, lambda: send_weekly_digests(now=monday)


@pytest.mark.parametrize(
    ("job", "step"),
    [
        pytest.param(reminders_due, "RCPT", id="reminders-before-the-server-has-the-message"),
        pytest.param(reminders_due, "DATA", id="reminders-after-the-server-took-it"),
        pytest.param(digests_due, "DATA", id="digests-after-the-server-took-it"),
    ],
)
def test_worker_killed_mid_batch_and_restarted_sends_each_message_once(
    tenant: Tenant, queued_tasks: None, tmp_path: Path, job, step: str
) -> None:
    people, run_job = job(tenant)
    mailbox = KillingMailbox(step=step, nth=KILLED_AT)
    server = SmtpServer(free_port(), mailbox)
    server.start()
    try:
        assert len(run_job()) == PEOPLE
        # Redis would hand the dead worker's task back after the visibility
        # timeout, an hour; the sweep must not wait for it.
        environment = worker_environment(server.port)
        with running(
            celery_worker_command(), environment=environment, log=tmp_path / "killed.log"
        ) as worker:
            mailbox.worker = worker
            wait_until(lambda: mailbox.worker is None, timeout=60, what="the worker killed")
        assert 0 < mailbox.received_before_the_kill < PEOPLE

        # The dead worker's task: taken from the queue, never acknowledged, and
        # held by Redis for the visibility timeout.
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        assert broker.zcard("unacked_index") == 1

        # The sweep (beat's, every two minutes; here the command run by hand), as
        # of the moment the dead worker's row has been taken for longer than any
        # delivery lasts. The subprocess reads the real clock: the moment is real.
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

        with running(
            celery_worker_command(), environment=environment, log=tmp_path / "restarted.log"
        ):
            wait_until(
                lambda: Notification.objects.filter(status=Status.SENT).count() == PEOPLE,
                timeout=30,
                what="every ledger row sent",
            )
    finally:
        server.stop()

    message_ids = defaultdict(list)
    for message in mailbox.messages:
        message_ids[message["To"]].append(message["Message-ID"])
    assert set(message_ids) == {person.email for person in people}
    for row in Notification.objects.select_related("recipient"):
        killed = row.recipient.email == mailbox.killed_while_sending_to
        assert (row.status, row.error, row.attempts) == (Status.SENT, "", 2 if killed else 1)
        # Killed after the server took the message but before the worker heard
        # back, the row is not marked sent, so the task runs again and the person
        # gets a second copy: the same email, one Message-ID, which mail servers
        # and clients recognise as one message.
        copies = message_ids[row.recipient.email]
        assert len(copies) == (2 if killed and step == "DATA" else 1)
        [message_id] = set(copies)
        assert message_id.startswith(f"<notification-{row.pk}.")
        assert message_id.endswith("@opsboard.example.com>")
