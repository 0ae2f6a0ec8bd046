"""The response clocks' lifecycle: each target of a request's type (first response, plan,
resolution) is a clock that counts the team's working time from the request's submission.

- Waiting on the requester pauses every running clock; the requester's answer (a comment
  of theirs, or the team's "Resume") runs them again.
- The first reply to the requester (a comment on the card by anyone else) stops the first
  response; an owner and a due date on the card stop the plan; the card reaching a done
  column stops them all; moved out of it again (reopened), the resolution runs again.

Working time is the organisation's calendar and working hours read in the team's time zone
(``opsboard.tenancy.calendar``). Every transition locks the request's row, then its clocks
by primary key, and leaves each clock consistent: ``worked`` holds the time counted before
the current run; a running clock has ``running_since`` and the moments it reaches 75%
(``warn_at``) and 100% (``due_at``) of its target, which the scan reads off an index; a
paused or stopped one has none of them; a stopped one says whether it was ``on_time``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanban.models import Card, ColumnKind
from opsboard.tenancy.access import require_editor
from opsboard.tenancy.calendar import WorkingCalendar, calendar_for
from opsboard.tenancy.models import Membership

from .models import ClockKind, Request, RequestState, ResponseClock, StopReason

# The Responsible is warned at this share of a target.
WARNING_SHARE = 0.75
CLOCK_FIELDS = [
    "running_since",
    "worked",
    "warn_at",
    "due_at",
    "stopped_at",
    "stopped_by",
    "on_time",
]


class Clocks:
    """A request's clocks, locked, with the calendar and zone they count in."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.calendar: WorkingCalendar = calendar_for(request.organization)
        self.zone: ZoneInfo = request.team.zone
        self.all = list(
            ResponseClock.objects.select_for_update().filter(request=request).order_by("pk")
        )
        self.changed: set[int] = set()

    def of(self, *kinds: str) -> list[ResponseClock]:
        return [clock for clock in self.all if clock.kind in kinds]

    def run(self, clock: ResponseClock, at: datetime) -> None:
        clock.running_since = at
        schedule(clock, calendar=self.calendar, zone=self.zone)
        self.changed.add(clock.pk)

    def pause(self, clock: ResponseClock, at: datetime) -> None:
        if clock.running_since is not None:
            clock.worked += self.calendar.working_time(clock.running_since, at, zone=self.zone)
        clock.running_since = clock.warn_at = clock.due_at = None
        self.changed.add(clock.pk)

    def stop(self, clock: ResponseClock, at: datetime, reason: str) -> None:
        if clock.stopped_at is not None:
            return
        self.pause(clock, at)
        clock.stopped_at = at
        clock.stopped_by = reason
        clock.on_time = clock.worked <= clock.target

    def save(self) -> None:
        changed = [clock for clock in self.all if clock.pk in self.changed]
        if changed:
            ResponseClock.objects.bulk_update(changed, CLOCK_FIELDS)


def schedule(clock: ResponseClock, *, calendar: WorkingCalendar, zone: ZoneInfo) -> None:
    """Set a running clock's ``warn_at`` and ``due_at`` from what it has worked so far."""
    assert clock.running_since is not None
    warning = clock.target * WARNING_SHARE
    clock.warn_at = calendar.add_working_time(
        clock.running_since, max(warning - clock.worked, timedelta(0)), zone=zone
    )
    clock.due_at = calendar.add_working_time(
        clock.running_since, max(clock.target - clock.worked, timedelta(0)), zone=zone
    )


def worked_until(
    clock: ResponseClock, now: datetime, *, calendar: WorkingCalendar, zone: ZoneInfo
) -> timedelta:
    """The working time a clock has counted by ``now``."""
    if clock.running_since is None:
        return clock.worked
    return clock.worked + calendar.working_time(clock.running_since, now, zone=zone)


class WorkingHours:
    """Working time as people count it on a clock, "1 h 30 min", 「1 小时 30 分钟」, in the
    language active when it is shown (an email renders it in its reader's)."""

    def __init__(self, duration: timedelta) -> None:
        self.duration = duration

    def __str__(self) -> str:
        minutes = int(abs(self.duration).total_seconds()) // 60
        hours, minutes = divmod(minutes, 60)
        if not hours:
            return _("%(minutes)d min") % {"minutes": minutes}
        if not minutes:
            return _("%(hours)d h") % {"hours": hours}
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}


def _locked(**lookup: object) -> Request | None:
    request = (
        Request.objects.select_for_update(of=("self",))
        .select_related("organization", "team")
        .filter(**lookup)
        .first()
    )
    if request is not None:
        request.team.organization = request.organization  # the team's zone falls back to it
    return request


def _plan_set(card: Card) -> bool:
    return bool(card.assignee_id and card.due_date)


# Starting ---------------------------------------------------------------------


@transaction.atomic
def start_clocks(*, request: Request) -> list[ResponseClock]:
    """One running clock per target the request's type has, from its submission; the plan
    stopped at once when the card already has an owner and a due date."""
    request_type = request.request_type
    calendar = calendar_for(request.organization)
    zone = request.team.zone
    clocks = []
    for kind in ClockKind.values:
        minutes = request_type.target_minutes(kind)
        if minutes is None:
            continue
        clock = ResponseClock(
            request=request,
            kind=kind,
            target_minutes=minutes,
            started_at=request.submitted_at,
            running_since=request.submitted_at,
        )
        schedule(clock, calendar=calendar, zone=zone)
        if kind == ClockKind.PLAN and _plan_set(request.card):
            clock.running_since = clock.warn_at = clock.due_at = None
            clock.stopped_at = request.submitted_at
            clock.stopped_by = StopReason.PLAN
            clock.on_time = True
        clocks.append(clock)
    return ResponseClock.objects.bulk_create(clocks)


