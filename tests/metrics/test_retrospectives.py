"""The monthly retrospective: what a build stores, the page, the review and its actions."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from kanban.models import Card, CardEvent, EventKind
from metrics.models import Retrospective, RetrospectiveState
from metrics.retrospectives.report import Subject, is_quiet, report_for
from metrics.retrospectives.services import retrospective_action_add, retrospective_build
from projects.models import Project
from raci.models import RaciAssignment, RaciRole
from tests.conftest import Tenant
from tests.factories import CheckInFactory, GoalFactory, ProjectFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OCTOBER = date(2026, 10, 1)
NOVEMBER = date(2026, 11, 1)
BUILD_DAY = datetime(2026, 11, 2, 9, tzinfo=SHANGHAI)  # the first working day of November


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def make_cards(project: Project, tenant: Tenant, count: int = 1) -> list[Card]:
    """``count`` sets of October's work: on time, late, overdue and open, blocked, unowned."""
    board = project.boards.get()
    done = board.columns.get(kind="done")
    todo = board.columns.get(kind="todo")
    made = []
    for n in range(count):
        made += [
            Card.objects.create(
                board=board, column=done, title=f"On time {n}", created_at=at(10, 1),
                started_at=at(10, 5), done_at=at(10, 9), due_date=date(2026, 10, 10), rank=1,
            ),
            Card.objects.create(
                board=board, column=done, title=f"Late {n}", created_at=at(10, 1),
                started_at=at(10, 2), done_at=at(10, 20), due_date=date(2026, 10, 15), rank=2,
            ),
            Card.objects.create(
                board=board, column=todo, title=f"Overdue {n}", created_at=at(10, 3),
                due_date=date(2026, 10, 25), rank=3,
            ),
            Card.objects.create(
                board=board, column=todo, title=f"Blocked {n}", created_at=at(10, 3),
                blocked=True, blocked_at=at(10, 28), blocked_reason="Waiting for <b>access</b>",
                rank=4,
            ),
        ]  # fmt: skip
        CardEvent.objects.create(
            card=made[-1], board=board, kind=EventKind.BLOCKED, at=at(10, 28), actor=None
        )
        for card in made[-4:-1]:
            RaciAssignment.objects.create(
                card=card, role=RaciRole.ACCOUNTABLE, user=tenant.lead.user
            )
            RaciAssignment.objects.create(
                card=card, role=RaciRole.RESPONSIBLE, user=tenant.member.user
            )
    return made


@pytest.fixture
def project(tenant: Tenant) -> Project:
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    project = ProjectFactory(
        organization=tenant.organization, teams=[tenant.team], owner=tenant.lead.user
    )
    project.created_at = at(9, 1)
    project.save()
    return project


@time_machine.travel(BUILD_DAY, tick=False)
def test_a_build_stores_the_months_figures_highlights_and_problems(
    tenant: Tenant, project: Project
) -> None:
    make_cards(project, tenant)
    goal = GoalFactory(
        organization=tenant.organization, project=project, start_date=date(2026, 9, 1),
        due_date=date(2026, 10, 20), baseline=Decimal(20), target=Decimal(17),
    )  # fmt: skip
    CheckInFactory(goal=goal, value=Decimal("19.5"), checked_on=date(2026, 10, 10))

    retro, built = retrospective_build(project=project, month=OCTOBER)

    assert built
    figures = retro.figures
    assert figures["done"] == 2
    assert figures["on_time_rate"] == 50.0
    assert figures["overdue"] == 1
    assert figures["open"] == 2
    assert figures["blocked_days"] == pytest.approx(3.5, abs=0.01)  # the 28th noon to the 1st
    kinds = [item["kind"] for item in retro.generated_highlights]
    assert kinds == ["done"]
    problems = {item["kind"]: item for item in retro.generated_problems}
    assert [c["title"] for c in problems["late"]["cards"]] == ["Late 0"]
    assert problems["late"]["cards"][0]["days"] == 5
    assert [c["title"] for c in problems["overdue"]["cards"]] == ["Overdue 0"]
    assert problems["blocked"]["cards"][0]["reason"] == "Waiting for <b>access</b>"
    assert [c["title"] for c in problems["raci_gaps"]["cards"]] == ["Blocked 0"]
    assert [g["title"] for g in problems["goals_behind"]["goals"]] == [goal.title]
    assert not is_quiet(figures)


@time_machine.travel(datetime(2026, 11, 24, 7, tzinfo=SHANGHAI), tick=False)
def test_the_running_months_overdue_cards_are_read_on_the_organisations_day(
    tenant: Tenant, project: Project
) -> None:
    """At 07:00 on the 24th in Shanghai it is still the 23rd in UTC: a card due on the
    23rd is overdue, in the figure and in the list of problems alike."""
    board = project.boards.get()
    Card.objects.create(
        board=board, column=board.columns.get(kind="todo"), title="Due yesterday",
        created_at=at(11, 2), due_date=date(2026, 11, 23),
    )  # fmt: skip
    report = report_for(Subject.of(project), NOVEMBER)
    problems = {item["kind"]: item for item in report.problems}
    assert report.figures["overdue"] == 1
    assert [c["title"] for c in problems["overdue"]["cards"]] == ["Due yesterday"]
    assert problems["overdue"]["cards"][0]["days"] == 1


