from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .notifications import send_clock_alerts


@shared_task
def scan_response_clocks() -> int:
    """Every 5 minutes: warn the Responsible of requests at 75% of a response target, and
    tell the Accountable and the team's chat groups of the targets missed, each once."""
    return len(send_clock_alerts(now=timezone.now()))
