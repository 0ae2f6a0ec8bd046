"""The organisation's working calendar: which days and hours are worked, and why not.

A day is read in this order, the first that applies deciding:

1. a company day the managers added (a day off, or an extra working day);
2. a public holiday of the organisation's region (``holidays``), named in the reader's
   language where the package has it;
3. a make-up working day (调休): a weekend day the region's schedule works;
4. the organisation's working weekdays.

China announces each year's holidays and make-up working days the autumn before, so for
the regions in ``ANNOUNCED_YEARLY`` a year is *announced* only when the package carries its
make-up days. For a year that is not, the calendar keeps the statutory holidays (fixed by
law) but guesses no make-up days and no moved days off, and says the year is unknown
(``unknown_years``) instead of silently letting every weekday work; managers may add the
days themselves meanwhile.

A year of an organisation's days is built at once and cached under the organisation's
``calendar_revision`` (bumped by every change), so counting across months costs one cache
read a year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import holidays
from django.core.cache import cache as shared_cache
from django.db import models
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from holidays.registry import COUNTRIES

from .models import CompanyDay, Organization

ONE_DAY = dt.timedelta(days=1)
# Regions whose holidays and make-up working days are decreed year by year.
ANNOUNCED_YEARLY = {"CN"}
# How far the next or previous working day is looked for before the calendar gives up: a
# calendar without a working day (no working weekdays) has none to find.
SEARCH_LIMIT_DAYS = 3 * 366
CACHE_SECONDS = 24 * 3600


class DayKind(models.TextChoices):
    WORKDAY = "workday", gettext_lazy("Working day")
    WEEKEND = "weekend", gettext_lazy("Weekend")
    HOLIDAY = "holiday", gettext_lazy("Public holiday")
    MAKE_UP = "make_up", gettext_lazy("Make-up working day")
    COMPANY_OFF = "company_off", gettext_lazy("Company day off")
    COMPANY_WORKING = "company_working", gettext_lazy("Company working day")


WORKING_KINDS = {DayKind.WORKDAY, DayKind.MAKE_UP, DayKind.COMPANY_WORKING}


@dataclass(frozen=True)
class CalendarDay:
    date: dt.date
    kind: DayKind
    name: str = ""  # the holiday's name (in the reader's language) or the company's reason
    announced: bool = True  # whether the region's schedule for the year is known

    @property
    def working(self) -> bool:
        return self.kind in WORKING_KINDS

    @property
    def reason(self) -> str:
        """Why the day is (or is not) worked, for people: '' for an ordinary working day."""
        if self.kind == DayKind.WORKDAY:
            return ""
        if self.kind == DayKind.WEEKEND:
            return _("Weekend")
        if self.kind == DayKind.MAKE_UP:
            return _("Make-up working day")
        if self.kind == DayKind.HOLIDAY:
            return _("Public holiday: %(name)s") % {"name": self.name}
        if self.kind == DayKind.COMPANY_OFF:
            return _("Company day off: %(reason)s") % {"reason": self.name}
        return _("Company working day: %(reason)s") % {"reason": self.name}


# The package's side ---------------------------------------------------------------


def supported_regions() -> dict[str, list[str]]:
    """The regions the package knows (code -> its subdivisions)."""
    return holidays.list_supported_countries()


# The regions Opsboard's readers pick most, named in their language; the rest as the
# package names them.
REGION_NAMES = {
    "CN": gettext_lazy("Mainland China"),
    "HK": gettext_lazy("Hong Kong"),
    "MO": gettext_lazy("Macao"),
    "SG": gettext_lazy("Singapore"),
    "JP": gettext_lazy("Japan"),
    "US": gettext_lazy("United States"),
    "GB": gettext_lazy("United Kingdom"),
    "DE": gettext_lazy("Germany"),
}


def region_choices() -> list[tuple[str, str]]:
    """The regions to choose from: the common ones first, then the package's by name."""
    codes = supported_regions()
    named = {
        entry[1]: module.replace("_", " ").title()
        for module, entry in COUNTRIES.items()
        if entry[1] in codes
    }
    common = [(code, f"{name} ({code})") for code, name in REGION_NAMES.items()]
    rest = sorted(
        ((code, f"{name} ({code})") for code, name in named.items() if code not in REGION_NAMES),
        key=lambda choice: choice[1],
    )
    return common + rest


