"""Writes for KPIs and their measurements, and the job that records computed values."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsboard.tenancy.access import require_editor
from opsboard.tenancy.models import Membership, Organization
from projects.models import Direction

from .computations import compute, period_start, previous_period
from .models import Frequency, Kpi, Measurement


class Rag:
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


def rag(kpi: Kpi, value: Decimal | None) -> str | None:
    """Green at or better than the amber threshold, amber down to the red threshold, red beyond."""
    if value is None:
        return None
    better = (lambda a, b: a >= b) if kpi.direction == Direction.INCREASE else (lambda a, b: a <= b)
    if better(value, kpi.amber_threshold):
        return Rag.GREEN
    if better(value, kpi.red_threshold):
        return Rag.AMBER
    return Rag.RED


@dataclass
class Recorded:
    measurement: Measurement
    replaced: Decimal | None  # the value it had before, when the period already had one


@transaction.atomic
def measurement_record(
    *, actor: Membership, kpi: Kpi, period: date, value: Decimal, note: str = ""
) -> Recorded:
    """Record a manual KPI's value for a period. A second value for the same period replaces the first."""
    require_editor(actor)
    if kpi.is_computed:
        raise ValidationError(_("This KPI is computed from the work; it takes no values by hand."))
    if period_start(kpi.frequency, period) != period:
        message = (
            _("A monthly KPI takes the first day of a month.")
            if kpi.frequency == Frequency.MONTHLY
            else _("A weekly KPI takes the Monday a week starts on.")
        )
        raise ValidationError({"period": message})
    if period > timezone.localdate():
        raise ValidationError({"period": _("The period has not started yet.")})
    # Only the measurement's row, not the KPI's that the default ordering joins.
    existing = (
        Measurement.objects.select_for_update(of=("self",))
        .filter(kpi=kpi, period_start=period)
        .first()
    )
    replaced = existing.value if existing else None
    measurement, _created = Measurement.objects.update_or_create(
        kpi=kpi,
        period_start=period,
        defaults={"value": value, "note": note.strip(), "recorded_by": actor.user},
    )
    return Recorded(measurement, replaced)


def record_computed_kpis(
    *, organization: Organization | None = None, today: date | None = None
) -> int:
    """Store last period's value of every computed KPI (the nightly job). Safe to run again."""
    kpis = Kpi.objects.exclude(source="manual").select_related("organization")
    if organization is not None:
        kpis = kpis.filter(organization=organization)
    stored = 0
    for kpi in kpis:
        day = (
            today
            or timezone.localtime(
                timezone.now(), zoneinfo.ZoneInfo(kpi.organization.timezone)
            ).date()
        )
        finished = previous_period(kpi.frequency, period_start(kpi.frequency, day))
        value = compute(kpi, finished)
        if value is not None:
            Measurement.objects.update_or_create(
                kpi=kpi, period_start=finished, defaults={"value": value}
            )
            stored += 1
    return stored
