from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .reminders import send_deadline_reminders as send


@shared_task
def send_deadline_reminders() -> int:
    """Every 15 minutes: whoever has reached their reminder hour gets today's bundle, once."""
    return len(send(now=timezone.now()))
