"""A team's monthly retrospective: its cards on any board, its goals and pulse, its page and
list, actions on a board of one of its projects, the job and who it mails."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from kanban.models import Card
from metrics.models import PulseAnswer, Retrospective
from metrics.retrospectives.notifications import recipients_of
from metrics.retrospectives.report import Subject, report_for
from metrics.retrospectives.schedule import build_retrospectives
from metrics.retrospectives.services import retrospective_action_add, retrospective_build
from opsboard.tenancy.models import Role, Team
from projects.models import Project, ProjectStatus
from tests.conftest import Tenant
from tests.factories import (
    CheckInFactory,
    GoalFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)
from tests.metrics.test_retrospectives import BUILD_DAY, OCTOBER, at


@pytest.fixture
def team(tenant: Tenant) -> Team:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    Team.objects.filter(pk=tenant.team.pk).update(created_at=at(9, 1))
    return Team.objects.select_related("organization", "lead").get(pk=tenant.team.pk)


@pytest.fixture
def project(tenant: Tenant, team: Team) -> Project:
    """A project the team takes part in; its board is where the team's actions may go."""
    project = ProjectFactory(organization=tenant.organization, teams=[team], name="Churn")
    Project.objects.filter(pk=project.pk).update(created_at=at(9, 1))
    return project


def make_month(tenant: Tenant, team: Team, project: Project, count: int = 1) -> Project:
    """October's work: the team's cards on its project and on a project it is not part of,
    and other cards that are not the team's."""
    elsewhere = ProjectFactory(organization=tenant.organization, name="Warehouse")
    ours, theirs = project.boards.get(), elsewhere.boards.get()
    for n in range(count):
        Card.objects.create(
            board=ours, column=ours.columns.get(kind="done"), team=team, title=f"On time {n}",
            created_at=at(10, 1), done_at=at(10, 9), due_date=date(2026, 10, 10),
        )  # fmt: skip
        Card.objects.create(
            board=theirs, column=theirs.columns.get(kind="done"), team=team, title=f"Late {n}",
            created_at=at(10, 2), done_at=at(10, 20), due_date=date(2026, 10, 15),
        )  # fmt: skip
        Card.objects.create(
            board=theirs, column=theirs.columns.get(kind="todo"), team=team,
            title=f"Overdue {n}", created_at=at(10, 3), due_date=date(2026, 10, 25),
        )  # fmt: skip
        # Not the team's: no team on the card, on the team's own project's board.
        Card.objects.create(
            board=ours, column=ours.columns.get(kind="done"), title=f"Someone else's {n}",
            created_at=at(10, 1), done_at=at(10, 9),
        )  # fmt: skip
    return elsewhere


@time_machine.travel(BUILD_DAY, tick=False)
def test_a_team_build_counts_the_teams_cards_on_any_board_its_goals_and_its_pulse(
    tenant: Tenant, team: Team, project: Project
) -> None:
    make_month(tenant, team, project)
    behind = GoalFactory(
        organization=tenant.organization, team=team, start_date=date(2026, 9, 1),
        due_date=date(2026, 10, 20), baseline=Decimal(20), target=Decimal(17),
    )  # fmt: skip
    CheckInFactory(goal=behind, value=Decimal("19.5"), checked_on=date(2026, 10, 10))
    GoalFactory(organization=tenant.organization, project=project, title="The project's goal")
    for membership, rating in [(tenant.owner, 5), (tenant.manager, 4), (tenant.member, 3)]:
        PulseAnswer.objects.create(
            organization=tenant.organization, respondent=membership.user, team=team,
            month=OCTOBER, satisfaction=rating, recommend=8,
        )  # fmt: skip

    retro, built = retrospective_build(team=team, month=OCTOBER)

    assert built and retro.team == team and retro.project is None
    figures = retro.figures
    assert figures["done"] == 2
    assert figures["created"] == 3
    assert figures["open"] == 1
    assert figures["overdue"] == 1
    assert figures["on_time_rate"] == 50.0
    assert figures["pulse_satisfaction"] == 4.0
    assert figures["pulse_answers"] == 3
    assert figures["check_ins"] == 1
    problems = {item["kind"]: item for item in retro.generated_problems}
    assert [c["title"] for c in problems["late"]["cards"]] == ["Late 0"]
    assert [c["title"] for c in problems["overdue"]["cards"]] == ["Overdue 0"]
    assert [g["title"] for g in problems["goals_behind"]["goals"]] == [behind.title]
    highlights = {item["kind"]: item for item in retro.generated_highlights}
    assert [c["title"] for c in highlights["done"]["cards"]] == ["On time 0", "Late 0"]
    # One per team and month; the project's retrospective is another one.
    assert retrospective_build(team=team, month=OCTOBER) == (retro, False)
    project_retro, _built = retrospective_build(project=project, month=OCTOBER)
    assert project_retro.pk != retro.pk


