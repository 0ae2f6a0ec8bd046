"""Requests between teams in figures: first responses and resolutions on time (a target
missed while the request is open counts as late) and requester satisfaction, on a
hand-built week of clocks and ratings (times in Asia/Shanghai); the same figures on the
dashboard, in the weekly digest and in the monthly retrospective."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from intake.models import (
    ClockKind,
    Rating,
    Request,
    RequestState,
    RequestType,
    ResponseClock,
    StopReason,
)
from kanban.models import Board, Card
from metrics.computations import compute
from metrics.digest import digest_preview, plan_digests
from metrics.models import REQUEST_SOURCES, Frequency, Kpi, Source
from metrics.requests import request_figures_by_team
from metrics.retrospectives.report import Subject, report_for
from metrics.retrospectives.services import retrospective_build
from metrics.scopes import Scope
from opsboard.notify.emails import render_email
from opsboard.tenancy.models import Team
from projects.models import Direction, Unit
from tests.conftest import Tenant, make_tenant
from tests.factories import MembershipFactory, ProjectFactory, TeamFactory
from tests.metrics.test_computed_kpis import SHANGHAI, WEEK, at

pytestmark = pytest.mark.django_db

FRIDAY = datetime(2026, 11, 20, 12, tzinfo=SHANGHAI)  # in the week of 16 November
NEXT_MONDAY = datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)


class Desk:
    """A team's request type on a board of its own, and a way to send it requests."""

    def __init__(self, tenant: Tenant, team: Team) -> None:
        self.tenant = tenant
        self.team = team
        self.board: Board = ProjectFactory(
            organization=tenant.organization, name=f"{team.name} requests", teams=[team]
        ).boards.get()
        todo = self.board.columns.get(kind="todo")
        self.types = {
            name: RequestType.objects.create(
                organization=tenant.organization,
                team=team,
                name=name,
                board=self.board,
                column=todo,
                first_response_minutes=120,
                resolution_minutes=960,
            )
            for name in ("Data pull", "Complaint escalation")
        }
        self.sent = 0

    def request(self, type_name: str = "Data pull", **fields: object) -> Request:
        self.sent += 1
        card = Card.objects.create(
            board=self.board,
            column=self.board.columns.get(kind="todo"),
            title=f"{type_name} {self.sent}",
            team=self.team,
        )
        return Request.objects.create(
            organization=self.tenant.organization,
            request_type=self.types[type_name],
            team=self.team,
            card=card,
            requester=self.tenant.member.user,
            submitted_at=at(9, 9),
            **fields,
        )

    def clock(self, kind: str = ClockKind.FIRST_RESPONSE, type_name: str = "Data pull", **fields):
        """A clock of a new request: stopped (``on_time`` given), else running."""
        values = {"target_minutes": 120, "started_at": at(9, 9)}
        if "on_time" in fields:
            values |= {"stopped_by": StopReason.REPLY, "stopped_at": at(9, 10)}
        else:
            values |= {"running_since": at(9, 9)}
        return ResponseClock.objects.create(
            request=self.request(type_name), kind=kind, **values | fields
        )

    def rating(self, score: int, rated_at: datetime, type_name: str = "Data pull") -> Rating:
        request = self.request(type_name, state=RequestState.CLOSED)
        return Rating.objects.create(
            request=request, rated_by=request.requester, score=score, rated_at=rated_at
        )


@pytest.fixture
def desks(tenant: Tenant) -> dict[str, Desk]:
    """User Operations' week of 16 November, and one first response of Engineering's."""
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    user_ops = Desk(tenant, TeamFactory(organization=tenant.organization, name="User Operations"))
    first = ClockKind.FIRST_RESPONSE
    # Decided in the week: two on time, one answered late, one missed and still open
    # (marked by the scan), one past its target the scan has not marked yet.
    user_ops.clock(first, on_time=True, stopped_at=at(17, 10))
    user_ops.clock(first, "Complaint escalation", on_time=True, stopped_at=at(18, 10))
    user_ops.clock(first, on_time=False, stopped_at=at(18, 10), breached_at=at(17, 16))
    user_ops.clock(first, "Complaint escalation", due_at=at(19, 11), breached_at=at(19, 11, 2))
    user_ops.clock(first, due_at=at(19, 11))
    # Not decided in the week: due after it, paused (waiting on the requester, its old
    # moments left behind), on time the week before, missed the week before and answered late.
    user_ops.clock(first, due_at=at(23, 11))
    user_ops.clock(first, running_since=None, due_at=at(18, 11), worked=timedelta(hours=1))
    user_ops.clock(first, on_time=True, stopped_at=at(13, 10))
    user_ops.clock(first, on_time=False, breached_at=at(13, 16), stopped_at=at(17, 9))
    # Resolutions: one on time, one late.
    resolution = ClockKind.RESOLUTION
    user_ops.clock(resolution, on_time=True, stopped_at=at(19, 15), stopped_by=StopReason.DONE)
    user_ops.clock(
        resolution, on_time=False, stopped_at=at(19, 16), breached_at=at(18, 9, 2),
        stopped_by=StopReason.DONE,
    )  # fmt: skip
    # Ratings given in the week (5, 4 and 3), and one the week before.
    user_ops.rating(5, at(17, 11))
    user_ops.rating(4, at(18, 11), "Complaint escalation")
    user_ops.rating(3, at(19, 11))
    user_ops.rating(1, at(12, 11))
    engineering = Desk(tenant, TeamFactory(organization=tenant.organization, name="Engineering"))
    engineering.clock(first, on_time=True, stopped_at=at(17, 10))
    engineering.rating(2, at(17, 12))
    # Another organisation's late answers count only there.
    rival = make_tenant("rival")
    rival_desk = Desk(rival, TeamFactory(organization=rival.organization, name="User Operations"))
    rival_desk.clock(first, on_time=False, stopped_at=at(18, 10), breached_at=at(17, 16))
    rival_desk.rating(1, at(18, 11))
    return {"user_ops": user_ops, "engineering": engineering}


