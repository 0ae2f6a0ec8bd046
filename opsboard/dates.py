"""Days, zones and ages as each language writes them: 「12月4日（周五）」, "Fri, Dec 4".

The formats themselves live per language in ``opsboard/formats/<lang>/formats.py``
(Django's ``DATE_FORMAT`` and friends, and ``FULL_DATE_FORMAT``); the sentences
that put a day beside its weekday or two days into a range come from the
catalogue, so each language orders and punctuates them its own way. Templates
call these as filters (a builtin library: no ``{% load %}``), Python code calls
the functions; no template or email writes a format string of its own.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats, timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import get_language, gettext, ngettext, pgettext, pgettext_lazy

register = template.Library()

# Django's own "D" gives 星期五 in Chinese, where a date in brackets says 周五.
WEEKDAYS = (
    pgettext_lazy("weekday, short", "Mon"),
    pgettext_lazy("weekday, short", "Tue"),
    pgettext_lazy("weekday, short", "Wed"),
    pgettext_lazy("weekday, short", "Thu"),
    pgettext_lazy("weekday, short", "Fri"),
    pgettext_lazy("weekday, short", "Sat"),
    pgettext_lazy("weekday, short", "Sun"),
)

# The zones whose clocks are Beijing time, which Chinese readers call by that name.
BEIJING_TIME_ZONES = {"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC"}

Day = dt.date | dt.datetime


def _local_date(value: Day) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _named_format(name: str) -> str:
    """A format of the active language's module, ours included (Django knows only its own names)."""
    for module in formats.get_format_modules(get_language()):
        if found := getattr(module, name, None):
            return str(found)
    raise LookupError(name)


@register.filter
def day(value: Day | None) -> str:
    """The day without its year when it falls in this year: 「12月4日」, "Dec 4"; else with it."""
    if not value:
        return ""
    date = _local_date(value)
    name = "MONTH_DAY_FORMAT" if date.year == timezone.localdate().year else "DATE_FORMAT"
    return formats.date_format(date, name)


@register.filter
def day_weekday(value: Day | None) -> str:
    """The day and its weekday, where the weekday helps: 「12月4日（周五）」, "Fri, Dec 4"."""
    if not value:
        return ""
    date = _local_date(value)
    return pgettext("a day and its weekday", "%(weekday)s, %(day)s") % {
        "weekday": WEEKDAYS[date.weekday()],
        "day": day(date),
    }


@register.filter
def full_date(value: Day | None) -> str:
    """The whole date with its weekday: 「2026年12月1日 星期二」, "Tuesday, December 1, 2026"."""
    if not value:
        return ""
    return format_date(_local_date(value), _named_format("FULL_DATE_FORMAT"))


@register.filter
def day_range(start: Day | None, end: Day | None) -> str:
    """Two days as a span: 「11月23日—11月29日」, "Nov 23 – Nov 29"; one day when they are one.

    Both days carry their year unless both fall in this year: 「2025年11月1日—12月31日」
    would read as the last day of 2025.
    """
    if not start or not end or _local_date(start) == _local_date(end):
        return day(start or end)
    first, last = _local_date(start), _local_date(end)
    this_year = timezone.localdate().year
    name = "MONTH_DAY_FORMAT" if first.year == last.year == this_year else "DATE_FORMAT"
    return pgettext("a span of days", "%(start)s – %(end)s") % {
        "start": formats.date_format(first, name),
        "end": formats.date_format(last, name),
    }


@register.filter
def zone(value: dt.datetime | None = None) -> str:
    """The reader's time zone at a moment: 「北京时间」 / "Beijing time", else "UTC+05:30"."""
    local = timezone.localtime(value or timezone.now())
    if isinstance(local.tzinfo, ZoneInfo) and local.tzinfo.key in BEIJING_TIME_ZONES:
        return gettext("Beijing time")
    minutes = int((local.utcoffset() or dt.timedelta(0)).total_seconds()) // 60
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@register.filter
def age(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """How long since a moment, in days (hours within the first day): "3 days", 「3 天」.

    Django's ``timesince`` says 「1 周，2 日」 where everything else in the product
    counts 天; ops teams count blocked and waiting time in days.
    """
    if not value:
        return ""
    seconds = max(0, int(((now or timezone.now()) - value).total_seconds()))
    if seconds < 3600:
        return gettext("less than an hour")
    if seconds < 86400:
        hours = seconds // 3600
        return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}
    days = seconds // 86400
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