@time_machine.travel(BUILD_DAY, tick=False)
@pytest.mark.parametrize("sets", [1, 20])
def test_a_team_build_reads_the_same_number_of_queries_however_much_work(
    tenant: Tenant, team: Team, project: Project, django_assert_num_queries, sets: int
) -> None:
    make_month(tenant, team, project, count=sets)
    GoalFactory(organization=tenant.organization, team=team)
    # 13, and two for the requests other teams sent (their clocks, their ratings).
    with django_assert_num_queries(15):
        report_for(Subject.of(team), OCTOBER)


@time_machine.travel(BUILD_DAY, tick=False)
@pytest.mark.parametrize("sets", [1, 20])
def test_the_team_page_list_and_section_read_a_fixed_number_of_queries(
    tenant: Tenant, team: Team, project: Project, client, django_assert_num_queries, sets: int
) -> None:
    make_month(tenant, team, project, count=sets)
    retro, _built = retrospective_build(team=team, month=OCTOBER)
    for n in range(sets):
        retrospective_action_add(
            actor=tenant.lead, retrospective=retro, title=f"Action {n}",
            owner=tenant.lead.user, due_date=date(2026, 11, 20), board=project.boards.get(),
        )  # fmt: skip
    client.force_login(tenant.lead.user)
    url = reverse("metrics:retrospective_detail", args=["acme", retro.pk])
    client.get(url)
    # The person, their membership and the organisations in the menu are one query
    # (opsboard.tenancy.middleware).
    with django_assert_num_queries(7):
        page = client.get(url)
    html = page.content.decode()
    assert reverse("projects:team_detail", args=["acme", team.pk]) in html
    assert reverse("metrics:team_retrospective_list", args=["acme", team.pk]) in html
    assert "Churn / " in html  # the board choice
    listing = reverse("metrics:team_retrospective_list", args=["acme", team.pk])
    with django_assert_num_queries(4):
        response = client.get(listing)
    assert "October 2026" in response.content.decode()
    team_page = client.get(reverse("projects:team_detail", args=["acme", team.pk]))
    assert listing in team_page.content.decode()
    assert url in team_page.content.decode()


@time_machine.travel(BUILD_DAY, tick=False)
def test_a_team_action_goes_on_the_chosen_board_of_one_of_the_teams_projects(
    tenant: Tenant, team: Team, project: Project, client
) -> None:
    elsewhere = make_month(tenant, team, project)
    retro, _built = retrospective_build(team=team, month=OCTOBER)
    client.force_login(tenant.member.user)
    url = reverse("metrics:retrospective_action_add", args=["acme", retro.pk])
    payload = {"title": "Pair on releases", "owner": tenant.lead.user.pk, "due_date": "2026-11-20"}
    # No board chosen: refused on the field. One of a project the team is not part of is
    # not among the choices.
    refused = client.post(url, {**payload, "board": ""})
    assert refused.status_code == 400
    assert "Choose the board of one of the team&#x27;s projects." in refused.content.decode()
    refused = client.post(url, {**payload, "board": elsewhere.boards.get().pk})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    assert not Card.objects.filter(title="Pair on releases").exists()
    response = client.post(url, {**payload, "board": project.boards.get().pk})
    assert response.status_code == 302
    card = Card.objects.get(title="Pair on releases")
    assert card.board == project.boards.get()
    assert retro.actions.get().card == card


