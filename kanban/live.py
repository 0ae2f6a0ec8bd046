"""Open boards kept live: what changed since the revision a reader has, as tiles to swap in.

Every change marks its cards with the board's new revision (``kanban.services``),
so an open board asking "what changed since revision N?" gets only those cards'
tiles, where each now goes (its lane, column and the card above it), the cards
it no longer shows, and the column counts. Whatever cannot be said that way
(a change of columns or labels, too many cards, a revision the board never had)
is answered with the whole board. Readers who see the board alike (same
revision, filters, language and role) share one answer from the cache, so a
move costs one answer however many people watch.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from opsboard import fragments
from opsboard.filters import read_choices

from . import selectors, tiles
from .aging import aging_for
from .filters import CardFilter
from .forms import BoardLanesForm
from .models import Board, Card

REVISION_HEADER = "X-Board-Revision"
# Past this many changed cards the whole board is the cheaper answer.
MOST_CARDS = 50
# The revisions an answer shared by every open board covers: a board polling every
# 3 s while five people move cards is a few revisions behind.
WINDOW = 20
# Answers shared by readers who see the board alike; a new revision is a new key.
ANSWER_TIMEOUT = 120
# A revision is a PostgreSQL bigint.
LARGEST_REVISION = 2**63 - 1


def parse_revision(value: str | None) -> int | None:
    """The revision a reader says they have, or None when it is no revision at all."""
    if value is None or not value.isdigit() or len(value) > 19:
        return None
    revision = int(value)
    return revision if revision <= LARGEST_REVISION else None


def query(request: HttpRequest) -> str:
    """The reader's filters as a query string, without the revision."""
    chosen = request.GET.copy()
    chosen.pop("since", None)
    chosen.pop("card", None)  # the card open in the panel beside the board is no filter
    return chosen.urlencode()


def filters(request: HttpRequest, board: Board) -> tuple[dict[str, Any], selectors.BoardFilters]:
    """The filter bar's two forms (the card filters, the lanes) and what they chose."""
    cards = CardFilter(request.GET or None, request=request, board=board, page=True)
    lanes = BoardLanesForm(request.GET or None)
    return {"cards": cards.form, "lanes": lanes}, selectors.BoardFilters(
        cards=cards,
        lanes=lanes.cleaned_data["lanes"] if lanes.is_valid() else "",
        all_done=request.GET.get("done") == "all",
    )


def filter_bar(request: HttpRequest, board: Board, forms: dict[str, Any], context: dict) -> str:
    """The filter bar, drawn once per what it shows: its choices are read once (they are
    its key), and drawing a few hundred options through the form templates is the costly
    part of a board's page."""
    template = "kanban/board.html#filter-bar"
    parts = [
        board.pk,
        request.organization.slug,
        query(request),
        get_language(),
        fragments.template_digest(template),
    ]
    for form in forms.values():
        parts.append(read_choices(form))
        parts.append(form.errors if form.is_bound else None)
    keys = {template: fragments.key("filter-bar", *parts)}
    draw = partial(render_to_string, context=context, request=request)
    return fragments.drawn_once(keys, draw)[template]


def reader(request: HttpRequest, board: Board) -> tiles.Reader:
    """Who reads the board, as its tiles depend on it."""
    return tiles.Reader(
        card_url=tiles.card_address(request.organization.slug),
        may_edit=request.membership.can_edit,
        labels={label.pk: label for label in board.labels.all()},
    )


def fill(view: selectors.BoardView, reader: tiles.Reader) -> None:
    """Put each cell's tiles in it: one cache read for the whole board."""
    html = tiles.render((row for cell in view.cells for row in cell.cards), reader)
    for cell in view.cells:
        cell.tiles = mark_safe("".join(html[row["id"]] for row in cell.cards))  # noqa: S308 - tiles are rendered by their template


def changes(request: HttpRequest, board: Board, since: int | None) -> dict[str, Any] | None:
    """What changed on ``board`` since revision ``since`` as the reader sees it, or None
    when only the whole board will do. ``board`` carries its current revisions.

    Open boards ask from many different revisions (each from the last one it saw), so
    the answer shared is the board's recent window: every card changed in its last
    ``WINDOW`` revisions, each marked with its revision, read and drawn once per
    revision however many readers ask. Each reader is sent the part newer than what
    they have. A reader further behind gets an answer of their own."""
    if since is None or not board.layout_revision <= since <= board.revision:
        return None
    window = _shared(request, board, None)
    if window and since >= window["since"]:
        return _newer_than(window, since)
    answer = _shared(request, board, since)
    return _newer_than(answer, since) if answer else None


