from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from opsboard.text import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Render Markdown written by a person, sanitised: ``{{ card.description|markdown }}``."""
    return render_markdown(text)