def _package_language(region: str) -> str | None:
    """The package's language closest to the active one, or None for the region's own."""
    wanted = "zh_CN" if (get_language() or "").lower().startswith("zh") else "en_US"
    return _closest_language(region, wanted)


@cache
def _closest_language(region: str, wanted: str) -> str | None:
    languages = getattr(holidays.country_holidays(region), "supported_languages", ())
    for language in (wanted, "en_US"):
        if language in languages:
            return language
    return None


@cache
def region_announces(region: str, year: int) -> bool:
    """Whether the package knows ``region``'s holidays for ``year``: for a region decreed
    year by year, whether it has the year's make-up working days."""
    calendar = holidays.country_holidays(region, years=year)
    if not calendar.start_year <= year <= calendar.end_year:
        return False
    if region in ANNOUNCED_YEARLY:
        return any(day.year == year for day in calendar.weekend_workdays)
    return True


@cache
def _region_year(
    region: str, year: int, language: str | None
) -> tuple[dict[dt.date, str], frozenset[dt.date]]:
    """The region's holidays of ``year`` (date -> name) and its make-up working days. In a
    year not announced, only the days fixed by law: no days off moved by guess."""
    announced = region_announces(region, year)
    calendar = holidays.country_holidays(region, years=year, language=language, observed=announced)
    names = {day: str(name) for day, name in calendar.items() if day.year == year}
    make_up = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return names, make_up if announced else frozenset()


# The organisation's side -----------------------------------------------------------


def _year_cache_key(organization: Organization, year: int) -> str:
    return f"calendar:{organization.pk}:{organization.calendar_revision}:{year}"


def _company_days(organization: Organization, year: int) -> dict[dt.date, tuple[bool, str]]:
    """The managers' days of ``year``, from the cache or one query."""
    if organization.pk is None:
        return {}
    key = _year_cache_key(organization, year)
    found = shared_cache.get(key)
    if found is None:
        found = {
            day.isoformat(): (working, reason)
            for day, working, reason in CompanyDay.objects.filter(
                organization=organization, date__year=year
            ).values_list("date", "working", "reason")
        }
        shared_cache.set(key, found, CACHE_SECONDS)
    return {dt.date.fromisoformat(day): value for day, value in found.items()}