@time_machine.travel(BUILD_DAY, tick=False)
def test_a_card_blocked_in_the_month_and_unblocked_since_is_a_problem_of_the_month(
    tenant: Tenant, project: Project
) -> None:
    """Blocked since September and unblocked in November: blocked in October all along,
    though neither its flag now nor an October event says so."""
    board = project.boards.get()
    card = Card.objects.create(
        board=board, column=board.columns.get(kind="todo"), title="Waiting all October",
        created_at=at(9, 2),
    )  # fmt: skip
    CardEvent.objects.create(card=card, board=board, kind=EventKind.BLOCKED, at=at(9, 20))
    CardEvent.objects.create(card=card, board=board, kind=EventKind.UNBLOCKED, at=at(11, 1))
    problems = {item["kind"]: item for item in report_for(Subject.of(project), OCTOBER).problems}
    assert [c["title"] for c in problems["blocked"]["cards"]] == ["Waiting all October"]


@time_machine.travel(BUILD_DAY, tick=False)
def test_one_retrospective_per_project_and_month(tenant: Tenant, project: Project) -> None:
    first, built = retrospective_build(project=project, month=OCTOBER)
    again, built_again = retrospective_build(project=project, month=OCTOBER)
    assert built and not built_again
    assert first.pk == again.pk
    assert Retrospective.objects.count() == 1


@time_machine.travel(BUILD_DAY, tick=False)
def test_a_quiet_month_gets_a_short_honest_report(tenant: Tenant, project: Project, client) -> None:
    retro, _built = retrospective_build(project=project, month=OCTOBER)
    assert is_quiet(retro.figures)
    assert retro.generated_highlights == [] and retro.generated_problems == []
    assert retro.figures["on_time_rate"] is None
    client.force_login(tenant.member.user)
    response = client.get(reverse("metrics:retrospective_detail", args=["acme", retro.pk]))
    assert response.status_code == 200
    assert "Nothing moved on this project in October 2026" in response.content.decode()


@time_machine.travel(BUILD_DAY, tick=False)
def test_the_page_tells_the_month_and_compares_with_the_month_before(
    tenant: Tenant, project: Project, client
) -> None:
    make_cards(project, tenant)
    retro, _built = retrospective_build(project=project, month=OCTOBER)
    Retrospective.objects.create(
        organization=tenant.organization, project=project, month=date(2026, 9, 1),
        figures={"on_time_rate": 80.0, "overdue": 3},
    )  # fmt: skip
    client.force_login(tenant.viewer.user)
    page = client.get(reverse("metrics:retrospective_detail", args=["acme", retro.pk]))
    html = page.content.decode()
    assert "Retrospective of October 2026" in html
    assert "September 2026" in html
    assert "−30.0 percentage points" in html  # on-time rate 50% against 80%
    assert "Late 0" in html and "1 card finished late" in html
    assert "Waiting for &lt;b&gt;access&lt;/b&gt;" in html
    assert "Add the action to the board" not in html  # a viewer reads only
    listing = client.get(reverse("metrics:retrospective_list", args=["acme", project.pk]))
    assert "October 2026" in listing.content.decode()
    assert "September 2026" in listing.content.decode()


@time_machine.travel(BUILD_DAY, tick=False)
def test_an_action_becomes_a_card_on_the_board_that_links_back(
    tenant: Tenant, project: Project, client
) -> None:
    retro, _built = retrospective_build(project=project, month=OCTOBER)
    client.force_login(tenant.member.user)
    url = reverse("metrics:retrospective_action_add", args=["acme", retro.pk])
    response = client.post(
        url,
        {
            "title": "Owner for access requests",
            "owner": tenant.lead.user.pk,
            "due_date": "2026-11-20",
        },
    )
    assert response.status_code == 302
    card = Card.objects.get(title="Owner for access requests")
    assert card.board == project.boards.get()
    assert card.assignee == tenant.lead.user
    assert card.due_date == date(2026, 11, 20)
    assert retro.actions.get().card == card
    card_page = client.get(reverse("kanban:card_detail", args=["acme", card.pk])).content.decode()
    assert reverse("metrics:retrospective_detail", args=["acme", retro.pk]) in card_page
    # Without an owner or with a date gone by: refused, nothing on the board.
    refused = client.post(url, {"title": "Vague", "due_date": "2026-10-20"})
    assert refused.status_code == 400
    assert not Card.objects.filter(title="Vague").exists()


