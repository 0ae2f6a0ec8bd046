"""The pages of requests: setting up a team's request types, sending a request, and the
requester's list and request page (reply, confirm, reopen, rate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kanban import attachments
from kanban.models import Column
from kanban.selectors import attachments_for_card, mention_people
from opsboard.accounts.models import User
from opsboard.tenancy.access import organization_view, require_editor

from . import selectors, services
from .forms import (
    ConfirmForm,
    QuestionForm,
    QuestionFormSet,
    RatingForm,
    ReopenForm,
    ReplyForm,
    RequestForm,
    RequestTypeForm,
    put_errors,
    questions_in_order,
)
from .models import FieldKind, Request, RequestState, RequestType

# Request types -----------------------------------------------------------------


def _types_url(request: HttpRequest) -> str:
    return reverse("intake:type_list", kwargs={"org_slug": request.organization.slug})


@organization_view
@require_safe
def type_list(request: HttpRequest) -> HttpResponse:
    """The request types the person sets up (a team's lead: their teams'; owners and ops
    managers: all), each team's in the order the submit page shows them."""
    teams = list(selectors.teams_managed(membership=request.membership))
    if not teams:
        raise PermissionDenied(
            _("Only the team's lead, ops managers and owners can change its request types.")
        )
    return render(
        request,
        "intake/type_list.html",
        {"types": selectors.request_types_managed(membership=request.membership), "teams": teams},
    )


def _type_page(
    request: HttpRequest, request_type: RequestType | None, form: RequestTypeForm, questions: Any
) -> HttpResponse:
    return render(
        request,
        "intake/type_form.html",
        {"request_type": request_type, "form": form, "questions": questions},
        status=400 if form.is_bound else 200,
    )


def _type_input(request: HttpRequest, form: RequestTypeForm) -> services.RequestTypeInput | None:
    """The form's values as the services take them; None (with the field's error) when a
    chosen object is not there any more."""
    data = form.cleaned_data
    organization_id = request.organization.pk
    column = (
        Column.objects.select_related("board__project")
        .filter(pk=data["column"], board__organization_id=organization_id)
        .first()
    )
    team = selectors.teams_managed(membership=request.membership).filter(pk=data["team"]).first()
    people = {
        user.pk: user
        for user in User.objects.filter(
            pk__in=[data["responsible"], data["accountable"]],
            memberships__organization_id=organization_id,
        )
    }
    if column is None or team is None:
        form.add_error("column" if column is None else "team", _("Choose again."))
        return None
    return services.RequestTypeInput(
        team=team,
        name=data["name"],
        board=column.board,
        column=column,
        responsible=people.get(data["responsible"]),
        accountable=people.get(data["accountable"]),
        **{name: data[name] for name in services.TYPE_VALUES},
    )


def _type_form(request: HttpRequest, request_type: RequestType | None) -> HttpResponse:
    teams = list(selectors.teams_managed(membership=request.membership))
    if not teams or (
        request_type is not None
        and not services.may_manage_types(request.membership, request_type.team)
    ):
        raise PermissionDenied(
            _("Only the team's lead, ops managers and owners can change its request types.")
        )
    if request.method == "POST":
        require_editor(request.membership)
        form = RequestTypeForm(request.POST, membership=request.membership, teams=teams)
        questions = QuestionFormSet(request.POST, prefix="questions")
        if form.is_valid() and questions.is_valid():
            data = _type_input(request, form)
            if data is not None:
                try:
                    if request_type is None:
                        request_type = services.request_type_create(
                            actor=request.membership,
                            data=data,
                            fields=questions_in_order(questions),
                        )
                    else:
                        services.request_type_update(
                            actor=request.membership,
                            request_type=request_type,
                            data=data,
                            fields=questions_in_order(questions),
                        )
                except ValidationError as error:
                    put_errors(form, error, rename={"board": "column"})
                else:
                    messages.success(
                        request, _("Request type “%(name)s” saved.") % {"name": request_type.name}
                    )
                    return redirect(_types_url(request))
        return _type_page(request, request_type, form, questions)
    if request_type is None:
        chosen = request.GET.get("team", "")
        initial = {"team": int(chosen)} if chosen.isdigit() else {}
        form = RequestTypeForm(initial=initial, membership=request.membership, teams=teams)
        questions = QuestionFormSet(prefix="questions")
    else:
        form = RequestTypeForm(
            initial=RequestTypeForm.initial_for(request_type),
            membership=request.membership,
            teams=teams,
        )
        questions = QuestionFormSet(
            prefix="questions",
            initial=[QuestionForm.initial_for(q) for q in request_type.fields.all()],
        )
    return _type_page(request, request_type, form, questions)


