"""The scan of the response clocks: at 75% of a target the Responsible is warned, when it
is missed the Accountable and the team's chat group are told, each once however often the
scan runs; in each reader's language; quietly on a quiet day; the command's --dry-run
sends nothing; and the scan's queries do not grow with the clocks it finds.

Product's "Data pull" has 2 working hours to a first response (warned at 11:30 for a
request sent at 10:00, missed at 12:00)."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command

from intake.clocks import request_wait
from intake.models import ResponseClock
from intake.notifications import MISSED, WARNING, plan_alerts, send_clock_alerts
from opsboard.notify.chat import Provider
from opsboard.notify.models import Channel, ChatWebhook, Notification, Preference
from tests.chat_server import ChatServer
from tests.conftest import Tenant
from tests.factories import TeamFactory
from tests.intake.clock_setup import FIRST, Desk, at, clock, desk, with_raci


@pytest.fixture
def product(tenant: Tenant) -> Desk:
    return desk(tenant, plan=None, resolution=None)


def group(product: Desk, server: ChatServer, team=None) -> ChatWebhook:
    team = team or product.team
    return ChatWebhook.objects.create(
        organization_id=product.tenant.organization.pk,
        team_id=team.pk,
        name=f"{team.name} group",
        provider=Provider.SLACK,
        url=server.url(f"/services/T0/B0/{team.pk}-hook"),
    )


def rows(kind: str) -> list[tuple[str, str]]:
    """(recipient's email or the chat group's name, channel) of the ledger's rows of ``kind``."""
    return sorted(
        (row.recipient.email if row.recipient else row.webhook.name, row.channel)
        for row in Notification.objects.filter(kind=kind).select_related("recipient", "webhook")
    )


def test_the_responsible_is_warned_once_then_the_accountable_and_the_group_told_once(
    product: Desk, chat_server: ChatServer, django_capture_on_commit_callbacks
) -> None:
    tenant = product.tenant
    request = with_raci(product, product.send(at("2026-11-18T10:00")))
    group(product, chat_server)
    group(product, chat_server, TeamFactory(organization=tenant.organization, name="Finance"))

    assert send_clock_alerts(now=at("2026-11-18T11:29")) == []
    with django_capture_on_commit_callbacks(execute=True):
        for _run in range(2):  # the second finds it warned
            send_clock_alerts(now=at("2026-11-18T11:30"))
    assert rows(WARNING) == [(tenant.member.user.email, Channel.EMAIL)]
    assert clock(request, FIRST).warned_at == at("2026-11-18T11:30")
    [warning] = mail.outbox
    assert warning.to == [tenant.member.user.email]
    assert "“Churn data for October”: First response due soon" in warning.subject
    text, html = warning.body, warning.alternatives[0][0]
    for body in (text, html):
        assert "three quarters of its First response target of 2 h working time" in body
        assert "Wed, Nov 18 12:00" in body or "Nov 18" in body
        assert "You are Responsible for it." in body
    assert f"?card={request.card_id}#request" in text

    with django_capture_on_commit_callbacks(execute=True):
        for _run in range(2):
            send_clock_alerts(now=at("2026-11-18T12:05"))
    assert rows(MISSED) == [
        ("Product group", Channel.CHAT),
        (tenant.lead.user.email, Channel.EMAIL),
    ]
    assert clock(request, FIRST).breached_at == at("2026-11-18T12:05")
    assert len(mail.outbox) == 2
    assert "First response target missed" in mail.outbox[1].subject
    assert "You are Accountable for it." in mail.outbox[1].body
    [post] = [r.body["text"] for r in chat_server.received]
    assert "Product · Response target missed" in post
    assert "Churn data for October" in post
    assert rows(WARNING) == [(tenant.member.user.email, Channel.EMAIL)]


def test_a_scan_that_comes_late_tells_only_the_miss(product: Desk) -> None:
    tenant = product.tenant
    request = with_raci(product, product.send(at("2026-11-18T10:00")))
    [alert] = send_clock_alerts(now=at("2026-11-18T13:00"))
    assert alert.kind == MISSED
    assert rows(WARNING) == []
    assert rows(MISSED) == [(tenant.lead.user.email, Channel.EMAIL)]
    found = clock(request, FIRST)
    assert found.warned_at == found.breached_at == at("2026-11-18T13:00")
    assert send_clock_alerts(now=at("2026-11-18T14:00")) == []


def test_paused_and_stopped_clocks_are_not_scanned(product: Desk) -> None:
    tenant = product.tenant
    waiting = with_raci(product, product.send(at("2026-11-18T10:00"), "Waiting"))
    with_raci(product, product.send(at("2026-11-18T10:00"), "Answered"))
    request_wait(actor=tenant.member, request=waiting)
    ResponseClock.objects.filter(request__card__title="Answered").update(
        running_since=None, warn_at=None, due_at=None, stopped_at=at("2026-11-18T10:30")
    )
    assert send_clock_alerts(now=at("2026-11-19T10:00")) == []


def test_in_each_readers_language_and_quietly_on_a_quiet_day(product: Desk) -> None:
    tenant = product.tenant
    member = tenant.member.user
    member.language = "zh-hans"
    member.save()
    # Wednesday is quiet for the Responsible: the warning waits in the app.
    Preference.objects.create(user=member, quiet_weekdays="2")
    with_raci(product, product.send(at("2026-11-18T10:00")))
    send_clock_alerts(now=at("2026-11-18T11:30"))
    [row] = Notification.objects.filter(kind=WARNING)
    assert row.channel == Channel.IN_APP
    assert "首次响应" in row.title
    assert "即将到期" in row.title


def test_the_command_dry_run_sends_and_marks_nothing(product: Desk) -> None:
    tenant = product.tenant
    request = with_raci(product, product.send(at("2026-11-18T10:00")))
    out = io.StringIO()
    call_command(
        "scan_response_clocks", "--dry-run", "--now", "2026-11-18T11:45:00+08:00", stdout=out
    )
    assert (
        f"Churn data for October (first_response, due Wed 2026-11-18 12:00 Asia/Shanghai): warning to {tenant.member.user.email}"
        in out.getvalue()
    )
    assert "1 clock alerts would send." in out.getvalue()
    assert Notification.objects.count() == 0
    assert clock(request, FIRST).warned_at is None
    out = io.StringIO()
    call_command("scan_response_clocks", "--now", "2026-11-18T11:45:00+08:00", stdout=out)
    assert "1 clock alerts sent." in out.getvalue()
    assert rows(WARNING) == [(tenant.member.user.email, Channel.EMAIL)]


def test_the_scans_queries_do_not_grow_with_the_clocks(
    product: Desk, chat_server: ChatServer, django_assert_num_queries
) -> None:
    group(product, chat_server)
    with_raci(product, product.send(at("2026-11-18T10:00"), "First"))
    with django_assert_num_queries(0 + 2):  # nothing due: the two index reads
        assert plan_alerts(now=at("2026-11-18T11:00")) == []
    # Missed: the two reads, the clocks, the cards, the Accountable, the people, the chat
    # groups.
    with django_assert_num_queries(7):
        assert len(plan_alerts(now=at("2026-11-18T12:30"))) == 1
    for n in range(9):
        with_raci(product, product.send(at("2026-11-18T10:00"), f"More {n}"))
    with django_assert_num_queries(7):
        assert len(plan_alerts(now=at("2026-11-18T12:30"))) == 10
