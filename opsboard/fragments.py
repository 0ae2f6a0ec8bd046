"""HTML fragments drawn once per what they show, then read from the cache.

A fragment's key is a digest of everything that goes into it (its values, the
language, the reader's role, the template's own source), never a revision to
remember to bump: whoever changes what it shows makes another key, so a stale
fragment is never served and nothing is deleted by hand; unused ones expire.
The cache is Redis at CACHE_URL in production, each process's memory otherwise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Mapping
from typing import TypeVar

from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

# A day: what nobody has opened since has likely changed anyway.
TIMEOUT = 24 * 60 * 60

Item = TypeVar("Item", bound=Hashable)


def template_digest(name: str) -> str:
    """Part of a key: the template's source (``name`` may name a partial), so a changed
    template never meets what was drawn before it. Read per page, not per process, so a
    template edited under the development server's autoreload draws afresh."""
    source = get_template(name.split("#")[0]).template.source
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def key(prefix: str, *parts: object) -> str:
    """A cache key digesting ``parts``."""
    return f"{prefix}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def drawn_once(keys: Mapping[Item, str], draw: Callable[[Item], str]) -> dict[Item, SafeString]:
    """Each item's fragment: read from the cache in one go, and drawn (``draw``) and kept
    for the items it does not hold."""
    found = cache.get_many(list(keys.values()))
    fresh = {keys[item]: draw(item) for item in keys if keys[item] not in found}
    if fresh:
        cache.set_many(fresh, TIMEOUT)
    # Only what ``draw`` rendered goes in under these keys, escaped as it was drawn.
    return {item: mark_safe(found.get(k, fresh.get(k))) for item, k in keys.items()}  # noqa: S308
