"""The sweep: notifications a dead worker left pending go out again, each once."""

from __future__ import annotations

import io
import smtplib
from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from opsboard.notify.models import Notification, Status
from opsboard.notify.services import (
    MAX_DELIVERY_ATTEMPTS,
    TransientDeliveryError,
    notification_deliver,
    notifications_requeue_stale,
)
from tests.concurrency import in_lockstep
from tests.conftest import Tenant
from tests.notify.test_message_id import claim

STALE = timedelta(minutes=5)


@pytest.fixture(autouse=True)
def _stale_after(settings) -> None:
    settings.NOTIFICATION_STALE_AFTER = STALE


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The sweep, its tasks run as its transaction commits (eagerly, in tests)."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return notifications_requeue_stale(**kwargs)

    return run


def test_a_row_whose_task_was_lost_is_sent_once_by_the_sweep(tenant: Tenant, sweep) -> None:
    row = claim(tenant, "card:1")  # its task never ran: the worker holding it died
    now = timezone.now()
    assert sweep(now=now + STALE - timedelta(seconds=1)) == []

    assert sweep(now=now + STALE + timedelta(seconds=1)) == [row]
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.delivering_since) == (Status.SENT, 1, None)
    # A second sweep, and the original task coming back from the broker, send nothing.
    assert sweep(now=now + 3 * STALE) == []
    assert notification_deliver(notification_id=row.pk) == Status.SENT
    assert len(mail.outbox) == 1


def test_a_row_a_worker_is_sending_is_not_sent_again(tenant: Tenant, sweep) -> None:
    row = claim(tenant, "card:1")
    taken = timezone.now()
    Notification.objects.filter(pk=row.pk).update(delivering_since=taken, attempts=1)

    # Another copy of its task, e.g. the broker handing it back: the row is taken.
    assert notification_deliver(notification_id=row.pk) == Status.PENDING
    # Taken a minute ago: the worker is still at it.
    assert sweep(now=taken + timedelta(minutes=1)) == []
    assert mail.outbox == []

    # Taken longer ago than any delivery lasts: its worker died.
    assert sweep(now=taken + STALE + timedelta(seconds=1)) == [row]
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)


def test_a_row_waiting_for_its_retry_is_left_to_it(tenant: Tenant, settings) -> None:
    settings.EMAIL_BACKEND = "tests.notify.test_lost_notifications.DisconnectedBackend"
    row = claim(tenant, "card:1")
    for _attempt in range(6):
        Notification.objects.filter(pk=row.pk).update(delivering_since=None)
        with pytest.raises(TransientDeliveryError):
            notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    # Six tries: the task waits up to 32 s before the seventh.
    assert row.next_attempt_at - timezone.now() <= timedelta(seconds=32)
    assert row.next_attempt_at - timezone.now() > timedelta(seconds=30)
    assert (row.status, row.delivering_since) == (Status.PENDING, None)
    assert notifications_requeue_stale(now=row.next_attempt_at + STALE / 2) == []


def test_a_row_the_server_keeps_turning_away_fails_in_the_end(tenant: Tenant, settings) -> None:
    settings.EMAIL_BACKEND = "tests.notify.test_lost_notifications.DisconnectedBackend"
    row = claim(tenant, "card:1")
    Notification.objects.filter(pk=row.pk).update(attempts=MAX_DELIVERY_ATTEMPTS - 1)
    with pytest.raises(TransientDeliveryError):
        notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert "SMTPServerDisconnected" in row.error
    assert notifications_requeue_stale(now=timezone.now() + 10 * STALE) == []


def test_the_command_lists_and_queues_the_lost_rows(
    tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    row = claim(tenant, "card:1")
    later = (timezone.now() + 2 * STALE).isoformat()
    out = io.StringIO()
    call_command("requeue_notifications", "--now", later, "--dry-run", stdout=out)
    assert f"#{row.pk} test to {tenant.member.user}" in out.getvalue()
    assert "1 notifications would queue again." in out.getvalue()
    assert mail.outbox == []

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("requeue_notifications", "--now", later, stdout=out)
    assert "1 notifications queued again." in out.getvalue()
    assert len(mail.outbox) == 1


class DisconnectedBackend:
    """An SMTP server that hangs up: the transient failure a retry is for."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: list) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_lost_row_once(tenant: Tenant) -> None:
    rows = [claim(tenant, f"card:{n}") for n in range(20)]
    later = timezone.now() + 2 * STALE
    # Tasks run eagerly as each sweep commits, in its thread.
    sweep = partial(notifications_requeue_stale, now=later)
    queued = [len(lost) for lost in in_lockstep([sweep], [sweep])]
    assert sum(queued) == len(rows)
    assert sorted(message.to[0] for message in mail.outbox) == [tenant.member.user.email] * 20
    assert set(Notification.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
