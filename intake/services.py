"""Writes for requests from other teams: a team's request types and their forms, sending a
request (a card on the team's board), and the requester's side of its end: replying,
confirming, reopening and rating.

Who may do what:

- a team's request types are set up by the team's lead and by the organisation's owners
  and ops managers (``may_manage_types``);
- anyone of the organisation who may change work (every role but viewer) sends requests;
- the requester, and only they, confirms, reopens and rates their request; the requester
  and the team's members reply on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kanban.models import Board, Column, Comment, FollowReason, Priority
from kanban.services import (
    CardInput,
    _attach,
    _check_files,
    _stored_files,
    card_create,
    card_followers_add,
    card_move,
    comment_add,
)
from opsboard.accounts.models import User
from opsboard.tenancy.access import require_editor
from opsboard.tenancy.models import Membership, Team
from raci.services import raci_start

from .clocks import clocks_reopen, start_clocks
from .models import FieldKind, Rating, Request, RequestField, RequestState, RequestType

# Longest answer kept for a one-line text field, and for a long one.
TEXT_MAX = 500
LONG_TEXT_MAX = 10_000
TITLE_MAX = 200  # as a card's title


def may_manage_types(membership: Membership, team: Team) -> bool:
    """The team's lead, and the organisation's owners and ops managers, set up its types."""
    return team.organization_id == membership.organization_id and (
        membership.can_manage or team.lead_id == membership.user_id
    )


def require_type_manager(membership: Membership, team: Team) -> None:
    if not may_manage_types(membership, team):
        raise PermissionDenied(
            _("Only the team's lead, ops managers and owners can change its request types.")
        )


# Request types ----------------------------------------------------------------


@dataclass
class FieldInput:
    """One question of a type's form; ``id`` names an existing one to keep (its answers are
    keyed by it)."""

    label: str
    kind: str
    required: bool = False
    choices: list[str] = field(default_factory=list)
    help_text: str = ""
    id: int | None = None


@dataclass
class RequestTypeInput:
    team: Team
    name: str
    board: Board
    column: Column
    description: str = ""
    priority: int = Priority.NORMAL
    first_response_minutes: int | None = None
    plan_minutes: int | None = None
    resolution_minutes: int | None = None
    responsible: User | None = None
    accountable: User | None = None
    accepting: bool = True


# A type's values that are typed, not chosen objects: pages and the API pass them as given.
TYPE_VALUES = (
    "description",
    "priority",
    "first_response_minutes",
    "plan_minutes",
    "resolution_minutes",
    "accepting",
)


def request_type_check(
    organization_id: int, data: RequestTypeInput, exclude_pk: int | None = None
) -> None:
    """The rules of a request type, with an error by each field that breaks one (the
    services, and the admin's form, ask them)."""
    errors: dict[str, str] = {}
    if data.team.organization_id != organization_id:
        errors["team"] = _("Choose teams of this organisation.")
    if not data.name.strip():
        errors["name"] = _("Give the request type a name.")
    elif (
        RequestType.objects.filter(team=data.team, name__iexact=data.name.strip())
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["name"] = _("This team already has a request type of that name.")
    if (
        data.board.organization_id != organization_id
        or data.board.archived_at is not None
        or not data.board.project.teams.filter(pk=data.team.pk).exists()
    ):
        errors["board"] = _("Choose a board of a project the team takes part in.")
    elif data.column.board_id != data.board.pk or data.column.archived_at is not None:
        errors["column"] = _("Choose a column of this board.")
    if data.priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    people = {"responsible": data.responsible, "accountable": data.accountable}
    for name, user in people.items():
        if (
            user is not None
            and not Membership.objects.filter(organization_id=organization_id, user=user).exists()
        ):
            errors[name] = _("Choose a member of this organisation.")
    if data.responsible is not None and data.responsible == data.accountable:
        errors["accountable"] = _(
            "One person holds one role on a card: choose someone else as Accountable."
        )
    if errors:
        raise ValidationError(errors)


def _clean_fields(fields: Sequence[FieldInput]) -> list[FieldInput]:
    """The form's questions with their text trimmed, or a ValidationError naming the
    question (``fields``, "question 2: …")."""
    cleaned = []
    problems = []
    for number, question in enumerate(fields, start=1):
        label = question.label.strip()
        choices = [choice.strip() for choice in question.choices if choice.strip()]
        problem = None
        if not label:
            problem = _("give the question a label.")
        elif question.kind not in FieldKind.values:
            problem = _("choose a kind of answer.")
        elif question.kind == FieldKind.CHOICE and not choices:
            problem = _("a choice needs at least one option.")
        elif question.kind == FieldKind.CHOICE and len(set(choices)) != len(choices):
            problem = _("each option once.")
        elif question.kind != FieldKind.CHOICE and choices:
            problem = _("only a choice has options.")
        if problem:
            problems.append(
                _("“%(label)s”: %(problem)s") % {"label": label, "problem": problem}
                if label
                else _("Question %(number)s: %(problem)s") % {"number": number, "problem": problem}
            )
        cleaned.append(
            FieldInput(
                label=label,
                kind=question.kind,
                required=question.required,
                choices=choices,
                help_text=question.help_text.strip(),
                id=question.id,
            )
        )
    if problems:
        raise ValidationError({"fields": problems})
    return cleaned


def _save_fields(request_type: RequestType, fields: list[FieldInput]) -> None:
    """Keep the named questions (changed as given), add the new ones, drop the rest, in the
    order given."""
    existing = {question.pk: question for question in request_type.fields.all()}
    if any(question.id is not None and question.id not in existing for question in fields):
        raise ValidationError({"fields": _("Choose questions of this request type.")})
    kept = {question.id for question in fields if question.id is not None}
    request_type.fields.exclude(pk__in=kept).delete()
    for position, question in enumerate(fields):
        row = existing.get(question.id) if question.id is not None else None
        row = row or RequestField(request_type=request_type)
        row.label = question.label
        row.kind = question.kind
        row.required = question.required
        row.choices = question.choices
        row.help_text = question.help_text
        row.position = position
        row.save()


@transaction.atomic
def request_type_create(
    *, actor: Membership, data: RequestTypeInput, fields: Sequence[FieldInput] = ()
) -> RequestType:
    require_type_manager(actor, data.team)
    request_type_check(actor.organization_id, data)
    cleaned = _clean_fields(fields)
    last = RequestType.objects.filter(team=data.team).aggregate(last=Max("position"))["last"]
    request_type = RequestType(
        organization_id=actor.organization_id, position=0 if last is None else last + 1
    )
    _apply_type(request_type, data)
    request_type.save()
    _save_fields(request_type, cleaned)
    return request_type


@transaction.atomic
def request_type_update(
    *,
    actor: Membership,
    request_type: RequestType,
    data: RequestTypeInput,
    fields: Sequence[FieldInput] | None = None,
) -> RequestType:
    """Change a type (its team too, by someone who sets up both teams' types); with
    ``fields``, its form as well. Requests already sent keep their cards and answers."""
    require_type_manager(actor, request_type.team)
    require_type_manager(actor, data.team)
    request_type_check(actor.organization_id, data, exclude_pk=request_type.pk)
    cleaned = _clean_fields(fields) if fields is not None else None
    _apply_type(request_type, data)
    request_type.save()
    if cleaned is not None:
        _save_fields(request_type, cleaned)
    return request_type


def _apply_type(request_type: RequestType, data: RequestTypeInput) -> None:
    for name in ("team", "board", "column", "responsible", "accountable", *TYPE_VALUES):
        setattr(request_type, name, getattr(data, name))
    request_type.name = data.name.strip()


@transaction.atomic
def request_type_accepting_set(
    *, actor: Membership, request_type: RequestType, accepting: bool
) -> RequestType:
    """Stop taking new requests of a type (the open ones go on), or take them again."""
    require_type_manager(actor, request_type.team)
    request_type.accepting = accepting
    request_type.save(update_fields=["accepting"])
    return request_type


@transaction.atomic
def request_type_shift(*, actor: Membership, request_type: RequestType, offset: int) -> None:
    """Move a type up (-1) or down (+1) among its team's types, as the submit page lists
    them. The team's types are locked in primary key order, then numbered afresh."""
    require_type_manager(actor, request_type.team)
    types = list(
        RequestType.objects.select_for_update()
        .filter(team_id=request_type.team_id)
        .order_by("pk")
        .only("pk", "position")
    )
    types.sort(key=lambda t: (t.position, t.pk))
    index = next(i for i, t in enumerate(types) if t.pk == request_type.pk)
    target = max(0, min(len(types) - 1, index + offset))
    types.insert(target, types.pop(index))
    for position, each in enumerate(types):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])


