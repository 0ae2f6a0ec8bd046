"""Claiming a notification in the ledger, and delivering it."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from opsboard.accounts.models import User

from .emails import render_email, send_rendered
from .models import Channel, Notification, Status

# Worth another try later: the server may be back.
TRANSIENT_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)


def notification_claim(
    *,
    kind: str,
    subject_key: str,
    recipient: User,
    period: str,
    template: str,
    context: Mapping[str, Any],
    language: str | None,
    timezone_name: str | None,
    organization_id: int | None = None,
    link: str = "",
    channel: str = Channel.EMAIL,
) -> Notification | None:
    """Write the ledger row before anything is sent; None when it was already written.

    An in-app notification is delivered by being written.
    """
    subject, text, html = render_email(
        template=template, context=context, language=language, timezone_name=timezone_name
    )
    try:
        with transaction.atomic():
            return Notification.objects.create(
                kind=kind,
                subject_key=subject_key,
                recipient=recipient,
                period=period,
                channel=channel,
                organization_id=organization_id,
                title=subject,
                body=text,
                body_html=html,
                link=link,
                status=Status.SENT if channel == Channel.IN_APP else Status.PENDING,
                sent_at=timezone.now() if channel == Channel.IN_APP else None,
            )
    except IntegrityError:
        return None


class TransientDeliveryError(Exception):
    """Delivery failed in a way that may pass: retry later."""


def notification_deliver(*, notification_id: int) -> str:
    """Send a claimed notification once. Returns its status; raises TransientDeliveryError to be retried."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .get(pk=notification_id)
        )
        if notification.status == Status.SENT:
            return notification.status
        notification.attempts += 1
        notification.save(update_fields=["attempts"])
    try:
        send_rendered(
            to=[notification.recipient.email],
            subject=notification.title,
            text=notification.body,
            html=notification.body_html,
            headers={"Message-ID": _message_id(notification)},
        )
    except TRANSIENT_ERRORS as error:
        Notification.objects.filter(pk=notification_id).update(
            error=f"{error.__class__.__name__}: {error}"
        )
        raise TransientDeliveryError(str(error)) from error
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPException, ValueError) as error:
        # The address is refused or the message cannot be sent as it is: stop, and show it in the admin.
        Notification.objects.filter(pk=notification_id).update(
            status=Status.FAILED, error=f"{error.__class__.__name__}: {error}"
        )
        return Status.FAILED
    Notification.objects.filter(pk=notification_id).update(
        status=Status.SENT, sent_at=timezone.now(), error=""
    )
    return Status.SENT


def _message_id(notification: Notification) -> str:
    """One Message-ID per ledger row, so a resend after a crash is known as the same email.

    The creation time keeps it unique when row ids start over on a new database.
    """
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}.{notification.created_at:%Y%m%d%H%M%S}@{host}>"


def notifications_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
