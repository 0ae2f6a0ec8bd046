"""The search in the JSON API: the page's results, a page at a time."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from opsboard.api import CountApartPagination
from opsboard.api_lists import ListApi
from opsboard.tenancy.access import membership_for_request

from . import selectors
from .forms import MAX_QUERY_LENGTH, SearchForm
from .kinds import kinds


class SearchResultOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="card, goal, project, kpi, person or retrospective")
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="In the reader's language where the product names it.")
    url = serializers.CharField(help_text="The object's page in the app.")
    context = serializers.CharField(help_text="Where it is: a card's project and board, …")
    marks = serializers.ListField(
        child=serializers.CharField(), help_text='Such as "Archived" or "Done".'
    )
    matched_in = serializers.CharField(
        allow_null=True, help_text="The field the snippet comes from; null when the title matched."
    )
    snippet = serializers.CharField(
        allow_null=True,
        help_text="HTML: that field's text around the match, escaped, the matches in <mark>.",
    )
    rank = serializers.FloatField(help_text="Higher is better.")


def _answers(organization: Any, terms: Any) -> Any:
    def answer(rows: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "kind": hit.kind.key,
                "id": hit.object_id,
                "title": hit.title,
                "url": hit.url,
                "context": hit.context,
                "marks": [str(mark) for mark in hit.marks],
                "matched_in": str(hit.matched_in) if hit.matched_in else None,
                "snippet": str(hit.snippet) if hit.snippet else None,
                "rank": round(hit.rank, 6),
            }
            for hit in selectors.hits_for(organization=organization, terms=terms, rows=rows)
        ]

    return answer


class SearchApi(ListApi):
    pagination_class = CountApartPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description=(
                    f"What to find (at most {MAX_QUERY_LENGTH} characters): Chinese text "
                    "anywhere in a word, other words by their stem and as prefixes; every "
                    "word must occur. Empty: no results."
                ),
            ),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=[kind.key for kind in kinds()],
                description="Only this kind of object.",
            ),
            OpenApiParameter(
                "state",
                OpenApiTypes.STR,
                enum=["open", "done"],
                description="With kind=card: only open (not done, not archived) or done cards.",
            ),
        ],
        responses=SearchResultOutput(many=True),
        description=(
            "The organisation's cards (title, description, comments), goals, projects, KPIs, "
            "people and retrospectives that match `q`, best first."
        ),
    )
    def get(self, request: Request, org_slug: str) -> Response:
        membership = membership_for_request(request, org_slug)
        form = SearchForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        terms = form.terms
        if not terms:
            rows = selectors.nothing()
        else:
            rows = selectors.search_rows(
                organization=membership.organization,
                terms=terms,
                kind=form.chosen_kind,
                state=form.cleaned_data["state"],
            )
        return self.list_response(rows, _answers(membership.organization, terms))
