"""What a reader sees of a page or a message, and what in it reads as translated."""

from __future__ import annotations

import html
import re

CHINESE = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
# An ASCII colon, comma, full stop or bracket against a Chinese character: a template
# put it between parts where the catalogue should have (：，。（）).
ASCII_BESIDE_CHINESE = re.compile(rf"[{CHINESE}][:,.()]|[:,.(][{CHINESE}]|\)[{CHINESE}]")
# Dates written by English formats in a Chinese text: 「十二月 4」, 「星期五 4 十二月」, 「1 周，2 日」.
TRANSLATED_DATES = re.compile(
    r"[一二三四五六七八九十]+月 \d|\d [一二三四五六七八九十]+月|星期[一二三四五六日] \d|\d+ 周(?!期)"
)
# Dates Django writes in English by default, where Opsboard writes "Dec 4, 2026".
AMERICAN_DATES = re.compile(r"\b(Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)\. |\b\d\d/\d\d/\d{4}\b")


def visible_text(page: str) -> str:
    """The words of an HTML page, with the titles and labels a reader is shown or read out."""
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    labels = re.findall(r'(?:title|aria-label|placeholder|alt)="([^"]*)"', page)
    words = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join(" ".join([words, *labels]).split()))


def read_as_translated(text: str) -> list[str]:
    """Each place in ``text`` that reads as translated, with some words around it."""
    return [
        text[max(0, found.start() - 25) : found.end() + 25]
        for pattern in (ASCII_BESIDE_CHINESE, TRANSLATED_DATES, AMERICAN_DATES)
        for found in pattern.finditer(text)
    ]
