"""What a reader sees of a page or a message, and what in it reads as translated."""

from __future__ import annotations

import html
import re

HAN = "\u3400-\u4dbf\u4e00-\u9fff"
# Chinese characters and the full-width punctuation written beside them.
CHINESE = HAN + "\u3000-\u303f\uff00-\uffef"
# An ASCII colon, comma, full stop or bracket against Chinese: a template put it
# between parts where the catalogue should have (：，。（）).
ASCII_BESIDE_CHINESE = re.compile(rf"[{CHINESE}][:,.()]|[:,.()][{CHINESE}]")
# In a message, whose text runs as written: also a space from it to Chinese
# (「受阻 : 1 张」), and between Chinese words (「团队已完成 双十一备货 的复盘」).
ASCII_NEAR_CHINESE = re.compile(rf"[{CHINESE}][ \t]+[:,.()]|[:,.()][ \t]+[{CHINESE}]")
SPACE_BETWEEN_CHINESE = re.compile(rf"[{HAN}] +[{HAN}]")
# Dates written by English formats in a Chinese text: 「十二月 4」, 「星期五 4 十二月」, 「1 周，2 日」.
TRANSLATED_DATES = re.compile(
    r"[一二三四五六七八九十]+月 \d|\d [一二三四五六七八九十]+月|星期[一二三四五六日] \d|\d+ 周(?!期)"
)
# Dates Django writes in English by default, where Opsboard writes "Dec 4, 2026".
AMERICAN_DATES = re.compile(r"\b(Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)\.|\b\d\d/\d\d/\d{4}\b")
URL = re.compile(r"https?://[^\s<>|)\]\"']+")


def visible_text(page: str) -> str:
    """The words of an HTML page, with the titles and labels a reader is shown or read out."""
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    labels = re.findall(r'(?:title|aria-label|placeholder|alt)="([^"]*)"', page)
    words = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join(" ".join([words, *labels]).split()))


def message_text(text: str, *, is_html: bool = False) -> str:
    """The words of an email or a chat post as read: tags gone (not spaced), links left out."""
    if is_html:
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return URL.sub("", text)


def read_as_translated(text: str, *, between_words: bool = False) -> list[str]:
    """Each place in ``text`` that reads as translated, with some words around it.

    ``between_words`` also finds spaces around Chinese words: right for a message, whose
    text runs as written, not for a page, whose menus and cells sit apart.
    """
    patterns = [ASCII_BESIDE_CHINESE, TRANSLATED_DATES, AMERICAN_DATES]
    if between_words:
        patterns += [ASCII_NEAR_CHINESE, SPACE_BETWEEN_CHINESE]
    return [
        text[max(0, found.start() - 25) : found.end() + 25]
        for pattern in patterns
        for found in pattern.finditer(text)
    ]
