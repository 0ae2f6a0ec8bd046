from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .digest import send_weekly_digests as send
from .retrospectives.schedule import build_retrospectives as build
from .services import record_computed_kpis


@shared_task
def record_kpis() -> int:
    """Nightly: store each computed KPI's value for the period that just ended."""
    return record_computed_kpis()


@shared_task
def send_weekly_digests() -> int:
    """Every 15 minutes: whoever's Monday hour has come gets the week's digest, once."""
    return len(send(now=timezone.now()))


@shared_task
def build_retrospectives() -> int:
    """Hourly: build last month's retrospectives where the first working day has begun, once."""
    return len(build(now=timezone.now()))
