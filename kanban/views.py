from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from opsboard.tenancy.access import organization_view, require_editor, require_lead
from projects.models import Project
from projects.sections import page_sections

from . import attachments, live, selectors, services
from .forms import (
    AttachmentForm,
    CardForm,
    ChecklistItemForm,
    ColumnForm,
    CommentForm,
    FollowForm,
    LabelForm,
    MoveForm,
    QuickCardForm,
)
from .links import card_panel_path
from .models import Attachment, Board, Card, ColumnKind

form_page = require_http_methods(["GET", "HEAD", "POST"])


def project_board_section(request: HttpRequest, project: Project) -> dict[str, Any]:
    """The boards block on the project page."""
    return {"boards": selectors.boards_for_project(project_id=project.pk)}


@organization_view
@require_safe
def board_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "kanban/board_list.html",
        {"boards": selectors.boards_for_organization(organization=request.organization)},
    )


def _board_context(request: HttpRequest, board: Board, **extra: Any) -> dict[str, Any]:
    filter_form, filters = live.filters(request, board)
    reader = live.reader(request, board)
    view = selectors.board_view(board=board, filters=filters, today=request.organization.today())
    live.fill(view, reader)
    context = {
        "board": board,
        "view": view,
        "filter_form": filter_form,
        "filters": filters,
        "query": live.query(request),
        "may_edit": request.membership.can_edit,
        "may_manage": request.membership.can_lead,
        **extra,
    }
    context["filter_bar"] = live.filter_bar(request, board, filter_form, context)
    return context


@organization_view
@require_safe
def board_detail(request: HttpRequest, board_id: int) -> HttpResponse:
    """The board; with ``?card=<id>`` (a card of this board), that card open in the panel
    beside it: the address My work, emails and the panel itself link to."""
    board = selectors.board_get_for_user(membership=request.membership, board_id=board_id)
    context = _board_context(request, board)
    if "card" in request.GET:
        card = _panel_card(request, board)
        context.update(_card_context(request, card), panel=True)
    return render(request, "kanban/board.html", context)


def _panel_card(request: HttpRequest, board: Board) -> Card:
    """The card ``?card=`` names, if it is on ``board``; 404 for anything else."""
    card_id = request.GET["card"]
    if not card_id.isdigit():
        raise Http404
    card = selectors.card_get_for_user(membership=request.membership, card_id=int(card_id))
    if card.board_id != board.pk:
        raise Http404
    return card


@organization_view
@require_safe
def board_changes(request: HttpRequest, board_id: int) -> HttpResponse:
    """For open boards: 204 when nothing changed since ``since``, else what changed (JSON:
    ``kanban.live.changes``), or the whole board when that is all that can be said."""
    board = selectors.board_revisions_for_user(membership=request.membership, board_id=board_id)
    since = live.parse_revision(request.GET.get("since"))
    if since == board.revision:
        response = HttpResponse(status=204)
    else:
        response = _live_answer(request, board, since)
    response.headers[live.REVISION_HEADER] = str(board.revision)
    return response


def _live_answer(
    request: HttpRequest,
    board: Board,
    since: int | None,
    *,
    status: int = 200,
    error: str = "",
    warning: str = "",
) -> JsonResponse:
    """What changed on the board since ``since``; the whole board when that is all that can
    be said, or after an ``error`` (what the reader moved goes back where it is)."""
    answer = None if error else live.changes(request, board, since)
    if answer is None:
        context = _board_context(request, board, error=error, warning=warning)
        answer = {
            "revision": board.revision,
            "board": render_to_string("kanban/board.html#board", context, request=request),
        }
    elif warning:
        answer = {**answer, "warning": warning}
    response = JsonResponse(answer, status=status)
    response.headers[live.REVISION_HEADER] = str(answer["revision"])
    return response


