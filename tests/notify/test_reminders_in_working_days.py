"""Reminders' lead days counted in working days (the organisation's option, off by default):
"three days before" reaches across National Day, and nobody is reminded on a holiday."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

import pytest

from kanban.models import Card
from kanban.services import CardInput, card_create
from opsboard.tenancy.models import CompanyDay
from raci.reminders import plan_reminders
from tests.conftest import RaciSetup, Tenant

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def after_national_day(tenant: Tenant, raci: RaciSetup) -> Card:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    # Due Friday 9 October: three working days after Tuesday 29 September (30 Sep, 8 Oct, 9 Oct).
    return card_create(
        actor=tenant.lead,
        board=raci.board,
        data=CardInput(
            title="Launch report", assignee=tenant.member.user, due_date=date(2026, 10, 9)
        ),
    )


def titles(now: datetime) -> list[str]:
    return [card.title for plan in plan_reminders(now=now) for card, _days in plan.cards]


def test_off_by_default_lead_days_are_calendar_days(tenant: Tenant, after_national_day) -> None:
    assert titles(datetime(2026, 9, 29, 9, tzinfo=SHANGHAI)) == []
    assert titles(datetime(2026, 10, 6, 9, tzinfo=SHANGHAI)) == ["Launch report"]  # a holiday


def test_counted_in_working_days(tenant: Tenant, after_national_day) -> None:
    tenant.organization.reminders_count_working_days = True
    tenant.organization.save()
    assert titles(datetime(2026, 9, 28, 9, tzinfo=SHANGHAI)) == []  # four working days ahead
    assert titles(datetime(2026, 9, 29, 9, tzinfo=SHANGHAI)) == ["Launch report"]
    # No reminders on the holiday itself, nor on a company day off.
    assert titles(datetime(2026, 10, 6, 9, tzinfo=SHANGHAI)) == []
    CompanyDay.objects.create(
        organization=tenant.organization, date=date(2026, 10, 8), reason="Stocktake"
    )
    tenant.organization.calendar_revision += 1
    tenant.organization.save()
    assert titles(datetime(2026, 10, 8, 9, tzinfo=SHANGHAI)) == []
    assert titles(datetime(2026, 10, 9, 9, tzinfo=SHANGHAI)) == ["Launch report"]
