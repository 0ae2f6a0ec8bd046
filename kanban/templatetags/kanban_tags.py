from __future__ import annotations

from datetime import date

from django import template
from django.utils.safestring import SafeString

from opsboard.text import render_markdown

from ..models import Attachment, Card, Comment

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Render Markdown written by a person, sanitised: ``{{ card.description|markdown }}``."""
    return render_markdown(text)


@register.filter
def overdue_on(card: Card, today: date) -> bool:
    """Whether ``card`` is overdue on ``today`` (``Card.is_overdue``, the one rule):
    ``{% if card|overdue_on:today %}``."""
    return card.is_overdue(today)


@register.filter
def files_of(attachments: list[Attachment], comment: Comment | None = None) -> list[Attachment]:
    """Of a card's files (read once for the page), those of ``comment``, or with no comment
    the card's own: ``{% for file in attachments|files_of:comment %}``."""
    comment_id = comment.pk if comment is not None else None
    return [attachment for attachment in attachments if attachment.comment_id == comment_id]
