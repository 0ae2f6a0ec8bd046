from __future__ import annotations

from celery import shared_task

from .services import TransientDeliveryError, notification_deliver


@shared_task(
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=True,
    retry_backoff_max=1800,
    max_retries=12,
)
def deliver_notification(notification_id: int) -> str:
    """Send one claimed notification; retried with backoff while the server is away."""
    return notification_deliver(notification_id=notification_id)
