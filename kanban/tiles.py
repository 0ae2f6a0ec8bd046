"""The board's card tiles: read as rows, rendered once, then served from the cache.

A board shows hundreds of cards, so it reads them as value rows (no model
instances) and renders each tile once per what it shows. A tile's cache key
is a digest of everything that goes into it: the row (title, people, team,
labels, counts, whether overdue), the board's labels, the language, the
reader's year (a date in another year shows it), what the reader may do and
the tile template itself. A change to any of them is a new key, so a stale
tile is never served, whoever or whatever made the change; unused tiles
expire.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache as tile_cache
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from opsboard.accounts.models import User

from .models import CardQuerySet, ChecklistItem, Comment, Label, Priority

TEMPLATE = "kanban/card_tile.html"
# A day: a board opened every morning finds yesterday's tiles; older ones go.
TIMEOUT = 24 * 60 * 60

ROW_FIELDS = (
    "id",
    "column_id",
    "title",
    "priority",
    "blocked",
    "blocked_reason",
    "due_date",
    "team_id",
    "team__name",
    "assignee_id",
    "assignee__full_name",
    "assignee__email",
)


def _count(model: type, **where: Any) -> Coalesce:
    """How many ``model`` rows belong to the outer card (0 for none)."""
    return Coalesce(
        Subquery(
            model.objects.filter(card=OuterRef("pk"), **where)
            .order_by()
            .values("card")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def rows(cards: CardQuerySet, *, today: date) -> list[dict[str, Any]]:
    """``cards`` as the tiles show them, in one query: dicts of ``ROW_FIELDS`` with
    ``label_ids`` (the tile shows them in the board's order of labels), ``overdue``,
    ``checklist_total``, ``checklist_done`` and ``comment_count``."""
    return list(
        cards.with_overdue(today)
        .with_label_ids()
        .annotate(
            checklist_total=_count(ChecklistItem),
            checklist_done=_count(ChecklistItem, done=True),
            comment_count=_count(Comment),
        )
        .values(
            *ROW_FIELDS,
            "overdue",
            "label_ids",
            "checklist_total",
            "checklist_done",
            "comment_count",
        )
    )


@cache
def template_digest(name: str = TEMPLATE) -> str:
    """Part of every key: a changed template never meets what was cached before it."""
    for directory in settings.TEMPLATES[0]["DIRS"]:
        path = Path(directory) / name
        if path.exists():
            return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return ""


def person(row: Mapping[str, Any]) -> User | None:
    """The assignee of a row, for their name and initials (``User``'s own rules)."""
    if row["assignee_id"] is None:
        return None
    return User(
        pk=row["assignee_id"], full_name=row["assignee__full_name"], email=row["assignee__email"]
    )


@dataclass(frozen=True)
class Reader:
    """What a tile depends on besides its row: who reads it and where."""

    card_url: str  # the card page's address without the id: /o/<slug>/cards/
    may_edit: bool
    labels: Mapping[int, Label]  # the board's labels by id, in the order chips show them

    def key_part(self) -> str:
        labels = sorted(
            (label.pk, label.name, label.builtin, label.color) for label in self.labels.values()
        )
        return repr(
            (
                template_digest(),
                get_language(),
                timezone.localdate().year,
                self.card_url,
                self.may_edit,
                labels,
            )
        )


def render(rows: Iterable[Mapping[str, Any]], reader: Reader) -> dict[int, SafeString]:
    """Each row's tile by card id: from the cache where it is, else rendered and cached."""
    rows = list(rows)
    if not rows:
        return {}
    part = reader.key_part()
    keys = {
        row["id"]: "tile:" + hashlib.sha256(f"{part}|{sorted(row.items())}".encode()).hexdigest()
        for row in rows
    }
    found = tile_cache.get_many(keys.values())
    tiles = {card_id: found[key] for card_id, key in keys.items() if key in found}
    missing = [row for row in rows if row["id"] not in tiles]
    if missing:
        template = get_template(TEMPLATE)
        fresh = {}
        for row in missing:
            html = template.render(
                {
                    "card": row,
                    "assignee": person(row),
                    "priority": Priority(row["priority"]).label,
                    "labels": [
                        label
                        for i, label in reader.labels.items()
                        if i in (row["label_ids"] or ())  # None on SQLite for none
                    ],
                    "card_url": reader.card_url,
                    "may_edit": reader.may_edit,
                }
            )
            tiles[row["id"]] = html
            fresh[keys[row["id"]]] = html
        tile_cache.set_many(fresh, TIMEOUT)
    return {card_id: mark_safe(html) for card_id, html in tiles.items()}  # noqa: S308 - rendered by the template, escaped there
