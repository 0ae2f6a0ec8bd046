"""When will a project's remaining cards be done? A Monte Carlo forecast from its throughput.

Steps, for one project on the organisation's day ``today``:

1. The **history**: the working days (``calendar_for``) of the last ``HISTORY_WEEKS`` weeks
   before today, from the project's start if it started later, and how many of the
   project's cards were done on each (archived ones too: the work was done). A card done on
   a day off counts on the working day before it, so days off give no throughput.
2. With fewer than ``MIN_WORKING_DAYS`` working days or ``MIN_DONE`` done cards in the
   history there is **too little history**: the forecast says so and gives no dates.
3. ``RUNS`` runs each replay the future one working day at a time from the day after today,
   each day finishing as many cards as a day drawn at random from the history, until the
   **remaining** cards (``CardQuerySet.unfinished``) are done. The 50th, 85th and 95th
   percentiles of the runs' lengths, counted on in working days from today, are the
   dates by which the work is done with that chance.
4. "How many cards by a date" replays the working days up to the date in each run: with
   85% chance at least the 15th percentile of those totals is done, and so on.
5. The random draws are seeded from a digest of the inputs (project, history, remaining
   cards, today), so the same data gives the same answer, and a forecast is kept in the
   cache under that digest: any change of the data is a new key.

A project is **at risk** when its 85% date falls after its due date.
"""

from __future__ import annotations

import hashlib
import math
import random
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from itertools import accumulate
from typing import Any

from django.core.cache import cache
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kanban.models import Card
from opsboard.dates import day as day_text
from opsboard.tenancy.calendar import WorkingCalendar, calendar_for
from opsboard.tenancy.models import Organization
from projects.models import Project, ProjectStatus
from projects.sections import ProjectNote

HISTORY_WEEKS = 8
RUNS = 10_000
MIN_DONE = 5
MIN_WORKING_DAYS = 10
PERCENTS = (50, 85, 95)
AT_RISK_PERCENT = 85
# About three years of working days: a run that needs longer gives no date.
MAX_WORKING_DAYS = 750
KEPT_SECONDS = 26 * 3600
OPEN_STATUSES = (ProjectStatus.PLANNED, ProjectStatus.ACTIVE)


