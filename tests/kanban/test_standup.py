"""The standup view: blocked first, done since the last working day, in progress, due soon."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from kanban.models import Card
from kanban.selectors import last_working_day, standup
from kanban.services import CardInput, card_move, card_update
from opsboard.tenancy.calendar import WorkingCalendar
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup

MONDAY = date(2026, 11, 23)


def test_last_working_day(tenant: Tenant) -> None:
    calendar = WorkingCalendar(tenant.organization)
    assert last_working_day(MONDAY, calendar) == date(2026, 11, 20)  # Friday
    assert last_working_day(date(2026, 11, 25), calendar) == date(2026, 11, 24)
    # The first day after National Day looks back past the holiday; a make-up Saturday
    # is a working day.
    assert last_working_day(date(2026, 10, 8), calendar) == date(2026, 9, 30)
    assert last_working_day(date(2026, 10, 12), calendar) == date(2026, 10, 10)


def test_monday_standup_tells_the_story(tenant: Tenant, kanban: BoardSetup, client) -> None:
    member, lead = tenant.member, tenant.lead
    with time_machine.travel(
        datetime(2026, 11, 19, 10, tzinfo=timezone.get_current_timezone()), tick=False
    ):
        old = kanban.add(tenant, "Done on Thursday", assignee=member.user)
        card_move(actor=member, card=old, column=kanban.done)
    with time_machine.travel(
        datetime(2026, 11, 20, 15, tzinfo=timezone.get_current_timezone()), tick=False
    ):
        friday = kanban.add(tenant, "Done on Friday", assignee=member.user)
        card_move(actor=member, card=friday, column=kanban.done)
    with time_machine.travel(
        datetime(2026, 11, 23, 9, tzinfo=timezone.get_current_timezone()), tick=False
    ):
        doing = kanban.add(
            tenant,
            "Building the dashboard",
            assignee=member.user,
            due_date=MONDAY + timedelta(days=10),
        )
        card_move(actor=member, card=doing, column=kanban.doing)
        stuck = kanban.add(tenant, "Instrument events", assignee=member.user)
        card_update(
            actor=member,
            card=stuck,
            data=CardInput(
                title="Instrument events",
                assignee=member.user,
                blocked=True,
                blocked_reason="SDK review",
            ),
        )
        kanban.add(
            tenant, "Report to leads", assignee=lead.user, due_date=MONDAY + timedelta(days=3)
        )
        kanban.add(tenant, "Later", assignee=lead.user, due_date=MONDAY + timedelta(days=4))
        kanban.add(tenant, "Late", due_date=MONDAY - timedelta(days=1))

        result = standup(board=kanban.board, by="person", today=MONDAY, lead_days=3)
        lanes = {lane.title: lane for lane in result.lanes}
        assert (
            result.lanes[0].title == member.user.display_name
        )  # the lane with a blocked card first
        mine = lanes[member.user.display_name]
        assert [c.title for c in mine.blocked] == ["Instrument events"]
        assert [c.title for c in mine.done] == ["Done on Friday"]
        assert [c.title for c in mine.doing] == ["Building the dashboard"]
        assert [c.title for c in lanes[lead.user.display_name].due_soon] == ["Report to leads"]
        assert [c.title for c in lanes["Nobody"].due_soon] == ["Late"]

        client.force_login(tenant.viewer.user)
        page = client.get(reverse("kanban:board_standup", args=["acme", kanban.board.pk])).text
        assert page.index("Instrument events") < page.index("Building the dashboard")
        assert "SDK review" in page
        assert "15:00" in page and "Next person" in page
        by_team = client.get(
            reverse("kanban:board_standup", args=["acme", kanban.board.pk]), {"by": "team"}
        )
        assert [lane.title for lane in by_team.context["standup"].lanes] == ["No team"]


def test_archived_cards_are_left_out(tenant: Tenant, kanban: BoardSetup) -> None:
    card = kanban.add(tenant, "Gone", due_date=MONDAY)
    Card.objects.filter(pk=card.pk).update(archived_at=timezone.now())
    assert standup(board=kanban.board, by="person", today=MONDAY, lead_days=3).lanes == []