def _shared(request: HttpRequest, board: Board, since: int | None) -> dict[str, Any]:
    """``_changes`` from the cache, shared by readers who see the board alike; {} stands
    for "the whole board", cached too."""
    key = _answer_key(request, board, since)
    answer = cache.get(key)
    if answer is None:
        answer = _changes(request, board, since)
        cache.set(key, answer, ANSWER_TIMEOUT)
    return answer


def _newer_than(answer: dict[str, Any], since: int) -> dict[str, Any]:
    """The part of a shared answer a reader at revision ``since`` does not have."""
    return {
        "revision": answer["revision"],
        "cards": [
            {key: value for key, value in card.items() if key != "changed_at"}
            for card in answer["cards"]
            if card["changed_at"] > since
        ],
        "removed": [card_id for card_id, changed_at in answer["removed"] if changed_at > since],
        "lanes": answer["lanes"],
        "counts": answer["counts"],
    }


def _answer_key(request: HttpRequest, board: Board, since: int | None) -> str:
    """Who may share an answer: the same board, revisions, filters, language, role and day
    (and person, when the filters say "mine"). ``since`` None is the window."""
    return fragments.key(
        "board-changes",
        board.pk,
        since,
        board.revision,
        query(request),
        request.user.pk if "mine" in request.GET else None,
        get_language(),
        request.membership.can_edit,
        request.organization.today(),
        fragments.template_digest(tiles.TEMPLATE),
    )


def _changes(request: HttpRequest, board: Board, since: int | None) -> dict[str, Any]:
    """The cards changed since ``since`` (None: the window), as they are now, or {}."""
    floor = max(board.layout_revision, board.revision - WINDOW) if since is None else since
    changed = list(
        Card.objects.filter(board=board, revision__gt=floor)
        .order_by("-revision")
        .values_list("pk", "revision")[: MOST_CARDS + 1]
    )
    if len(changed) > MOST_CARDS:
        if since is not None:
            return {}
        # The window ends where the newest MOST_CARDS cards do.
        floor = changed[MOST_CARDS][1]
        changed = [(card_id, revision) for card_id, revision in changed if revision > floor]
    chosen = selectors.BoardFilters()  # nothing chosen: no forms to build
    if query(request):
        _forms, chosen = filters(request, board)
        if chosen.cards.is_bound and not chosen.cards.is_valid():
            return {}
    changed_at = dict(changed)
    shown = selectors.shown_cards(board, chosen)
    # Where every shown card is: its cell (lane, column) and the card above it there.
    above: dict[int, int | None] = {}
    last_in_cell: dict[tuple[str, int], int | None] = defaultdict(lambda: None)
    cell_of: dict[int, tuple[str, int]] = {}
    for card_id, column_id, team_id, assignee_id in shown.values_list(
        "pk", "column_id", "team_id", "assignee_id"
    ):
        cell = (selectors.lane_key(chosen.lanes, team_id, assignee_id), column_id)
        above[card_id] = last_in_cell[cell]
        last_in_cell[cell] = card_id
        cell_of[card_id] = cell
    rows = tiles.rows(
        shown.filter(pk__in=changed_at),
        today=request.organization.today(),
        aging=aging_for(board),
    )
    order = {card_id: n for n, card_id in enumerate(above)}
    rows.sort(key=lambda row: order[row["id"]])
    html = tiles.render(rows, reader(request, board))
    lane_counts, column_counts = selectors.cell_counts(board, chosen.lanes)
    lanes = sorted({lane for lane, _column in cell_of.values()}) or ["all"]
    columns = list(selectors.open_columns(board))
    counts = {
        f"{lane}|{column.pk}": render_to_string(
            "kanban/board.html#count",
            {
                "cell": selectors.Cell(
                    column,
                    [],
                    count=lane_counts[(lane, column.pk)],
                    column_count=column_counts[column.pk],
                ),
                "filters": chosen,
            },
        )
        for lane in lanes
        for column in columns
    }
    return {
        "revision": board.revision,
        "since": floor,
        "cards": [
            {
                "id": row["id"],
                "changed_at": changed_at[row["id"]],
                "lane": cell_of[row["id"]][0],
                "column": row["column_id"],
                "after": above[row["id"]],
                "html": html[row["id"]],
            }
            for row in rows
        ],
        "removed": [(card_id, revision) for card_id, revision in changed if card_id not in cell_of],
        "lanes": lanes,
        "counts": counts,
    }
