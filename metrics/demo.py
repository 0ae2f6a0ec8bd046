"""The demo KPIs with twelve weeks of history: computed ones from the demo boards'
card history, manual ones with realistic values for churn, cost saving and complaints."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from intake.demo import COMPLAINT
from opsboard.tenancy.models import Membership, Organization
from projects.models import Direction, Goal, Unit

from .computations import compute, period_start, periods
from .models import Frequency, Kpi, Measurement, PulseAnswer, Source
from .pulse import teams_worked_with

WEEKS = 12

# The computed KPIs keep the built-in names of their sources (no typed name), so each
# reader sees them in their own language.
COMPUTED = [
    # source, unit, direction, target, amber, red
    (Source.ON_TIME_RATE, Unit.PERCENT, Direction.INCREASE, 90, 90, 75),
    (Source.THROUGHPUT, Unit.COUNT, Direction.INCREASE, 5, 4, 2),
    (Source.CYCLE_TIME_MEDIAN, Unit.DAYS, Direction.DECREASE, 5, 7, 10),
    (Source.OVERDUE_OPEN, Unit.COUNT, Direction.DECREASE, 0, 2, 5),
    (Source.BLOCKED, Unit.COUNT, Direction.DECREASE, 0, 1, 3),
    (Source.BLOCKED_DAYS, Unit.DAYS, Direction.DECREASE, 0, 3, 7),
]

MANUAL = [
    # name, unit, direction, target, amber, red, weekly values (oldest first)
    ("Customer churn", Unit.PERCENT, Direction.DECREASE, 17, 18, 19.5,
     [20.3, 20.1, 20.2, 19.9, 20.0, 19.8, 19.5, 19.6, 19.1, 18.8, 18.9, 18.6]),
    ("Cost saving rate", Unit.PERCENT, Direction.INCREASE, 12, 8, 4,
     [0.4, 1.1, 1.6, 2.5, 3.0, 3.9, 4.4, 5.2, 5.6, 6.1, 7.3, 8.2]),
    ("Complaint rate", Unit.PERCENT, Direction.DECREASE, 1.0, 1.5, 2.0,
     [2.4, 2.3, 2.3, 2.1, 2.2, 2.0, 1.9, 1.9, 1.8, 1.7, 1.7, 1.6]),
]  # fmt: skip


def seed_demo_kpis(organization: Organization, today: date) -> None:
    if Kpi.objects.filter(organization=organization).exists():
        return
    weeks = periods(Frequency.WEEKLY, period_start(Frequency.WEEKLY, today), WEEKS + 1)[:-1]
    position = 0
    for source, unit, direction, target, amber, red in COMPUTED:
        kpi = Kpi.objects.create(
            organization=organization, source=source, unit=unit, direction=direction,
            target=target, amber_threshold=amber, red_threshold=red, decimals=0 if unit == Unit.COUNT and source != Source.THROUGHPUT else 1,
            position=position,
        )  # fmt: skip
        position += 1
        _backfill(kpi, weeks)
    for name, unit, direction, target, amber, red, values in MANUAL:
        kpi = Kpi.objects.create(
            organization=organization, name=name, source=Source.MANUAL, unit=unit, direction=direction,
            target=Decimal(str(target)), amber_threshold=Decimal(str(amber)), red_threshold=Decimal(str(red)), decimals=1,
            position=position,
        )  # fmt: skip
        position += 1
        Measurement.objects.bulk_create(
            Measurement(kpi=kpi, period_start=week, value=Decimal(str(value)))
            for week, value in zip(weeks, values, strict=True)
        )
    churn_goal = Goal.objects.filter(
        organization=organization, title__startswith="Cut monthly churn"
    ).first()
    if churn_goal is not None:
        kpi = Kpi.objects.create(
            organization=organization, source=Source.GOAL_PROGRESS, unit=Unit.PERCENT,
            direction=Direction.INCREASE, target=100, amber_threshold=30, red_threshold=15, goal=churn_goal, decimals=0,
            position=position,
        )  # fmt: skip
        _backfill(kpi, weeks)
    engineering = organization.teams.filter(name__startswith="Engineering").first()
    if engineering is not None:
        kpi = Kpi.objects.create(
            organization=organization, source=Source.ON_TIME_RATE, unit=Unit.PERCENT,
            direction=Direction.INCREASE, target=90, amber_threshold=90, red_threshold=75, team=engineering,
            position=position + 1,
        )  # fmt: skip
        _backfill(kpi, weeks)


def seed_demo_pulse(organization: Organization, today: date) -> None:
    """Three months of pulse answers from everyone in Demo Ops, and the KPIs that read them."""
    if PulseAnswer.objects.filter(organization=organization).exists():
        return
    rng = random.Random(42)  # noqa: S311 - demo data, the same every time
    this_month = today.replace(day=1)
    months = [this_month]
    while len(months) < 4:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    months = months[:0:-1]  # the three finished months, oldest first
    # How each team is to work with, on average, and how it improves month by month.
    mood = {
        "User": 3.6,
        "Product": 3.9,
        "Engineering": 3.3,
        "Procurement": 3.8,
        "Logistics": 3.5,
        "Finance": 4.1,
    }
    answers = []
    for membership in Membership.objects.filter(organization=organization).prefetch_related(
        "teams"
    ):
        for step, month in enumerate(months):
            for team in teams_worked_with(membership):
                base = mood[team.name.split(" ")[0]] + 0.15 * step
                satisfaction = max(1, min(5, round(rng.gauss(base, 0.7))))
                recommend = max(0, min(10, round(rng.gauss(base * 2, 1.5))))
                answers.append(
                    PulseAnswer(
                        organization=organization, respondent_id=membership.user_id, team=team, month=month,
                        satisfaction=satisfaction, recommend=recommend,
                    )
                )  # fmt: skip
    PulseAnswer.objects.bulk_create(answers)
    satisfaction = Kpi.objects.create(
        organization=organization, source=Source.PULSE_SATISFACTION, unit=Unit.SCORE,
        direction=Direction.INCREASE, target=4, amber_threshold=4, red_threshold=3.5, frequency=Frequency.MONTHLY, position=20,
    )  # fmt: skip
    nps = Kpi.objects.create(
        organization=organization, source=Source.PULSE_NPS, unit=Unit.SCORE,
        direction=Direction.INCREASE, target=30, amber_threshold=30, red_threshold=0, frequency=Frequency.MONTHLY,
        decimals=0, position=21,
    )  # fmt: skip
    for kpi in (satisfaction, nps):
        _backfill(kpi, months)


# Requests between teams (intake's demo): answered in time, and how requesters rated them;
# complaints are held to more than the team's average, by a KPI of their type alone.
REQUEST_KPIS = [
    # source, request type (None: all the team's), unit, direction, target, amber, red, frequency, position
    (Source.FIRST_RESPONSE_ON_TIME, None, Unit.PERCENT, Direction.INCREASE, 90, 90, 75, Frequency.WEEKLY, 15),
    (Source.RESOLUTION_ON_TIME, None, Unit.PERCENT, Direction.INCREASE, 90, 90, 75, Frequency.WEEKLY, 16),
    (Source.REQUESTER_SATISFACTION, None, Unit.SCORE, Direction.INCREASE, 4, 4, 3.5, Frequency.MONTHLY, 17),
    (Source.FIRST_RESPONSE_ON_TIME, COMPLAINT, Unit.PERCENT, Direction.INCREASE, 95, 90, 80, Frequency.WEEKLY, 18),
]  # fmt: skip


def seed_demo_request_kpis(organization: Organization, today: date) -> None:
    """User Operations' KPIs of the requests other teams send it, with their history."""
    team = organization.teams.filter(name__startswith="User").first()
    sources = [row[0] for row in REQUEST_KPIS]
    if team is None or Kpi.objects.filter(organization=organization, source__in=sources).exists():
        return
    types = {kind.name: kind for kind in team.request_types.all()}
    for source, type_name, unit, direction, target, amber, red, frequency, position in REQUEST_KPIS:
        if type_name and type_name not in types:
            continue
        kpi = Kpi.objects.create(
            organization=organization, source=source, unit=unit, direction=direction, team=team,
            request_type=types.get(type_name), target=Decimal(str(target)),
            amber_threshold=Decimal(str(amber)), red_threshold=Decimal(str(red)),
            frequency=frequency, decimals=0 if unit == Unit.PERCENT else 1, position=position,
        )  # fmt: skip
        last = period_start(frequency, today)
        _backfill(kpi, periods(frequency, last, 5)[:-1])