# The team waits on the requester, and the requester answers ---------------------


def _check_team(actor: Membership, request: Request) -> None:
    """The team's members who may edit (and the organisation's managers) wait and resume."""
    require_editor(actor)
    if actor.organization_id != request.organization_id:
        raise PermissionDenied
    if not actor.can_manage and not actor.teams.filter(pk=request.team_id).exists():
        raise PermissionDenied(_("Only the members of the team asked can do this."))


def _pause_all(request: Request, at: datetime) -> None:
    clocks = Clocks(request)
    for clock in clocks.all:
        if clock.running_since is not None:
            clocks.pause(clock, at)
    clocks.save()


def _resume_all(request: Request, at: datetime) -> None:
    clocks = Clocks(request)
    for clock in clocks.all:
        if clock.stopped_at is None and clock.running_since is None:
            clocks.run(clock, at)
    clocks.save()


def _stop(request: Request, at: datetime, reason: str, *kinds: str) -> None:
    clocks = Clocks(request)
    for clock in clocks.of(*kinds):
        clocks.stop(clock, at, reason)
    clocks.save()


@transaction.atomic
def request_wait(*, actor: Membership, request: Request) -> Request:
    """The team waits on the requester: the request waits and its clocks pause."""
    _check_team(actor, request)
    request = _locked(pk=request.pk)
    if request is None or request.state != RequestState.OPEN:
        raise ValidationError(_("Only an open request can wait on its requester."))
    now = timezone.now()
    request.state = RequestState.WAITING
    request.waiting_since = now
    request.save(update_fields=["state", "waiting_since"])
    _pause_all(request, now)
    return request


def _resume(request: Request, at: datetime) -> None:
    request.state = RequestState.OPEN
    request.waiting_since = None
    request.save(update_fields=["state", "waiting_since"])
    _resume_all(request, at)


@transaction.atomic
def request_resume(*, actor: Membership, request: Request) -> Request:
    """The team stops waiting (the requester answered elsewhere): the clocks run again."""
    _check_team(actor, request)
    request = _locked(pk=request.pk)
    if request is None or request.state != RequestState.WAITING:
        raise ValidationError(_("This request is not waiting on its requester."))
    _resume(request, timezone.now())
    return request


# What happens on the card -------------------------------------------------------


@transaction.atomic
def clocks_comment_added(*, card_id: int, author_id: int | None, at: datetime) -> None:
    """A comment on a request's card: the requester's answers a waiting request; anyone
    else's is a reply to the requester, which stops the first response."""
    request = _locked(card_id=card_id)
    if request is None or request.state == RequestState.CLOSED:
        return
    if author_id is not None and author_id == request.requester_id:
        if request.state == RequestState.WAITING:
            _resume(request, at)
        return
    _stop(request, at, StopReason.REPLY, ClockKind.FIRST_RESPONSE)


@transaction.atomic
def clocks_plan_changed(*, card: Card, at: datetime) -> None:
    """An owner or a due date changed: with both, the plan is set and its clock stops."""
    if not _plan_set(card):
        return
    request = _locked(card_id=card.pk)
    if request is None:
        return
    _stop(request, at, StopReason.PLAN, ClockKind.PLAN)


@transaction.atomic
def clocks_card_done(*, card_id: int, at: datetime) -> None:
    """The card reached a done column: every clock stops, the request is done (for its
    requester to confirm or reopen)."""
    request = _locked(card_id=card_id)
    if request is None or request.state in (RequestState.DONE, RequestState.CLOSED):
        return
    request.state = RequestState.DONE
    request.waiting_since = None
    request.done_at = at
    request.save(update_fields=["state", "waiting_since", "done_at"])
    _stop(request, at, StopReason.DONE, *ClockKind.values)


@transaction.atomic
def clocks_reopen(*, request: Request, at: datetime) -> None:
    """The request is open again after it was done (the requester reopened it, or the team
    moved its card out of the done column): the resolution counts on from what it had."""
    request = _locked(pk=request.pk)
    if request is None or request.state == RequestState.CLOSED:
        return
    if request.state == RequestState.DONE:
        request.state = RequestState.OPEN
        request.done_at = None
        request.save(update_fields=["state", "done_at"])
    clocks = Clocks(request)
    for clock in clocks.of(ClockKind.RESOLUTION):
        if clock.stopped_by == StopReason.DONE:
            clock.stopped_at = None
            clock.stopped_by = ""
            clock.on_time = None
            clocks.run(clock, at)
    clocks.save()


def clocks_card_moved(*, card_id: int, from_kind: str, to_kind: str, at: datetime) -> None:
    """A move into a done column stops the clocks; one out of it reopens the request."""
    if to_kind == ColumnKind.DONE and from_kind != ColumnKind.DONE:
        clocks_card_done(card_id=card_id, at=at)
    elif from_kind == ColumnKind.DONE and to_kind != ColumnKind.DONE:
        request = Request.objects.filter(card_id=card_id).only("pk").first()
        if request is not None:
            clocks_reopen(request=request, at=at)
