from __future__ import annotations

from decimal import Decimal

from django import template

from metrics.models import Kpi

register = template.Library()


@register.filter
def kpi_value(value: Decimal | None, kpi: Kpi) -> str:
    """A KPI value with its unit and decimals: ``{{ value|kpi_value:kpi }}``."""
    return kpi.figure(value)


@register.filter
def signed(value: Decimal | None, kpi: Kpi) -> str:
    """A change, with its sign: ``+2.5%``."""
    if value is None:
        return "—"
    text = kpi.figure(abs(value))
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key, "")
