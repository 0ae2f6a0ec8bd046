"""The response clocks through a request's life: they start at submission, pause while the
team waits on the requester (overnight too), stop at the first reply, at the plan and at
done, and a reopened request's resolution counts on; each transition keeps ``worked``,
``running_since``, ``warn_at`` and ``due_at`` consistent with the working calendar.

Product works 09:00-18:00 Shanghai; its "Data pull" has 2 working hours to a first
response, 24 to a plan and 40 to resolution."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from intake.clocks import request_resume, request_wait
from intake.models import ClockStatus, RequestState, StopReason
from kanban.models import ColumnKind
from kanban.services import CardInput, card_assign, card_move, card_update, comment_add
from opsboard.tenancy.models import Role
from tests.conftest import Tenant
from tests.factories import MembershipFactory
from tests.intake.clock_setup import FIRST, PLAN, RESOLUTION, Desk, at, clock, desk

H = dt.timedelta(hours=1)


@pytest.fixture
def product(tenant: Tenant) -> Desk:
    return desk(tenant)


def test_clocks_start_at_submission_with_their_moments(product: Desk) -> None:
    request = product.send(at("2026-11-18T10:00"))
    expected = {
        FIRST: (at("2026-11-18T11:30"), at("2026-11-18T12:00")),
        PLAN: (at("2026-11-20T10:00"), at("2026-11-20T16:00")),
        # 8 + 9 + 9 hours to Friday night, then Monday and Tuesday.
        RESOLUTION: (at("2026-11-23T13:00"), at("2026-11-24T14:00")),
    }
    for kind, (warn_at, due_at) in expected.items():
        found = clock(request, kind)
        assert (found.started_at, found.running_since) == (request.submitted_at,) * 2
        assert (found.warn_at, found.due_at, found.worked) == (warn_at, due_at, dt.timedelta(0))
        assert found.status(at("2026-11-18T10:30")) == ClockStatus.RUNNING


def test_a_type_without_a_target_has_no_clock_for_it(tenant: Tenant) -> None:
    request = desk(tenant, plan=None, resolution=None).send(at("2026-11-18T10:00"))
    assert list(request.clocks.values_list("kind", flat=True)) == [FIRST]


def test_the_first_reply_to_the_requester_stops_the_first_response(product: Desk) -> None:
    request = product.send(at("2026-11-18T10:00"))
    with time_machine.travel(at("2026-11-18T10:30"), tick=False):
        comment_add(actor=product.requester, card=request.card, body="Also September, please.")
    assert clock(request, FIRST).stopped_at is None  # the requester's own words
    with time_machine.travel(at("2026-11-18T11:00"), tick=False):
        comment_add(actor=product.tenant.member, card=request.card, body="On it.")
    first = clock(request, FIRST)
    assert (first.stopped_at, first.stopped_by, first.on_time) == (
        at("2026-11-18T11:00"),
        StopReason.REPLY,
        True,
    )
    assert (first.worked, first.running_since, first.warn_at, first.due_at) == (H, None, None, None)
    assert first.status(at("2026-11-19T00:00")) == ClockStatus.MET
    assert clock(request, PLAN).running_since is not None
    # A second reply changes nothing.
    with time_machine.travel(at("2026-11-18T15:00"), tick=False):
        comment_add(actor=product.tenant.lead, card=request.card, body="Tomorrow.")
    assert clock(request, FIRST).worked == H


def test_a_late_reply_misses_the_target(product: Desk) -> None:
    request = product.send(at("2026-11-18T10:00"))
    assert clock(request, FIRST).status(at("2026-11-18T12:01")) == ClockStatus.MISSED
    with time_machine.travel(at("2026-11-18T14:00"), tick=False):
        comment_add(actor=product.tenant.member, card=request.card, body="Sorry, busy.")
    first = clock(request, FIRST)
    assert (first.worked, first.on_time) == (4 * H, False)
    assert first.status(at("2026-11-19T00:00")) == ClockStatus.MISSED


def test_waiting_on_the_requester_overnight(tenant: Tenant) -> None:
    """4 working hours to a first response: sent Tuesday 16:00, waiting from 17:00, the
    requester answers at 08:30 on Wednesday: three hours left from 09:00."""
    product = desk(tenant, first_response=240, plan=None, resolution=None)
    request = product.send(at("2026-11-17T16:00"))
    with time_machine.travel(at("2026-11-17T17:00"), tick=False):
        request_wait(actor=tenant.member, request=request)
    request.refresh_from_db()
    assert (request.state, request.waiting_since) == (RequestState.WAITING, at("2026-11-17T17:00"))
    first = clock(request, FIRST)
    assert (first.worked, first.running_since, first.warn_at, first.due_at) == (H, None, None, None)
    assert first.status(at("2026-11-18T08:00")) == ClockStatus.PAUSED
    with time_machine.travel(at("2026-11-18T08:30"), tick=False):
        comment_add(actor=product.requester, card=request.card, body="Here is the list.")
    request.refresh_from_db()
    assert (request.state, request.waiting_since) == (RequestState.OPEN, None)
    first = clock(request, FIRST)
    assert (first.worked, first.running_since) == (H, at("2026-11-18T08:30"))
    assert (first.warn_at, first.due_at) == (at("2026-11-18T11:00"), at("2026-11-18T12:00"))


def test_the_team_resumes_by_hand(tenant: Tenant) -> None:
    product = desk(tenant, first_response=240, plan=None, resolution=None)
    request = product.send(at("2026-11-17T16:00"))
    with time_machine.travel(at("2026-11-17T17:00"), tick=False):
        request_wait(actor=tenant.member, request=request)
    with time_machine.travel(at("2026-11-18T10:00"), tick=False):
        request_resume(actor=tenant.lead, request=request)
    first = clock(request, FIRST)
    assert (first.worked, first.due_at) == (H, at("2026-11-18T13:00"))
    with pytest.raises(ValidationError, match="not waiting"):
        request_resume(actor=tenant.lead, request=request)


def test_who_may_make_a_request_wait(product: Desk) -> None:
    tenant = product.tenant
    request = product.send(at("2026-11-18T10:00"))
    with pytest.raises(PermissionDenied):
        request_wait(actor=tenant.viewer, request=request)
    outsider = MembershipFactory(
        organization=tenant.organization, role=Role.LEAD, teams=[product.engineering]
    )
    with pytest.raises(PermissionDenied):
        request_wait(actor=outsider, request=request)
    request_wait(actor=tenant.manager, request=request)  # managers of the organisation may
    with pytest.raises(ValidationError, match="Only an open request"):
        request_wait(actor=tenant.member, request=request)
    assert clock(request, FIRST).running_since is None


def test_an_owner_and_a_due_date_stop_the_plan(product: Desk) -> None:
    request = product.send(at("2026-11-18T10:00"))
    card = request.card
    with time_machine.travel(at("2026-11-18T11:00"), tick=False):
        card = card_assign(
            actor=product.tenant.lead, card=card, assignee=product.tenant.member.user
        )
    assert clock(request, PLAN).stopped_at is None  # an owner, no due date yet
    with time_machine.travel(at("2026-11-18T12:00"), tick=False):
        card_update(
            actor=product.tenant.lead,
            card=card,
            data=CardInput(
                title=card.title, assignee=card.assignee, due_date=dt.date(2026, 11, 25)
            ),
        )
    plan = clock(request, PLAN)
    assert (plan.stopped_at, plan.stopped_by, plan.worked, plan.on_time) == (
        at("2026-11-18T12:00"),
        StopReason.PLAN,
        2 * H,
        True,
    )
    assert clock(request, RESOLUTION).stopped_at is None


def test_done_stops_every_clock_and_reopening_resumes_the_resolution(product: Desk) -> None:
    request = product.send(at("2026-11-18T10:00"))
    lead = product.tenant.lead
    with time_machine.travel(at("2026-11-19T10:00"), tick=False):
        card_move(actor=lead, card=request.card, column=product.column(ColumnKind.DONE))
    request.refresh_from_db()
    assert (request.state, request.done_at) == (RequestState.DONE, at("2026-11-19T10:00"))
    stopped = {kind: clock(request, kind) for kind in (FIRST, PLAN, RESOLUTION)}
    assert {kind: (c.stopped_by, c.worked, c.on_time) for kind, c in stopped.items()} == {
        FIRST: (StopReason.DONE, 9 * H, False),
        PLAN: (StopReason.DONE, 9 * H, True),
        RESOLUTION: (StopReason.DONE, 9 * H, True),
    }

    # Moved out of done on Friday morning: 31 hours left to the resolution.
    with time_machine.travel(at("2026-11-20T09:00"), tick=False):
        card_move(actor=lead, card=request.card, column=product.column(ColumnKind.DOING))
    request.refresh_from_db()
    assert (request.state, request.done_at) == (RequestState.OPEN, None)
    resolution = clock(request, RESOLUTION)
    assert (resolution.stopped_at, resolution.on_time, resolution.worked) == (None, None, 9 * H)
    assert (resolution.running_since, resolution.due_at) == (
        at("2026-11-20T09:00"),
        at("2026-11-25T13:00"),
    )
    assert clock(request, FIRST).stopped_by == StopReason.DONE  # only the resolution resumes

    with time_machine.travel(at("2026-11-20T12:00"), tick=False):
        card_move(actor=lead, card=request.card, column=product.column(ColumnKind.DONE))
    resolution = clock(request, RESOLUTION)
    assert (resolution.stopped_by, resolution.worked, resolution.on_time) == (
        StopReason.DONE,
        12 * H,
        True,
    )


def test_a_team_in_another_time_zone(product: Desk) -> None:
    """Product works from Berlin on its Shanghai organisation's calendar: 17:30 in Shanghai
    is 11:30 in Berlin, two hours to 13:30 there."""
    product.team.timezone = "Europe/Berlin"
    product.team.save()
    request = product.send(at("2026-09-30T17:30"))
    berlin = ZoneInfo("Europe/Berlin")
    first = clock(request, FIRST)
    assert (first.warn_at, first.due_at) == (
        at("2026-09-30T13:00", berlin),
        at("2026-09-30T13:30", berlin),
    )


def test_the_friday_before_national_day(product: Desk) -> None:
    """Sent at 17:30 on Friday 25 September 2026, the Mid-Autumn Festival: nothing counts
    until Monday; the plan's day runs to Wednesday 30 September, the last working day."""
    request = product.send(at("2026-09-25T17:30"))
    assert clock(request, FIRST).due_at == at("2026-09-28T11:00")
    assert clock(request, PLAN).due_at == at("2026-09-30T15:00")
    # 27 hours before the holiday, 9 on Thursday 8 October, 4 on Friday.
    assert clock(request, RESOLUTION).due_at == at("2026-10-09T13:00")
