"""Two beats scanning at once, each its own process: one ledger row and one delivery per person."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from opsboard.notify.models import Notification
from tests.conftest import Tenant
from tests.integration.conftest import people_with_a_card_due_today
from tests.integration.processes import ROOT, free_port, wait_until, worker_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PEOPLE = 30


def scans_waiting_to_write() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks"
            " WHERE relation = 'notify_notification'::regclass AND NOT granted"
        )
        return cursor.fetchone()[0]


def test_two_reminder_scans_at_once_claim_and_queue_one_bundle_per_person(
    tenant: Tenant, queued_tasks: None
) -> None:
    people = people_with_a_card_due_today(tenant, PEOPLE)
    command = [
        sys.executable,
        "manage.py",
        "send_deadline_reminders",
        "--now",
        timezone.now().replace(hour=12).isoformat(),
    ]
    # They only claim and enqueue: no worker takes the deliveries, no mail server is needed.
    environment = worker_environment(free_port())
    # Hold the ledger until both scans wait to write their first row, then let
    # them race, as the threads of tests/notify do with a barrier.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE notify_notification IN EXCLUSIVE MODE")
        scans = [
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        wait_until(
            lambda: scans_waiting_to_write() == 2, timeout=60, what="both scans at the ledger"
        )
    outputs = [scan.communicate(timeout=60) for scan in scans]

    for scan, (_out, errors) in zip(scans, outputs, strict=True):
        assert scan.returncode == 0, errors
    sent = [int(re.search(r"(\d+) reminders sent", out)[1]) for out, _errors in outputs]
    assert sum(sent) == PEOPLE
    rows = Counter(Notification.objects.values_list("recipient__email", flat=True))
    assert rows == Counter(person.email for person in people)
    queued = [
        json.loads(raw)["headers"]["argsrepr"]
        for raw in redis.Redis.from_url(settings.CELERY_BROKER_URL).lrange("celery", 0, -1)
    ]
    assert sorted(queued) == sorted(
        f"({pk},)" for pk in Notification.objects.values_list("pk", flat=True)
    )
