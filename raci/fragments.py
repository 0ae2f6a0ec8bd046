"""The matrix's rows as HTML, each rendered once and then read from the cache.

A row is keyed by everything it shows, not by a revision to remember to bump:
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
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache as row_cache
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from opsboard.tenancy.models import Organization

from .selectors import Holder, Matrix, Row
from .templatetags.raci_tags import CELLS

ROW_TEMPLATE = "raci/matrix.html#row"
# A day: a row nobody has opened since has likely changed anyway.
ROW_TIMEOUT = 24 * 60 * 60


def _template_digest() -> str:
    """The row template's source and the cells' markup, digested once a page (not once a
    process, so that a template edited under the development server's autoreload draws
    rows afresh)."""
    source = get_template(ROW_TEMPLATE.split("#")[0]).template.source + "".join(CELLS.values())
    return hashlib.sha256(source.encode()).hexdigest()[:16]


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
    contexts = {}
    for row in rows:
        context = _row_context(row, holder_keys, organization, may_edit)
        contexts[_key(organization, template, language, context)] = context
    found = row_cache.get_many(list(contexts))
    drawn = {
        key: render_to_string(ROW_TEMPLATE, context)
        for key, context in contexts.items()
        if key not in found
    }
    if drawn:
        row_cache.set_many(drawn, ROW_TIMEOUT)
    # Only this template's output goes in under these keys, autoescaped as it was drawn.
    return {
        context["card_id"]: mark_safe(found[key] if key in found else drawn[key])  # noqa: S308
        for key, context in contexts.items()
    }


def matrix_groups_html(
    matrix: Matrix, *, organization: Organization, may_edit: bool
) -> list[tuple[str, SafeString]]:
    """The matrix's groups as the page shows them: each title, and its rows' HTML."""
    html = matrix_rows_html(
        matrix.rows, holders=matrix.holders, organization=organization, may_edit=may_edit
    )
    return [
        (group.title, SafeString("".join(html[row.card.pk] for row in group.rows)))
        for group in matrix.groups
    ]
