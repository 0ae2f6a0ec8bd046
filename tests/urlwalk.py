"""Every URL pattern of the site, with the names of the values it takes.

The isolation and role tests walk this list, so a new view is covered the day
it is added.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", usable with reverse()
    kwargs: frozenset[str]


def _walk(patterns: list, namespace: str, inherited: frozenset[str]) -> Iterator[Route]:
    for pattern in patterns:
        # A path()'s values have converters; a re_path()'s are its regex's named groups.
        kwargs = (
            inherited
            | frozenset(pattern.pattern.converters)
            | frozenset(pattern.pattern.regex.groupindex)
        )
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}"
                if namespace and pattern.namespace
                else (pattern.namespace or namespace)
            )
            yield from _walk(pattern.url_patterns, inner, kwargs)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield Route(f"{namespace}:{pattern.name}" if namespace else pattern.name, kwargs)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", frozenset()))


def organization_routes() -> list[Route]:
    """Routes inside an organisation: every one takes ``org_slug``."""
    return [route for route in all_routes() if "org_slug" in route.kwargs]