@time_machine.travel(BUILD_DAY, tick=False)
def test_the_team_writes_its_review_and_a_final_one_needs_a_manager(
    tenant: Tenant, project: Project, client
) -> None:
    retro, _built = retrospective_build(project=project, month=OCTOBER)
    edit = reverse("metrics:retrospective_edit", args=["acme", retro.pk])
    client.force_login(tenant.member.user)
    client.post(edit, {"highlights": "Dashboard <script>live</script>", "problems": "Access"})
    retro.refresh_from_db()
    assert retro.highlights == "Dashboard <script>live</script>"
    page = client.get(reverse("metrics:retrospective_detail", args=["acme", retro.pk]))
    assert "Dashboard &lt;script&gt;live&lt;/script&gt;" in page.content.decode()

    # A member cannot finalise; a lead can.
    finalise = reverse("metrics:retrospective_finalise", args=["acme", retro.pk])
    assert client.post(finalise).status_code == 403
    client.force_login(tenant.lead.user)
    assert client.post(finalise).status_code == 302
    retro.refresh_from_db()
    assert retro.state == RetrospectiveState.FINAL
    # Final: the lead may no longer edit or add actions, a manager may.
    assert client.post(edit, {"highlights": "Changed", "problems": ""}).status_code == 403
    action = reverse("metrics:retrospective_action_add", args=["acme", retro.pk])
    payload = {"title": "Late", "owner": tenant.lead.user.pk, "due_date": "2026-11-20"}
    assert client.post(action, payload).status_code == 403
    client.force_login(tenant.manager.user)
    assert client.post(edit, {"highlights": "Changed", "problems": ""}).status_code == 302
    retro.refresh_from_db()
    assert retro.highlights == "Changed"


@time_machine.travel(BUILD_DAY, tick=False)
def test_rebuild_is_for_managers_and_keeps_the_review(
    tenant: Tenant, project: Project, client
) -> None:
    retro, _built = retrospective_build(project=project, month=OCTOBER)
    retro.highlights = "Ours"
    retro.save()
    make_cards(project, tenant)  # cards recorded late
    rebuild = reverse("metrics:retrospective_rebuild", args=["acme", retro.pk])
    client.force_login(tenant.lead.user)
    assert client.post(rebuild).status_code == 403
    client.force_login(tenant.manager.user)
    assert client.post(rebuild).status_code == 302
    retro.refresh_from_db()
    assert retro.figures["done"] == 2
    assert retro.highlights == "Ours"


@time_machine.travel(BUILD_DAY, tick=False)
def test_next_months_report_says_whether_the_actions_were_done(
    tenant: Tenant, project: Project
) -> None:
    october, _built = retrospective_build(project=project, month=OCTOBER)
    done = retrospective_action_add(
        actor=tenant.lead, retrospective=october, title="Done one",
        owner=tenant.lead.user, due_date=date(2026, 11, 10),
    )  # fmt: skip
    retrospective_action_add(
        actor=tenant.lead, retrospective=october, title="Open one",
        owner=tenant.lead.user, due_date=date(2026, 11, 10),
    )  # fmt: skip
    Card.objects.filter(pk=done.card_id).update(done_at=at(11, 5))
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=SHANGHAI), tick=False):
        november, _built = retrospective_build(project=project, month=NOVEMBER)
    highlights = {item["kind"]: item for item in november.generated_highlights}
    problems = {item["kind"]: item for item in november.generated_problems}
    assert [a["title"] for a in highlights["actions_done"]["actions"]] == ["Done one"]
    assert [a["title"] for a in problems["actions_open"]["actions"]] == ["Open one"]


@time_machine.travel(BUILD_DAY, tick=False)
@pytest.mark.parametrize("sets", [1, 20])
def test_a_build_reads_the_same_number_of_queries_however_big_the_project(
    tenant: Tenant, project: Project, django_assert_num_queries, sets: int
) -> None:
    make_cards(project, tenant, count=sets)
    GoalFactory(organization=tenant.organization, project=project)
    project = Project.objects.select_related("organization").get(pk=project.pk)
    # 13, two for the forecast (the history, the organisation's company days of the year)
    # and two for the requests other teams sent (their clocks, their ratings).
    with django_assert_num_queries(17):
        report_for(Subject.of(project), OCTOBER)


@time_machine.travel(BUILD_DAY, tick=False)
@pytest.mark.parametrize("sets", [1, 20])
def test_the_page_reads_a_fixed_number_of_queries(
    tenant: Tenant, project: Project, client, django_assert_num_queries, sets: int
) -> None:
    make_cards(project, tenant, count=sets)
    retro, _built = retrospective_build(project=project, month=OCTOBER)
    for n in range(sets):
        retrospective_action_add(
            actor=tenant.lead, retrospective=retro, title=f"Action {n}",
            owner=tenant.lead.user, due_date=date(2026, 11, 20),
        )  # fmt: skip
    client.force_login(tenant.lead.user)
    url = reverse("metrics:retrospective_detail", args=["acme", retro.pk])
    client.get(url)
    # The person, their membership and the organisations in the menu are one query
    # (opsboard.tenancy.middleware).
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    listing = reverse("metrics:retrospective_list", args=["acme", project.pk])
    with django_assert_num_queries(5):
        assert client.get(listing).status_code == 200
