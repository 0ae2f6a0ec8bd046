"""Filters for the Markdown that chat posts are written in."""

from __future__ import annotations

from django import template

register = template.Library()

# Brackets would end a link's text early; stars and underscores would start emphasis.
PLAIN = str.maketrans({"[": "(", "]": ")", "*": "∗", "_": " ", "`": "'", "\n": " ", "\r": " "})


@register.filter
def chat_text(value: object) -> str:
    """User text made safe to put inside a chat post's Markdown."""
    return " ".join(str(value).translate(PLAIN).split())
