"""The monthly pulse: who rates whom, replacing answers, anonymity below three answers, the KPIs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from metrics.computations import compute
from metrics.models import Frequency, Kpi, PulseAnswer, Source
from metrics.pulse import Rating, pulse_submit, results, teams_worked_with
from tests.conftest import Tenant
from tests.factories import MembershipFactory, ProjectFactory, TeamFactory
from tests.metrics.test_computed_kpis import SHANGHAI

NOVEMBER = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 11, 24, 9, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def engineering(tenant: Tenant):
    team = TeamFactory(organization=tenant.organization, name="Engineering")
    ProjectFactory(organization=tenant.organization, teams=[tenant.team, team])
    TeamFactory(organization=tenant.organization, name="Finance")  # on no shared project
    return team


def test_people_rate_the_teams_they_worked_with(tenant: Tenant, engineering) -> None:
    assert list(teams_worked_with(tenant.member)) == [engineering]
    pulse_submit(
        actor=tenant.member, month=NOVEMBER, ratings=[Rating(engineering, 4, 9, "Quick to help")]
    )
    pulse_submit(actor=tenant.member, month=NOVEMBER, ratings=[Rating(engineering, 3, 7)])
    answer = PulseAnswer.objects.get()
    assert (answer.satisfaction, answer.recommend, answer.comment) == (3, 7, "")
    finance = tenant.organization.teams.get(name="Finance")
    with pytest.raises(ValidationError):
        pulse_submit(actor=tenant.member, month=NOVEMBER, ratings=[Rating(finance, 4, 9)])
    with pytest.raises(ValidationError):
        pulse_submit(actor=tenant.member, month=NOVEMBER, ratings=[Rating(engineering, 6, 9)])


def test_figures_hide_below_three_answers_then_roll_up(tenant: Tenant, engineering) -> None:
    kpis = {
        source: Kpi.objects.create(
            organization=tenant.organization,
            name=source,
            source=source,
            frequency=Frequency.MONTHLY,
            team=engineering,
            target=4,
            amber_threshold=4,
            red_threshold=3,
        )
        for source in (Source.PULSE_SATISFACTION, Source.PULSE_NPS)
    }
    people = [tenant.member, tenant.lead]
    for membership, (satisfaction, recommend) in zip(people, [(5, 10), (4, 9)], strict=True):
        pulse_submit(
            actor=membership,
            month=NOVEMBER,
            ratings=[Rating(engineering, satisfaction, recommend, "fine")],
        )
    [row] = [
        r
        for r in results(organization_id=tenant.organization.pk, month=NOVEMBER)
        if r.team == engineering
    ]
    assert (row.answers, row.satisfaction, row.comments) == (2, None, [])
    assert compute(kpis[Source.PULSE_SATISFACTION], NOVEMBER) is None

    third = MembershipFactory(organization=tenant.organization, teams=[tenant.team])
    pulse_submit(actor=third, month=NOVEMBER, ratings=[Rating(engineering, 3, 5)])
    assert compute(kpis[Source.PULSE_SATISFACTION], NOVEMBER) == Decimal(4)
    # Two promoters (10, 9), one detractor (5): (2 - 1) / 3 = 33.3
    assert compute(kpis[Source.PULSE_NPS], NOVEMBER) == Decimal("33.3333")


def test_pulse_page(tenant: Tenant, engineering, client) -> None:
    client.force_login(tenant.member.user)
    url = reverse("metrics:pulse", args=["acme"])
    assert "Engineering" in client.get(url).text
    response = client.post(url, {f"satisfaction-{engineering.pk}": "4"})
    assert response.status_code == 400
    assert "Give Engineering both ratings, or neither." in response.text
    response = client.post(
        url,
        {
            f"satisfaction-{engineering.pk}": "4",
            f"recommend-{engineering.pk}": "8",
            f"comment-{engineering.pk}": "ok",
        },
    )
    assert response.status_code == 302
    assert PulseAnswer.objects.get().recommend == 8
    client.force_login(tenant.viewer.user)
    assert client.post(url, {}).status_code == 403


def test_a_project_kpi_counts_the_ratings_of_the_projects_teams(
    tenant: Tenant, engineering
) -> None:
    project = ProjectFactory(organization=tenant.organization, teams=[engineering])
    kpi = Kpi.objects.create(
        organization=tenant.organization,
        name="Satisfaction with the churn teams",
        source=Source.PULSE_SATISFACTION,
        frequency=Frequency.MONTHLY,
        project=project,
        target=4,
        amber_threshold=4,
        red_threshold=3,
    )
    # Engineering (in the project) rated 5 by three people; Product (not in it) rated 1.
    for team, satisfaction in ((engineering, 5), (tenant.team, 1)):
        PulseAnswer.objects.bulk_create(
            PulseAnswer(
                organization=tenant.organization,
                respondent=membership.user,
                team=team,
                month=NOVEMBER,
                satisfaction=satisfaction,
                recommend=9,
            )
            for membership in (tenant.member, tenant.lead, tenant.manager)
        )
    assert compute(kpi, NOVEMBER) == Decimal(5)
