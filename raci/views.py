from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kanban.models import Card
from kanban.selectors import card_get_for_user
from opsboard.accounts.models import User
from opsboard.exports import csv_response
from opsboard.tenancy.access import organization_view, require_editor, require_manager
from opsboard.tenancy.models import Team
from projects.models import Project

from . import selectors, services
from .exports import matrix_xlsx
from .forms import BulkForm, CellForm, MatrixFilterForm, PolicyForm
from .fragments import CHUNK_ROWS, matrix_chunk_html, matrix_row_html
from .models import RaciRole
from .rules import ProblemKind


def card_raci_section(request: HttpRequest, card: Card) -> dict[str, Any]:
    """The RACI block on the card page."""
    assignments, problems = selectors.card_raci(card)
    return {"assignments": assignments, "problems": problems}


@organization_view
@require_safe
def matrix_list(request: HttpRequest) -> HttpResponse:
    boards = selectors.boards_with_matrix(organization=request.organization)
    projects = {board.project for board in boards}
    return render(
        request, "raci/matrix_list.html", {"projects": sorted(projects, key=lambda p: p.name)}
    )


def _matrix(
    request: HttpRequest, project: Project, *, part: slice | None = None
) -> tuple[MatrixFilterForm, selectors.Matrix]:
    form = MatrixFilterForm(request.GET or None, project=project)
    chosen = form.cleaned_data if form.is_valid() else {}
    filters = selectors.MatrixFilters(
        team_id=chosen.get("team"),
        column_id=chosen.get("column"),
        goal_id=chosen.get("goal"),
        problems_only=bool(chosen.get("problems")),
        group_by=chosen.get("group_by") or "column",
    )
    return form, selectors.matrix(project=project, filters=filters, part=part)


def _offset(request: HttpRequest, name: str = "offset") -> int | None:
    """A card row's number in the query (``?offset=``): 0 by default, None if garbage."""
    value = request.GET.get(name) or "0"
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value) else None


def _page_url(request: HttpRequest, offset: int) -> str:
    """This page, its filters kept, from the card row ``offset`` on."""
    query = request.GET.copy()
    query.pop("offset", None)
    query.pop("from", None)
    if offset:
        query["offset"] = str(offset)
    return f"?{query.urlencode()}"


def _summary(
    request: HttpRequest, matrix: selectors.Matrix, shown: range
) -> list[tuple[ProblemKind, int, list[tuple[int, str]], bool]]:
    """The problems' summary as the page links it: each kind, its count, the first eight
    cards with it and a link to each (its row's anchor where the page holds the row, else
    the page of rows that does, so that the link works without script too), and whether
    there are more."""
    numbers = {place.card_id: number for number, place in enumerate(matrix.places)}

    def link(card_id: int) -> str:
        number = numbers[card_id]
        if number in shown:
            return f"#card-{card_id}"
        return f"{_page_url(request, number - number % CHUNK_ROWS)}#card-{card_id}"

    return [
        (kind, count, [(card_id, link(card_id)) for card_id in card_ids[:8]], len(card_ids) > 8)
        for kind, count, card_ids in matrix.summary
    ]