@organization_view
@require_http_methods(["GET", "HEAD", "POST"])
def type_create(request: HttpRequest) -> HttpResponse:
    return _type_form(request, None)


@organization_view
@require_http_methods(["GET", "HEAD", "POST"])
def type_edit(request: HttpRequest, type_id: int) -> HttpResponse:
    request_type = selectors.request_type_get_for_user(
        membership=request.membership, type_id=type_id
    )
    return _type_form(request, request_type)


@organization_view
@require_POST
def type_shift(request: HttpRequest, type_id: int) -> HttpResponse:
    """Up or down one place among the team's types (``direction``: up or down)."""
    require_editor(request.membership)
    request_type = selectors.request_type_get_for_user(
        membership=request.membership, type_id=type_id
    )
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.request_type_shift(actor=request.membership, request_type=request_type, offset=offset)
    return redirect(_types_url(request))


@organization_view
@require_POST
def type_accepting(request: HttpRequest, type_id: int) -> HttpResponse:
    """Stop or restart taking requests of a type (``accepting``: 1 or 0)."""
    require_editor(request.membership)
    request_type = selectors.request_type_get_for_user(
        membership=request.membership, type_id=type_id
    )
    accepting = request.POST.get("accepting") == "1"
    services.request_type_accepting_set(
        actor=request.membership, request_type=request_type, accepting=accepting
    )
    messages.success(
        request,
        (
            _("“%(name)s” takes requests again.")
            if accepting
            else _("“%(name)s” takes no new requests; open ones go on.")
        )
        % {"name": request_type.name},
    )
    return redirect(_types_url(request))


# Sending a request -------------------------------------------------------------


@organization_view
@require_safe
def request_new(request: HttpRequest) -> HttpResponse:
    """The teams that take requests, and their types: where a request starts."""
    return render(
        request,
        "intake/request_new.html",
        {"teams": selectors.teams_taking_requests(membership=request.membership)},
    )


@csrf_exempt  # the upload's size limit goes in before the body is read; then the token
@organization_view
@require_http_methods(["GET", "HEAD", "POST"])
def request_send(request: HttpRequest, type_id: int) -> HttpResponse:
    limit = attachments.limit_uploads(request) if request.method == "POST" else None
    return _request_send(request, type_id, limit)


@csrf_protect
def _request_send(
    request: HttpRequest, type_id: int, limit: attachments.SizeLimitHandler | None
) -> HttpResponse:
    request_type = selectors.request_type_get_for_user(
        membership=request.membership, type_id=type_id
    )
    if request.method != "POST":
        form = RequestForm(request_type=request_type)
        return _send_page(request, request_type, form)
    require_editor(request.membership)
    form = RequestForm(request.POST, request.FILES, request_type=request_type)
    form.is_valid()  # every field is optional: the service says what is missing or wrong
    files = form.files_given()
    too_large = list(limit.too_large) if limit else []
    if too_large:
        # A file dropped on the way in: its question is the file question left without one.
        empty = [
            services.field_key(question)
            for question in request_type.fields.all()
            if question.kind == FieldKind.FILE and services.field_key(question) not in files
        ]
        for name, key in zip(too_large, empty or [None] * len(too_large), strict=False):
            form.add_error(key, attachments.too_large_message(name))
        return _send_page(request, request_type, form, status=400)
    try:
        sent = services.request_submit(
            actor=request.membership,
            request_type=request_type,
            title=form.cleaned_data.get("title", ""),
            answers=form.answers(),
            files=files,
        )
    except ValidationError as error:
        put_errors(form, error)
        return _send_page(request, request_type, form, status=400)
    messages.success(request, _("Request sent to %(team)s.") % {"team": request_type.team.name})
    return redirect(_request_url(request, sent))


def _send_page(
    request: HttpRequest, request_type: RequestType, form: RequestForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "intake/request_form.html",
        {
            "request_type": request_type,
            "form": form,
            "max_upload_bytes": attachments.max_bytes(),
        },
        status=status,
    )


# The requester's side ---------------------------------------------------------


def _request_url(request: HttpRequest, sent: Request) -> str:
    return reverse(
        "intake:request_detail",
        kwargs={"org_slug": request.organization.slug, "request_id": sent.pk},
    )


@organization_view
@require_safe
def request_list(request: HttpRequest) -> HttpResponse:
    """My requests: those I sent and, for a team's members, those sent to my teams."""
    scope = request.GET.get("scope", "")
    scope = scope if scope in ("mine", "teams") else ""
    requests = list(selectors.requests_for_user(membership=request.membership, scope=scope)[:200])
    leads = list(request.membership.teams.values_list("lead_id", flat=True))
    return render(
        request,
        "intake/request_list.html",
        {
            "requests": requests,
            "scope": scope,
            "has_teams": bool(leads),
            # A link to the types for whoever sets some up (the page itself asks the rule).
            "sets_up_types": request.membership.can_manage or request.user.pk in leads,
        },
    )