def _board_response(
    request: HttpRequest,
    board: Board,
    *,
    error: str = "",
    warning: str = "",
    status: int = 200,
    card: Card | None = None,
) -> HttpResponse:
    """After a change from the board: what changed for scripts (JSON), the fresh board for
    htmx, a redirect otherwise. A move of the ``card`` in the panel beside the board gets
    the card again, with what went wrong as a message (the board catches up by its poll)."""
    if card is not None and _from_panel(request):
        if error:
            messages.error(request, error)
        elif warning:
            messages.warning(request, warning)
        return redirect("kanban:card_detail", org_slug=request.organization.slug, card_id=card.pk)
    if request.htmx or request.headers.get("x-requested-with") == "fetch":
        board.refresh_from_db(fields=["revision", "layout_revision"])
    if request.headers.get("x-requested-with") == "fetch":
        since = live.parse_revision(request.POST.get("since"))
        return _live_answer(request, board, since, status=status, error=error, warning=warning)
    if request.htmx:
        context = _board_context(request, board, error=error, warning=warning)
        return render(request, "kanban/board.html#board", context, status=status)
    if error:
        messages.error(request, error)
    elif warning:
        messages.warning(request, warning)
    url = reverse(
        "kanban:board_detail", kwargs={"org_slug": request.organization.slug, "board_id": board.pk}
    )
    query = request.POST.get("query", "")
    return redirect(f"{url}?{query}" if query else url)


@organization_view
@require_POST
def card_quick_create(request: HttpRequest, board_id: int) -> HttpResponse:
    board = selectors.board_get_for_user(membership=request.membership, board_id=board_id)
    require_editor(request.membership)
    form = QuickCardForm(request.POST)
    if not form.is_valid():
        return _board_response(request, board, error=_("Give the card a title."), status=400)
    column = board.columns.open().filter(pk=form.cleaned_data["column"]).first()
    try:
        services.card_create(
            actor=request.membership,
            board=board,
            column=column,
            data=services.CardInput(title=form.cleaned_data["title"]),
        )
    except ValidationError as error:
        return _board_response(request, board, error=" ".join(error.messages), status=409)
    return _board_response(request, board)


@organization_view
@require_POST
def card_move(request: HttpRequest, card_id: int) -> HttpResponse:
    """The one way cards move: drag and drop, the keyboard and the no-script form all post here."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        card = selectors.card_get_for_user(membership=request.membership, card_id=card_id)
        require_editor(request.membership)
        return _board_response(
            request, card.board, error=_("Choose a column of this board."), status=400, card=card
        )
    # The card, its board and the column it goes to, in one query.
    card = selectors.card_get_for_move(
        membership=request.membership, card_id=card_id, column_id=form.cleaned_data["column"]
    )
    require_editor(request.membership)
    if card is None:  # a column of another board, or of another organisation
        raise Http404
    board = card.board
    try:
        result = services.card_move(
            actor=request.membership,
            card=card,
            column=card.target,
            after_card_id=form.cleaned_data.get("after"),
            before_card_id=form.cleaned_data.get("before"),
            position=form.cleaned_data.get("position") or services.Position.BOTTOM,
        )
    except ValidationError as error:
        return _board_response(
            request, board, error=" ".join(error.messages), status=409, card=card
        )
    return _board_response(request, board, warning=result.warning or "", card=card)


@organization_view
@require_safe
def card_detail(request: HttpRequest, card_id: int) -> HttpResponse:
    """The card's page; asked by the board's panel (htmx), only its body."""
    card = selectors.card_get_for_user(membership=request.membership, card_id=card_id)
    if request.htmx:
        return render(request, "kanban/card.html#card-body", _card_context(request, card))
    return _card_page(request, card)


def _card_page(request: HttpRequest, card: Card, status: int = 200, **forms: Any) -> HttpResponse:
    """The card's page; for the panel beside the board (htmx), only its body."""
    template = "kanban/card.html#card-body" if request.htmx else "kanban/card.html"
    return render(request, template, _card_context(request, card, **forms), status=status)


def _from_panel(request: HttpRequest) -> bool:
    """Whether a form of the card in the panel beside the board sent the request
    (static/js/card_panel.js posts them with htmx into ``#card-panel-body``)."""
    return bool(request.htmx) and request.htmx.target == "card-panel-body"


