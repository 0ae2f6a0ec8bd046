"""A year's announced days typed or pasted as a list, one line per day or run of days.

China's State Council announces each year's holidays and make-up working days in the
autumn; until the ``holidays`` package carries a year, an organisation's managers enter
them as company days. A line reads::

    2027-02-06 .. 2027-02-12, off, Spring Festival
    2027-02-14, working, 春节调休

- a date, or a run of dates joined by ``..``, ``~``, ``～`` or ``至`` (at most 31 days);
- ``off`` (休, 放假) or ``working`` (班, 上班);
- the reason people will read.

Parts are separated by a comma (also the full-width ，), a tab or a semicolon. Empty lines
and lines starting with ``#`` are skipped. Every mistake is told with its line number, and
nothing is kept when there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_LINES = 400
MAX_RUN_DAYS = 31
REASON_LENGTH = 200  # CompanyDay.reason's max_length

_SEPARATORS = re.compile(r"\s*[,，;；\t]\s*")
_RUN = re.compile(r"\s*(?:\.\.|~|～|至)\s*")
_OFF = {"off", "day off", "holiday", "休", "休息", "放假"}
_WORKING = {"working", "work", "workday", "班", "上班", "补班", "调休上班"}


@dataclass(frozen=True)
class ListedDay:
    date: date
    working: bool
    reason: str
    line: int


def _date(text: str, number: int) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            _('Line %(line)d: "%(text)s" is not a date written as YYYY-MM-DD.')
            % {"line": number, "text": text.strip()}
        ) from None


def _dates(text: str, number: int) -> list[date]:
    parts = _RUN.split(text.strip())
    if len(parts) == 1:
        return [_date(parts[0], number)]
    if len(parts) != 2:
        raise ValidationError(
            _('Line %(line)d: "%(text)s" is neither a date nor a run of dates.')
            % {"line": number, "text": text.strip()}
        )
    first, last = _date(parts[0], number), _date(parts[1], number)
    if last < first:
        raise ValidationError(
            _("Line %(line)d: the run of dates ends before it starts.") % {"line": number}
        )
    if (last - first).days >= MAX_RUN_DAYS:
        raise ValidationError(
            _("Line %(line)d: a run of dates is at most %(days)d days.")
            % {"line": number, "days": MAX_RUN_DAYS}
        )
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _working(text: str, number: int) -> bool:
    word = text.strip().lower()
    if word in _OFF:
        return False
    if word in _WORKING:
        return True
    raise ValidationError(
        _('Line %(line)d: "%(text)s" should say "off" or "working".')
        % {"line": number, "text": text.strip()}
    )


def _line(text: str, number: int) -> list[ListedDay]:
    parts = _SEPARATORS.split(text.strip(), maxsplit=2)
    if len(parts) < 3 or not parts[2].strip():
        raise ValidationError(
            _("Line %(line)d: write the date, off or working, and the reason.") % {"line": number}
        )
    reason = parts[2].strip()
    if len(reason) > REASON_LENGTH:
        raise ValidationError(
            _("Line %(line)d: the reason is longer than %(limit)d characters.")
            % {"line": number, "limit": REASON_LENGTH}
        )
    working = _working(parts[1], number)
    return [ListedDay(day, working, reason, number) for day in _dates(parts[0], number)]


def parse_day_list(text: str) -> list[ListedDay]:
    """The days ``text`` lists, in order, or a ValidationError naming every wrong line
    (a day listed twice included)."""
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise ValidationError(
            _("A list is at most %(limit)d lines; split it.") % {"limit": MAX_LINES}
        )
    errors: list[ValidationError] = []
    days: dict[date, ListedDay] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            listed = _line(line, number)
        except ValidationError as error:
            errors.append(error)
            continue
        for day in listed:
            if day.date in days:
                errors.append(
                    ValidationError(
                        _("Line %(line)d: %(date)s is already on line %(first)d.")
                        % {"line": number, "date": day.date, "first": days[day.date].line}
                    )
                )
            else:
                days[day.date] = day
    if errors:
        raise ValidationError(errors)
    if not days:
        raise ValidationError(_("The list has no days."))
    return sorted(days.values(), key=lambda day: day.date)
