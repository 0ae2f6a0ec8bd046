from __future__ import annotations

from django import template

from raci.selectors import Holder, Row

register = template.Library()


@register.filter
def raci_role(row: Row, holder: Holder) -> str:
    """The role letter ``holder`` has on the row's card: ``{{ row|raci_role:holder }}``."""
    return row.role_of(holder)