@time_machine.travel(BUILD_DAY, tick=False)
def test_a_team_in_no_active_project_is_told_there_is_no_board(
    tenant: Tenant, team: Team, project: Project, client
) -> None:
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.DONE)
    retro, _built = retrospective_build(team=team, month=OCTOBER)
    client.force_login(tenant.member.user)
    refused = client.post(
        reverse("metrics:retrospective_action_add", args=["acme", retro.pk]),
        {"title": "Anything", "owner": tenant.lead.user.pk, "due_date": "2026-11-20"},
    )
    assert refused.status_code == 400
    assert "The team takes part in no active project" in refused.content.decode()
    assert not retro.actions.exists()


def test_a_team_retrospective_goes_to_its_lead_and_its_members_who_lead(
    tenant: Tenant, team: Team
) -> None:
    second = MembershipFactory(organization=tenant.organization, role=Role.LEAD, teams=[team])
    gone = MembershipFactory(
        organization=tenant.organization, role=Role.LEAD, teams=[team],
        user=UserFactory(is_active=False),
    )  # fmt: skip
    MembershipFactory(organization=tenant.organization, role=Role.LEAD)  # another team's
    retro = Retrospective.objects.create(organization=tenant.organization, team=team, month=OCTOBER)
    people = recipients_of(retro)
    assert {user.pk for user in people} == {tenant.lead.user.pk, second.user.pk}
    assert gone.user not in people


@pytest.mark.django_db(transaction=True)
def test_the_job_builds_each_team_once_and_mails_its_lead(
    tenant: Tenant, team: Team, settings, django_capture_on_commit_callbacks
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    Team.objects.filter(pk=team.pk).update(name="Ops <b>crew</b>")
    later = Team.objects.create(organization=tenant.organization, name="Formed in November")
    Team.objects.filter(pk=later.pk).update(created_at=at(11, 1, 9))
    with (
        time_machine.travel(BUILD_DAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        built = build_retrospectives(now=BUILD_DAY)
        again = build_retrospectives(now=BUILD_DAY)
    assert [(r.team_id, r.month) for r in built] == [(team.pk, OCTOBER)]
    assert again == []
    assert [m.to[0] for m in mail.outbox] == [tenant.lead.user.email]
    message = mail.outbox[0]
    assert message.subject == (
        "[Opsboard] Ops <b>crew</b>: the retrospective of October 2026 is ready for review"
    )
    assert "Nothing moved for this team in October 2026" in message.body
    html = message.alternatives[0][0]
    assert "Ops &lt;b&gt;crew&lt;/b&gt;" in html and "<b>crew</b>" not in html
    assert "You get this email because you lead this team." in html


@time_machine.travel(BUILD_DAY, tick=False)
def test_the_api_lists_a_teams_retrospectives(tenant: Tenant, team: Team, client) -> None:
    retro, _built = retrospective_build(team=team, month=OCTOBER)
    client.force_login(tenant.viewer.user)
    listing = client.get(
        reverse("metrics_api:team_retrospective_list", args=["acme", team.pk])
    ).json()["results"]
    assert [(r["id"], r["team"], r["project"], r["month"]) for r in listing] == [
        (retro.pk, team.pk, None, "2026-10")
    ]
    detail = client.get(reverse("metrics_api:retrospective_detail", args=["acme", retro.pk])).json()
    assert detail["team"] == team.pk and detail["project"] is None
