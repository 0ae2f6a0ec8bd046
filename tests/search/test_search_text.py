"""The index's and the query's reading of text: Chinese by characters and pairs, other
words by stems, and nothing of SQL or tsquery syntax leaking through."""

from __future__ import annotations

import pytest

from opsboard.search.text import match_spans, query_terms, snippet, tsquery, tsvector


def test_chinese_runs_are_indexed_as_pairs_and_the_last_character() -> None:
    vector = tsvector([("复盘会议", "A"), ("议", "B")])
    assert vector == "'复盘':1A '盘会':2A '会议':3A '议':4A,6B"


def test_english_words_are_stemmed_and_fields_weighted() -> None:
    vector = tsvector([("Migrations", "A"), ("migrating data", "C")])
    assert vector == "'migrat':1A,3C 'data':4C"


def test_a_chinese_query_of_two_characters_is_their_pair_and_longer_is_a_phrase() -> None:
    assert tsquery(query_terms("流失")) == "'流失'"
    assert tsquery(query_terms("流")) == "'流':*"  # its pair, or itself at a run's end
    assert tsquery(query_terms("客户流失")) == "('客户' <-> '户流' <-> '流失')"


def test_english_words_are_prefixes_of_their_stem_and_every_word_counts() -> None:
    assert tsquery(query_terms("Migration PLAN")) == "'migrat':* & 'plan':*"
    assert tsquery(query_terms("Ｑ４ 复盘 q4")) == "'q4':* & '复盘'"


@pytest.mark.parametrize(
    "text",
    ["%", "_", "%_%", "'", '"', "\\", "' OR 1=1 --", "\\'; DROP TABLE x; --", "!&|<->():*"],
)
def test_wildcards_quotes_and_operators_are_no_part_of_a_query(text: str) -> None:
    assert query_terms(text) == [] or all(term.text.isalnum() for term in query_terms(text)), (
        query_terms(text)
    )
    assert "\\" not in tsquery(query_terms(text))


def test_quotes_between_words_separate_them() -> None:
    assert tsquery(query_terms("o'brien 50%_off")) == "'o':* & 'brien':* & '50':* & 'off':*"


def test_a_long_query_keeps_a_bounded_number_of_terms() -> None:
    assert len(query_terms(" ".join(f"word{n}" for n in range(5000)))) == 12


def test_the_snippet_marks_the_matches_and_escapes_the_rest() -> None:
    terms = query_terms("流失 migrate")
    text = "<b>Before</b> " + "x " * 60 + "we are migrating the 客户流失 list <script>"
    shown = snippet(text, terms)
    assert "<mark>migrating</mark>" in shown
    assert "客户<mark>流失</mark>" in shown
    assert "&lt;script&gt;" in shown
    assert "<b>" not in shown and "<script>" not in shown
    assert shown.startswith("…")


def test_no_snippet_where_nothing_matches() -> None:
    assert snippet("nothing here", query_terms("流失")) is None


def test_spans_follow_the_index_not_the_surface() -> None:
    # "studies" and "study" share the stem "studi": the index finds one by the other.
    assert match_spans("a study of it", query_terms("studies")) == [(2, 7)]