# Sending a request ------------------------------------------------------------


def _answer(question: RequestField, raw: object) -> object | None:
    """A typed answer as kept in ``Request.answers`` (None: not answered), or a
    ValidationError saying what is wrong with it."""
    if question.kind == FieldKind.FILE:
        return None  # files are checked and stored apart
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if question.kind == FieldKind.TEXT:
        if "\n" in text or len(text) > TEXT_MAX:
            raise ValidationError(_("One line of at most %(max)s characters.") % {"max": TEXT_MAX})
        return text
    if question.kind == FieldKind.LONG_TEXT:
        if len(text) > LONG_TEXT_MAX:
            raise ValidationError(_("At most %(max)s characters.") % {"max": LONG_TEXT_MAX})
        return text
    if question.kind == FieldKind.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValidationError(_("Enter a number."))
        return int(number) if number == number.to_integral_value() else float(number)
    if question.kind == FieldKind.DATE:
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
    if text not in question.choices:  # a choice
        raise ValidationError(_("Choose one of the options offered."))
    return text


def field_key(question: RequestField | int) -> str:
    """The name a question's answer goes by in a form and in the API's errors."""
    return f"field_{getattr(question, 'pk', question)}"


def describe(questions: list[RequestField], answers: Mapping[str, object]) -> str:
    """The answers as the card's description, in Markdown a person reads: each question in
    bold, its answer below it; files by name (they are attached to the card)."""
    parts = []
    for question in questions:
        value = answers.get(str(question.pk))
        if value is None:
            continue
        parts.append(f"**{question.label}**\n\n{value}")
    return "\n\n".join(parts)