@dataclass(frozen=True)
class History:
    """What a forecast is made from."""

    project_id: int
    today: date
    days: tuple[date, ...]  # the history's working days, oldest first
    done: tuple[int, ...]  # cards done on each of them
    remaining: int

    @property
    def done_total(self) -> int:
        return sum(self.done)

    @property
    def enough(self) -> bool:
        return len(self.days) >= MIN_WORKING_DAYS and self.done_total >= MIN_DONE

    @property
    def digest(self) -> str:
        """A stable digest of the inputs: the seed of the runs and the cache key."""
        text = "|".join(
            [
                str(self.project_id),
                self.today.isoformat(),
                str(self.remaining),
                ",".join(str(n) for n in self.done),
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()


def percentile_rank(ordered: list[int], percent: int) -> int:
    """The smallest value at least ``percent``% of ``ordered`` (sorted) are at or below."""
    return ordered[max(0, math.ceil(len(ordered) * percent / 100) - 1)]


class Draws:
    """Days drawn at random from a history, many at a time.

    ``random.choices`` costs a Python step per day drawn; here a day is a random byte
    mapped to a history day by one ``bytes.translate`` (bytes past the largest multiple
    of the history's length are dropped, so every day is as likely), which is several
    times faster. A day's count above 255 is kept as 255: no project finishes more a day.
    """

    def __init__(self, done: Iterable[int], seed: str) -> None:
        sample = [min(count, 255) for count in done]
        if not 0 < len(sample) <= 256:
            raise ValueError("A history has 1 to 256 days.")
        self.rng = random.Random(seed)  # noqa: S311 - a replay, seeded on purpose
        usable = 256 - 256 % len(sample)
        self.table = bytes(sample[byte % len(sample)] for byte in range(usable)).ljust(256, b"\0")
        self.dropped = bytes(range(usable, 256))
        self.share = usable / 256

    def take(self, count: int) -> bytes:
        """``count`` days' cards."""
        days = b""
        while len(days) < count:
            wanted = count - len(days)
            raw = self.rng.randbytes(math.ceil(wanted / self.share) + 8)
            days += raw.translate(self.table, self.dropped)
        return days[:count]


def simulate_days(done: Iterable[int], remaining: int, *, seed: str, runs: int = RUNS) -> list[int]:
    """Each run's length in working days, sorted; ``MAX_WORKING_DAYS + 1`` for a run that
    did not finish within ``MAX_WORKING_DAYS``."""
    sample = list(done)
    if remaining <= 0:
        return [0] * runs
    draws = Draws(sample, seed)
    mean = sum(sample) / len(sample)
    # Draw a block of days a little longer than the average run needs, and more only
    # for the runs it did not finish: most runs end inside the first block.
    block = min(MAX_WORKING_DAYS, math.ceil(remaining / mean * 1.25) + 5)
    lengths = []
    for _run in range(runs):
        reached = 0
        length = 0
        while length < MAX_WORKING_DAYS:
            totals = list(accumulate(draws.take(block), initial=reached))
            finished = bisect_left(totals, remaining)
            if finished < len(totals):
                length += finished
                break
            reached = totals[-1]
            length += block
        else:
            length = MAX_WORKING_DAYS + 1
        lengths.append(min(length, MAX_WORKING_DAYS + 1))
    lengths.sort()
    return lengths


def simulate_cards(done: Iterable[int], days: int, *, seed: str, runs: int = RUNS) -> list[int]:
    """The cards each run finishes in ``days`` working days, sorted."""
    draws = Draws(done, seed + ":cards")
    return sorted(sum(draws.take(days)) for _run in range(runs))


@dataclass
class Forecast:
    project: Project
    history: History
    calendar: WorkingCalendar
    working_days: dict[int, int | None] = field(default_factory=dict)  # percent -> days

    @property
    def today(self) -> date:
        return self.history.today

    @property
    def enough(self) -> bool:
        return self.history.enough

    @property
    def remaining(self) -> int:
        return self.history.remaining

    @cached_property
    def dates(self) -> dict[int, date | None]:
        """Each percent's day: its working days counted on from today on the calendar."""
        return {
            percent: None if days is None else self.calendar.add_working_days(self.today, days)
            for percent, days in self.working_days.items()
        }

    @property
    def at_risk(self) -> bool:
        """The 85% date falls after the due date (or beyond the forecast's reach)."""
        if not self.enough or not self.remaining:
            return False
        when = self.dates[AT_RISK_PERCENT]
        return when is None or when > self.project.due_date

    def cards_by(self, day: date) -> dict[int, int]:
        """With each percent's chance, at least this many cards are done by ``day``."""
        # The working days after today up to ``day``: today's work is already counted.
        one = timedelta(days=1)
        days = max(0, self.calendar.working_days_between(self.today + one, day + one))
        days = min(days, MAX_WORKING_DAYS)
        key = f"metrics:forecast:{self.history.digest}:cards:{days}"
        cards = cache.get(key)
        if cards is None:
            totals = simulate_cards(self.history.done, days, seed=self.history.digest)
            cards = {percent: percentile_rank(totals, 100 - percent) for percent in PERCENTS}
            cache.set(key, cards, timeout=KEPT_SECONDS)
        return cards

    @property
    def short(self) -> str:
        """The forecast in a few words, for lists; empty when nothing is left."""
        if not self.remaining:
            return ""
        if not self.enough:
            return _("Too little history to forecast")
        when = self.dates[AT_RISK_PERCENT]
        if when is None:
            return _("At risk: more than three years of work left")
        if self.at_risk:
            return _("At risk: 85%% likely done by %(date)s") % {"date": day_text(when)}
        return _("85%% likely done by %(date)s") % {"date": day_text(when)}

    @property
    def summary(self) -> str:
        """The forecast in one sentence, in the active language."""
        if not self.remaining:
            return _("Every card of this project is done.")
        if not self.enough:
            return ngettext(
                "Too little history to forecast: %(done)s card done in the last %(weeks)s weeks"
                " (at least %(needed)s are needed, over %(days)s working days).",
                "Too little history to forecast: %(done)s cards done in the last %(weeks)s weeks"
                " (at least %(needed)s are needed, over %(days)s working days).",
                self.history.done_total,
            ) % {
                "done": self.history.done_total,
                "weeks": HISTORY_WEEKS,
                "needed": MIN_DONE,
                "days": MIN_WORKING_DAYS,
            }
        when = self.dates[AT_RISK_PERCENT]
        if when is None:
            return _("At this pace the remaining cards take more than three years.")
        if self.at_risk:
            return _(
                "At risk: with 85%% chance the remaining cards are done by %(date)s,"
                " after the due date %(due)s."
            ) % {"date": day_text(when), "due": day_text(self.project.due_date)}
        return _(
            "On track: with 85%% chance the remaining cards are done by %(date)s,"
            " by the due date %(due)s."
        ) % {"date": day_text(when), "due": day_text(self.project.due_date)}


def _start_of(day: date, organization: Organization) -> datetime:
    return datetime.combine(day, time.min, tzinfo=organization.zone)


def read_histories(
    projects: list[Project],
    *,
    organization: Organization,
    today: date,
    calendar: WorkingCalendar,
    remaining: dict[int, int] | None = None,
) -> dict[int, History]:
    """The histories of ``projects`` (all of ``organization``) in two queries; one when the
    ``remaining`` cards of each are known (as of a day past, for a retrospective)."""
    ids = [project.pk for project in projects]
    earliest = today - timedelta(weeks=HISTORY_WEEKS)
    done_rows = (
        Card.objects.filter(board__project_id__in=ids)
        .done_in(_start_of(earliest, organization), _start_of(today, organization))
        .with_done_day(organization.zone)
        .values_list("board__project_id", "done_day")
        .annotate(cards=Count("pk"))
        .order_by()
    )
    done: dict[int, dict[date, int]] = defaultdict(dict)
    for project_id, done_day, cards in done_rows:
        done[project_id][done_day] = cards
    if remaining is None:
        remaining = dict(
            Card.objects.filter(board__project_id__in=ids)
            .unfinished()
            .values_list("board__project_id")
            .annotate(cards=Count("pk"))
            .order_by()
        )
    days = [day.date for day in calendar.days(earliest, today - timedelta(days=1)) if day.working]
    histories = {}
    for project in projects:
        own_days = [day for day in days if day >= project.start_date]
        counts = dict.fromkeys(own_days, 0)
        for done_day, cards in sorted(done[project.pk].items()):
            # A card done on a day off counts on the working day before it.
            at = bisect_left(own_days, done_day + timedelta(days=1)) - 1
            if at >= 0:
                counts[own_days[at]] += cards
        histories[project.pk] = History(
            project_id=project.pk,
            today=today,
            days=tuple(own_days),
            done=tuple(counts.values()),
            remaining=remaining.get(project.pk, 0),
        )
    return histories


def _working_days(history: History) -> dict[int, int | None]:
    if not history.enough or not history.remaining:
        return {}
    lengths = simulate_days(history.done, history.remaining, seed=history.digest)
    working_days: dict[int, int | None] = {}
    for percent in PERCENTS:
        days = percentile_rank(lengths, percent)
        working_days[percent] = days if days <= MAX_WORKING_DAYS else None
    return working_days


def forecasts_for(
    projects: Iterable[Project],
    *,
    organization: Organization,
    today: date | None = None,
    remaining: dict[int, int] | None = None,
) -> dict[int, Forecast]:
    """The forecasts of ``projects`` (all of ``organization``), by project id: two queries,
    and the runs of any whose data changed since they were last kept. ``today`` and
    ``remaining`` (by project id) give a forecast as it stood on a day past."""
    projects = list(projects)
    if not projects:
        return {}
    today = today or organization.today()
    calendar = calendar_for(organization)
    histories = read_histories(
        projects, organization=organization, today=today, calendar=calendar, remaining=remaining
    )
    keys = {pk: f"metrics:forecast:{history.digest}" for pk, history in histories.items()}
    kept = cache.get_many(list(keys.values()))
    forecasts = {}
    for project in projects:
        history = histories[project.pk]
        key = keys[project.pk]
        if key in kept:
            working_days = kept[key]
        else:
            working_days = _working_days(history)
            cache.set(key, working_days, timeout=KEPT_SECONDS)
        forecasts[project.pk] = Forecast(project, history, calendar, working_days)
    return forecasts


def project_notes(projects: list[Project], organization: Organization) -> dict[int, ProjectNote]:
    """The forecast in a few words beside each open project in lists (``projects.sections``)."""
    open_projects = [project for project in projects if project.status in OPEN_STATUSES]
    forecasts = forecasts_for(open_projects, organization=organization)
    return {
        pk: ProjectNote(forecast.short, "danger" if forecast.at_risk else "")
        for pk, forecast in forecasts.items()
        if forecast.short
    }


def project_forecast(
    project: Project, *, organization: Organization | None = None, today: date | None = None
) -> Forecast:
    """One project's forecast; ``organization``, its own, saves reading it again."""
    organization = organization or project.organization
    return forecasts_for([project], organization=organization, today=today)[project.pk]


def at_risk(
    projects: Iterable[Project], *, organization: Organization, today: date | None = None
) -> list[Forecast]:
    """The forecasts of the planned and active ones among ``projects`` that are at risk,
    the soonest due first."""
    open_projects = [project for project in projects if project.status in OPEN_STATUSES]
    forecasts = forecasts_for(open_projects, organization=organization, today=today)
    risky = [forecast for forecast in forecasts.values() if forecast.at_risk]
    return sorted(risky, key=lambda forecast: (forecast.project.due_date, forecast.project.pk))


@dataclass(frozen=True)
class Likely:
    """One percent's answer: done by ``date`` (``working_days`` after today) and at least
    ``cards`` done by the day asked about."""

    percent: int
    working_days: int | None
    date: date | None
    cards: int | None


def likely_rows(forecast: Forecast, *, by: date) -> list[Likely]:
    """The 50%, 85% and 95% answers, for the pages, the API and the CSV alike."""
    cards = forecast.cards_by(by) if forecast.enough else {}
    dates = forecast.dates
    return [
        Likely(
            percent=percent,
            working_days=forecast.working_days.get(percent),
            date=dates.get(percent),
            cards=cards.get(percent),
        )
        for percent in PERCENTS
    ]


def retrospective_item(project: Project, *, today: date, remaining: int) -> dict[str, Any] | None:
    """The forecast as a month's retrospective keeps it (``today`` the day after the month):
    a problem when at risk, a highlight when on track, nothing with too little history or
    nothing left. Dates as ISO text, as the figures are stored."""
    forecast = forecasts_for(
        [project], organization=project.organization, today=today, remaining={project.pk: remaining}
    )[project.pk]
    if not forecast.enough or not forecast.remaining:
        return None
    dates = forecast.dates
    return {
        "kind": "forecast",
        "at_risk": forecast.at_risk,
        "remaining": forecast.remaining,
        "due": project.due_date.isoformat(),
        **{f"p{percent}": day and day.isoformat() for percent, day in dates.items()},
    }
