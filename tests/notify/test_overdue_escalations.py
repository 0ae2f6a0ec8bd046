"""Overdue escalations: the Accountable hears the day after the due date, then every few days."""

from __future__ import annotations

import io
import zoneinfo
from datetime import date, datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from kanban.models import Card
from kanban.services import CardInput, card_create, card_move, card_update
from opsboard.dates import day
from opsboard.notify.models import Notification, Preference
from raci.models import RaciPolicy
from raci.reminders import plan_reminders, send_deadline_reminders
from raci.services import raci_set
from tests.conftest import RaciSetup, Tenant

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def morning(day: int) -> datetime:
    return datetime(2026, 11, day, 9, tzinfo=SHANGHAI)


@pytest.fixture
def late(tenant: Tenant, raci: RaciSetup) -> Card:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    card = card_create(
        actor=tenant.lead,
        board=raci.board,
        data=CardInput(
            title="vendor contract", assignee=tenant.member.user, due_date=date(2026, 11, 20)
        ),
    )
    raci_set(actor=tenant.lead, card=card, role="A", user=tenant.manager.user)
    return card


def overdue_for(user, day: int) -> list[tuple[str, int]]:
    return [
        (card.title, days)
        for reminder in plan_reminders(now=morning(day))
        if reminder.recipient == user
        for card, days in reminder.overdue
    ]


def test_the_day_after_then_every_three_days(tenant: Tenant, late: Card) -> None:
    manager = tenant.manager.user
    assert overdue_for(manager, 20) == []  # due today: not overdue yet
    assert overdue_for(manager, 21) == [("vendor contract", 1)]
    assert overdue_for(manager, 22) == overdue_for(manager, 23) == []
    assert overdue_for(manager, 24) == [("vendor contract", 4)]
    # The Responsible (here the assignee) is not told of it again.
    assert all(r.recipient != tenant.member.user for r in plan_reminders(now=morning(21)))


def test_the_organisation_sets_how_often(tenant: Tenant, late: Card, client) -> None:
    client.force_login(tenant.manager.user)
    url = reverse("raci:policy", kwargs={"org_slug": tenant.organization.slug})
    refused = client.post(
        url,
        {
            "consulted_limit": 3,
            "accountable_limit": 5,
            "overdue_repeat_days": 0,
            "blocked_alert_days": 2,
        },
    )
    assert refused.status_code == 200 and "overdue_repeat_days" in refused.context["form"].errors
    assert RaciPolicy.objects.get(organization=tenant.organization).overdue_repeat_days == 3
    saved = client.post(
        url,
        {
            "consulted_limit": 3,
            "accountable_limit": 5,
            "overdue_repeat_days": 1,
            "blocked_alert_days": 2,
        },
    )
    assert saved.status_code == 302
    assert overdue_for(tenant.manager.user, 22) == [("vendor contract", 2)]


def test_nobody_accountable_tells_the_project_owner(
    tenant: Tenant, raci: RaciSetup, late: Card
) -> None:
    raci_set(actor=tenant.lead, card=late, role="", user=tenant.manager.user)
    assert overdue_for(tenant.manager.user, 21) == []
    raci.project.owner = tenant.lead.user
    raci.project.save()
    assert overdue_for(tenant.lead.user, 21) == [("vendor contract", 1)]


def test_done_cards_are_not_chased(tenant: Tenant, raci: RaciSetup, late: Card) -> None:
    card_move(actor=tenant.lead, card=late, column=raci.board.columns.get(kind="done"))
    assert overdue_for(tenant.manager.user, 21) == []