def _lock_type(request_type_id: int) -> RequestType:
    return RequestType.objects.select_for_update(of=("self",)).get(pk=request_type_id)


def request_submit(
    *,
    actor: Membership,
    request_type: RequestType,
    title: str,
    answers: Mapping[str, object],
    files: Mapping[str, File] | None = None,
) -> Request:
    """Send a request: a card on the type's board and column with the type's priority,
    created by the requester, its answers in the description and its files attached, the
    type's Responsible (the card's assignee) and Accountable, the requester following it.

    ``answers`` and ``files`` are keyed by ``field_key``. Every problem is a field error
    (``title``, ``field_<id>``, or ``request_type`` when the type takes no requests), and
    nothing is saved, nor any file stored, unless all of it is."""
    require_editor(actor)
    files = dict(files or {})
    if request_type.organization_id != actor.organization_id:
        raise ValidationError({"request_type": _("Choose a request type of this organisation.")})
    questions = list(request_type.fields.all())
    errors: dict[str, list[str]] = {}
    if not request_type.accepting:
        errors["request_type"] = [_("This request type takes no new requests.")]
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Say in a few words what you need.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(max)s characters.") % {"max": TITLE_MAX}]
    typed: dict[str, object] = {}
    checked: dict[str, list] = {}
    for question in questions:
        key = field_key(question)
        try:
            if question.kind == FieldKind.FILE:
                if key in files:
                    checked[key] = _check_files([files[key]])
                elif question.required:
                    raise ValidationError(_("Attach a file."))
                continue
            value = _answer(question, answers.get(key))
            if value is None and question.required:
                raise ValidationError(_("Answer this question."))
            if value is not None:
                typed[str(question.pk)] = value
        except ValidationError as error:
            errors[key] = error.messages
    known = {field_key(question) for question in questions}
    for key in sorted(set(answers) | set(files)):
        if key not in known:
            errors[key] = [_("This request type asks no such question.")]
    if errors:
        raise ValidationError(errors)

    with _stored_files() as keys, transaction.atomic():
        # Held until the request is saved: a type stopped meanwhile takes none.
        request_type = _lock_type(request_type.pk)
        if not request_type.accepting:
            raise ValidationError({"request_type": [_("This request type takes no new requests.")]})
        described = dict(typed)
        for question in questions:
            if field_key(question) in checked:
                described[str(question.pk)] = ", ".join(
                    item.name for item in checked[field_key(question)]
                )
        card = card_create(
            actor=actor,
            board=request_type.board,
            column=request_type.column,
            data=CardInput(
                title=title,
                description=describe(questions, described),
                assignee=request_type.responsible,
                team=request_type.team,
                priority=request_type.priority,
            ),
        )
        for question in questions:
            key = field_key(question)
            if key in checked:
                try:
                    added = _attach(
                        actor=actor, card=card, checked=checked[key], comment=None, keys=keys
                    )
                except ValidationError as error:
                    raise ValidationError({key: error.messages}) from error
                typed[str(question.pk)] = added[0].pk
        raci_start(
            card=card, responsible=request_type.responsible, accountable=request_type.accountable
        )
        card_followers_add(
            card_id=card.pk, user_ids=[actor.user_id], reason=FollowReason.REQUESTER, renew=True
        )
        request = Request.objects.create(
            organization_id=actor.organization_id,
            request_type=request_type,
            team_id=request_type.team_id,
            card=card,
            requester=actor.user,
            answers=typed,
            submitted_at=card.created_at,
        )
        start_clocks(request=request)
    return request


