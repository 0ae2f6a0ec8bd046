"""Reads of the search index: what a person of an organisation finds, ranked, grouped by
kind, each result with why it matched."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQueryField
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, RowNumber
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from opsboard.tenancy.models import Organization

from .kinds import TITLE, SearchKind, kind_named
from .models import SearchDocument
from .text import Term, match_spans, snippet, tsquery

# What "Everything" shows of each kind; "Show all" lists the kind a page at a time.
PER_KIND = 5
PAGE_SIZE = 20


class Matches(Func):
    """``vector @@ query``: a document holding the query's terms (the GIN index's question)."""

    arg_joiner = " @@ "
    template = "%(expressions)s"
    output_field = BooleanField()


class TsRank(Func):
    """``ts_rank(vector, query, 1)``: how well a document matches, the fields weighted
    (title 1, description 0.4, comments 0.2, the rest 0.1) and a long document's count
    divided by the log of its length, so a card with fifty comments does not win on
    volume."""

    function = "ts_rank"
    output_field = FloatField()


def matching(*, organization: Organization, terms: Sequence[Term]) -> QuerySet[SearchDocument]:
    """The organisation's documents that hold every one of ``terms``, each with its ``rank``."""
    documents = SearchDocument.objects.filter(organization=organization)
    if connection.vendor == "postgresql":
        query = Cast(Value(tsquery(terms)), output_field=SearchQueryField())
        return documents.filter(Matches(F("vector"), query)).annotate(
            rank=TsRank(F("vector"), query, Value(1))
        )
    # make run's SQLite: the folded text holds each term (icontains escapes % and _).
    holds = Q()
    in_title = Q()
    for term in terms:
        holds &= Q(content__icontains=term.text)
        in_title &= Q(title__icontains=term.text)
    return documents.filter(holds).annotate(
        rank=Case(When(in_title, then=Value(1.0)), default=Value(0.5), output_field=FloatField())
    )


@dataclass(frozen=True)
class Hit:
    """One result: the object, its address and marks, and why it matched."""

    kind: SearchKind
    object_id: int
    title: str
    title_html: SafeString
    url: str
    context: str
    marks: Sequence[Promise | str]
    matched_in: Promise | str | None
    snippet: SafeString | None
    rank: float


@dataclass
class Group:
    kind: SearchKind
    total: int
    hits: list[Hit] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


ROW = ("kind", "object_id", "title", "fields", "rank")


def _narrowed(
    documents: QuerySet[SearchDocument], organization: Organization, kind: SearchKind, state: str
) -> QuerySet[SearchDocument]:
    documents = documents.filter(kind=kind.key)
    if state:
        documents = documents.filter(kind.states[state][1](organization))
    return documents


def everything_rows(
    *, organization: Organization, terms: Sequence[Term], per_kind: int = PER_KIND
) -> QuerySet[SearchDocument]:
    """The best ``per_kind`` rows of each kind, each with the number of its kind, kind by
    kind: one query. (Which kind goes first is left to ``search_everything``: a window
    over each kind's best rank made PostgreSQL carry every match's vector through the
    sort, onto disk, to rank it again.)"""
    return (
        matching(organization=organization, terms=terms)
        .annotate(
            place=Window(RowNumber(), partition_by=F("kind"), order_by=[F("rank").desc(), F("pk")]),
            total=Window(Count("*"), partition_by=F("kind")),
        )
        .filter(place__lte=per_kind)
        .order_by("kind", "place")
        .values_list(*ROW, "total")
    )


def search_everything(
    *, organization: Organization, terms: Sequence[Term], per_kind: int = PER_KIND
) -> list[Group]:
    """The best ``per_kind`` results of each kind with the number of each, the kinds whose
    best result ranks highest first (one query, plus one per kind found, for what its
    results show)."""
    rows = list(everything_rows(organization=organization, terms=terms, per_kind=per_kind))
    groups: dict[str, Group] = {}
    hits = _hits(organization, terms, [row[:5] for row in rows])
    for row in rows:
        kind = kind_named(row[0])
        if kind is None:
            continue
        group = groups.setdefault(kind.key, Group(kind, row[5]))
        hit = hits.get((row[0], row[1]))
        if hit is not None:
            group.hits.append(hit)
    found = [group for group in groups.values() if group.hits]
    return sorted(found, key=lambda group: (-group.hits[0].rank, group.kind.key))