def _backfill(kpi: Kpi, weeks: list[date]) -> None:
    """Store the computed values of past weeks, as the nightly job would have."""
    Measurement.objects.bulk_create(
        Measurement(kpi=kpi, period_start=week, value=value)
        for week in weeks
        if (value := compute(kpi, week)) is not None
    )


DEMO_REVIEW_HIGHLIGHTS = """Joint analysis done in week one: User Operations, Product and Engineering agreed one problem list.
The churn dashboard is live and the leads read it every Monday.
Collaboration star of the month: Xu Jie, for the churned-customer interviews."""
DEMO_REVIEW_PROBLEMS = """The data pipeline waited a week on database access: nobody owned the request.
Two cards had nobody Responsible until the weekly meeting caught them.
Interview notes sat in personal folders instead of the case library."""
DEMO_ACTIONS = [
    # title, owner (email before @), days from today
    ("Name one owner for every cross-team access request", "sun.hao", 7),
    ("Check RACI gaps in the Monday standup", "lead", 10),
    ("Move the interview notes into the case library", "xu.jie", 14),
]


def seed_demo_retrospective(organization: Organization, today: date) -> None:
    """Last month's retrospective of the churn project, reviewed, with its actions on the board."""
    from .retrospectives.report import previous_month
    from .retrospectives.services import retrospective_action_add, retrospective_build

    project = organization.projects.filter(name="Reduce customer churn").first()
    if project is None or project.retrospectives.exists():
        return
    retrospective, _built = retrospective_build(
        project=project, month=previous_month(today.replace(day=1))
    )
    retrospective.highlights = DEMO_REVIEW_HIGHLIGHTS
    retrospective.problems = DEMO_REVIEW_PROBLEMS
    retrospective.save(update_fields=["highlights", "problems", "updated_at"])
    members = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(organization=organization).select_related("user")
    }
    for title, owner, days in DEMO_ACTIONS:
        retrospective_action_add(
            actor=members["lead"],
            retrospective=retrospective,
            title=title,
            owner=members[owner].user,
            due_date=today + timedelta(days=days),
        )
