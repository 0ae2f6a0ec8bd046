"""A request's whole life through the services people use, the clocks following on their
own: sent (clocks start), answered by the team (first response stops), given an owner and
a due date (the plan stops), finished (the request is done, resolution stops), reopened by
its requester (resolution counts on), finished again and confirmed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from intake.models import ClockKind, Request, RequestState, ResponseClock, StopReason
from intake.services import request_confirm, request_reopen, request_submit
from kanban.models import ColumnKind
from kanban.services import CardInput, card_move, card_update, comment_add
from tests.conftest import Tenant
from tests.intake.requesting import Intake, make_intake

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 16, 10, tzinfo=SHANGHAI)


@pytest.fixture
def intake(tenant: Tenant) -> Intake:
    return make_intake(tenant)


def clocks(sent: Request) -> dict[str, ResponseClock]:
    return {clock.kind: clock for clock in ResponseClock.objects.filter(request=sent)}


def test_the_clocks_follow_the_request_from_sending_to_confirming(
    tenant: Tenant, intake: Intake
) -> None:
    intake.data_pull.resolution_minutes = 3 * 9 * 60
    intake.data_pull.save()
    with time_machine.travel(MONDAY, tick=False):
        sent = request_submit(
            actor=tenant.member,
            request_type=intake.data_pull,
            title="Churned users",
            answers={intake.key("Which data"): "Cancellations", intake.key("Format"): "CSV"},
        )
    started = clocks(sent)
    assert set(started) == {ClockKind.FIRST_RESPONSE, ClockKind.PLAN, ClockKind.RESOLUTION}
    assert all(clock.running_since == MONDAY for clock in started.values())
    # Two working hours from 10:00: the first response is due at noon, warned at 11:30.
    first = started[ClockKind.FIRST_RESPONSE]
    assert (first.warn_at, first.due_at) == (
        MONDAY + dt.timedelta(minutes=90),
        MONDAY + dt.timedelta(hours=2),
    )

    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        comment_add(actor=intake.analyst, card=sent.card, body="On it: by Wednesday.")
    with time_machine.travel(MONDAY + dt.timedelta(hours=3), tick=False):
        card = sent.card
        card.refresh_from_db()
        card_update(
            actor=intake.analyst,
            card=card,
            data=CardInput(
                title=card.title, assignee=intake.analyst.user, due_date=dt.date(2026, 11, 18)
            ),
        )
    answered = clocks(sent)
    assert (
        answered[ClockKind.FIRST_RESPONSE].stopped_by,
        answered[ClockKind.FIRST_RESPONSE].on_time,
    ) == (
        StopReason.REPLY,
        True,
    )
    assert answered[ClockKind.FIRST_RESPONSE].worked == dt.timedelta(hours=1)
    assert answered[ClockKind.PLAN].stopped_by == StopReason.PLAN
    assert answered[ClockKind.RESOLUTION].running_since == MONDAY

    done = intake.board.columns.get(kind=ColumnKind.DONE)
    with time_machine.travel(MONDAY + dt.timedelta(hours=5), tick=False):
        card_move(actor=intake.analyst, card=sent.card, column=done)
    sent.refresh_from_db()
    assert sent.state == RequestState.DONE
    resolution = clocks(sent)[ClockKind.RESOLUTION]
    assert (resolution.stopped_by, resolution.worked) == (StopReason.DONE, dt.timedelta(hours=5))

    # Tuesday morning the requester finds a column missing: the card goes back, the
    # resolution counts on from its five hours.
    tuesday = MONDAY + dt.timedelta(days=1, hours=-1)
    with time_machine.travel(tuesday, tick=False):
        sent = request_reopen(
            actor=tenant.member, request=sent, reason="The plan column is missing."
        )
    assert (sent.state, sent.reopened, sent.card.column_id) == (
        RequestState.OPEN,
        1,
        intake.landing.pk,
    )
    resolution = clocks(sent)[ClockKind.RESOLUTION]
    assert (resolution.stopped_at, resolution.running_since) == (None, tuesday)
    assert resolution.worked == dt.timedelta(hours=5)

    with time_machine.travel(tuesday + dt.timedelta(hours=2), tick=False):
        card_move(actor=intake.analyst, card=sent.card, column=done)
        sent = request_confirm(actor=tenant.member, request=sent)
    assert sent.state == RequestState.CLOSED
    resolution = clocks(sent)[ClockKind.RESOLUTION]
    assert (resolution.worked, resolution.on_time) == (dt.timedelta(hours=7), True)
