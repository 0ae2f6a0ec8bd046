"""The team's side of a request, on its card's page: who asked, what they answered, each
response clock with its state and the working time left, and the button that makes the
request wait on its requester (pausing the clocks) or resume.

Registered as a section of the card page in ``IntakeConfig.ready()``; its two forms post
here (``intake/urls.py``: ``card_wait``, ``card_resume``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanban.models import Attachment, Card
from kanban.selectors import card_get_for_user
from opsboard.tenancy.access import organization_view, require_editor
from opsboard.tenancy.calendar import calendar_for

from . import clocks
from .models import ClockStatus, FieldKind, Request, RequestState, ResponseClock


@dataclass
class Answer:
    label: str
    kind: str
    value: object
    attachment: Attachment | None = None


@dataclass
class ClockRow:
    clock: ResponseClock
    status: ClockStatus
    left: timedelta  # working time left to the target; negative once past it

    @property
    def over(self) -> bool:
        return self.left < timedelta(0)

    @property
    def left_text(self) -> str:
        return str(clocks.WorkingHours(self.left))

    @property
    def target_text(self) -> str:
        return str(clocks.WorkingHours(self.clock.target))


def clock_rows(found: Request, now: datetime) -> list[ClockRow]:
    calendar = calendar_for(found.organization)
    zone = found.team.zone
    return [
        ClockRow(
            clock=clock,
            status=clock.status(now),
            left=clock.target - clocks.worked_until(clock, now, calendar=calendar, zone=zone),
        )
        for clock in found.clocks.order_by("pk")  # the order of their targets
    ]


def _answers(found: Request) -> list[Answer]:
    fields = list(found.request_type.fields.all())
    file_ids = [
        found.answers.get(str(field.pk))
        for field in fields
        if field.kind == FieldKind.FILE and found.answers.get(str(field.pk))
    ]
    files = Attachment.objects.filter(card_id=found.card_id).in_bulk(file_ids) if file_ids else {}
    answers = []
    for field in fields:
        value = found.answers.get(str(field.pk))
        if value in (None, ""):
            continue
        attachment = files.get(value) if field.kind == FieldKind.FILE else None
        answers.append(Answer(field.label, field.kind, value, attachment))
    return answers


def card_request_section(request: HttpRequest, card: Card) -> dict[str, Any]:
    """The Request block on the card page; nothing for a card that is no request."""
    found = (
        Request.objects.select_related("requester", "request_type", "team", "organization")
        .filter(card_id=card.pk)
        .first()
    )
    if found is None:
        return {"request": None}
    found.team.organization = found.organization
    membership = request.membership
    return {
        "request": found,
        "answers": _answers(found),
        "clocks": clock_rows(found, timezone.now()),
        "may_wait": membership.can_edit
        and (
            membership.can_manage
            or any(team.pk == found.team_id for team in membership.teams.all())
        ),
        "waiting": found.state == RequestState.WAITING,
        "open": found.state == RequestState.OPEN,
    }


def _request_of_card(request: HttpRequest, card_id: int) -> Request:
    """The request on the card, for someone who may change it: 404 outside the
    organisation or on a card that is no request, 403 for a viewer."""
    card = card_get_for_user(membership=request.membership, card_id=card_id)
    require_editor(request.membership)
    found = Request.objects.select_related("organization", "team").filter(card=card).first()
    if found is None:
        raise Http404
    return found


def _back(request: HttpRequest, card_id: int) -> HttpResponse:
    url = reverse(
        "kanban:card_detail", kwargs={"org_slug": request.organization.slug, "card_id": card_id}
    )
    return redirect(f"{url}#request")


def _change(
    request: HttpRequest, card_id: int, service: Callable[..., Request], done: str
) -> HttpResponse:
    found = _request_of_card(request, card_id)
    try:
        service(actor=request.membership, request=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return _back(request, card_id)


@organization_view
@require_POST
def request_wait(request: HttpRequest, card_id: int) -> HttpResponse:
    """Waiting on the requester: the clocks pause."""
    return _change(
        request,
        card_id,
        clocks.request_wait,
        _("Waiting on the requester: the response clocks are paused."),
    )


@organization_view
@require_POST
def request_resume(request: HttpRequest, card_id: int) -> HttpResponse:
    """The requester answered: the clocks run again."""
    return _change(request, card_id, clocks.request_resume, _("The response clocks run again."))
