"""Working time on a table of cases: when a target of working minutes is reached from a
moment (``add_working_time``) and how much working time lies between two (``working_time``),
on China's 2026 schedule as the package has it, in the organisation's hours (09:00-18:00
Shanghai) or a team's time zone (Berlin).

2026's awkward days: Friday 25 September, the Friday before National Day, is the
Mid-Autumn Festival; Wednesday 30 September is the last working day before the holiday;
1-7 October are off; Saturday 10 October is a make-up working day, as is Saturday
14 February before the Spring Festival (15-23 February off)."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

from opsboard.tenancy.calendar import WorkingCalendar
from tests.conftest import Tenant
from tests.tenancy.test_working_calendar import SHANGHAI, at

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def calendar(tenant: Tenant) -> WorkingCalendar:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    return WorkingCalendar(tenant.organization)


HOURS = 60  # minutes


@pytest.mark.parametrize(
    ("start", "minutes", "zone", "reached"),
    [
        # 17:30 on the Friday before National Day: a holiday (Mid-Autumn), then the
        # weekend; the clock counts from Monday 09:00.
        pytest.param(
            at("2026-09-25T17:30"), 2 * HOURS, SHANGHAI, at("2026-09-28T11:00"), id="friday-2h"
        ),
        pytest.param(
            at("2026-09-25T17:30"), 24 * HOURS, SHANGHAI, at("2026-09-30T15:00"), id="friday-24h"
        ),
        # 17:30 on the last working day before the holiday: half an hour that evening, the
        # rest on Thursday 8 October.
        pytest.param(
            at("2026-09-30T17:30"), 2 * HOURS, SHANGHAI, at("2026-10-08T10:30"), id="eve-2h"
        ),
        # ... and a day's target runs into the make-up Saturday.
        pytest.param(
            at("2026-09-30T17:30"), 24 * HOURS, SHANGHAI, at("2026-10-10T14:30"), id="eve-24h"
        ),
        # During the Spring Festival holiday: nothing until Tuesday 24 February.
        pytest.param(
            at("2026-02-18T10:00"), 2 * HOURS, SHANGHAI, at("2026-02-24T11:00"), id="spring-2h"
        ),
        # On a make-up Saturday: it counts like a weekday.
        pytest.param(
            at("2026-10-10T10:00"), 2 * HOURS, SHANGHAI, at("2026-10-10T12:00"), id="make-up-2h"
        ),
        pytest.param(
            at("2026-10-10T17:30"),
            2 * HOURS,
            SHANGHAI,
            at("2026-10-12T10:30"),
            id="make-up-evening",
        ),
        # The make-up Saturday before the Spring Festival: one hour, then nine days off.
        pytest.param(
            at("2026-02-14T17:00"),
            2 * HOURS,
            SHANGHAI,
            at("2026-02-24T10:00"),
            id="make-up-before-spring",
        ),
        # Before opening, and a target reached exactly at closing time (that evening).
        pytest.param(
            at("2026-11-18T07:00"), 2 * HOURS, SHANGHAI, at("2026-11-18T11:00"), id="early"
        ),
        pytest.param(
            at("2026-11-18T16:00"), 2 * HOURS, SHANGHAI, at("2026-11-18T18:00"), id="at-closing"
        ),
        # A Berlin team of a Shanghai organisation: China's days, 09:00-18:00 in Berlin.
        # 17:30 in Shanghai is 11:30 in Berlin.
        pytest.param(
            at("2026-09-30T17:30"), 2 * HOURS, BERLIN, at("2026-09-30T13:30", BERLIN), id="berlin"
        ),
        # 03:00 on Thursday in Shanghai is still Wednesday 7 October, a day off, in Berlin.
        pytest.param(
            at("2026-10-08T03:00"),
            2 * HOURS,
            BERLIN,
            at("2026-10-08T11:00", BERLIN),
            id="berlin-day-off",
        ),
        # Across the end of summer time (Sunday 25 October): Monday 10:00 is 09:00 UTC.
        pytest.param(
            at("2026-10-23T17:00", BERLIN),
            2 * HOURS,
            BERLIN,
            dt.datetime(2026, 10, 26, 9, tzinfo=dt.UTC),
            id="berlin-clocks-change",
        ),
        pytest.param(at("2026-11-18T20:00"), 0, SHANGHAI, at("2026-11-18T20:00"), id="no-time"),
    ],
)
def test_when_a_target_is_reached(
    calendar: WorkingCalendar, start: dt.datetime, minutes: int, zone: ZoneInfo, reached
) -> None:
    target = dt.timedelta(minutes=minutes)
    found = calendar.add_working_time(start, target, zone=zone)
    assert found == reached
    assert found.tzinfo == zone  # read where the team works
    assert calendar.working_time(start, found, zone=zone) == target


def test_waiting_on_the_requester_overnight(calendar: WorkingCalendar) -> None:
    """A 4-hour target: sent Tuesday 16:00, waiting on the requester from 17:00, who answers
    at 08:30 on Wednesday: the hour counted, three more from Wednesday's opening."""
    worked = calendar.working_time(at("2026-11-17T16:00"), at("2026-11-17T17:00"))
    assert worked == dt.timedelta(hours=1)
    resumed = at("2026-11-18T08:30")
    assert calendar.add_working_time(resumed, dt.timedelta(hours=4) - worked) == at(
        "2026-11-18T12:00"
    )
    # 75% of the target (the warning): two more hours.
    assert calendar.add_working_time(resumed, dt.timedelta(hours=3) - worked) == at(
        "2026-11-18T11:00"
    )


def test_long_spans_take_a_step_a_day(calendar: WorkingCalendar) -> None:
    """A thousand working hours from the eve of National Day, there and back, quickly."""
    start = at("2026-09-30T17:30")
    began = time.perf_counter()
    reached = calendar.add_working_time(start, dt.timedelta(hours=1000))
    assert calendar.working_time(start, reached) == dt.timedelta(hours=1000)
    assert time.perf_counter() - began < 0.5
    assert at("2027-03-01T00:00") < reached < at("2027-05-01T00:00")


def test_a_calendar_without_working_days_says_so(calendar: WorkingCalendar) -> None:
    calendar.weekdays = set()
    with pytest.raises(ValueError, match="No working hours"):
        calendar.add_working_time(at("2026-11-18T10:00"), dt.timedelta(hours=1))
