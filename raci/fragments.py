"""The matrix's rows as HTML, each rendered once and then read from the cache.

A row is drawn once per what it shows (``opsboard.fragments``): its key digests
its card's id and title, the role letter in each column, its problems as they
read, the language, whether the viewer may edit (the selection box), and the
organisation (its id, and the slug its links carry). A renamed card, a changed
role, a person renamed in a problem's message, a person joining a team (the
columns shift) or a viewer in another language or role each make another key,
so a stale row is never served and nothing has to be deleted; old rows expire.
The row template's own source is in the key too, so a deploy that changes it
does not serve rows drawn the old way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from opsboard import fragments
from opsboard.tenancy.models import Organization

from .selectors import Holder, Matrix, Row
from .templatetags.raci_tags import CELLS

ROW_TEMPLATE = "raci/matrix.html#row"
# The rows a page draws at first, and each further chunk: a screenful and a half of a
# laptop or a phone. The page's other rows load as the user scrolls to them. Every row
# drawn at once is 40-odd cells for the browser to style, lay out and paint: with 50, the
# page's first rendering was one task of 70-100 ms on the 2-core development box.
CHUNK_ROWS = 25
# The table's head is two rows: the teams, then their people.
HEAD_ROWS = 2


def _template_digest() -> str:
    """The row template's source and the cells' markup."""
    cells = hashlib.sha256("".join(CELLS.values()).encode()).hexdigest()[:16]
    return fragments.template_digest(ROW_TEMPLATE) + cells


def _row_context(
    row: Row, holder_keys: list[str], organization: Organization, may_edit: bool
) -> dict[str, Any]:
    """What the row template reads: plain values, so that they can make the key."""
    return {
        "org_slug": organization.slug,
        "may_edit": may_edit,
        "card_id": row.card.pk,
        "title": row.card.title,
        "roles": [row.roles.get(key, "") for key in holder_keys],
        "problems": [(problem.is_error, str(problem.message)) for problem in row.problems],
        "has_error": row.has_error,
    }


def _key(organization: Organization, template: str, language: str, context: dict[str, Any]) -> str:
    """The row's cache key: a digest of every value the template reads, and of the template.
    Text people type (the title, names in the problems) goes in with its length, so no
    text can pass for another field; joining is cheaper than a repr at 300 rows."""
    problems = [
        f"{int(is_error)}{len(message)}:{message}" for is_error, message in context["problems"]
    ]
    shown = "|".join(
        [
            template,
            language,
            context["org_slug"],
            "edit" if context["may_edit"] else "read",
            str(context["card_id"]),
            "".join(role or "-" for role in context["roles"]),
            f"{len(context['title'])}:{context['title']}",
            *problems,
        ]
    )
    return f"raci-row:{organization.pk}:{hashlib.sha256(shown.encode()).hexdigest()}"


def matrix_rows_html(
    rows: Iterable[Row],
    *,
    holders: list[Holder],
    organization: Organization,
    may_edit: bool,
) -> dict[int, SafeString]:
    """Card id -> its row's HTML: from the cache where it is there, else drawn and kept."""
    language = get_language()
    template = _template_digest()
    holder_keys = [holder.key for holder in holders]
    contexts = {row.card.pk: _row_context(row, holder_keys, organization, may_edit) for row in rows}
    keys = {
        card_id: _key(organization, template, language, context)
        for card_id, context in contexts.items()
    }
    return fragments.drawn_once(
        keys, lambda card_id: render_to_string(ROW_TEMPLATE, contexts[card_id])
    )


def _with_row_index(html: str, card_id: int, index: int) -> SafeString:
    """A cached row with its place in the whole table (aria-rowindex), which is not part of
    the cached HTML: the same row sits elsewhere under other filters."""
    start = f'<tr id="card-{card_id}"'
    # Only the row template's output, with a number added.
    return mark_safe(f'{start} aria-rowindex="{index}"{html[len(start) :]}')  # noqa: S308


def _placed_rows(matrix: Matrix) -> Iterator[tuple[int, int, int, str | None]]:
    """Each card row's place: its number among the card rows, its index among all the
    table's rows (for aria-rowindex, from 1, the head and the group rows counted), its card,
    and its group's title where the row is the group's first (else None; a group without a
    title, such as the cards without a goal, has no row of its own)."""
    index = HEAD_ROWS
    group = None
    for number, place in enumerate(matrix.places):
        first = number == 0 or place.group != group
        group = place.group
        if first and group:
            index += 1
        index += 1
        yield number, index, place.card_id, group if first and group else None


@dataclass(frozen=True)
class Chunk:
    """Some of the matrix's card rows, from ``start`` up to ``end``, as HTML."""

    html: SafeString
    start: int
    end: int
    total: int  # card rows in the whole matrix
    row_count: int  # rows in the whole table, head and group rows counted (aria-rowcount)


def matrix_chunk_html(
    matrix: Matrix, *, start: int, size: int | None, organization: Organization, may_edit: bool
) -> Chunk:
    """The card rows from ``start`` on (``size`` of them, or all), each preceded by its
    group's row where the group begins among them. Only these rows are drawn or read from
    the cache; ``matrix`` need hold no other (``selectors.matrix(part=...)``)."""
    placed = list(_placed_rows(matrix))
    end = len(placed) if size is None else min(start + size, len(placed))
    shown = placed[start:end]
    rows = {row.card.pk: row for row in matrix.rows}
    html = matrix_rows_html(
        (rows[card_id] for _number, _index, card_id, _title in shown),
        holders=matrix.holders,
        organization=organization,
        may_edit=may_edit,
    )
    columns = len(matrix.holders) + 2
    parts = []
    for _number, index, card_id, title in shown:
        if title is not None:
            parts.append(
                format_html(
                    '<tr class="group-row" aria-rowindex="{}"><th colspan="{}">{}</th></tr>',
                    index - 1,
                    columns,
                    title,
                )
            )
        parts.append(_with_row_index(html[card_id], card_id, index))
    row_count = placed[-1][1] if placed else HEAD_ROWS + 1  # the "no cards" row
    return Chunk(SafeString("".join(parts)), start, end, len(placed), row_count)


def matrix_row_html(
    matrix: Matrix, *, card_id: int, organization: Organization, may_edit: bool
) -> SafeString:
    """One card's row with its place in the table; "" if the filters no longer show it."""
    for _number, index, placed_id, _title in _placed_rows(matrix):
        if placed_id == card_id:
            row = next(row for row in matrix.rows if row.card.pk == card_id)
            html = matrix_rows_html(
                [row], holders=matrix.holders, organization=organization, may_edit=may_edit
            )
            return _with_row_index(html[card_id], card_id, index)
    return SafeString("")