def _detail_page(
    request: HttpRequest, sent: Request, status: int = 200, **given: forms.Form
) -> HttpResponse:
    comments = selectors.request_conversation(sent)
    is_requester = sent.requester_id == request.user.pk
    files = {attachment.pk: attachment for attachment in attachments_for_card(card=sent.card)}
    answers = [
        (question, files.get(value) if question.kind == FieldKind.FILE else value)
        for question, value in selectors.request_answers(sent)
    ]
    rating = getattr(sent, "rating", None) if hasattr(sent, "rating") else None
    may_write = request.membership.can_edit
    context = {
        "sent": sent,
        "answers": answers,
        "files": list(files.values()),
        "comments": comments,
        "people": mention_people(
            organization=request.organization, texts=[comment.body for comment in comments]
        ),
        "is_requester": is_requester,
        "rating": rating,
        "may_reply": may_write,
        "reply_form": given.get("reply_form") or ReplyForm(),
        "reopen_form": given.get("reopen_form") or ReopenForm(),
        "rating_form": given.get("rating_form")
        or RatingForm(
            initial={"score": rating.score, "comment": rating.comment} if rating else None
        ),
        "finished": sent.state == RequestState.DONE,
        "may_rate": is_requester
        and may_write
        and sent.state in (RequestState.DONE, RequestState.CLOSED),
        # A refusal that is no field's (not finished yet): on top, whichever form it came from.
        "errors": [
            *(
                error
                for name in FORM_NAMES.values()
                if name in given
                for error in given[name].non_field_errors()
            ),
        ],
    }
    return render(request, "intake/request_detail.html", context, status=status)


@organization_view
@require_safe
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    sent = selectors.request_get_for_user(membership=request.membership, request_id=request_id)
    return _detail_page(request, sent)


def _sent(request: HttpRequest, request_id: int) -> Request:
    require_editor(request.membership)
    return selectors.request_get_for_user(membership=request.membership, request_id=request_id)


def _requester_act(
    request: HttpRequest,
    request_id: int,
    form: forms.Form,
    act: Callable[[Request, dict[str, Any]], object],
    done: str = "",
    anchor: str = "",
) -> HttpResponse:
    """One of the request page's forms: valid, the service acts and the page is shown again
    (with ``done`` said); refused, the page again with the reasons by the fields (400)."""
    sent = _sent(request, request_id)
    if form.is_valid():
        try:
            act(sent, form.cleaned_data)
        except ValidationError as error:
            put_errors(form, error)
        else:
            if done:
                messages.success(request, done)
            return redirect(_request_url(request, sent) + anchor)
    return _detail_page(request, sent, status=400, **{FORM_NAMES[type(form)]: form})


@organization_view
@require_POST
def request_reply(request: HttpRequest, request_id: int) -> HttpResponse:
    return _requester_act(
        request,
        request_id,
        ReplyForm(request.POST),
        lambda sent, data: services.request_reply(
            actor=request.membership, request=sent, body=data["body"]
        ),
        anchor="#conversation",
    )


@organization_view
@require_POST
def request_confirm(request: HttpRequest, request_id: int) -> HttpResponse:
    return _requester_act(
        request,
        request_id,
        ConfirmForm(request.POST),
        lambda sent, data: services.request_confirm(actor=request.membership, request=sent),
        done=_("Thank you: the request is closed."),
    )


@organization_view
@require_POST
def request_reopen(request: HttpRequest, request_id: int) -> HttpResponse:
    return _requester_act(
        request,
        request_id,
        ReopenForm(request.POST),
        lambda sent, data: services.request_reopen(
            actor=request.membership, request=sent, reason=data["reason"]
        ),
        done=_("The request is open again; the team has been told."),
    )


@organization_view
@require_POST
def request_rate(request: HttpRequest, request_id: int) -> HttpResponse:
    return _requester_act(
        request,
        request_id,
        RatingForm(request.POST),
        lambda sent, data: services.request_rate(
            actor=request.membership, request=sent, score=data["score"], comment=data["comment"]
        ),
        done=_("Thank you for your rating."),
    )


# The request page's forms by the name its context gives them.
FORM_NAMES: dict[type[forms.Form], str] = {
    ReplyForm: "reply_form",
    ConfirmForm: "confirm_form",
    ReopenForm: "reopen_form",
    RatingForm: "rating_form",
}