@organization_view
@require_safe
def matrix_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """The matrix, its first rows drawn; the rest come in chunks as the user scrolls (the
    same URL with ``offset``, asked by script), or as pages behind a "Next cards" link."""
    project = selectors.project_get_for_raci(membership=request.membership, project_id=project_id)
    offset = _offset(request)
    if offset is None:
        return HttpResponse(_("The offset is a number of cards."), status=400)
    printing = request.GET.get("print") == "1"
    if printing:
        offset = 0  # a printout has every row, from the first
    # A chunk asked by the page's script reads its own rows alone; a page reads every row,
    # which its summary counts.
    chunk_only = request.htmx and not request.htmx.boosted and not printing
    form, matrix = _matrix(
        request, project, part=slice(offset, offset + CHUNK_ROWS) if chunk_only else None
    )
    may_edit = request.membership.can_edit
    chunk = matrix_chunk_html(
        matrix,
        start=offset,
        size=None if printing else CHUNK_ROWS,
        organization=request.organization,
        may_edit=may_edit,
    )
    if offset and offset >= chunk.total:
        raise Http404
    # A chunk's status counts from the first row of the page it joins (``?from=``).
    first = min(_offset(request, "from") or 0, offset) if request.htmx else offset
    context = {
        "project": project,
        "matrix": matrix,
        "chunk": chunk,
        "first": first + 1,
        "next_url": _page_url(request, chunk.end) if chunk.end < chunk.total else "",
        "previous_url": _page_url(request, max(first - CHUNK_ROWS, 0)) if first else "",
    }
    if chunk_only:
        response = render(request, "raci/matrix.html#chunk", context)
    else:
        response = render(
            request,
            "raci/matrix.html",
            {
                **context,
                "filter_form": form,
                "query": request.GET.urlencode(),
                "roles": RaciRole.choices,
                "may_edit": may_edit,
                "printing": printing,
                "summary": _summary(request, matrix, range(chunk.start, chunk.end)),
            },
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _holder(request: HttpRequest, value: str) -> dict[str, Any]:
    kind, pk = value.split(":")
    if kind == "user":
        return {
            "user": get_object_or_404(User, pk=pk, memberships__organization=request.organization)
        }
    return {"team": get_object_or_404(Team, pk=pk, organization=request.organization)}


@organization_view
@require_POST
def cell(request: HttpRequest, card_id: int) -> HttpResponse:
    """Set one cell: the next role on a click, or the role a key names. htmx gets the row back."""
    card = card_get_for_user(membership=request.membership, card_id=card_id)
    require_editor(request.membership)
    form = CellForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("A role is R, A, C or I."), status=400)
    holder = _holder(request, form.cleaned_data["holder"])
    current = card.raci.filter(**holder).values_list("role", flat=True).first() or ""
    # A key names the role; a click (no role sent) moves to the next one.
    role = form.cleaned_data["role"] if "role" in request.POST else services.next_role(current)
    try:
        services.raci_set(actor=request.membership, card=card, role=role, **holder)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    project = card.board.project
    if not request.htmx:
        return redirect(
            reverse(
                "raci:matrix",
                kwargs={"org_slug": request.organization.slug, "project_id": project.pk},
            )
            + f"#card-{card.pk}"
        )
    project = selectors.project_get_for_raci(membership=request.membership, project_id=project.pk)
    form, matrix = _matrix(request, project)
    # The row goes back unless the filters no longer show it (then htmx removes it).
    row_html = matrix_row_html(
        matrix, card_id=card.pk, organization=request.organization, may_edit=True
    )
    # Which rows the page has loaded is the page's to know: each link names its card's
    # page of rows, and the page's script finds the row where it has it.
    return render(
        request,
        "raci/matrix.html#cell-response",
        {"matrix": matrix, "row_html": row_html, "summary": _summary(request, matrix, range(0))},
    )


@organization_view
@require_POST
def bulk(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get_for_raci(membership=request.membership, project_id=project_id)
    require_editor(request.membership)
    cards = {card.pk: card for card in selectors.project_cards(project)}
    form = BulkForm(request.POST, project=project, card_ids=list(cards))
    if form.is_valid():
        count = services.raci_bulk_set(
            actor=request.membership,
            cards=[cards[pk] for pk in form.cleaned_data["cards"]],
            team=form.cleaned_data["team"],
            role=form.cleaned_data["bulk_role"],
        )
        messages.success(
            request,
            _("%(team)s updated on %(count)s cards.")
            % {"team": form.cleaned_data["team"].name, "count": count},
        )
    else:
        messages.error(request, _("Choose a team, a role and at least one row."))
    url = reverse(
        "raci:matrix", kwargs={"org_slug": request.organization.slug, "project_id": project.pk}
    )
    return redirect(f"{url}?{request.POST.get('query', '')}")


@organization_view
@require_safe
def export(request: HttpRequest, project_id: int, fmt: str) -> HttpResponse:
    project = selectors.project_get_for_raci(membership=request.membership, project_id=project_id)
    _form, matrix = _matrix(request, project)
    filename = f"raci-{project.pk}"
    if fmt == "xlsx":
        response = HttpResponse(
            matrix_xlsx(matrix),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    response, writer = csv_response(f"{filename}.csv")
    writer.writerow(
        [_("Card"), _("Column"), *[holder.name for holder in matrix.holders], _("Problems")]
    )
    for row in matrix.rows:
        writer.writerow(
            [
                row.card.title,
                row.card.column.display_name,
                *[row.role_of(h) for h in matrix.holders],
                "; ".join(p.message for p in row.problems),
            ]
        )
    return response


@organization_view
@require_http_methods(["GET", "HEAD", "POST"])
def policy(request: HttpRequest) -> HttpResponse:
    require_manager(request.membership)
    current = services.policy_for(request.organization)
    form = PolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.policy_update(actor=request.membership, **form.cleaned_data)
        messages.success(request, _("Settings saved."))
        return redirect("raci:policy", org_slug=request.organization.slug)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("RACI thresholds"),
            "intro": _(
                "When the matrix warns about too many Consulted and overloaded Accountables."
            ),
            "submit_label": _("Save"),
        },
    )
