"""What every JSON API endpoint shares: the body is a JSON object, and the error answers
are documented once for all of them."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import ValuesListIterable
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser


class ObjectJSONParser(JSONParser):
    """JSON whose top level is an object, as every endpoint that takes a body expects:
    ``[]``, ``"x"``, ``1`` and ``null`` are answered 400, not merged into a dict."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError(_('The body must be a JSON object, such as {"title": "..."}.'))
        return data


ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Why the request was refused: `detail` for the request as a whole, "
        "or a list of messages per field that was wrong."
    ),
    "properties": {
        "detail": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        }
    },
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object"},
        ]
    },
    "example": {"detail": "Not found."},
}

ERROR_ANSWERS = {
    "400": "The body or a query parameter is not valid, or a rule refused the change.",
    "401": "No credentials were sent: use a session or `Authorization: Token <key>`.",
    "403": "Your role may not do this.",
    "404": "No such object in your organisations.",
    "404 page": "No such object in your organisations, or no such page of the list.",
    "429": "Too many requests: wait the seconds `Retry-After` says, then ask again.",
}

WRITE_METHODS = {"post", "put", "patch", "delete"}


def document_errors(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: the error answers every operation can give,
    with one ``Error`` schema. 400 where there is a body or a query to refuse; 404 where
    the path names an organisation or an object, or a list has pages; 429 when the
    throttle refuses."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in WRITE_METHODS | {"get", "head"}:
                continue
            codes = ["401", "403", "429"]
            query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            if method in WRITE_METHODS or query:
                codes.append("400")
            if "page" in query:
                codes.append("404 page")
            elif "{" in path:
                codes.append("404")
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                responses.setdefault(
                    code.split()[0], {"description": ERROR_ANSWERS[code], "content": reference}
                )
    return result


# Lists --------------------------------------------------------------------


class CountedPaginator(Paginator):
    """Django's paginator, but a page of rows (``values_list``) is read with the length of
    the whole list beside each row (``COUNT(*) OVER ()``): one query where Django's makes
    two, on every page of a long list read page by page. Anything else (instances, a
    DISTINCT list, whose window would count the rows before DISTINCT), an empty page or
    the last page by name asks the count on its own, as Django's does."""

    LENGTH = "_list_length"

    def page(self, number: Any) -> Page:
        rows = self.object_list
        if not (
            isinstance(rows, QuerySet)
            and rows._iterable_class is ValuesListIterable
            and not rows.query.distinct
        ):
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom = (number - 1) * self.per_page
        counted = list(
            rows.annotate(**{self.LENGTH: Window(Count("*"))})[bottom : bottom + self.per_page]
        )
        if not counted:  # past the end, or nothing at all: Django's answer, with its count
            return super().page(number)
        self.__dict__["count"] = counted[0][-1]  # Paginator.count is a cached_property
        return self._get_page([row[:-1] for row in counted], number, self)


class PagePagination(PageNumberPagination):
    """Every API list, a page at a time: ``?page=`` (from 1) and ``?page_size=`` (up to
    500). The answer is ``{count, next, previous, results}``; ``next`` is the link to the
    following page, null on the last. Pages, not cursors: the lists keep the orders people
    read them in (a board's column then rank, goals by due date, which may be empty), and
    a cursor needs one unique, non-null order."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CountedPaginator


class CountApartPagination(PagePagination):
    """Pages whose total is counted by a query of its own, as Django's paginator does: for
    a list ordered by an expression over a wide column (search's rank over each match's
    vector), a count beside each row makes PostgreSQL carry that column through the
    window to work out the order above it; counting apart is cheaper (search, a word in
    10,000 documents: 60 ms beside, 10-15 ms counted and 22-25 ms ranked apart)."""

    django_paginator_class = Paginator


class WholeBoardPagination(PagePagination):
    """A board's cards: 500 a page unless asked for fewer. A client reading a board
    reads all of it, as the board page shows all of it: a board of a few hundred open
    cards in one request, not a request per hundred each paying for the session, the
    person and the board again."""

    page_size = PagePagination.max_page_size