def request_kpis(tenant: Tenant, team: Team | None = None) -> dict[str, Kpi]:
    return {
        source: Kpi.objects.create(
            organization=tenant.organization,
            source=source,
            team=team,
            target=90,
            amber_threshold=90,
            red_threshold=75,
        )
        for source in REQUEST_SOURCES
    }


def kpi_form(**fields: object) -> dict[str, object]:
    return {
        "name": "", "source": Source.FIRST_RESPONSE_ON_TIME, "unit": "percent",
        "direction": "increase", "decimals": 0, "target": 90, "amber_threshold": 90,
        "red_threshold": 75, "frequency": "weekly", "position": 0,
    } | fields  # fmt: skip


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_the_weeks_figures_per_team_and_for_the_organisation(
    tenant: Tenant, desks: dict[str, Desk]
) -> None:
    team = request_kpis(tenant, team=desks["user_ops"].team)
    assert compute(team[Source.FIRST_RESPONSE_ON_TIME], WEEK) == Decimal(40)  # 2 of 5
    assert compute(team[Source.RESOLUTION_ON_TIME], WEEK) == Decimal(50)
    assert compute(team[Source.REQUESTER_SATISFACTION], WEEK) == Decimal(4)  # 5, 4, 3
    # The week before: one on time, one missed then (answered late this week).
    assert compute(team[Source.FIRST_RESPONSE_ON_TIME], WEEK - timedelta(days=7)) == 50
    assert compute(team[Source.REQUESTER_SATISFACTION], WEEK - timedelta(days=7)) == 1
    # The organisation: Engineering's answer and rating too, never the rival's.
    organization = request_kpis(tenant)
    assert compute(organization[Source.FIRST_RESPONSE_ON_TIME], WEEK) == Decimal(50)  # 3 of 6
    assert compute(organization[Source.REQUESTER_SATISFACTION], WEEK) == Decimal("3.5")
    # A week with nothing decided or rated has nothing to measure.
    later = WEEK + timedelta(days=14)
    assert [compute(kpi, later) for kpi in organization.values()] == [None, None, None]


@time_machine.travel(FRIDAY, tick=False)
def test_a_running_week_counts_what_is_decided_until_now(
    tenant: Tenant, desks: dict[str, Desk]
) -> None:
    """On Friday noon a clock due on the Sunday is not late yet; one due Thursday is."""
    desks["user_ops"].clock(due_at=at(22, 11))
    kpi = request_kpis(tenant, team=desks["user_ops"].team)[Source.FIRST_RESPONSE_ON_TIME]
    assert compute(kpi, WEEK) == Decimal(40)


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_the_figures_by_team_and_request_type(tenant: Tenant, desks: dict[str, Desk]) -> None:
    begin, end = at(16, 0), at(23, 0)
    engineering, user_ops = request_figures_by_team(
        Scope(tenant.organization).requests(), begin, end
    )
    assert (engineering.name, user_ops.name) == ("Engineering", "User Operations")
    figures = user_ops.figures
    assert (figures.first_responses, figures.first_responses_on_time) == (5, 2)
    assert (figures.resolutions, figures.resolutions_on_time) == (2, 1)
    assert (figures.ratings, figures.satisfaction) == (3, 4)
    assert (figures.first_response_text, figures.resolution_text) == ("40%", "50%")
    complaints, pulls = user_ops.types
    assert complaints.name == "Complaint escalation"
    assert (complaints.figures.first_responses, complaints.figures.first_responses_on_time) == (
        2,
        1,
    )
    assert (complaints.figures.ratings, complaints.figures.satisfaction_text) == (1, "4.0")
    assert (pulls.figures.first_responses, pulls.figures.first_responses_on_time) == (3, 1)
    assert (engineering.figures.first_response_rate, engineering.figures.satisfaction) == (100, 2)


