"""The demo's requests between teams tell the same story at any moment the demo is seeded:
data pulls and complaint escalations from Product and Engineering to User Operations, one
complaint that missed its first response, one pull waiting on its requester, several closed
and rated, clocks that agree with the working calendar, and nothing falling due while the
demo is tried."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from intake.models import (
    ClockKind,
    FieldKind,
    Rating,
    Request,
    RequestState,
    RequestType,
    ResponseClock,
)
from metrics.models import Kpi, Source
from opsboard.accounts.models import User
from opsboard.tenancy.calendar import calendar_for
from opsboard.tenancy.models import Organization
from tests.clock import AWKWARD_MOMENTS, DEFAULT_MOMENT

pytestmark = pytest.mark.django_db

MOMENTS = [
    DEFAULT_MOMENT,
    *AWKWARD_MOMENTS.values(),
    "2026-10-08T08:00:00+08:00",  # the first morning after the National Day week
    "2026-10-10T15:00:00+08:00",  # a make-up working Saturday (调休)
    "2027-02-10T11:00:00+08:00",  # the Spring Festival holiday
]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture(params=MOMENTS)
def seeded_at(request: pytest.FixtureRequest) -> datetime:
    moment = datetime.fromisoformat(request.param)
    with time_machine.travel(moment, tick=False):
        seed()
        yield moment


def test_the_demos_requests_tell_the_story_at_any_moment(seeded_at: datetime) -> None:
    organization = Organization.objects.get(slug="demo-ops")
    pull = RequestType.objects.get(organization=organization, name="Data pull")
    complaint = RequestType.objects.get(organization=organization, name="Complaint escalation")
    assert pull.team.name.startswith("User Operations") and complaint.team == pull.team
    assert [(f.label, f.kind) for f in pull.fields.all()] == [
        ("What data", FieldKind.TEXT),
        ("Period", FieldKind.DATE),
        ("Format", FieldKind.CHOICE),
        ("Purpose", FieldKind.LONG_TEXT),
    ]
    assert (complaint.first_response_minutes, complaint.plan_minutes) == (120, 24 * 60)
    requests = list(Request.objects.filter(organization=organization).select_related("card"))
    senders = {
        team.name.split(" ")[0]
        for request in requests
        for team in request.requester.memberships.get(organization=organization).teams.all()
    }
    assert senders == {"Product", "Engineering"}
    for request in requests:
        assert request.card.board == pull.board and request.card.team == pull.team

    clocks = list(ResponseClock.objects.filter(request__in=requests).select_related("request"))
    breached = [clock for clock in clocks if clock.breached_at]
    missed_complaints = [
        clock
        for clock in breached
        if clock.kind == ClockKind.FIRST_RESPONSE and clock.request.request_type == complaint
    ]
    assert len(missed_complaints) == 1  # escalated: warned, then missed
    [missed] = missed_complaints
    assert missed.warned_at < missed.breached_at and missed.on_time is False
    waiting = [r for r in requests if r.state == RequestState.WAITING]
    assert len(waiting) == 1
    [paused] = [c for c in waiting[0].clocks.all() if c.stopped_at is None]
    assert paused.running_since is None and paused.worked > timedelta(0)

    ratings = list(Rating.objects.filter(request__in=requests))
    assert len(ratings) >= 5
    assert {rating.score for rating in ratings} <= {3, 4, 5}
    assert all(r.request.state == RequestState.CLOSED and r.comment for r in ratings)
    assert any(CHINESE.search(r.comment) for r in ratings)
    assert any(not CHINESE.search(r.comment) for r in ratings)
    clocks_agree_with_the_working_calendar(organization)


def clocks_agree_with_the_working_calendar(organization: Organization) -> None:
    calendar = calendar_for(organization)
    zone = organization.zone
    now = timezone.now()
    for clock in ResponseClock.objects.filter(request__organization=organization):
        started = clock.started_at.astimezone(zone)
        assert calendar.is_working(started.date())
        assert organization.work_starts <= started.time() < organization.work_ends
        assert clock.started_at == clock.request.submitted_at < now
        target = timedelta(minutes=clock.target_minutes)
        if clock.stopped_at:
            assert clock.stopped_at < now
            assert clock.worked == calendar.working_time(clock.started_at, clock.stopped_at)
            assert clock.on_time == (clock.worked <= target)
            assert (clock.breached_at is None) == clock.on_time
        elif clock.running_since:
            # Runs on, and falls due only after the demo's day: nothing missed while it is tried.
            assert calendar.working_time(clock.started_at, clock.due_at) == target
            assert calendar.working_time(clock.started_at, clock.warn_at) == target * 0.75
            assert clock.warn_at > now and clock.breached_at is None
        for moment in (clock.warned_at, clock.breached_at):
            assert moment is None or moment < now
    for rating in Rating.objects.filter(request__organization=organization):
        assert rating.request.done_at < rating.request.closed_at == rating.rated_at < now


def test_the_dashboard_shows_the_share_answered_on_time(seeded_at: datetime, client) -> None:
    lead = User.objects.get(email="lead@demo.opsboard.test")
    client.force_login(lead)
    with time_machine.travel(seeded_at + timedelta(minutes=5), tick=False):
        page = client.get(reverse("metrics:dashboard", args=["demo-ops"])).content.decode()
    part = page.split('aria-labelledby="requests-between-teams"')[1].split("</section>")[0]
    row = part.split("User Operations")[1].split("</tr>")[0]
    shares = [int(share) for share in re.findall(r"<strong>(\d+)%</strong>", row)]
    assert len(shares) == 2 and all(60 <= share < 100 for share in shares)  # believable
    assert "Data pull" in part and "Complaint escalation" in part
    kpis = Kpi.objects.filter(organization__slug="demo-ops", team__name__startswith="User")
    assert {Source.FIRST_RESPONSE_ON_TIME, Source.REQUESTER_SATISFACTION} <= {
        kpi.source for kpi in kpis
    }
    # Complaints have a KPI of their own, with a history the nightly job would have kept.
    complaints = kpis.get(request_type__name="Complaint escalation")
    team = complaints.team.name
    assert complaints.label == f"First responses on time · {team} · Complaint escalation"
    assert f'/kpis/{complaints.pk}/"' in page and complaints.measurements.exists()


def test_seeding_again_adds_no_requests(db: None) -> None:
    seed()
    counts = [model.objects.count() for model in (RequestType, Request, ResponseClock, Rating, Kpi)]
    seed()
    assert [
        model.objects.count() for model in (RequestType, Request, ResponseClock, Rating, Kpi)
    ] == counts
