"""The board's card tiles: read as rows, rendered once, then served from the cache.

A board shows hundreds of cards, so it reads them as value rows (no model
instances) and renders each tile once per what it shows (``opsboard.fragments``):
its key digests the row (title, people, team, labels, counts, whether overdue),
the board's labels, the language, the reader's year (a date in another year
shows it), what the reader may do and the tile template itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from opsboard import fragments
from opsboard.accounts.models import User

from .aging import Aging
from .models import CardQuerySet, ChecklistItem, Comment, Label, Priority

TEMPLATE = "kanban/card_tile.html"

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


def rows(cards: CardQuerySet, *, today: date, aging: Aging) -> list[dict[str, Any]]:
    """``cards`` as the tiles show them, in one query: dicts of ``ROW_FIELDS`` with
    ``label_ids`` (the tile shows them in the board's order of labels), ``overdue``,
    ``checklist_total``, ``checklist_done``, ``comment_count``, and ``old``: whether the
    card has been in its column longer than the board's ``aging`` allows."""
    found = list(
        cards.with_overdue(today)
        .with_label_ids()
        .with_column_since()
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
            "column_since",
        )
    )
    now = timezone.now()
    for row in found:
        # The moment changes only when the card moves: the tile's key keeps the flag alone.
        since = row.pop("column_since")
        row["old"] = aging.is_old(row["column_id"], since, now)
    return found


def card_address(org_slug: str) -> str:
    """A card page's address without the id (``/o/<slug>/cards/``): reversed once for a
    page of many card links, each the address and its id."""
    return reverse("kanban:card_detail", kwargs={"org_slug": org_slug, "card_id": 0})[:-2]


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
                fragments.template_digest(TEMPLATE),
                get_language(),
                timezone.localdate().year,
                self.card_url,
                self.may_edit,
                labels,
            )
        )


def render(rows: Iterable[Mapping[str, Any]], reader: Reader) -> dict[int, SafeString]:
    """Each row's tile by card id: from the cache where it is, else rendered and cached."""
    rows = {row["id"]: row for row in rows}
    if not rows:
        return {}
    part = reader.key_part()
    template = get_template(TEMPLATE)

    def draw(card_id: int) -> str:
        row = rows[card_id]
        return template.render(
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

    keys = {
        card_id: fragments.key("tile", part, sorted(row.items())) for card_id, row in rows.items()
    }
    return fragments.drawn_once(keys, draw)
