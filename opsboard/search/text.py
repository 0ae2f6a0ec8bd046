"""Text as the search index reads it, in Chinese and English alike.

Chinese (and Japanese and Korean) is written without spaces between words, so no word
list is needed to find "复盘" inside "月度复盘会议": a run of such characters is indexed as
each pair of neighbours (bigrams) at the position of its first character, and its last
character alone. A query of two characters looks for that pair, a longer one for its
pairs one after another (a phrase), which is what "contains this text" means, and one
character for the entries it begins (every character begins one: its pair, or itself at
the end of a run). Indexing each character alone too would cost a third more for
ranking, which reads every match's vector. Other words (English, pinyin, numbers) are stemmed with Snowball's English
stemmer and looked up as prefixes: "migration" finds "migrating", "mig" finds both.

Everything is done here in Python, the same for the index and the query, so nothing
depends on PostgreSQL's text-search parser or the database's locale: the index is a
``tsvector`` written as a literal, the query a ``tsquery`` literal of word characters only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Scripts written without spaces: kana, CJK ideographs (and their extension A and
# compatibility blocks), Hangul syllables.
DENSE = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
SEGMENT = re.compile(rf"(?P<dense>[{DENSE}]+)|(?P<word>[^\W_{DENSE}]+)")

# tsvector positions run from 1 to 16383, and PostgreSQL keeps 256 of them per lexeme.
LAST_POSITION = 16383
POSITIONS_PER_LEXEME = 256
# Longer "words" (a pasted hash, a URL's path) are not worth an entry.
LONGEST_WORD = 60
# A query's terms beyond this many add nothing but cost.
MOST_TERMS = 12


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def fold(text: str) -> str:
    """Full-width letters as their ASCII ones, and no case: ＡＰＩ, Api and API are one word."""
    return unicodedata.normalize("NFKC", text).casefold()


def _fold_dense(run: str) -> str:
    """A run of Chinese characters folded one by one, so that it keeps its length and a
    match's place in it is its place in the text."""
    folded = []
    for character in run:
        one = unicodedata.normalize("NFKC", character)
        folded.append(one if len(one) == 1 else character)
    return "".join(folded)


@dataclass(frozen=True)
class Segment:
    """A word, or a run of Chinese characters, and where it is in the text."""

    dense: bool
    text: str  # folded
    start: int
    end: int


def segments(text: str) -> Iterator[Segment]:
    for match in SEGMENT.finditer(text):
        if match.lastgroup == "dense":
            yield Segment(True, _fold_dense(match.group()), match.start(), match.end())
        else:
            yield Segment(False, fold(match.group()), match.start(), match.end())


# The index -----------------------------------------------------------------------

WEIGHTS = ("A", "B", "C", "D")


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(fields: Sequence[tuple[str, str]]) -> str:
    """The ``tsvector`` literal of ``fields``, each ``(text, weight)`` with weight A (the
    title) to D. Fields are a position apart, so a phrase never spans two of them."""
    positions: dict[str, list[str]] = {}
    position = 1

    def add(lexeme: str, at: int, weight: str) -> None:
        kept = positions.setdefault(lexeme, [])
        if len(kept) < POSITIONS_PER_LEXEME:
            kept.append(f"{min(at, LAST_POSITION)}{weight}")

    for text, weight in fields:
        for segment in segments(text):
            if segment.dense:
                run = segment.text
                for offset in range(len(run)):
                    # A pair from each character, and the last one alone: every character
                    # begins an entry, so one character is found as a prefix (see Term).
                    add(run[offset : offset + 2], position + offset, weight)
                position += len(run)
            elif len(segment.text) <= LONGEST_WORD:
                add(stem(segment.text), position, weight)
                position += 1
        position += 1
    return " ".join(f"{_quoted(lexeme)}:{','.join(at)}" for lexeme, at in positions.items())


def folded_content(fields: Sequence[tuple[str, str]]) -> str:
    """The fields' text folded, for the database without full-text search (SQLite)."""
    return "\n".join(fold(text) for text, _weight in fields)


# The query -----------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """What a query looks for: a word's stem (as a prefix), or a run of Chinese text."""

    dense: bool
    text: str  # a stem, or the folded run

    @property
    def tsquery(self) -> str:
        if not self.dense:
            return f"{_quoted(self.text)}:*"
        if len(self.text) == 1:
            return f"{_quoted(self.text)}:*"
        pairs = [_quoted(self.text[i : i + 2]) for i in range(len(self.text) - 1)]
        return pairs[0] if len(pairs) == 1 else "(" + " <-> ".join(pairs) + ")"


def query_terms(text: str) -> list[Term]:
    """The terms of what a person typed, each once, in order; punctuation, ``%``, ``_``,
    quotes and backslashes are no part of any (they separate words, as spaces do)."""
    terms: list[Term] = []
    for segment in segments(text):
        if segment.dense:
            term = Term(True, segment.text)
        elif len(segment.text) <= LONGEST_WORD:
            term = Term(False, stem(segment.text))
        else:
            continue
        if term not in terms:
            terms.append(term)
    return terms[:MOST_TERMS]


def tsquery(terms: Sequence[Term]) -> str:
    """The ``tsquery`` literal that matches text holding every one of ``terms``."""
    return " & ".join(term.tsquery for term in terms)


# Why it matched ----------------------------------------------------------------------


def match_spans(text: str, terms: Sequence[Term]) -> list[tuple[int, int]]:
    """Where ``terms`` occur in ``text`` as the index sees them: words whose stem begins
    with a term's stem, and Chinese runs holding a term's text."""
    spans = []
    words = [term.text for term in terms if not term.dense]
    runs = [term.text for term in terms if term.dense]
    for segment in segments(text):
        if segment.dense:
            for run in runs:
                found = segment.text.find(run)
                while found != -1:
                    spans.append((segment.start + found, segment.start + found + len(run)))
                    found = segment.text.find(run, found + 1)
        elif words and len(segment.text) <= LONGEST_WORD:
            stemmed = stem(segment.text)
            if any(stemmed.startswith(word) for word in words):
                spans.append((segment.start, segment.end))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


SNIPPET_BEFORE = 40
SNIPPET_LENGTH = 180


def snippet(text: str, terms: Sequence[Term]) -> SafeString | None:
    """The part of ``text`` around its first match, escaped, with the matches in ``<mark>``;
    None when ``terms`` do not occur in it."""
    text = " ".join(text.split())
    spans = match_spans(text, terms)
    if not spans:
        return None
    begin = max(0, spans[0][0] - SNIPPET_BEFORE)
    if begin:
        space = text.find(" ", begin, spans[0][0])
        begin = space + 1 if space != -1 and space - begin < 12 else begin
    end = min(len(text), begin + SNIPPET_LENGTH)
    if end < len(text):
        space = text.rfind(" ", max(spans[0][1], end - 12), end)
        end = space if space != -1 else end
    parts = ["…" if begin else ""]
    at = begin
    for start, stop in spans:
        if start >= end:
            break
        start, stop = max(start, at), min(stop, end)
        if stop <= start:
            continue
        parts += [escape(text[at:start]), "<mark>", escape(text[start:stop]), "</mark>"]
        at = stop
    parts += [escape(text[at:end]), "…" if end < len(text) else ""]
    return mark_safe("".join(parts))  # noqa: S308 - every piece of the text is escaped
