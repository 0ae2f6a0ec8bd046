"""Activity on followed cards by email, as each person chose: at once, or one email an
hour, or one a day from their reminder hour; in the app at once whatever they chose."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from kanban.activity import BUNDLE, send_activity_bundles
from kanban.services import card_move, comment_add
from opsboard.notify.models import ActivityEmail, Channel, Notification, Preference
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def card(tenant: Tenant, kanban: BoardSetup):
    return kanban.add(tenant, "Churn analysis", assignee=tenant.member.user)


def change(tenant, kanban, card, moment, capture, body="Numbers are in") -> None:
    with time_machine.travel(moment, tick=False), capture(execute=True):
        comment_add(actor=tenant.lead, card=card, body=body)


def bundles() -> list[tuple[int, str]]:
    return list(
        Notification.objects.filter(kind=BUNDLE)
        .order_by("pk")
        .values_list("recipient_id", "period")
    )


def test_hourly_is_the_default_one_email_for_each_hour_with_changes(
    tenant: Tenant, kanban: BoardSetup, card, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    change(tenant, kanban, card, at(18, 10, 5), capture)
    with time_machine.travel(at(18, 10, 40), tick=False), capture(execute=True):
        card_move(actor=tenant.lead, card=card, column=kanban.doing)
    change(tenant, kanban, card, at(18, 11, 10), capture, body="Second look")

    assert send_activity_bundles(now=at(18, 10, 59)) == []  # the hour has not ended
    with capture(execute=True):
        sent = send_activity_bundles(now=at(18, 11, 15))
    assert [(b.recipient.pk, b.period, b.count) for b in sent] == [
        (tenant.member.user_id, "2026-11-18T10", 2)
    ]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [tenant.member.user.email]
    assert "2 changes on cards you follow" in message.subject
    assert "commented on “Churn analysis”" in message.body
    assert "moved “Churn analysis” from To do to In progress" in message.body
    assert "Second look" not in message.body  # the next hour's
    html = message.alternatives[0][0]
    assert "Numbers are in" in html and "Churn analysis" in html

    # Run again, or by a second beat: nothing more for that hour.
    with capture(execute=True):
        assert send_activity_bundles(now=at(18, 11, 30)) == []
    with capture(execute=True):
        later = send_activity_bundles(now=at(18, 12, 0))
    assert [b.period for b in later] == ["2026-11-18T11"]
    assert bundles() == [
        (tenant.member.user_id, "2026-11-18T10"),
        (tenant.member.user_id, "2026-11-18T11"),
    ]
    assert len(mail.outbox) == 2


def test_what_was_read_in_the_app_is_not_emailed(
    tenant: Tenant, kanban: BoardSetup, card, django_capture_on_commit_callbacks
):
    change(tenant, kanban, card, at(18, 10, 5), django_capture_on_commit_callbacks)
    Notification.objects.filter(recipient=tenant.member.user).update(read_at=at(18, 10, 30))
    assert send_activity_bundles(now=at(18, 11, 5)) == []


def test_daily_from_the_reminder_hour(
    tenant: Tenant, kanban: BoardSetup, card, django_capture_on_commit_callbacks
):
    Preference.objects.create(
        user=tenant.member.user, activity_email=ActivityEmail.DAILY, reminder_hour=9
    )
    capture = django_capture_on_commit_callbacks
    change(tenant, kanban, card, at(18, 8, 30), capture, body="Before nine")
    change(tenant, kanban, card, at(18, 10, 5), capture)
    change(tenant, kanban, card, at(18, 23, 50), capture, body="Late")

    with capture(execute=True):
        first = send_activity_bundles(now=at(18, 9, 10))
    # 08:30 belongs to the day that began at 09:00 the day before.
    assert [(b.period, b.count) for b in first] == [("2026-11-18", 1)]
    assert send_activity_bundles(now=at(19, 8, 59)) == []
    with capture(execute=True):
        second = send_activity_bundles(now=at(19, 9, 0))
    assert [(b.period, b.count) for b in second] == [("2026-11-19", 2)]
    assert len(mail.outbox) == 2
    assert "Late" in mail.outbox[1].body and "Before nine" not in mail.outbox[1].body


def test_at_once_and_email_off_get_no_bundle(
    tenant: Tenant, kanban: BoardSetup, card, django_capture_on_commit_callbacks
):
    Preference.objects.create(user=tenant.member.user, activity_email=ActivityEmail.IMMEDIATELY)
    Preference.objects.create(user=tenant.owner.user, email=False)
    from kanban.services import card_follow_set

    card_follow_set(actor=tenant.owner, card=card, following=True)
    change(tenant, kanban, card, at(18, 10, 5), django_capture_on_commit_callbacks)
    channels = dict(
        Notification.objects.filter(kind="card_activity").values_list("recipient_id", "channel")
    )
    assert channels == {tenant.member.user_id: Channel.EMAIL, tenant.owner.user_id: Channel.IN_APP}
    assert len(mail.outbox) == 1  # the member's, at once
    assert send_activity_bundles(now=at(18, 12, 0)) == []


def test_the_command_runs_as_of_a_moment_and_dry(
    tenant: Tenant, kanban: BoardSetup, card, django_capture_on_commit_callbacks
):
    change(tenant, kanban, card, at(18, 10, 5), django_capture_on_commit_callbacks)
    out = io.StringIO()
    call_command(
        "send_activity_bundles", "--now", at(18, 11, 1).isoformat(), "--dry-run", stdout=out
    )
    assert "Churn analysis (1)" in out.getvalue()
    assert "1 activity emails would send." in out.getvalue()
    assert bundles() == []
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_activity_bundles", "--now", at(18, 11, 1).isoformat(), stdout=out)
    assert "1 activity emails sent." in out.getvalue()
    assert len(mail.outbox) == 1


def test_the_scan_reads_a_fixed_number_of_queries(
    tenant: Tenant,
    kanban: BoardSetup,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    capture = django_capture_on_commit_callbacks
    for n in range(6):
        card = kanban.add(tenant, f"Card {n}", assignee=tenant.member.user)
        change(tenant, kanban, card, at(18, 10, n), capture)
    from kanban.activity import plan_activity_bundles

    # The rows, the preferences, the bundles sent, and the comments they are about.
    with django_assert_num_queries(4):
        planned = plan_activity_bundles(now=at(18, 11, 5))
    assert [b.count for b in planned] == [6]
