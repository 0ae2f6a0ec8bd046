"""Each ledger row is mailed under one Message-ID, so a resend is known as the same email."""

from __future__ import annotations

from django.core import mail

from opsboard.notify.models import Notification, Status
from opsboard.notify.services import notification_claim, notification_deliver
from tests.conftest import Tenant


def claim(tenant: Tenant, subject_key: str) -> Notification:
    notification = notification_claim(
        kind="test",
        subject_key=subject_key,
        recipient=tenant.member.user,
        period="2026-11-24",
        template="invitation",
        context={"organization": tenant.organization, "accept_url": "https://example.test/"},
        language=None,
        timezone_name=None,
    )
    assert notification is not None
    return notification


def test_a_resend_of_a_row_keeps_its_message_id(tenant: Tenant, settings) -> None:
    settings.SITE_URL = "https://opsboard.example.com"
    first, second = claim(tenant, "card:1"), claim(tenant, "card:2")
    assert notification_deliver(notification_id=first.pk) == Status.SENT
    # A worker killed after the server took the message but before the row was
    # marked sent runs the task again.
    Notification.objects.filter(pk=first.pk).update(status=Status.PENDING)
    assert notification_deliver(notification_id=first.pk) == Status.SENT
    assert notification_deliver(notification_id=second.pk) == Status.SENT
    assert notification_deliver(notification_id=second.pk) == Status.SENT  # already sent: nothing

    first_id, resent_id, second_id = (
        message.extra_headers["Message-ID"] for message in mail.outbox
    )
    assert (
        first_id
        == resent_id
        == f"<notification-{first.pk}.{first.created_at:%Y%m%d%H%M%S}@opsboard.example.com>"
    )
    assert second_id != first_id
    assert Notification.objects.get(pk=first.pk).attempts == 2
    # What goes on the wire, not only what was asked for.
    assert mail.outbox[0].message()["Message-ID"] == first_id
