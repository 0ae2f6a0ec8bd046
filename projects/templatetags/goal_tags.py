from __future__ import annotations

from decimal import Decimal

from django import template

from projects.goals import format_value
from projects.models import Goal

register = template.Library()


@register.filter
def goal_value(value: Decimal | None, goal: Goal) -> str:
    """A value of the goal's metric, with its decimals and unit: ``{{ value|goal_value:goal }}``."""
    return format_value(value, goal.decimals, goal.unit)
