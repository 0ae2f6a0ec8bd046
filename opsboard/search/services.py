"""Writes to the search index: each kind's documents, refreshed after the change commits."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

from .kinds import SearchKind, kind_named, kinds
from .models import SearchDocument
from .text import folded_content, tsvector

REBUILD_CHUNK = 1000


def documents_refresh(*, kind: SearchKind, ids: Sequence[int]) -> None:
    """Write the documents of the objects ``ids`` of ``kind`` as they are now, and drop
    those of the ones that are gone."""
    ids = sorted(set(ids))
    if not ids:
        return
    documents = list(kind.documents(ids))
    full_text = connection.vendor == "postgresql"
    now = timezone.now()
    rows = []
    for document in documents:
        weighted = [(f.text, f.weight) for f in document.fields]
        rows.append(
            SearchDocument(
                organization_id=document.organization_id,
                kind=kind.key,
                object_id=document.object_id,
                title=document.title[:300],
                fields=[
                    {"name": f.name, "text": f.text, "weight": f.weight} for f in document.fields
                ],
                vector=tsvector(weighted) if full_text else None,
                content="" if full_text else folded_content(weighted),
                updated_at=now,
            )
        )
    if rows:
        SearchDocument.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=["organization", "title", "fields", "vector", "content", "updated_at"],
        )
    gone = set(ids) - {document.object_id for document in documents}
    if gone:
        SearchDocument.objects.filter(kind=kind.key, object_id__in=gone).delete()


def documents_refresh_on_commit(key: str, ids: Iterable[int] | Callable[[], Iterable[int]]) -> None:
    """Refresh the documents of ``ids`` (or of the ids the callable reads then) of the kind
    ``key`` once the current transaction commits (at once outside one), so that a change
    rolled back leaves the index alone and the page that made it pays nothing before it
    commits. The signal receivers each app connects call this."""
    if not callable(ids):
        ids = list(ids)
        if not ids:
            return
    transaction.on_commit(partial(_refresh, key, ids))


def _refresh(key: str, ids: Iterable[int] | Callable[[], Iterable[int]]) -> None:
    kind = kind_named(key)
    if kind is not None:
        documents_refresh(kind=kind, ids=list(ids() if callable(ids) else ids))


def index_rebuild(*, only: Sequence[str] = ()) -> dict[str, int]:
    """Write every document of every kind (or of the kinds ``only``) anew, a thousand at a
    time, and drop the documents of kinds no longer registered. Answers the count per kind."""
    written = {}
    for kind in kinds():
        if only and kind.key not in only:
            continue
        ids = list(kind.all_ids())
        for start in range(0, len(ids), REBUILD_CHUNK):
            with transaction.atomic():
                documents_refresh(kind=kind, ids=ids[start : start + REBUILD_CHUNK])
        existing = SearchDocument.objects.filter(kind=kind.key).values_list("object_id", flat=True)
        gone = sorted(set(existing) - set(ids))
        for start in range(0, len(gone), REBUILD_CHUNK):
            chunk = gone[start : start + REBUILD_CHUNK]
            SearchDocument.objects.filter(kind=kind.key, object_id__in=chunk).delete()
        written[kind.key] = len(ids)
    if not only:
        SearchDocument.objects.exclude(kind__in=[kind.key for kind in kinds()]).delete()
    return written