def _card_context(request: HttpRequest, card: Card, **forms: Any) -> dict[str, Any]:
    comments = list(selectors.card_comments(card=card))
    return {
        "card": card,
        "history": selectors.card_history(card=card),
        "comments": comments,
        "people": selectors.mention_people(
            organization=request.organization,
            texts=[card.description, *(comment.body for comment in comments)],
        ),
        "following": selectors.card_looked_at(user=request.user, card=card),
        "followers": selectors.card_followers(card=card),
        "checklist": card.checklist.all(),
        "columns": selectors.open_columns(card.board),
        "comment_form": forms.get("comment_form")
        or CommentForm(org_slug=request.organization.slug),
        **_attachments_context(request, card, forms.get("attachment_errors", ())),
        "checklist_form": forms.get("checklist_form") or ChecklistItemForm(),
        "may_edit": request.membership.can_edit,
        "today": request.organization.today(),
        "sections": page_sections("card", request, card),
        # Forms on pages of their own (editing the card, a comment) come back to the panel.
        "panel_path": card_panel_path(
            org_slug=request.organization.slug, board_id=card.board_id, card_id=card.pk
        ),
    }


@organization_view
@form_page
def card_edit(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors.card_get_for_user(membership=request.membership, card_id=card_id)
    require_editor(request.membership)
    initial = {name: getattr(card, name) for name in services.CARD_INPUT_FIELDS if name != "labels"}
    initial["labels"] = list(card.labels.all())
    form = CardForm(request.POST or None, initial=initial, board=card.board)
    if request.method == "POST" and form.is_valid():
        try:
            services.card_update(
                actor=request.membership, card=card, data=services.CardInput(**form.cleaned_data)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Card saved."))
            return _back_to_card(request, card.pk, "")
    return render(
        request,
        "form_page.html",
        {"form": form, "title": _("Edit card"), "submit_label": _("Save")},
    )


@organization_view
@form_page
def card_create(request: HttpRequest, board_id: int) -> HttpResponse:
    board = selectors.board_get_for_user(membership=request.membership, board_id=board_id)
    require_editor(request.membership)
    form = CardForm(request.POST or None, board=board)
    if request.method == "POST" and form.is_valid():
        try:
            card = services.card_create(
                actor=request.membership, board=board, data=services.CardInput(**form.cleaned_data)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Card added to “%(column)s”.") % {"column": card.column.display_name}
            )
            return redirect(
                "kanban:board_detail", org_slug=request.organization.slug, board_id=board.pk
            )
    return render(
        request,
        "form_page.html",
        {"form": form, "title": _("New card"), "submit_label": _("Add card")},
    )


@organization_view
@require_POST
def card_archive(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors.card_get_for_user(membership=request.membership, card_id=card_id)
    archived = request.POST.get("restore") is None
    services.card_archive(actor=request.membership, card=card, archived=archived)
    messages.success(request, _("Card archived.") if archived else _("Card restored."))
    return redirect("kanban:card_detail", org_slug=request.organization.slug, card_id=card.pk)


def _back_to_card(request: HttpRequest, card_id: int, section: str) -> HttpResponse:
    """To the card's section: on its page, or in the panel beside the board when the form
    was opened from there (``?next=``, the panel's address)."""
    url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        url = reverse(
            "kanban:card_detail",
            kwargs={"org_slug": request.organization.slug, "card_id": card_id},
        )
    return redirect(f"{url}#{section}" if section else url)


@csrf_exempt  # the upload's size limit goes in before the body is read; then the token
@organization_view
@require_POST
def card_comment(request: HttpRequest, card_id: int) -> HttpResponse:
    return _card_comment(request, card_id, attachments.limit_uploads(request))


@csrf_protect
def _card_comment(
    request: HttpRequest, card_id: int, limit: attachments.SizeLimitHandler
) -> HttpResponse:
    card = selectors.card_get_for_user(membership=request.membership, card_id=card_id)
    require_editor(request.membership)
    form = CommentForm(request.POST, request.FILES, org_slug=request.organization.slug)
    for name in limit.too_large:
        form.add_error("files", attachments.too_large_message(name))
    if form.is_valid():
        try:
            services.comment_add_with_files(
                actor=request.membership,
                card=card,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            form.add_error("files" if form.cleaned_data["files"] else None, error)
        else:
            return _back_to_card(request, card.pk, "comments")
    return _card_page(request, card, status=400, comment_form=form)


# Attachments -----------------------------------------------------------------


def _attachments_context(
    request: HttpRequest, card: Card, errors: list[str] | tuple[str, ...] = ()
) -> dict[str, Any]:
    """What the card page's files section draws (``kanban/card.html#attachments``)."""
    return {
        "attachments": list(selectors.attachments_for_card(card=card)),
        "attachment_form": AttachmentForm(),
        "attachment_errors": errors,
        "max_upload_bytes": attachments.max_bytes(),
    }


@csrf_exempt  # the upload's size limit goes in before the body is read; then the token
@organization_view
@require_POST
def attachment_upload(request: HttpRequest, card_id: int) -> HttpResponse:
    """Files for the card: from the page's form, or dropped or pasted (static/js/files.js,
    which asks with ``X-Requested-With: fetch`` and gets the files section back)."""
    return _attachment_upload(request, card_id, attachments.limit_uploads(request))


@csrf_protect
def _attachment_upload(
    request: HttpRequest, card_id: int, limit: attachments.SizeLimitHandler
) -> HttpResponse:
    card = selectors.card_get_for_user(membership=request.membership, card_id=card_id)
    require_editor(request.membership)
    form = AttachmentForm(request.POST, request.FILES)
    errors = [attachments.too_large_message(name) for name in limit.too_large]
    added: list[Attachment] = []
    if not errors and not form.is_valid():
        errors = [message for messages_ in form.errors.values() for message in messages_]
    if not errors:
        try:
            added = services.attachment_add(
                actor=request.membership, card=card, files=form.cleaned_data["files"]
            )
        except ValidationError as error:
            errors = error.messages
    if request.headers.get("x-requested-with") == "fetch" or (
        request.htmx and not _from_panel(request)
    ):
        context = {
            "card": card,
            "may_edit": request.membership.can_edit,
            **_attachments_context(request, card, errors),
        }
        return render(
            request, "kanban/card.html#attachments", context, status=400 if errors else 200
        )
    if errors:
        return _card_page(request, card, status=400, attachment_errors=errors)
    messages.success(
        request,
        ngettext("%(count)s file attached.", "%(count)s files attached.", len(added))
        % {"count": len(added)},
    )
    return _back_to_card(request, card.pk, "attachments")


def _attachment_answer(request: HttpRequest, attachment_id: int, *, inline: bool) -> HttpResponse:
    attachment = selectors.attachment_get_for_user(
        membership=request.membership, attachment_id=attachment_id
    )
    if inline and not attachment.is_image:
        raise Http404
    if inline and attachment.preview and "full" not in request.GET:
        return attachments.file_response(
            file=attachment.preview, name=attachment.name, content_type="image/webp", inline=True
        )
    return attachments.file_response(
        file=attachment.file,
        name=attachment.name,
        content_type=attachment.content_type,
        inline=inline,
    )


@organization_view
@require_safe
def attachment_file(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """The file, as a download under its name, to members of its organisation only."""
    return _attachment_answer(request, attachment_id, inline=False)


@organization_view
@require_safe
def attachment_preview(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """An image shown in the page (PNG, JPEG, GIF, WebP; 404 for anything else): its
    preview when it has one, the image itself with ``?full``."""
    return _attachment_answer(request, attachment_id, inline=True)


@organization_view
@require_POST
def attachment_delete(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = selectors.attachment_get_for_user(
        membership=request.membership, attachment_id=attachment_id
    )
    services.attachment_delete(actor=request.membership, attachment=attachment)
    messages.success(request, _("“%(name)s” removed.") % {"name": attachment.name})
    section = "comments" if attachment.comment_id else "attachments"
    return _back_to_card(request, attachment.card_id, section)


@organization_view
@form_page
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Change a comment's text: its author only (403 for anyone else)."""
    comment = selectors.comment_get_for_user(membership=request.membership, comment_id=comment_id)
    require_editor(request.membership)
    if comment.author_id != request.user.pk:
        raise PermissionDenied
    form = CommentForm(
        request.POST or None, initial={"body": comment.body}, org_slug=request.organization.slug
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(
                actor=request.membership, comment=comment, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Comment saved."))
            return _back_to_card(request, comment.card_id, f"comment-{comment.pk}")
    return render(
        request,
        "form_page.html",
        {"form": form, "title": _("Edit comment"), "submit_label": _("Save")},
    )


@organization_view
@require_POST
def card_follow(request: HttpRequest, card_id: int) -> HttpResponse:
    """Follow the card, or stop following it (``following`` 1 or 0): anyone who sees it.
    htmx gets the follow box again; without script, back to the card."""
    card = selectors.card_get_for_user(membership=request.membership, card_id=card_id)
    form = FollowForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Say whether to follow the card."))
    following = form.cleaned_data["following"]
    services.card_follow_set(actor=request.membership, card=card, following=following)
    if request.htmx:
        return render(
            request,
            "kanban/card.html#follow",
            {
                "card": card,
                "following": following,
                "followers": selectors.card_followers(card=card),
            },
        )
    messages.success(
        request,
        _("You follow this card.") if following else _("You no longer follow this card."),
    )
    return _back_to_card(request, card.pk, "follow")


@organization_view
@require_POST
def checklist_add(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors.card_get_for_user(membership=request.membership, card_id=card_id)
    require_editor(request.membership)
    form = ChecklistItemForm(request.POST)
    if not form.is_valid():
        return _card_page(request, card, status=400, checklist_form=form)
    services.checklist_add(actor=request.membership, card=card, text=form.cleaned_data["text"])
    return _back_to_card(request, card.pk, "checklist")


@organization_view
@require_POST
def checklist_toggle(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.checklist_item_get_for_user(membership=request.membership, item_id=item_id)
    services.checklist_toggle(actor=request.membership, item=item)
    return _back_to_card(request, item.card_id, "checklist")


@organization_view
@form_page
def board_columns(request: HttpRequest, board_id: int) -> HttpResponse:
    """Reshape the board: add, rename, limit, reorder and archive columns; add labels."""
    board = selectors.board_get_for_user(membership=request.membership, board_id=board_id)
    if request.method == "POST":
        require_lead(request.membership)
    new_column = ColumnForm(
        request.POST if request.POST.get("action") == "add-column" else None,
        initial={"kind": ColumnKind.DOING},
    )
    new_label = LabelForm(request.POST if request.POST.get("action") == "add-label" else None)
    if request.method == "POST":
        try:
            if new_column.is_bound and new_column.is_valid():
                services.column_create(
                    actor=request.membership, board=board, **new_column.cleaned_data
                )
                messages.success(request, _("Column added."))
                return redirect(request.path)
            if new_label.is_bound and new_label.is_valid():
                services.label_create(
                    actor=request.membership, board=board, **new_label.cleaned_data
                )
                messages.success(request, _("Label added."))
                return redirect(request.path)
        except ValidationError as error:
            (new_column if new_column.is_bound else new_label).add_error(None, error)
    columns = [
        (
            column,
            ColumnForm(
                prefix=f"column-{column.pk}",
                initial={f: getattr(column, f) for f in ("name", "kind", "wip_limit", "wip_hard")},
                html_form=f"column-{column.pk}",
                column=column,
            ),
        )
        for column in selectors.open_columns(board)
    ]
    return render(
        request,
        "kanban/columns.html",
        {
            "board": board,
            "columns": columns,
            "new_column": new_column,
            "new_label": new_label,
            "labels": board.labels.all(),
        },
    )


@organization_view
@require_POST
def column_update(request: HttpRequest, column_id: int) -> HttpResponse:
    column = selectors.column_get_for_user(membership=request.membership, column_id=column_id)
    require_lead(request.membership)
    action = request.POST.get("action", "save")
    try:
        if action in ("left", "right"):
            services.column_shift(
                actor=request.membership, column=column, offset=-1 if action == "left" else 1
            )
        elif action == "archive":
            services.column_archive(actor=request.membership, column=column)
            messages.success(request, _("Column archived."))
        else:
            form = ColumnForm(request.POST, prefix=f"column-{column.pk}")
            if not form.is_valid():
                for errors in form.errors.values():
                    messages.error(request, " ".join(errors))
            else:
                services.column_update(actor=request.membership, column=column, **form.cleaned_data)
                messages.success(request, _("Column saved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(
        "kanban:board_columns", org_slug=request.organization.slug, board_id=column.board_id
    )


@organization_view
@require_safe
def board_standup(request: HttpRequest, board_id: int) -> HttpResponse:
    board = selectors.board_get_for_user(membership=request.membership, board_id=board_id)
    by = "team" if request.GET.get("by") == "team" else "person"
    today = request.organization.today()
    return render(
        request,
        "kanban/standup.html",
        {
            "board": board,
            "by": by,
            "today": today,
            "standup": selectors.standup(
                board=board, by=by, today=today, lead_days=request.organization.reminder_lead_days
            ),
        },
    )