@time_machine.travel(FRIDAY, tick=False)
def test_the_dashboard_shows_each_teams_share_answered_on_time(
    tenant: Tenant, desks: dict[str, Desk], client, django_assert_num_queries
) -> None:
    request_kpis(tenant, team=desks["user_ops"].team)
    client.force_login(tenant.manager.user)
    url = reverse("metrics:dashboard", args=["acme"])
    client.get(url)
    with django_assert_num_queries(13):
        page = client.get(url).content.decode()
    assert "Requests between teams" in page
    part = page.split('aria-labelledby="requests-between-teams"')[1].split("</section>")[0]
    # The four weeks to Friday: this week's 2 of 5 first responses on time, and the week
    # before's 1 of 2; its ratings, 5, 4, 3 and 1.
    user_ops_row = part.split("User Operations")[1].split("</tr>")[0]
    assert "<strong>43%</strong>" in user_ops_row and "3 of 7" in user_ops_row
    assert "<strong>50%</strong>" in user_ops_row and "1 of 2" in user_ops_row
    assert "<strong>3.3</strong>" in user_ops_row and "4 ratings" in user_ops_row
    assert "Complaint escalation" in part and "Data pull" in part
    # Twice the requests, the same queries.
    for desk in desks.values():
        for _n in range(5):
            desk.clock(on_time=True, stopped_at=at(18, 10))
            desk.rating(5, at(18, 12))
    with django_assert_num_queries(13):
        client.get(url)
    # A team's dashboard: its own row only.
    page = client.get(url, {"team": desks["engineering"].team.pk}).content.decode()
    part = page.split('aria-labelledby="requests-between-teams"')[1].split("</section>")[0]
    assert "Engineering" in part and "User Operations" not in part
    # The KPI tiles: a title with the formula, values with their unit.
    assert "first-response clocks decided in the period" in page


def test_the_dashboard_has_no_requests_part_without_requests(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    page = client.get(reverse("metrics:dashboard", args=["acme"])).content.decode()
    assert "Requests between teams" not in page


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_the_weekly_digest_tells_each_lead_their_teams_requests(
    tenant: Tenant, desks: dict[str, Desk]
) -> None:
    request_kpis(tenant)  # everyone's: so everyone subscribed has a digest
    lead = MembershipFactory(
        organization=tenant.organization, role="lead", teams=[desks["engineering"].team]
    )
    digests = {d.membership.pk: d for d in plan_digests(now=NEXT_MONDAY)}
    assert [team.name for team in digests[tenant.manager.pk].requests] == [
        "Engineering",
        "User Operations",
    ]
    assert [team.name for team in digests[lead.pk].requests] == ["Engineering"]
    context = digests[tenant.manager.pk].context()
    _subject, text, html = render_email(
        template="weekly-digest", context=context, language="en", timezone_name="Asia/Shanghai"
    )
    assert "Requests between teams" in text
    assert (
        "User Operations: first responses on time 40%, resolutions on time 50%, "
        "requester satisfaction 4.0 (3 rated)"
    ) in text
    assert "Requests between teams" in html and "User Operations" in html
    assert "3 ratings" in html
    _subject, text, _html = render_email(
        template="weekly-digest", context=context, language="zh-hans", timezone_name="Asia/Shanghai"
    )
    assert "跨团队需求" in text


@time_machine.travel(FRIDAY, tick=False)
def test_the_preview_tells_the_week_so_far(tenant: Tenant, desks: dict[str, Desk]) -> None:
    request_kpis(tenant)
    digest = digest_preview(membership=tenant.manager, today=FRIDAY.date())
    [_engineering, user_ops] = digest.requests
    assert user_ops.figures.first_responses == 5


@time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=SHANGHAI), tick=False)
def test_the_retrospective_of_the_team_asked_has_the_months_figures(
    tenant: Tenant, desks: dict[str, Desk]
) -> None:
    report = report_for(Subject.of(desks["user_ops"].team), date(2026, 11, 1))
    figures = report.figures
    # November: first responses 3 of 8 on time (the week's 2 of 5, the week before's 1 of
    # 2, and the one due on the 23rd that nobody answered).
    assert figures["first_responses_on_time"] == 37.5
    assert figures["resolutions_on_time"] == 50
    assert (figures["requester_satisfaction"], figures["requester_ratings"]) == (3.25, 4)


