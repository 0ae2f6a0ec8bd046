"""Deadline reminders: one bundle per person and day, in their morning, never twice."""

from __future__ import annotations

import io
import zoneinfo
from datetime import date, datetime
from functools import partial

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kanban.models import Card
from kanban.services import CardInput, card_create, card_move, card_update
from opsboard.dates import day
from opsboard.notify.models import Notification, Preference, Status
from raci.reminders import plan_reminders, send_deadline_reminders
from raci.services import raci_set
from tests.concurrency import in_lockstep
from tests.conftest import RaciSetup, Tenant

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOV_24 = date(2026, 11, 24)


def morning(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def due(tenant: Tenant, raci: RaciSetup) -> dict[str, Card]:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    cards = {}
    for title, due_date in (
        ("in three days", date(2026, 11, 27)),
        ("today", date(2026, 11, 24)),
        ("next month", date(2026, 12, 20)),
    ):
        cards[title] = card_create(
            actor=tenant.lead,
            board=raci.board,
            data=CardInput(title=title, assignee=tenant.member.user, due_date=due_date),
        )
    return cards


def test_one_bundle_in_the_morning_listing_the_cards_due_soon(
    tenant: Tenant, due, django_capture_on_commit_callbacks
) -> None:
    assert send_deadline_reminders(now=morning(24, 7)) == []  # before 8 in Shanghai
    with django_capture_on_commit_callbacks(execute=True):
        [sent] = send_deadline_reminders(now=morning(24))
    assert sent.recipient == tenant.member.user
    assert [(card.title, days) for card, days in sent.cards] == [("today", 0), ("in three days", 3)]
    [message] = mail.outbox
    assert message.to == [tenant.member.user.email]
    # The day as this year writes it: "Nov 24" (with its year when the suite runs in another).
    assert message.subject == f"[Opsboard] Deadline reminder for {day(NOV_24)}: 2 cards due soon"
    assert "due today" in message.body and "due in 3 days" in message.body
    assert "due today" in message.alternatives[0][0]
    assert "next month" not in message.body
    notification = Notification.objects.get()
    assert (notification.status, notification.period) == (Status.SENT, "2026-11-24")

    # The same morning again, or a second scan at once: nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_deadline_reminders(now=morning(24, 10)) == []
    assert len(mail.outbox) == 1


def test_done_archived_and_moved_cards_get_no_stale_reminder(
    tenant: Tenant, raci: RaciSetup, due
) -> None:
    card_move(actor=tenant.member, card=due["today"], column=raci.board.columns.get(kind="done"))
    Card.objects.filter(pk=due["in three days"].pk).update(archived_at=morning(23))
    assert plan_reminders(now=morning(24)) == []
    moved = due["next month"]
    card_update(
        actor=tenant.lead,
        card=moved,
        data=CardInput(title=moved.title, assignee=tenant.member.user, due_date=date(2026, 11, 25)),
    )
    [planned] = plan_reminders(now=morning(24))
    assert [card.title for card, _days in planned.cards] == ["next month"]


def test_in_the_persons_language_time_zone_and_lead_times(tenant: Tenant, due) -> None:
    user = tenant.member.user
    user.language, user.timezone = "zh-hans", "Europe/Berlin"
    user.save()
    # 09:00 in Shanghai is 02:00 in Berlin: not yet.
    assert plan_reminders(now=morning(24)) == []
    Preference.objects.create(user=user, reminder_hour=1, lead_days="0,7")
    [planned] = plan_reminders(now=morning(24))
    assert [card.title for card, _days in planned.cards] == [
        "today"
    ]  # 3 days ahead is not one of 0 or 7
    send_deadline_reminders(now=morning(24))
    with translation.override("zh-hans"):
        nov_24 = day(NOV_24)  # 11月24日
    assert Notification.objects.get().title == f"【Opsboard】{nov_24}到期提醒：1 张卡片即将到期"


def test_quiet_days(tenant: Tenant, due) -> None:
    Preference.objects.create(user=tenant.member.user, quiet_weekdays="1")  # Tuesday
    assert plan_reminders(now=morning(24)) == []  # the 24th is a Tuesday


def test_cards_nobody_is_responsible_for_go_to_the_accountable(
    tenant: Tenant, raci: RaciSetup
) -> None:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    card = card_create(
        actor=tenant.lead,
        board=raci.board,
        data=CardInput(title="orphan", due_date=date(2026, 11, 25)),
    )
    raci_set(actor=tenant.lead, card=card, role="A", user=tenant.manager.user)
    [planned] = plan_reminders(now=morning(24))
    assert planned.recipient == tenant.manager.user
    assert [c.title for c in planned.unowned] == ["orphan"]


def test_the_command_dry_run_and_now(tenant: Tenant, due) -> None:
    out = io.StringIO()
    call_command(
        "send_deadline_reminders", "--dry-run", "--now", "2026-11-24T01:00:00+00:00", stdout=out
    )
    assert f"{tenant.member.user.email} (2026-11-24): today, in three days" in out.getvalue()
    assert "1 reminders would send." in out.getvalue()
    assert not Notification.objects.exists()


def test_the_in_app_list_and_unread_count(tenant: Tenant, due, client) -> None:
    send_deadline_reminders(now=morning(24))
    client.force_login(tenant.member.user)
    page = client.get(reverse("notify:list"))
    assert f"Deadline reminder for {day(NOV_24)}: 2 cards due soon" in page.text
    assert 'class="badge unread-count">1<' in page.text
    client.post(reverse("notify:list"))
    assert "unread-count" not in client.get(reverse("notify:list")).text


def test_ops_managers_see_their_ledger_and_resend_failures(
    tenant: Tenant, other_tenant: Tenant, due, client, django_capture_on_commit_callbacks
) -> None:
    send_deadline_reminders(now=morning(24))
    Notification.objects.update(status=Status.FAILED, error="SMTPRecipientsRefused")
    Notification.objects.create(
        kind="deadline_reminder", subject_key="cards-due", recipient=other_tenant.member.user, period="2026-11-24",
        organization_id=other_tenant.organization.pk, title="Rival's reminder", body="x",
    )  # fmt: skip
    manager = tenant.manager.user
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    page = client.get(reverse("admin:notify_notification_changelist"))
    assert f"Deadline reminder for {day(NOV_24)}: 2 cards due soon" in page.text
    assert "Rival&#x27;s reminder" not in page.text and "Rival's reminder" not in page.text
    mine = Notification.objects.get(recipient=tenant.member.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:notify_notification_changelist"),
            {"action": "resend", "_selected_action": [mine.pk]},
        )
    mine.refresh_from_db()
    assert mine.status == Status.SENT  # delivered again (tasks run in-process in the tests)


def test_settings_page_saves_hour_lead_and_quiet_days(tenant: Tenant, due, client) -> None:
    client.force_login(tenant.member.user)
    url = reverse("notify:preferences")
    page = client.get(url)
    assert page.status_code == 200 and 'value="" selected' in page.text  # the organisation's hour
    response = client.post(
        url, {"email": "on", "reminder_hour": "10", "lead_days": ["7", "0"], "quiet_weekdays": "6"}
    )
    assert response.status_code == 302
    preference = Preference.objects.get(user=tenant.member.user)
    assert (preference.reminder_hour, preference.lead_days, preference.quiet_weekdays) == (
        10,
        "0,7",
        "6",
    )
    assert plan_reminders(now=morning(24)) == []  # 09:00 is before 10
    [planned] = plan_reminders(now=morning(24, 10))
    assert [card.title for card, _days in planned.cards] == ["today"]
    page = client.get(url)
    assert 'value="7" id="id_lead_days_5" checked' in page.text


def test_settings_page_refuses_bad_input_and_keeps_what_was_saved(tenant: Tenant, client) -> None:
    Preference.objects.create(user=tenant.member.user, reminder_hour=9)
    client.force_login(tenant.member.user)
    url = reverse("notify:preferences")
    every_day = [str(day) for day in range(7)]
    page = client.post(
        url, {"reminder_hour": "24", "lead_days": ["4"], "quiet_weekdays": every_day}
    )
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert set(errors) == {"reminder_hour", "lead_days", "quiet_weekdays"}
    assert "Leave at least one day for reminders." in page.text
    preference = Preference.objects.get(user=tenant.member.user)
    assert (preference.reminder_hour, preference.lead_days, preference.quiet_weekdays) == (
        9,
        "",
        "",
    )


def test_email_off_keeps_the_reminder_in_the_app(
    tenant: Tenant, due, client, django_capture_on_commit_callbacks
) -> None:
    client.force_login(tenant.member.user)
    client.post(reverse("notify:preferences"), {"reminder_hour": "8"})  # email unticked
    with django_capture_on_commit_callbacks(execute=True):
        [sent] = send_deadline_reminders(now=morning(24))
    assert sent.recipient == tenant.member.user and not sent.by_email
    assert mail.outbox == []
    notification = Notification.objects.get(recipient=tenant.member.user)
    assert (notification.channel, notification.status) == ("in_app", Status.SENT)
    assert (
        f"Deadline reminder for {day(NOV_24)}: 2 cards due soon"
        in client.get(reverse("notify:list")).text
    )


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_send_one_bundle(tenant: Tenant, due) -> None:
    scan = partial(send_deadline_reminders, now=morning(24))
    sent = [len(bundles) for bundles in in_lockstep([scan], [scan])]
    assert sorted(sent) == [0, 1]
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