def test_the_email_names_what_is_late_and_by_how_much(
    tenant: Tenant, late: Card, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders(now=morning(21))
        assert send_deadline_reminders(now=morning(21)) == []  # once a day
    [message] = mail.outbox
    assert message.to == [tenant.manager.user.email]
    assert (
        message.subject
        == f"[Opsboard] Deadline reminder for {day(date(2026, 11, 21))}: 1 card overdue"
    )
    assert "These cards you are Accountable for are overdue:" in message.body
    assert "vendor contract" in message.body and "1 day overdue" in message.body
    assert "1 day overdue" in message.alternatives[0][0]
    assert Notification.objects.get().organization_id == tenant.organization.pk


def test_the_command_lists_overdue_cards(tenant: Tenant, late: Card) -> None:
    out = io.StringIO()
    call_command(
        "send_deadline_reminders", "--dry-run", "--now", "2026-11-21T01:00:00Z", stdout=out
    )
    assert (
        f"{tenant.manager.user.email} (2026-11-21): -; overdue: vendor contract (1d)"
        in out.getvalue()
    )


def test_planning_takes_the_same_queries_however_many_cards(
    tenant: Tenant, raci: RaciSetup, late: Card, django_assert_num_queries
) -> None:
    for n in range(20):
        card = card_create(
            actor=tenant.lead,
            board=raci.board,
            data=CardInput(
                title=f"late {n}", assignee=tenant.member.user, due_date=date(2026, 11, 20)
            ),
        )
        raci_set(actor=tenant.lead, card=card, role="A", team=raci.product)
    # organisations, thresholds, chat groups, cards, blocked cards, done cards, R people,
    # A people, A team members, bundles already claimed today, users, preferences, the
    # bundled cards in full
    with django_assert_num_queries(13):
        [manager_bundle] = [
            r for r in plan_reminders(now=morning(21)) if r.recipient == tenant.manager.user
        ]
    assert len(manager_bundle.overdue) == 21


def test_blocked_for_two_days_then_every_two(
    tenant: Tenant, raci: RaciSetup, django_capture_on_commit_callbacks
) -> None:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    card = card_create(
        actor=tenant.lead,
        board=raci.board,
        data=CardInput(title="customs", assignee=tenant.member.user),
    )
    raci_set(actor=tenant.lead, card=card, role="A", user=tenant.manager.user)
    card_update(
        actor=tenant.member,
        card=card,
        data=CardInput(
            title="customs",
            assignee=tenant.member.user,
            blocked=True,
            blocked_reason="waiting on the broker",
        ),
    )
    Card.objects.filter(pk=card.pk).update(blocked_at=morning(20))

    def blocked_for(day: int) -> list[tuple[str, int]]:
        return [
            (c.title, days)
            for r in plan_reminders(now=morning(day))
            if r.recipient == tenant.manager.user
            for c, days in r.blocked
        ]

    assert blocked_for(21) == blocked_for(23) == []
    assert blocked_for(22) == [("customs", 2)]
    assert blocked_for(24) == [("customs", 4)]
    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders(now=morning(22))
    [message] = mail.outbox
    assert message.subject == (
        f"[Opsboard] Deadline reminder for {day(date(2026, 11, 22))}: 1 card blocked for a while"
    )
    assert "blocked for 2 days: waiting on the broker" in message.body
    card_update(
        actor=tenant.member, card=card, data=CardInput(title="customs", assignee=tenant.member.user)
    )
    assert blocked_for(24) == []


def test_the_informed_hear_of_yesterdays_done_cards_the_next_morning(
    tenant: Tenant, raci: RaciSetup, django_capture_on_commit_callbacks
) -> None:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    card = card_create(actor=tenant.lead, board=raci.board, data=CardInput(title="new supplier"))
    raci_set(actor=tenant.lead, card=card, role="I", team=raci.engineering)  # the lead's team
    card_move(actor=tenant.lead, card=card, column=raci.board.columns.get(kind="done"))
    Card.objects.filter(pk=card.pk).update(done_at=datetime(2026, 11, 23, 16, tzinfo=SHANGHAI))

    def done_for(day: int, hour: int = 9) -> list[str]:
        now = datetime(2026, 11, day, hour, tzinfo=SHANGHAI)
        return [
            c.title
            for r in plan_reminders(now=now)
            if r.recipient == tenant.lead.user
            for c in r.done
        ]

    assert done_for(23, 20) == []  # the same day: not yet
    assert done_for(24) == ["new supplier"]
    assert done_for(25) == []  # only once
    with django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders(now=morning(24))
    [message] = mail.outbox
    assert message.to == [tenant.lead.user.email]
    assert message.subject == (
        f"[Opsboard] Deadline reminder for {day(date(2026, 11, 24))}: 1 card done yesterday"
    )
    assert "Done yesterday, for your information:" in message.body


def test_after_quiet_days_the_informed_hear_of_what_was_done_on_them(
    tenant: Tenant, raci: RaciSetup
) -> None:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    Preference.objects.create(user=tenant.lead.user, quiet_weekdays="5,6")  # weekends off
    done_on = {
        "thursday": datetime(2026, 11, 19, 16, tzinfo=SHANGHAI),
        "friday": datetime(2026, 11, 20, 16, tzinfo=SHANGHAI),
        "saturday": datetime(2026, 11, 21, 11, tzinfo=SHANGHAI),
        "sunday": datetime(2026, 11, 22, 23, tzinfo=SHANGHAI),
    }
    for title, moment in done_on.items():
        card = card_create(actor=tenant.lead, board=raci.board, data=CardInput(title=title))
        raci_set(actor=tenant.lead, card=card, role="I", user=tenant.lead.user)
        card_move(actor=tenant.lead, card=card, column=raci.board.columns.get(kind="done"))
        Card.objects.filter(pk=card.pk).update(done_at=moment)

    def done_for(day: int) -> list[str]:
        now = datetime(2026, 11, day, 9, tzinfo=SHANGHAI)
        return [
            c.title
            for r in plan_reminders(now=now)
            if r.recipient == tenant.lead.user
            for c in r.done
        ]

    assert done_for(20) == ["thursday"]  # Friday: yesterday's
    assert done_for(21) == done_for(22) == []  # the quiet weekend
    assert done_for(23) == ["friday", "saturday", "sunday"]  # Monday: all since Friday
