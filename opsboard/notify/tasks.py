from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services import (
    MAX_DELIVERY_ATTEMPTS,
    TransientDeliveryError,
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
