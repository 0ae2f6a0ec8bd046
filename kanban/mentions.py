"""@mentions in card descriptions and comments.

A mention is kept in the text in a stable form, ``@[Name](user:ID)``: what the "@"
suggestion inserts (``static/js/mentions.js``), readable as plain text in an email or
an export, and tied to the person, not to a name two people may share. The name is
only how it read when written: the page shows the person's name as it is now.

A mention counts only for an active member of the card's organisation
(``mentionable``): anything else (an id from another organisation, a removed member,
a made-up number) stays plain text, links nowhere and tells no one.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from opsboard.text import render_markdown

MENTION = re.compile(r"@\[(?P<name>[^\[\]\n]{1,150})\]\(user:(?P<user_id>[0-9]{1,18})\)")


@dataclass(frozen=True)
class Person:
    """A mentionable person as a page shows them: the name now, and their page."""

    user_id: int
    name: str
    url: str


def mention_text(user_id: int, name: str) -> str:
    """How a mention is written into the text."""
    name = re.sub(r"[\[\]\n]", " ", name).strip()[:150] or "?"
    return f"@[{name}](user:{user_id})"


def mentioned_ids(*texts: str) -> set[int]:
    """The user ids the texts mention, whoever they are."""
    return {int(match["user_id"]) for text in texts for match in MENTION.finditer(text or "")}


def render_with_mentions(text: str, people: Mapping[int, Person]) -> SafeString:
    """The text's Markdown, sanitised (``opsboard.text.render_markdown``), with each mention
    of someone in ``people`` a link to them and any other mention plain "@Name".

    The mentions are taken out before the Markdown is rendered and put back after it is
    sanitised, as placeholders no one types, so a name never goes through Markdown.
    """
    if not text or "](user:" not in text:
        return render_markdown(text)
    nonce = secrets.token_hex(6)
    found: list[str] = []

    def hold(match: re.Match[str]) -> str:
        person = people.get(int(match["user_id"]))
        if person is None:
            found.append(escape(f"@{match['name']}"))
        else:
            found.append(
                f'<a class="mention" href="{escape(person.url)}">{escape("@" + person.name)}</a>'
            )
        return f"mention{nonce}x{len(found) - 1}x"

    html = str(render_markdown(MENTION.sub(hold, text)))
    html = re.sub(f"mention{nonce}x([0-9]+)x", lambda match: found[int(match[1])], html)
    return mark_safe(html)  # noqa: S308 - sanitised markdown, and names escaped above


def texts_mentioning(texts: Iterable[str]) -> list[str]:
    return [text for text in texts if text and "](user:" in text]