# The requester's side ---------------------------------------------------------


def _require_requester(actor: Membership, request: Request) -> None:
    require_editor(actor)
    if request.requester_id != actor.user_id:
        raise PermissionDenied(_("Only the person who sent the request can do this."))


def request_reply(*, actor: Membership, request: Request, body: str) -> Comment:
    """A comment on the request's card, by its requester or one of the team: the
    conversation the request page shows."""
    return comment_add(actor=actor, card=request.card, body=body)


@transaction.atomic
def request_confirm(*, actor: Membership, request: Request) -> Request:
    """The requester agrees the request is done: it is closed."""
    _require_requester(actor, request)
    request = Request.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if request.state != RequestState.DONE:
        raise ValidationError(_("Only a request the team has finished can be confirmed."))
    request.state = RequestState.CLOSED
    request.closed_at = timezone.now()
    request.save(update_fields=["state", "closed_at"])
    return request


@transaction.atomic
def request_reopen(*, actor: Membership, request: Request, reason: str = "") -> Request:
    """The requester finds the request not done after all: its card goes back to the
    type's landing column (the board's first open one if that column is gone), the request
    is open again, its resolution clock counts on, and it is counted as reopened. A reason
    is written on the card as a comment.

    Locks as the card's own changes do (the board, then the request and its clocks), so a
    reopening and a move of the same card wait for each other instead of deadlocking."""
    _require_requester(actor, request)
    request = Request.objects.select_related("card__board", "request_type__column").get(
        pk=request.pk
    )
    if request.state != RequestState.DONE:
        raise ValidationError(_("Only a request the team has finished can be reopened."))
    card = request.card
    column = request.request_type.column
    if column.archived_at is not None or column.board_id != card.board_id:
        column = card.board.columns.open().order_by("position").first()
    if column is not None and column.pk != card.column_id:
        card_move(actor=actor, card=card, column=column, position="top")
    clocks_reopen(request=request, at=timezone.now())
    Request.objects.filter(pk=request.pk).update(reopened=F("reopened") + 1)
    if reason.strip():
        comment_add(actor=actor, card=card, body=reason)
    request.refresh_from_db()
    return request


@transaction.atomic
def request_rate(*, actor: Membership, request: Request, score: int, comment: str = "") -> Rating:
    """The requester's score (1 to 5) and comment on a finished request; rating again
    replaces them."""
    _require_requester(actor, request)
    if request.state not in (RequestState.DONE, RequestState.CLOSED):
        raise ValidationError(_("A request is rated once the team has finished it."))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("Give a score from 1 to 5.")})
    rating, _created = Rating.objects.update_or_create(
        request=request,
        defaults={
            "rated_by": actor.user,
            "score": score,
            "comment": comment.strip(),
            "rated_at": timezone.now(),
        },
    )
    return rating
