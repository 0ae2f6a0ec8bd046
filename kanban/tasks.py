from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import activity


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def tell_followers(*, event_id: int | None = None, comment_id: int | None = None) -> int:
    """After a change to a card committed: its followers hear of it, once each."""
    return len(activity.tell_followers(event_id=event_id, comment_id=comment_id))


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def tell_mentioned(*, mention_ids: list[int]) -> int:
    """After a text with new mentions committed: each person mentioned hears of it, once."""
    return len(activity.tell_mentioned(mention_ids=mention_ids))


@shared_task
def send_activity_bundles() -> int:
    """Every 15 minutes: the hourly and daily emails of activity on followed cards now due."""
    return len(activity.send_activity_bundles(now=timezone.now()))
