from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .direct import DirectUnavailable
from .services import (
    MAX_DELIVERY_ATTEMPTS,
    TransientDeliveryError,
    direct_identities_look_up,
    notification_deliver,
    notifications_requeue_stale,
)


@shared_task(
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=True,
    retry_backoff_max=1800,
    max_retries=MAX_DELIVERY_ATTEMPTS - 1,
)
def deliver_notification(notification_id: int) -> str:
    """Send one claimed notification; retried with backoff while the server is away."""
    return notification_deliver(notification_id=notification_id)


@shared_task
def requeue_lost_notifications() -> int:
    """Beat's sweep: enqueue again what a dead worker left pending."""
    return len(notifications_requeue_stale(now=timezone.now()))


@shared_task(
    autoretry_for=(DirectUnavailable,), retry_backoff=True, retry_backoff_max=1800, max_retries=8
)
def look_up_people(app_id: int, user_ids: list[int] | None = None) -> int:
    """Learn who the organisation's people are in its connected app (all, or ``user_ids``)."""
    return direct_identities_look_up(app_id=app_id, user_ids=user_ids)
