"""The one home of what a card's state means (kanban.models.CardQuerySet and Card)."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine

from kanban.models import Card
from kanban.services import CardInput, card_archive, card_move, card_update
from tests.conftest import Tenant
from tests.kanban.conftest import BoardSetup

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Tuesday 1 December 2026, 00:30 in Shanghai: still 30 November in UTC.
MOMENT = datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI)

pytestmark = pytest.mark.django_db


def _titles(cards) -> list[str]:
    return sorted(cards.values_list("title", flat=True))


@pytest.fixture
def shanghai(tenant: Tenant) -> Tenant:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    return tenant


def test_organisation_today_is_its_own_calendar_day(shanghai: Tenant) -> None:
    with time_machine.travel(MOMENT, tick=False):
        assert shanghai.organization.today() == date(2026, 12, 1)
    shanghai.organization.timezone = "Nowhere/Unknown"
    assert shanghai.organization.zone == zoneinfo.ZoneInfo("UTC")


def test_open_unfinished_overdue_and_due_by(shanghai: Tenant, kanban: BoardSetup) -> None:
    with time_machine.travel(MOMENT, tick=False):
        today = shanghai.organization.today()
        kanban.add(shanghai, "due yesterday", due_date=today - timedelta(days=1))
        kanban.add(shanghai, "due today", due_date=today)
        kanban.add(shanghai, "due in two days", due_date=today + timedelta(days=2))
        kanban.add(shanghai, "no due date")
        done = kanban.add(shanghai, "done late", due_date=today - timedelta(days=3))
        card_move(actor=shanghai.lead, card=done, column=kanban.done)
        archived = kanban.add(shanghai, "archived", due_date=today - timedelta(days=5))
        card_archive(actor=shanghai.lead, card=archived)

        cards = Card.objects.filter(board=kanban.board)
        assert "archived" not in _titles(cards.open())
        assert "done late" in _titles(cards.open())
        assert "done late" not in _titles(cards.unfinished())
        assert _titles(cards.overdue(today)) == ["due yesterday"]
        assert _titles(cards.due_by(today)) == ["due today", "due yesterday"]
        by_title = {card.title: card for card in cards}
        assert by_title["due yesterday"].is_overdue(today)
        assert not by_title["due today"].is_overdue(today)
        assert not by_title["done late"].is_overdue(today)


def test_late_and_on_time_read_the_done_day_in_the_organisations_zone(
    shanghai: Tenant, kanban: BoardSetup
) -> None:
    # Done at 00:30 on 1 December in Shanghai: late for a card due on 30 November,
    # although it is still the 30th in UTC.
    with time_machine.travel(MOMENT, tick=False):
        due_30th = kanban.add(shanghai, "due the 30th", due_date=date(2026, 11, 30))
        due_1st = kanban.add(shanghai, "due the 1st", due_date=date(2026, 12, 1))
        for card in (due_30th, due_1st):
            card_move(actor=shanghai.lead, card=card, column=kanban.done)
    cards = Card.objects.filter(board=kanban.board)
    zone = shanghai.organization.zone
    assert _titles(cards.late(zone)) == ["due the 30th"]
    assert _titles(cards.on_time(zone)) == ["due the 1st"]
    due_30th.refresh_from_db()
    assert due_30th.was_late(zone)
    assert not due_30th.was_late(zoneinfo.ZoneInfo("UTC"))


def test_blocked_as_of_and_during_read_the_history(shanghai: Tenant, kanban: BoardSetup) -> None:
    start = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        card = kanban.add(shanghai, "waiting for IT")
        kanban.add(shanghai, "never blocked")
    with time_machine.travel(start + timedelta(days=2), tick=False):
        card_update(
            actor=shanghai.lead,
            card=card,
            data=CardInput(title=card.title, blocked=True, blocked_reason="No laptop yet"),
        )
    with time_machine.travel(start + timedelta(days=5), tick=False):
        card_update(actor=shanghai.lead, card=card, data=CardInput(title=card.title))
    cards = Card.objects.filter(board=kanban.board)
    assert _titles(cards.blocked_as_of(start + timedelta(days=3))) == ["waiting for IT"]
    assert _titles(cards.blocked_as_of(start + timedelta(days=6))) == []
    assert _titles(cards.blocked()) == []
    assert _titles(cards.blocked_during(start, start + timedelta(days=3))) == ["waiting for IT"]
    # Already blocked when the period began counts too.
    assert _titles(cards.blocked_during(start + timedelta(days=3), start + timedelta(days=4))) == [
        "waiting for IT"
    ]
    assert _titles(cards.blocked_during(start + timedelta(days=6), start + timedelta(days=9))) == []
