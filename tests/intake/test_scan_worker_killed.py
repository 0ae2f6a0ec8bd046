"""The response clocks' scan run by a real Celery worker (the beat's task, at the test's
moment through the child's clock), the worker killed in the middle of the warnings'
deliveries and started again, and the scan run once more: the ledger's sweep sends what
the dead worker left pending, and each Responsible gets their warning once."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import time_machine
from django.conf import settings
from django.utils import timezone

from intake.notifications import WARNING
from intake.tasks import scan_response_clocks
from opsboard.notify.models import Notification, Status
from opsboard.tenancy.models import Role
from raci.models import RaciRole
from raci.services import raci_set
from tests.conftest import Tenant
from tests.factories import MembershipFactory
from tests.intake.clock_setup import FIRST, at, desk
from tests.integration.processes import (
    ROOT,
    SmtpServer,
    celery_worker_command,
    free_port,
    running,
    wait_until,
    worker_environment,
)
from tests.integration.test_worker_killed import KillingMailbox

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PEOPLE = 12
KILLED_AT = 5  # the n-th warning delivered


def test_a_worker_killed_mid_scan_batch_warns_each_responsible_once(
    tenant: Tenant, queued_tasks: None, tmp_path: Path
) -> None:
    product = desk(tenant, plan=None, resolution=None)
    people = []
    for n in range(PEOPLE):
        person = MembershipFactory(
            organization=tenant.organization, role=Role.MEMBER, teams=[tenant.team]
        ).user
        request = product.send(at("2026-11-18T10:00"), f"Request {n}")
        raci_set(actor=tenant.lead, card=request.card, role=RaciRole.RESPONSIBLE, user=person)
        people.append(person)

    mailbox = KillingMailbox(step="DATA", nth=KILLED_AT)
    server = SmtpServer(free_port(), mailbox)
    server.start()
    # Past 75% of the two hours (11:30), before the target (12:00).
    with time_machine.travel(at("2026-11-18T11:31"), tick=True):
        try:
            environment = worker_environment(server.port)
            scan_response_clocks.delay()
            with running(
                celery_worker_command(), environment=environment, log=tmp_path / "killed.log"
            ) as worker:
                mailbox.worker = worker
                wait_until(lambda: mailbox.worker is None, timeout=90, what="the worker killed")
            # The scan committed every clock's warning before the deliveries began.
            assert Notification.objects.filter(kind=WARNING).count() == PEOPLE
            assert 0 < mailbox.received_before_the_kill < PEOPLE
            broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
            assert broker.zcard("unacked_index") == 1

            later = timezone.now() + settings.NOTIFICATION_STALE_AFTER + timedelta(seconds=1)
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

            scan_response_clocks.delay()  # the beat's next scan finds every clock warned
            with running(
                celery_worker_command(), environment=environment, log=tmp_path / "restarted.log"
            ):
                wait_until(
                    lambda: Notification.objects.filter(status=Status.SENT).count() == PEOPLE,
                    timeout=60,
                    what="every warning sent",
                )
                wait_until(lambda: broker.llen("celery") == 0, timeout=30, what="the queue emptied")
        finally:
            server.stop()

    assert Notification.objects.count() == PEOPLE
    message_ids = defaultdict(set)
    for message in mailbox.messages:
        message_ids[message["To"]].add(message["Message-ID"])
    assert set(message_ids) == {person.email for person in people}
    assert all(len(ids) == 1 for ids in message_ids.values())
    assert all(
        clock.warned_at is not None
        for clock in product.request_type.requests.get(card__title="Request 0").clocks.filter(
            kind=FIRST
        )
    )