def kind_counts(*, organization: Organization, terms: Sequence[Term]) -> dict[str, int]:
    """How many documents of each kind match: the numbers on the kind filter."""
    return dict(
        matching(organization=organization, terms=terms)
        .order_by()
        .values_list("kind")
        .annotate(count=Count("pk"))
        .values_list("kind", "count")
    )


def search_rows(
    *, organization: Organization, terms: Sequence[Term], kind: SearchKind | None, state: str = ""
) -> QuerySet[SearchDocument]:
    """The matching documents, of one kind or all, best first, as rows to page through
    (``hits_for`` makes them results)."""
    documents = matching(organization=organization, terms=terms)
    if kind is not None:
        documents = _narrowed(documents, organization, kind, state)
    return documents.order_by("-rank", "pk").values_list(*ROW)


def nothing() -> QuerySet[SearchDocument]:
    """No rows, shaped as ``search_rows``'s: a query without a word to look for."""
    return (
        SearchDocument.objects.none()
        .annotate(rank=Value(0.0, output_field=FloatField()))
        .values_list(*ROW)
    )


def search_page(
    *,
    organization: Organization,
    terms: Sequence[Term],
    kind: SearchKind,
    state: str = "",
    page: Any = 1,
) -> tuple[Page, list[Hit]]:
    """A page of one kind's results: their number, then the page's rows (counted apart:
    ``opsboard.api.CountApartPagination`` says why)."""
    rows = search_rows(organization=organization, terms=terms, kind=kind, state=state)
    found = Paginator(rows, PAGE_SIZE).get_page(page)
    return found, hits_for(organization=organization, terms=terms, rows=list(found))


def hits_for(
    *, organization: Organization, terms: Sequence[Term], rows: Sequence[tuple]
) -> list[Hit]:
    """The results of ``rows`` in their order; an object gone since it was indexed is
    left out."""
    hits = _hits(organization, terms, rows)
    return [hits[(row[0], row[1])] for row in rows if (row[0], row[1]) in hits]


def _hits(
    organization: Organization, terms: Sequence[Term], rows: Sequence[tuple]
) -> dict[tuple[str, int], Hit]:
    ids: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        ids[row[0]].append(row[1])
    shown = {}
    for key, object_ids in ids.items():
        kind = kind_named(key)
        if kind is not None:
            shown[key] = (kind, kind.shown(organization, object_ids))
    hits = {}
    for key, object_id, title, fields, rank in rows:
        if key not in shown or object_id not in shown[key][1]:
            continue
        kind, details = shown[key][0], shown[key][1][object_id]
        title = details.title or title
        matched_in, why = _why(kind, fields, terms)
        hits[(key, object_id)] = Hit(
            kind=kind,
            object_id=object_id,
            title=title,
            title_html=_highlighted(title, terms),
            url=details.url,
            context=details.context,
            marks=details.marks,
            matched_in=matched_in,
            snippet=why,
            rank=float(rank or 0),
        )
    return hits


def _why(
    kind: SearchKind, fields: list[dict[str, str]], terms: Sequence[Term]
) -> tuple[Promise | str | None, SafeString | None]:
    """The first field other than the title that holds a term, and its snippet."""
    for stored in fields:
        if stored.get("weight") == TITLE:
            continue
        found = snippet(stored.get("text", ""), terms)
        if found is not None:
            return kind.field_labels.get(stored.get("name", ""), stored.get("name")), found
    return None, None


def _highlighted(title: str, terms: Sequence[Term]) -> SafeString:
    parts, at = [], 0
    for start, end in match_spans(title, terms):
        parts += [escape(title[at:start]), "<mark>", escape(title[start:end]), "</mark>"]
        at = end
    parts.append(escape(title[at:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of the title is escaped
