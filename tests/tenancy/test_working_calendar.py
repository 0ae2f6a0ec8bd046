"""The working calendar on a table of days: China's 2026 schedule as the package has it,
2027 (not announced yet: the statutory days only, and the year said to be unknown),
company days, counting and working time, and an organisation in another time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from opsboard.tenancy import services
from opsboard.tenancy.calendar import DayKind, WorkingCalendar, years_to_watch
from tests.conftest import Tenant

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date.fromisoformat


def at(text: str, zone: ZoneInfo = SHANGHAI) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


@pytest.fixture
def calendar(tenant: Tenant) -> WorkingCalendar:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    return WorkingCalendar(tenant.organization)


@pytest.mark.parametrize(
    ("day", "working", "kind", "reason_en", "reason_zh"),
    [
        ("2026-09-30", True, DayKind.WORKDAY, "", ""),
        (
            "2026-09-25",
            False,
            DayKind.HOLIDAY,
            "Public holiday: Mid-Autumn Festival",
            "法定节假日：中秋节",
        ),
        (
            "2026-10-01",
            False,
            DayKind.HOLIDAY,
            "Public holiday: National Day",
            "法定节假日：国庆节",
        ),
        (
            "2026-10-03",
            False,
            DayKind.HOLIDAY,
            "Public holiday: National Day",
            "法定节假日：国庆节",
        ),
        ("2026-10-04", False, DayKind.WEEKEND, "Weekend", "周末"),
        # The days off moved by the make-up days, as the State Council announced them.
        ("2026-10-07", False, DayKind.HOLIDAY, None, None),
        ("2026-10-08", True, DayKind.WORKDAY, "", ""),
        ("2026-09-20", True, DayKind.MAKE_UP, "Make-up working day", "调休上班日"),
        ("2026-10-10", True, DayKind.MAKE_UP, "Make-up working day", "调休上班日"),
        ("2026-10-11", False, DayKind.WEEKEND, "Weekend", "周末"),
        (
            "2026-02-17",
            False,
            DayKind.HOLIDAY,
            "Public holiday: Chinese New Year (Spring Festival)",
            "法定节假日：春节",
        ),
        ("2026-02-14", True, DayKind.MAKE_UP, "Make-up working day", "调休上班日"),
        # 2027: the Spring Festival is law, the make-up days are not known yet.
        (
            "2027-02-05",
            False,
            DayKind.HOLIDAY,
            "Public holiday: Chinese New Year's Eve",
            "法定节假日：农历除夕",
        ),
        (
            "2027-02-08",
            False,
            DayKind.HOLIDAY,
            "Public holiday: Chinese New Year (Spring Festival)",
            "法定节假日：春节",
        ),
        ("2027-02-09", True, DayKind.WORKDAY, "", ""),
    ],
)
def test_days_of_china(
    calendar: WorkingCalendar, day: str, working: bool, kind: str, reason_en: str, reason_zh: str
) -> None:
    found = calendar.day(D(day))
    assert (found.working, found.kind) == (working, kind)
    assert found.announced == (D(day).year == 2026)
    if reason_en is not None:
        assert found.reason == reason_en
        with translation.override("zh-hans"):
            assert WorkingCalendar(calendar.organization).day(D(day)).reason == reason_zh


def test_a_year_not_announced_is_said_to_be_unknown(calendar: WorkingCalendar) -> None:
    assert calendar.unknown_years(D("2026-12-01"), D("2027-01-31")) == [2027]
    assert calendar.unknown_years(D("2026-01-01"), D("2026-12-31")) == []
    # Not "every weekday works": the statutory days off of 2027 are kept.
    days = calendar.days(D("2027-01-01"), D("2027-12-31"))
    assert {day.date for day in days if day.kind == DayKind.HOLIDAY} >= {
        D("2027-01-01"),
        D("2027-02-05"),
        D("2027-10-01"),
    }
    assert not any(day.announced for day in days)


def test_years_to_watch_follow_the_organisations_today(calendar: WorkingCalendar) -> None:
    with time_machine.travel(at("2026-12-31T23:30"), tick=False):
        assert years_to_watch(calendar.organization) == [2026, 2027]
    with time_machine.travel(at("2027-01-01T00:30"), tick=False):
        assert years_to_watch(calendar.organization) == [2027, 2028]


def test_company_days_come_first(tenant: Tenant, calendar: WorkingCalendar) -> None:
    services.company_day_add(
        actor=tenant.manager, day=D("2026-11-20"), working=False, reason="Team outing"
    )
    services.company_day_add(
        actor=tenant.manager,
        day=D("2027-02-09"),
        working=False,
        reason="Spring Festival, as announced",
    )
    services.company_day_add(
        actor=tenant.manager, day=D("2026-10-11"), working=True, reason="Release weekend"
    )
    fresh = WorkingCalendar(tenant.organization)
    outing = fresh.day(D("2026-11-20"))
    assert (outing.working, outing.kind, outing.reason) == (
        False,
        DayKind.COMPANY_OFF,
        "Company day off: Team outing",
    )
    assert not fresh.is_working(D("2027-02-09"))
    assert fresh.day(D("2026-10-11")).kind == DayKind.COMPANY_WORKING
    assert fresh.is_working(D("2026-10-11"))


def test_counting_working_days_across_national_day(calendar: WorkingCalendar) -> None:
    assert calendar.next_working_day(D("2026-09-30")) == D("2026-10-08")
    assert calendar.previous_working_day(D("2026-10-08")) == D("2026-09-30")
    assert calendar.add_working_days(D("2026-09-30"), 1) == D("2026-10-08")
    assert calendar.add_working_days(D("2026-09-30"), 3) == D("2026-10-10")  # the make-up Saturday
    assert calendar.add_working_days(D("2026-10-08"), -1) == D("2026-09-30")
    assert calendar.add_working_days(D("2026-10-08"), 0) == D("2026-10-08")
    assert calendar.working_days_between(D("2026-09-28"), D("2026-10-12")) == 6
    assert calendar.working_days_between(D("2026-10-12"), D("2026-09-28")) == -6
    assert calendar.nth_working_day_of_month(D("2026-10-01"), 1) == D("2026-10-08")


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # The Friday before National Day is the Mid-Autumn Festival in 2026: 17:30 then
        # counts nothing until Monday morning.
        ("2026-09-25T17:30", "2026-09-28T09:00", 0),
        ("2026-09-25T17:30", "2026-09-28T10:00", 1),
        # Thursday 17:30 to the next working morning: half an hour.
        ("2026-09-24T17:30", "2026-09-28T09:00", 0.5),
        # The last evening before the holiday to the first morning after it.
        ("2026-09-30T17:30", "2026-10-08T09:30", 1.0),
        # Across the holiday into the make-up Saturday.
        ("2026-09-30T17:30", "2026-10-10T12:00", 0.5 + 9 + 9 + 3),
        # Inside the Spring Festival: nothing.
        ("2026-02-17T10:00", "2026-02-19T16:00", 0),
        ("2026-10-08T12:00", "2026-10-08T11:00", 0),
    ],
)
def test_working_time(calendar: WorkingCalendar, start: str, end: str, hours: float) -> None:
    assert calendar.working_time(at(start), at(end)) == dt.timedelta(hours=hours)


def test_an_organisation_in_another_time_zone(tenant: Tenant) -> None:
    organization = tenant.organization
    organization.timezone = "Europe/Berlin"
    organization.save()
    services.organization_calendar_update(
        actor=tenant.manager,
        working_weekdays=[0, 1, 2, 3, 4],
        work_starts=dt.time(9),
        work_ends=dt.time(17),
        holiday_region="DE",
        reminders_count_working_days=False,
    )
    calendar = WorkingCalendar(organization)
    berlin = ZoneInfo("Europe/Berlin")
    assert calendar.day(D("2026-10-03")).kind == DayKind.HOLIDAY  # German Unity Day
    assert calendar.is_working(D("2026-10-01"))  # China's National Day is not Berlin's
    assert calendar.unknown_years(D("2026-01-01"), D("2028-12-31")) == []
    # 16:30 Berlin on Friday is 22:30 in Shanghai; to 10:00 Berlin on Monday.
    assert calendar.working_time(at("2026-10-02T22:30"), at("2026-10-05T10:00", berlin)) == (
        dt.timedelta(hours=1.5)
    )
