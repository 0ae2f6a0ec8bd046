from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template

from metrics.models import Kpi
from projects.goals import GoalStatus

register = template.Library()


@register.filter
def kpi_value(value: Decimal | None, kpi: Kpi) -> str:
    """A KPI value with its unit and decimals: ``{{ value|kpi_value:kpi }}``."""
    return kpi.figure(value)


@register.filter
def signed(value: Decimal | None, kpi: Kpi) -> str:
    """A change, with its sign, a percentage's in points: ``+2.5 percentage points``."""
    return kpi.change_figure(value)


@register.filter
def kpi_period(start: date, kpi: Kpi) -> str:
    """A period of the KPI by its name: ``{{ start|kpi_period:kpi }}`` gives 「2026年11月」."""
    return kpi.period_name(start)


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key, "")


@register.filter
def goal_status_name(status: str) -> str:
    """A stored goal status (``"at_risk"``) in the reader's words: ``GoalStatus``'s label."""
    return GoalStatus(status).label


@register.filter
def iso_day(value: str | None) -> date | None:
    """A day stored as ISO text (a retrospective's figures) as a date, for ``|day``."""
    return date.fromisoformat(value) if value else None