@time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=SHANGHAI), tick=False)
def test_the_retrospective_page_shows_request_rows_only_where_requests_were_sent(
    tenant: Tenant, desks: dict[str, Desk], client
) -> None:
    client.force_login(tenant.manager.user)
    month = date(2026, 11, 1)
    asked, _built = retrospective_build(team=desks["user_ops"].team, month=month)
    quiet, _built = retrospective_build(team=tenant.team, month=month)
    page = client.get(reverse("metrics:retrospective_detail", args=["acme", asked.pk])).text
    row = page.split('class="figure-first_responses_on_time"')[1].split("</tr>")[0]
    assert "Requests: first responses on time" in row and "37.5%" in row
    assert "Requests: requester satisfaction (1-5)" in page
    page = client.get(reverse("metrics:retrospective_detail", args=["acme", quiet.pk])).text
    assert "Requests: first responses on time" not in page


def test_a_kpi_of_requests_has_no_cards_behind_it(tenant: Tenant, client) -> None:
    kpi = Kpi.objects.create(
        organization=tenant.organization, source=Source.FIRST_RESPONSE_ON_TIME, unit=Unit.PERCENT,
        direction=Direction.INCREASE, target=90, amber_threshold=90, red_threshold=75,
        frequency=Frequency.WEEKLY,
    )  # fmt: skip
    client.force_login(tenant.manager.user)
    page = client.get(reverse("metrics:kpi_detail", args=["acme", kpi.pk]))
    assert page.status_code == 200
    assert "First responses on time" in page.content.decode()
    assert "The cards behind" not in page.content.decode()


@time_machine.travel(FRIDAY, tick=False)
def test_a_manager_adds_the_kpi_with_a_target_and_it_shows_red_amber_or_green(
    tenant: Tenant, desks: dict[str, Desk], client
) -> None:
    client.force_login(tenant.manager.user)
    response = client.post(
        reverse("metrics:kpi_create", args=["acme"]), kpi_form(team=desks["user_ops"].team.pk)
    )
    assert response.status_code == 302
    kpi = Kpi.objects.get(source=Source.FIRST_RESPONSE_ON_TIME)
    assert kpi.label == "First responses on time · User Operations"
    page = client.get(reverse("metrics:dashboard", args=["acme"])).content.decode()
    tile = page.split(f'/kpis/{kpi.pk}/"')[0].rsplit("<a ", 1)[1]
    assert "rag-red" in tile  # 40% against 90%, red below 75%
    assert '<strong class="kpi-value">40%</strong>' in page


@time_machine.travel(NEXT_MONDAY, tick=False)
def test_a_kpi_of_one_request_type_is_its_teams(
    tenant: Tenant, desks: dict[str, Desk], client
) -> None:
    complaints = desks["user_ops"].types["Complaint escalation"]
    client.force_login(tenant.manager.user)
    url = reverse("metrics:kpi_create", args=["acme"])
    assert "User Operations · Complaint escalation" in client.get(url).content.decode()
    response = client.post(url, kpi_form(request_type=complaints.pk))
    assert response.status_code == 302
    kpi = Kpi.objects.get(request_type=complaints)
    assert kpi.team == desks["user_ops"].team  # the type's team: its lead answers for it
    assert kpi.label == "First responses on time · User Operations · Complaint escalation"
    # The week's complaints: one answered on time, one missed (of the team's 2 in 5).
    assert compute(kpi, WEEK) == 50
    assert compute(request_kpis(tenant, team=kpi.team)[kpi.source], WEEK) == 40
    page = client.get(reverse("metrics:kpi_detail", args=["acme", kpi.pk])).content.decode()
    assert " · User Operations · Complaint escalation</p>" in page


def test_a_request_type_narrows_only_a_kpi_of_requests_of_its_own_team(
    tenant: Tenant, desks: dict[str, Desk], client
) -> None:
    complaints = desks["user_ops"].types["Complaint escalation"]
    rivals = RequestType.objects.exclude(organization=tenant.organization).first()
    client.force_login(tenant.manager.user)
    url = reverse("metrics:kpi_create", args=["acme"])
    refusals = [
        (
            kpi_form(source=Source.THROUGHPUT, unit="count", request_type=complaints.pk),
            "Only a KPI of requests (first responses or resolutions on time, requester "
            "satisfaction) counts one request type.",
        ),
        (
            kpi_form(request_type=complaints.pk, team=desks["engineering"].team.pk),
            "This request type is another team&#x27;s: choose its team, or no team.",
        ),
        (
            kpi_form(request_type=rivals.pk),
            "Select a valid choice.",
        ),
    ]
    for form, error in refusals:
        response = client.post(url, form)
        assert response.status_code == 200  # the form again, with the field's error
        assert error in response.content.decode()
    assert not Kpi.objects.exists()
