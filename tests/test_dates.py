"""Days, zones and ages read as each language writes them (opsboard/dates.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.utils import formats, timezone, translation

from opsboard import dates

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY = dt.date(2026, 12, 4)
TUESDAY_MORNING = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _in_2026_in_shanghai():
    with time_machine.travel(TUESDAY_MORNING, tick=False), timezone.override(SHANGHAI):
        yield


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh-hans",
            {
                "day": "12月4日",
                "next_year": "2027年1月2日",
                "day_weekday": "12月4日（周五）",
                "full_date": "2026年12月1日 星期二",
                "day_range": "11月23日—11月29日",
                "zone": "北京时间",
                "date": "2026年12月4日",
                "short_datetime": "2026年12月1日 09:00",
                "year_month": "2026年11月",
                "month_day": "1月4日",
            },
        ),
        (
            "en",
            {
                "day": "Dec 4",
                "next_year": "Jan 2, 2027",
                "day_weekday": "Fri, Dec 4",
                "full_date": "Tuesday, December 1, 2026",
                "day_range": "Nov 23 – Nov 29",
                "zone": "Beijing time",
                "date": "Dec 4, 2026",
                "short_datetime": "Dec 1, 2026, 09:00",
                "year_month": "November 2026",
                "month_day": "Jan 4",
            },
        ),
    ],
)
def test_each_language_writes_days_its_own_way(language: str, expected: dict[str, str]) -> None:
    with translation.override(language):
        written = {
            "day": dates.day(FRIDAY),
            "next_year": dates.day(dt.date(2027, 1, 2)),
            "day_weekday": dates.day_weekday(FRIDAY),
            "full_date": dates.full_date(TUESDAY_MORNING),
            "day_range": dates.day_range(dt.date(2026, 11, 23), dt.date(2026, 11, 29)),
            "zone": dates.zone(TUESDAY_MORNING),
            # Django's own names, from opsboard/formats: one style per language.
            "date": formats.date_format(FRIDAY, "DATE_FORMAT"),
            "short_datetime": formats.date_format(TUESDAY_MORNING, "SHORT_DATETIME_FORMAT"),
            "year_month": formats.date_format(dt.date(2026, 11, 1), "YEAR_MONTH_FORMAT"),
            "month_day": formats.date_format(dt.date(2027, 1, 4), "MONTH_DAY_FORMAT"),
        }
    assert written == expected


def test_a_day_of_a_moment_is_the_day_where_the_reader_is() -> None:
    # 23:30 UTC on Thursday is already Friday in Shanghai.
    late_thursday_utc = dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC)
    with translation.override("zh-hans"):
        assert dates.day_weekday(late_thursday_utc) == "12月4日（周五）"


def test_zones_other_than_beijing_time_are_told_by_their_offset() -> None:
    """The zone is the reader's (the active one), at that moment: New York's changes in summer."""
    winter = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    summer = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
    told = {}
    for name in ("Asia/Kolkata", "America/New_York", "UTC"):
        with translation.override("zh-hans"), timezone.override(ZoneInfo(name)):
            told[name] = (dates.zone(winter), dates.zone(summer))
    assert told == {
        "Asia/Kolkata": ("UTC+05:30", "UTC+05:30"),
        "America/New_York": ("UTC−05:00", "UTC−04:00"),
        "UTC": ("UTC+00:00", "UTC+00:00"),
    }


@pytest.mark.parametrize(
    ("since", "zh", "en"),
    [
        (dt.timedelta(minutes=20), "不到 1 小时", "less than an hour"),
        (dt.timedelta(hours=5), "5 小时", "5 hours"),
        (dt.timedelta(days=1, hours=2), "1 天", "1 day"),
        (dt.timedelta(days=9, hours=23), "9 天", "9 days"),
    ],
)
def test_ages_count_days_never_weeks(since: dt.timedelta, zh: str, en: str) -> None:
    moment = TUESDAY_MORNING - since
    with translation.override("zh-hans"):
        assert dates.age(moment) == zh
    with translation.override("en"):
        assert dates.age(moment) == en


def test_templates_have_the_filters_without_loading_them() -> None:
    template = Template("{{ due|day_weekday }} · {{ missing|day|default:'—' }}")
    with translation.override("zh-hans"):
        assert template.render(Context({"due": FRIDAY, "missing": None})) == "12月4日（周五） · —"


def test_a_span_outside_this_year_names_both_years() -> None:
    """「2025年11月1日—12月31日」 would read as the last day of 2025."""
    with translation.override("zh-hans"):
        assert dates.day_range(dt.date(2025, 11, 1), dt.date(2026, 12, 31)) == (
            "2025年11月1日—2026年12月31日"
        )
        assert dates.day_range(dt.date(2027, 1, 4), dt.date(2027, 3, 1)) == (
            "2027年1月4日—2027年3月1日"
        )
    with translation.override("en"):
        assert dates.day_range(dt.date(2026, 12, 28), dt.date(2027, 1, 3)) == (
            "Dec 28, 2026 – Jan 3, 2027"
        )
