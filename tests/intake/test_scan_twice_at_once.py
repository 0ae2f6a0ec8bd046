"""Two scans at the same moment (two beats, or a beat and the command by hand), each on its
own connection: every clock is told once, and its ledger rows written once. And the team
making a request wait while someone replies on its card: the clocks stay whole."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from intake.clocks import clocks_comment_added, request_wait
from intake.models import RequestState, StopReason
from intake.notifications import WARNING, send_clock_alerts
from opsboard.notify.models import Notification
from tests.concurrency import in_lockstep
from tests.conftest import Tenant
from tests.intake.clock_setup import FIRST, PLAN, at, clock, desk, with_raci

pytestmark = pytest.mark.django_db(transaction=True)
H = dt.timedelta(hours=1)


def test_two_scans_at_once_tell_each_clock_once(tenant: Tenant) -> None:
    product = desk(tenant, plan=None, resolution=None)
    requests = [
        with_raci(product, product.send(at("2026-11-18T10:00"), f"Request {n}")) for n in range(8)
    ]
    now = at("2026-11-18T11:40")
    told = in_lockstep(
        [lambda: send_clock_alerts(now=now)],
        [lambda: send_clock_alerts(now=now)],
    )
    assert sorted(len(alerts) for alerts in told) in ([0, 8], [1, 7], [2, 6], [3, 5], [4, 4])
    assert sum(len(alerts) for alerts in told) == 8
    assert Notification.objects.filter(kind=WARNING).count() == 8
    assert all(clock(request, FIRST).warned_at == now for request in requests)


def test_waiting_and_a_reply_at_once_leave_the_clocks_whole(tenant: Tenant) -> None:
    product = desk(tenant, resolution=None)
    request = product.send(at("2026-11-18T10:00"))
    moment = at("2026-11-18T11:00")
    with time_machine.travel(moment, tick=False):
        in_lockstep(
            [lambda: request_wait(actor=tenant.lead, request=request)],
            [
                lambda: clocks_comment_added(
                    card_id=request.card_id, author_id=tenant.member.user.pk, at=moment
                )
            ],
        )
    request.refresh_from_db()
    assert (request.state, request.waiting_since) == (RequestState.WAITING, moment)
    first = clock(request, FIRST)
    assert (first.stopped_by, first.worked, first.on_time) == (StopReason.REPLY, H, True)
    assert (first.running_since, first.due_at) == (None, None)
    plan = clock(request, PLAN)
    assert (plan.running_since, plan.warn_at, plan.due_at, plan.stopped_at) == (None,) * 4
    assert plan.worked == H  # paused once, whichever went first
