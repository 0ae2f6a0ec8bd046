"""Writes for KPIs and their measurements, and the job that records computed values."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intake.models import RequestType
from opsboard.tenancy.access import require_editor, require_manager
from opsboard.tenancy.models import Membership, Organization, Team
from projects.models import Direction, Goal, Project, Unit

from .computations import compute_kpis, is_finished, period_start, previous_period
from .models import Frequency, Kpi, Measurement, Source


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
class KpiInput:
    """What a person sets on a KPI (the KPI form's fields); the rest is the service's."""

    target: Decimal
    amber_threshold: Decimal
    red_threshold: Decimal
    name: str = ""
    description: str = ""
    source: str = Source.MANUAL
    unit: str = Unit.PERCENT
    direction: str = Direction.INCREASE
    decimals: int = 1
    frequency: str = Frequency.WEEKLY
    team: Team | None = None
    project: Project | None = None
    goal: Goal | None = None
    request_type: RequestType | None = None
    position: int = 0


KPI_INPUT_FIELDS = [f.name for f in fields(KpiInput)]


def _save_kpi(kpi: Kpi, data: KpiInput) -> Kpi:
    """Apply the input and save after the model's own checks (``Kpi.clean``: a manual KPI
    is named, a built-in name is stored empty, the thresholds run from good to bad)."""
    for name in KPI_INPUT_FIELDS:
        setattr(kpi, name, getattr(data, name))
    for name in ("team", "project", "goal"):
        scope = getattr(data, name)
        if scope is not None and scope.organization_id != kpi.organization_id:
            raise ValidationError({name: _("Choose a team, project or goal of this organisation.")})
    if data.request_type and data.request_type.organization_id != kpi.organization_id:
        raise ValidationError({"request_type": _("Choose a request type of this organisation.")})
    kpi.full_clean()
    kpi.save()
    return kpi


@transaction.atomic
def kpi_create(*, actor: Membership, data: KpiInput) -> Kpi:
    """Define a KPI of the actor's organisation (owners and ops managers)."""
    require_manager(actor)
    return _save_kpi(Kpi(organization=actor.organization), data)


# What a computed KPI's stored values depend on: change one and they are of another figure.
COMPUTED_FROM = ("source", "frequency", "team_id", "project_id", "goal_id", "request_type_id")


@transaction.atomic
def kpi_update(*, actor: Membership, kpi: Kpi, data: KpiInput) -> Kpi:
    """Change a KPI's definition; its recorded values stay, except a computed KPI's when
    what it computes changes (its source, frequency or scope): those are of the old
    figure, and the finished periods are computed again when next read."""
    require_manager(actor)
    was = [getattr(kpi, name) for name in COMPUTED_FROM]
    was_computed = kpi.is_computed
    saved = _save_kpi(kpi, data)
    if was_computed and was != [getattr(saved, name) for name in COMPUTED_FROM]:
        saved.measurements.all().delete()
    return saved


@dataclass
class Recorded:
    measurement: Measurement
    replaced: Decimal | None  # the value it had before, when the period already had one


def period_refusal(kpi: Kpi, period: date) -> str:
    """Why a value of ``kpi`` cannot be for the period starting on ``period``, or "" when it
    can: a period starts on a Monday (weekly) or the first of a month (monthly), and has
    begun. Recording by hand and importing both ask here."""
    if period_start(kpi.frequency, period) != period:
        if kpi.frequency == Frequency.MONTHLY:
            return _("A monthly KPI takes the first day of a month.")
        return _("A weekly KPI takes the Monday a week starts on.")
    if period > timezone.localdate():
        return _("The period has not started yet.")
    return ""


def may_record(actor: Membership, kpi: Kpi) -> bool:
    """Whether ``actor`` may enter values for ``kpi``: an editor, and a KPI entered by hand."""
    return actor.can_edit and not kpi.is_computed


@transaction.atomic
def measurement_record(
    *, actor: Membership, kpi: Kpi, period: date, value: Decimal, note: str = ""
) -> Recorded:
    """Record a manual KPI's value for a period. A second value for the same period replaces the first."""
    require_editor(actor)
    if kpi.is_computed:
        raise ValidationError(_("This KPI is computed from the work; it takes no values by hand."))
    if refusal := period_refusal(kpi, period):
        raise ValidationError({"period": refusal})
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


def computed_measurements_store(
    *, periods: list[tuple[Kpi, date]]
) -> dict[tuple[int, date], Decimal | None]:
    """Compute and store computed KPIs' values for finished periods that have none stored yet
    (a new KPI, a night the job did not run), so each finished period is computed once; its
    value is then read like the nightly job's. Keyed by (KPI id, period start).

    A period with nothing to measure is stored empty, so it is not asked again. Two pages
    storing the same period at once compute the same value: the second insert is skipped.
    """
    for kpi, start in periods:
        if not (kpi.is_computed and is_finished(kpi.frequency, start, kpi.organization.zone)):
            raise ValueError(f"{kpi} {start}: only a computed KPI's finished period is stored")
    values = compute_kpis(periods)
    if values:
        Measurement.objects.bulk_create(
            [
                Measurement(kpi_id=kpi_id, period_start=start, value=value)
                for (kpi_id, start), value in values.items()
            ],
            ignore_conflicts=True,
        )
    return values


def record_computed_kpis(
    *, organization: Organization | None = None, today: date | None = None
) -> int:
    """Store last period's value of every computed KPI (the nightly job). Safe to run again.

    Each night of a week (a month) recomputes the week (the month) before it, so a card
    reopened or archived in the days after still reaches that period's figure; after that
    the period is closed and keeps the value stored last. An empty period is stored empty.
    """
    kpis = Kpi.objects.exclude(source="manual").select_related("organization")
    if organization is not None:
        kpis = kpis.filter(organization=organization)
    finished = [
        (
            kpi,
            previous_period(
                kpi.frequency, period_start(kpi.frequency, today or kpi.organization.today())
            ),
        )
        for kpi in kpis
    ]
    values = compute_kpis(finished)  # those of one scope and period together
    for kpi, start in finished:
        Measurement.objects.update_or_create(
            kpi=kpi, period_start=start, defaults={"value": values[(kpi.pk, start)]}
        )
    return len(finished)
