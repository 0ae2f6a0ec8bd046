"""API lists: filtered by the FilterSet their page uses, and paginated.

Apart from ``opsboard.api`` because DRF's views read the settings, which name that module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from opsboard.filters import PageFilterSet


class ScopedFilterBackend(DjangoFilterBackend):
    """django-filter for the API: the FilterSet also gets what its choices are scoped to
    (the organisation, the board), which the view puts in ``filter_scope``."""

    def get_filterset_kwargs(self, request: Any, queryset: Any, view: Any) -> dict[str, Any]:
        return {
            **super().get_filterset_kwargs(request, queryset, view),
            **getattr(view, "filter_scope", {}),
        }


# An API list: ``filterset_class``, the FilterSet its page uses, narrows it from the query
# (400 naming the parameter when a value is wrong), then one page of it. (A comment, not a
# docstring: the schema would show a docstring as every list's description.)
class ListApi(GenericAPIView):
    filterset_class: type[PageFilterSet] | None = None
    filter_scope: dict[str, Any] = {}

    @property
    def filter_backends(self) -> list[type]:  # type: ignore[override]
        return [ScopedFilterBackend] if self.filterset_class else []

    def get_queryset(self) -> Any:
        # Only the schema generator asks: the filters' model, for their types.
        model = self.filterset_class._meta.model if self.filterset_class else None
        return model._default_manager.none() if model else None

    def filtered(self, items: Any) -> Any:
        """``items`` narrowed by the filters the query names; through the FilterSet only
        when it names one (a 400 then for a wrong value), the rest of a query being pages."""
        filters = self.filterset_class
        if filters is None:
            return items
        if any(name in self.request.query_params for name in filters.base_filters):
            return self.filter_queryset(items)
        return filters.unfiltered(items)

    def list_response(
        self,
        items: Any,
        answer: type[serializers.BaseSerializer] | Callable[[list[Any]], list[Any]],
        **scope: Any,
    ) -> Response:
        """One page of ``items``, filtered by ``filterset_class`` given ``scope``, answered by
        ``answer``: a serializer class, or, for a long list that is only read, a function
        saying of the page's rows what its serializer would say of their objects."""
        self.filter_scope = scope
        page = self.paginate_queryset(self.filtered(items))
        if isinstance(answer, type) and issubclass(answer, serializers.BaseSerializer):
            return self.get_paginated_response(answer(page, many=True).data)
        return self.get_paginated_response(answer(page))
