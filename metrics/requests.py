"""Requests between teams in figures: how often a team answers the others within its
targets, and how its requesters rate it (issue 18), read from intake's response clocks and
ratings alone.

A clock counts in the period in which its outcome became known
(``intake.models.clock_decided_at``, indexed): when it was missed (``breached_at``), else
when it stopped, else, still running, when it will be missed (``due_at``). So a clock
missed and still open counts as late as soon as it is missed, even before the scan has
marked it, and a clock missed in one period and answered in the next counts once, in the
first. It is on time only when it stopped within its target and was never missed. A paused clock (the team waits on the requester) is not
decided until it runs again and stops or is missed.

Ratings count in the period they were given. The formulas are in docs/metrics.md; the KPIs
(``metrics.computations``), the dashboard, the weekly digest and the retrospective all read
them here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum

from intake.models import ClockKind, Rating, Request, ResponseClock, clock_decided_at
from projects.goals import format_value
from projects.models import Unit

# A decided clock was on time when it stopped within its target and was never missed.
ON_TIME = Q(on_time=True, breached_at__isnull=True)


def clocks_decided(
    requests: QuerySet[Request], begin: datetime, until: datetime
) -> QuerySet[ResponseClock]:
    """The clocks of ``requests`` whose outcome became known in [begin, until)."""
    return (
        ResponseClock.objects.filter(request__in=requests)
        .alias(decided=clock_decided_at())
        .filter(decided__gte=begin, decided__lt=until)
    )


def _clock_counts() -> dict[str, Count]:
    """Per target: the clocks decided, and those on time; as filtered aggregates."""
    counts = {}
    for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION):
        counts[f"{kind}_n"] = Count("pk", filter=Q(kind=kind))
        counts[f"{kind}_on_time"] = Count("pk", filter=Q(kind=kind) & ON_TIME)
    return counts


def _rating_counts() -> dict[str, object]:
    return {"ratings": Count("pk"), "score_total": Sum("score")}


@dataclass
class RequestFigures:
    """The counts behind a scope's request figures for a period, and the figures."""

    first_responses: int = 0
    first_responses_on_time: int = 0
    resolutions: int = 0
    resolutions_on_time: int = 0
    ratings: int = 0
    score_total: int = 0

    def add_clocks(self, row: dict) -> None:
        self.first_responses += row[f"{ClockKind.FIRST_RESPONSE}_n"]
        self.first_responses_on_time += row[f"{ClockKind.FIRST_RESPONSE}_on_time"]
        self.resolutions += row[f"{ClockKind.RESOLUTION}_n"]
        self.resolutions_on_time += row[f"{ClockKind.RESOLUTION}_on_time"]

    def add_ratings(self, row: dict) -> None:
        self.ratings += row["ratings"]
        self.score_total += row["score_total"] or 0

    @property
    def first_response_rate(self) -> float | None:
        """First responses on time, in %; None when none was decided."""
        return _share(self.first_responses_on_time, self.first_responses)

    @property
    def resolution_rate(self) -> float | None:
        return _share(self.resolutions_on_time, self.resolutions)

    @property
    def satisfaction(self) -> float | None:
        """The mean score, 1-5; None without ratings."""
        return self.score_total / self.ratings if self.ratings else None

    @property
    def first_response_text(self) -> str:
        return format_value(self.first_response_rate, 0, Unit.PERCENT)

    @property
    def resolution_text(self) -> str:
        return format_value(self.resolution_rate, 0, Unit.PERCENT)

    @property
    def satisfaction_text(self) -> str:
        return format_value(self.satisfaction, 1, Unit.SCORE)


def _share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def request_figures(
    requests: QuerySet[Request], begin: datetime, until: datetime
) -> RequestFigures:
    """The figures of ``requests`` for [begin, until), in two queries."""
    figures = RequestFigures()
    figures.add_clocks(clocks_decided(requests, begin, until).aggregate(**_clock_counts()))
    figures.add_ratings(
        Rating.objects.filter(
            request__in=requests, rated_at__gte=begin, rated_at__lt=until
        ).aggregate(**_rating_counts())
    )
    return figures


@dataclass
class TypeRequests:
    name: str
    figures: RequestFigures = field(default_factory=RequestFigures)


@dataclass
class TeamRequests:
    """One team's figures as the team asked, and by each of its request types."""

    team_id: int
    name: str
    figures: RequestFigures = field(default_factory=RequestFigures)
    types: list[TypeRequests] = field(default_factory=list)


def request_figures_by_team(
    requests: QuerySet[Request], begin: datetime, until: datetime
) -> list[TeamRequests]:
    """``request_figures`` per team asked and per request type, teams and types by name;
    only those with something decided or rated in the period. Two queries."""
    group = ("request__team_id", "request__team__name", "request__request_type__name")
    clocks = (
        clocks_decided(requests, begin, until).values(*group).annotate(**_clock_counts()).order_by()
    )
    ratings = (
        Rating.objects.filter(request__in=requests, rated_at__gte=begin, rated_at__lt=until)
        .values(*group)
        .annotate(**_rating_counts())
        .order_by()
    )
    teams: dict[int, TeamRequests] = {}
    types: dict[tuple[int, str], TypeRequests] = {}

    def counted_in(row: dict) -> tuple[RequestFigures, RequestFigures]:
        team_id, team_name, type_name = (row[key] for key in group)
        team = teams.setdefault(team_id, TeamRequests(team_id, team_name))
        if (team_id, type_name) not in types:
            types[(team_id, type_name)] = TypeRequests(type_name)
            team.types.append(types[(team_id, type_name)])
        return team.figures, types[(team_id, type_name)].figures

    for row in clocks:
        for figures in counted_in(row):
            figures.add_clocks(row)
    for row in ratings:
        for figures in counted_in(row):
            figures.add_ratings(row)
    for team in teams.values():
        team.types.sort(key=lambda by_type: by_type.name)
    return sorted(teams.values(), key=lambda team: team.name)
