from __future__ import annotations

from celery import shared_task

from .services import record_computed_kpis


@shared_task
def record_kpis() -> int:
    """Nightly: store each computed KPI's value for the period that just ended."""
    return record_computed_kpis()
