from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from opsboard.text import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Render Markdown written by a person, sanitised: ``{{ card.description|markdown }}``."""
    return render_markdown(text)


@register.filter
def initials(name: str) -> str:
    words = [word for word in (name or "").replace("@", " ").split() if word]
    if not words:
        return "?"
    if len(words) == 1 or not words[0].isascii():
        return words[0][:2].upper()
    return (words[0][0] + words[1][0]).upper()