class WorkingCalendar:
    """One organisation's calendar, read in the active language. Cheap to make: the years
    it reads are kept for its life."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.region = organization.holiday_region
        self.weekdays = organization.working_weekday_set()
        self._language = _package_language(self.region)
        self._years: dict[int, tuple[dict, dict, frozenset, bool]] = {}

    def _year(self, year: int) -> tuple[dict, dict, frozenset, bool]:
        if year not in self._years:
            names, make_up = _region_year(self.region, year, self._language)
            self._years[year] = (
                _company_days(self.organization, year),
                names,
                make_up,
                region_announces(self.region, year),
            )
        return self._years[year]

    # One day, and a range ----------------------------------------------------------

    def day(self, date: dt.date) -> CalendarDay:
        company, names, make_up, announced = self._year(date.year)
        if date in company:
            working, reason = company[date]
            kind = DayKind.COMPANY_WORKING if working else DayKind.COMPANY_OFF
            return CalendarDay(date, kind, reason, announced)
        if date in names:
            return CalendarDay(date, DayKind.HOLIDAY, names[date], announced)
        if date.weekday() in self.weekdays:
            return CalendarDay(date, DayKind.WORKDAY, announced=announced)
        if date in make_up:
            return CalendarDay(date, DayKind.MAKE_UP, announced=announced)
        return CalendarDay(date, DayKind.WEEKEND, announced=announced)

    def days(self, start: dt.date, end: dt.date) -> list[CalendarDay]:
        """Each day from ``start`` to ``end``, both included."""
        return [self.day(start + ONE_DAY * n) for n in range((end - start).days + 1)]

    def is_working(self, date: dt.date) -> bool:
        return self.day(date).working

    def unknown_years(self, start: dt.date, end: dt.date) -> list[int]:
        """The years from ``start`` to ``end`` whose public holidays the package does not know."""
        return [year for year in range(start.year, end.year + 1) if not self._year(year)[3]]

    # Counting ----------------------------------------------------------------------

    def _walk(self, date: dt.date, step: dt.timedelta) -> Iterator[dt.date]:
        for _n in range(SEARCH_LIMIT_DAYS):
            date += step
            if self.is_working(date):
                yield date
        raise ValueError(f"No working day within {SEARCH_LIMIT_DAYS} days of {date}.")

    def next_working_day(self, date: dt.date) -> dt.date:
        """The first working day after ``date``."""
        return next(self._walk(date, ONE_DAY))

    def previous_working_day(self, date: dt.date) -> dt.date:
        """The last working day before ``date``."""
        return next(self._walk(date, -ONE_DAY))

    def add_working_days(self, date: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``date`` (before it when negative); ``date``
        itself for 0."""
        if count == 0:
            return date
        walk = self._walk(date, ONE_DAY if count > 0 else -ONE_DAY)
        for _n in range(abs(count) - 1):
            next(walk)
        return next(walk)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days from ``start`` up to, not including, ``end`` (negative when
        ``end`` comes first)."""
        if end < start:
            return -self.working_days_between(end, start)
        return (
            sum(1 for day in self.days(start, end - ONE_DAY) if day.working) if end > start else 0
        )

    def nth_working_day_of_month(self, month: dt.date, number: int) -> dt.date:
        """The month's ``number``-th working day (1 = the first)."""
        first = month.replace(day=1)
        return self.add_working_days(first - ONE_DAY, number)

    # Working time ------------------------------------------------------------------

    def _hours(self, day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime] | None:
        """When ``day``'s working hours open and close (in UTC, so that lengths across a
        change of clocks come out right), or None on a day not worked."""
        if not self.is_working(day):
            return None
        opens = dt.datetime.combine(day, self.organization.work_starts, tzinfo=zone)
        closes = dt.datetime.combine(day, self.organization.work_ends, tzinfo=zone)
        if closes <= opens:
            return None
        return opens.astimezone(dt.UTC), closes.astimezone(dt.UTC)

    def working_time(
        self, start: dt.datetime, end: dt.datetime, *, zone: dt.tzinfo | None = None
    ) -> dt.timedelta:
        """The working time between two moments: the parts of working days' working hours
        that fall between them, the hours read in ``zone`` (a team's; by default the
        organisation's). One step a day, whatever the hours."""
        if end <= start:
            return dt.timedelta(0)
        zone = zone or self.organization.zone
        start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
        total = dt.timedelta(0)
        day = start.astimezone(zone).date()
        last = end.astimezone(zone).date()
        while day <= last:
            hours = self._hours(day, zone)
            if hours is not None:
                overlap = min(hours[1], end) - max(hours[0], start)
                if overlap > dt.timedelta(0):
                    total += overlap
            day += ONE_DAY
        return total

    def add_working_time(
        self, start: dt.datetime, duration: dt.timedelta, *, zone: dt.tzinfo | None = None
    ) -> dt.datetime:
        """The moment ``duration`` of working time has passed since ``start``, the hours read
        in ``zone`` (a team's; by default the organisation's), given in that zone.

        Steps:

        1. nothing to add: ``start`` itself, even outside working hours;
        2. from ``start``'s day on, each working day gives what is left of its hours after
           ``start``, whole days at a time, until one holds the rest;
        3. the rest is added to that day's opening (or to ``start`` on its own day), so a
           target reached exactly at closing time is that evening, not the next morning.

        Raises ValueError when no working day comes within ``SEARCH_LIMIT_DAYS`` (a
        calendar without working days)."""
        zone = zone or self.organization.zone
        if duration <= dt.timedelta(0):
            return start.astimezone(zone)
        start = start.astimezone(dt.UTC)
        remaining = duration
        day = start.astimezone(zone).date()
        idle = 0  # days in a row without working hours
        while idle < SEARCH_LIMIT_DAYS:
            hours = self._hours(day, zone)
            if hours is not None and hours[1] > start:
                begins = max(hours[0], start)
                available = hours[1] - begins
                if remaining <= available:
                    return (begins + remaining).astimezone(zone)
                remaining -= available
                idle = 0
            else:
                idle += 1
            day += ONE_DAY
        raise ValueError(f"No working hours within {SEARCH_LIMIT_DAYS} days of {start}.")


def calendar_for(organization: Organization) -> WorkingCalendar:
    return WorkingCalendar(organization)


def years_to_watch(organization: Organization) -> list[int]:
    """This year and the next, in the organisation's time zone: the ones the settings page
    warns about when their public holidays are not known."""
    this_year = organization.today().year
    return [this_year, this_year + 1]
