"""A team lead runs a project and its goals through the pages."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from projects.models import CheckIn, Goal, GoalState, Project, ProjectStatus
from tests.conftest import Tenant
from tests.factories import GoalFactory, ProjectFactory, TeamFactory

TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-11-24 09:00 +0800", tick=False):
        yield


@pytest.fixture
def objective(tenant: Tenant) -> Goal:
    return GoalFactory(organization=tenant.organization, title="Keep more of our customers")


def goal_form(**changes) -> dict[str, object]:
    data = {
        "title": "Cut monthly churn",
        "statement": "Fewer paying customers leave us each month.",
        "metric_name": "Monthly churn rate",
        "unit": "percent",
        "direction": "decrease",
        "baseline": "20",
        "target": "17",
        "decimals": "1",
        "confidence": "4",
        "resources_note": "Two analysts and an engineer.",
        "start_date": "2026-11-01",
        "due_date": "2027-02-28",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_lead_runs_a_project_from_goal_to_check_ins(
    tenant: Tenant, objective: Goal, client
) -> None:
    engineering = TeamFactory(organization=tenant.organization, name="Engineering")
    client.force_login(tenant.lead.user)

    response = client.post(
        reverse("projects:project_create", args=["acme"]),
        {
            "name": "Reduce customer churn",
            "teams": [tenant.team.pk, engineering.pk],
            "owner": tenant.lead.user.pk,
            "start_date": "2026-11-01",
            "due_date": "2027-02-28",
            "status": ProjectStatus.ACTIVE,
        },
    )
    project = Project.objects.get(name="Reduce customer churn")
    assert response["Location"] == reverse("projects:project_detail", args=["acme", project.pk])
    assert set(project.teams.all()) == {tenant.team, engineering}

    # A goal that serves no objective is saved as a draft but cannot go live.
    response = client.post(
        reverse("projects:project_goal_create", args=["acme", project.pk]), goal_form()
    )
    goal = Goal.objects.get(title="Cut monthly churn")
    assert goal.state == GoalState.DRAFT
    page = client.get(response["Location"])
    assert "Not linked to any objective." in page.text
    response = client.post(reverse("projects:goal_activate", args=["acme", goal.pk]), follow=True)
    assert "Relevant: Not linked to any objective." in response.text
    goal.refresh_from_db()
    assert goal.state == GoalState.DRAFT

    # Fixed: it serves the objective, and can be made active.
    client.post(
        reverse("projects:goal_edit", args=["acme", goal.pk]), goal_form(parent=objective.pk)
    )
    client.post(reverse("projects:goal_activate", args=["acme", goal.pk]))
    goal.refresh_from_db()
    assert goal.state == GoalState.ACTIVE

    for day, value in (("2026-11-08", "19.6"), ("2026-11-15", "19.2"), ("2026-11-22", "18.9")):
        response = client.post(
            reverse("projects:goal_check_in", args=["acme", goal.pk]),
            {"value": value, "checked_on": day, "confidence": "4", "note": "weekly"},
        )
        assert response.status_code == 302
    page = client.get(reverse("projects:goal_detail", args=["acme", goal.pk])).text
    assert "18.9%" in page
    assert "37%" in page  # (20 - 18.9) / (20 - 17)
    assert "On track" in page
    assert page.count('class="actual-point"') == 3
    assert "<polyline" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"baseline": "twenty"}, "baseline", "Enter a number."),
        ({"target": None}, "target", "This field is required."),
        ({"due_date": "2026-10-01"}, "due_date", "The due date is before the start."),
        ({"target": "117"}, "target", "A percentage must be between 0 and 100."),
    ],
)
def test_bad_goal_input_shows_field_errors_and_saves_nothing(
    tenant: Tenant, client, changes, field, message
) -> None:
    project = ProjectFactory(organization=tenant.organization, teams=[tenant.team])
    client.force_login(tenant.lead.user)
    response = client.post(
        reverse("projects:project_goal_create", args=["acme", project.pk]), goal_form(**changes)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Goal.objects.exists()


def test_a_parent_from_another_organisation_is_refused(
    tenant: Tenant, other_tenant: Tenant, client
) -> None:
    project = ProjectFactory(organization=tenant.organization)
    foreign = GoalFactory(organization=other_tenant.organization)
    client.force_login(tenant.lead.user)
    response = client.post(
        reverse("projects:project_goal_create", args=["acme", project.pk]),
        goal_form(parent=foreign.pk),
    )
    assert "Select a valid choice" in response.context["form"].errors["parent"][0]
    assert not Goal.objects.filter(organization=tenant.organization).exists()


def test_live_smart_check_reports_as_the_lead_types(tenant: Tenant, client) -> None:
    project = ProjectFactory(organization=tenant.organization)
    client.force_login(tenant.lead.user)
    url = reverse("projects:goal_smart_check", args=["acme"]) + f"?project={project.pk}"
    response = client.post(url, goal_form(target="20"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "The target equals the baseline." in response.text
    assert "Not linked to any objective." in response.text
    assert "not made active until nothing fails" in response.text
    # A half-typed number is reported, not an error page.
    response = client.post(url, goal_form(baseline="2x"), headers={"HX-Request": "true"})
    assert "The baseline is missing." in response.text


def test_goal_form_page_shows_the_check_for_what_is_there(
    tenant: Tenant, objective: Goal, client
) -> None:
    project = ProjectFactory(organization=tenant.organization)
    client.force_login(tenant.lead.user)
    page = client.get(reverse("projects:project_goal_create", args=["acme", project.pk]))
    assert 'hx-post="/o/acme/goals/smart-check/?project=' in page.text
    assert "Give the goal a title." in page.text


def test_check_in_on_a_dropped_goal_is_refused(tenant: Tenant, client) -> None:
    goal = GoalFactory(organization=tenant.organization, state=GoalState.DROPPED)
    client.force_login(tenant.member.user)
    response = client.post(
        reverse("projects:goal_check_in", args=["acme", goal.pk]),
        {"value": "18", "checked_on": "2026-11-20"},
    )
    assert response.status_code == 400
    assert "This goal is closed (Dropped): it takes no more check-ins." in response.text
    assert not CheckIn.objects.exists()


def test_check_in_errors(tenant: Tenant, client) -> None:
    goal = GoalFactory(organization=tenant.organization)
    client.force_login(tenant.member.user)
    url = reverse("projects:goal_check_in", args=["acme", goal.pk])
    for data, message in (
        ({"value": "abc", "checked_on": "2026-11-20"}, "Enter a number."),
        ({"value": "101", "checked_on": "2026-11-20"}, "A percentage must be between 0 and 100."),
        ({"value": "18", "checked_on": "2026-12-20"}, "The date is in the future."),
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert message in response.text
    assert not CheckIn.objects.exists()


def test_closing_needs_a_note_then_records_how_it_ended(tenant: Tenant, client) -> None:
    goal = GoalFactory(organization=tenant.organization)
    client.force_login(tenant.manager.user)
    url = reverse("projects:goal_close", args=["acme", goal.pk])
    response = client.post(url, {"state": GoalState.PARTIALLY_ACHIEVED, "note": ""})
    assert response.status_code == 400
    goal.refresh_from_db()
    assert goal.state == GoalState.ACTIVE
    client.post(url, {"state": GoalState.PARTIALLY_ACHIEVED, "note": "Churn fell to 18%, not 17%."})
    goal.refresh_from_db()
    assert (goal.state, goal.closing_note) == (
        GoalState.PARTIALLY_ACHIEVED,
        "Churn fell to 18%, not 17%.",
    )
    page = client.get(reverse("projects:goal_detail", args=["acme", goal.pk]))
    assert "Partially achieved" in page.text
    assert "Churn fell to 18%, not 17%." in page.text
    client.post(reverse("projects:goal_reopen", args=["acme", goal.pk]))
    goal.refresh_from_db()
    assert goal.state == GoalState.ACTIVE


def test_each_label_on_the_goal_page_points_at_its_own_field(tenant: Tenant, client) -> None:
    """The check-in and the closing form both have a note: their ids must differ."""
    goal = GoalFactory(organization=tenant.organization)
    client.force_login(tenant.manager.user)
    page = client.get(reverse("projects:goal_detail", args=["acme", goal.pk])).text
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    close_form = page[page.index(reverse("projects:goal_close", args=["acme", goal.pk])) :]
    label = re.search(r'<label for="([^"]+)"[^>]*>\s*Closing note', close_form)
    assert label, "the closing note has a label"
    assert re.search(rf'<textarea name="note"[^>]*id="{label[1]}"', close_form)


def test_members_check_in_but_do_not_edit(tenant: Tenant, client) -> None:
    project = ProjectFactory(organization=tenant.organization)
    goal = GoalFactory(organization=tenant.organization, project=project)
    client.force_login(tenant.member.user)
    page = client.get(reverse("projects:goal_detail", args=["acme", goal.pk])).text
    assert "Record check-in" in page
    assert reverse("projects:goal_edit", args=["acme", goal.pk]) not in page
    assert (
        client.post(reverse("projects:goal_edit", args=["acme", goal.pk]), goal_form()).status_code
        == 403
    )
    assert client.get(reverse("projects:project_create", args=["acme"])).status_code == 403


def test_project_list_filters(tenant: Tenant, client) -> None:
    other_team = TeamFactory(organization=tenant.organization, name="Finance")
    ProjectFactory(
        organization=tenant.organization,
        name="Churn",
        teams=[tenant.team],
        status=ProjectStatus.ACTIVE,
        owner=tenant.lead.user,
    )
    ProjectFactory(
        organization=tenant.organization,
        name="Costs",
        teams=[other_team],
        status=ProjectStatus.PLANNED,
    )
    client.force_login(tenant.viewer.user)
    url = reverse("projects:project_list", args=["acme"])
    assert {p.name for p in client.get(url).context["projects"]} == {"Churn", "Costs"}
    assert {p.name for p in client.get(url, {"team": other_team.pk}).context["projects"]} == {
        "Costs"
    }
    assert {p.name for p in client.get(url, {"status": "active"}).context["projects"]} == {"Churn"}
    assert {
        p.name for p in client.get(url, {"owner": tenant.lead.user.pk}).context["projects"]
    } == {"Churn"}
    assert "New project" not in client.get(url).text


def test_alignment_tree_shows_goals_under_their_objective(
    tenant: Tenant, objective: Goal, client
) -> None:
    finance = TeamFactory(organization=tenant.organization, name="Finance")
    project = ProjectFactory(organization=tenant.organization, name="Churn", teams=[tenant.team])
    child = GoalFactory(
        organization=tenant.organization,
        project=project,
        parent=objective,
        title="Cut churn",
        team=tenant.team,
    )
    GoalFactory(organization=tenant.organization, title="Spend less", team=finance)
    client.force_login(tenant.viewer.user)
    url = reverse("projects:goal_tree", args=["acme"])
    tree = client.get(url).context["tree"]
    assert {node.goal.title for node in tree} == {"Keep more of our customers", "Spend less"}
    [parent] = [node for node in tree if node.goal == objective]
    assert [node.goal for node in parent.children] == [child]
    # Filtered by team, the objective stays as the branch's root.
    tree = client.get(url, {"team": tenant.team.pk}).context["tree"]
    assert [node.goal.title for node in tree] == ["Keep more of our customers"]
    assert [node.goal.title for node in tree[0].children] == ["Cut churn"]
    tree = client.get(url, {"team": finance.pk}).context["tree"]
    assert [node.goal.title for node in tree] == ["Spend less"]


def test_goal_pages_take_the_same_queries_for_few_and_many(
    tenant: Tenant, objective: Goal, client, django_assert_num_queries
) -> None:
    project = ProjectFactory(organization=tenant.organization, teams=[tenant.team])
    goal = GoalFactory(organization=tenant.organization, project=project, parent=objective)
    client.force_login(tenant.manager.user)
    # The person, their membership and the organisations in the menu are one query
    # (opsboard.tenancy.middleware).
    pages = [
        # The forecast's history and remaining cards (metrics.forecast) are two.
        (reverse("projects:project_detail", args=["acme", project.pk]), 9),
        (reverse("projects:goal_tree", args=["acme"]), 5),
        # A filter reads its choice (the project, the team) and keeps the matches in the tree's query.
        (reverse("projects:goal_tree", args=["acme"]) + f"?project={project.pk}", 6),
        (reverse("projects:goal_tree", args=["acme"]) + f"?team={tenant.team.pk}", 6),
        (reverse("projects:goal_detail", args=["acme", goal.pk]), 5),
        (reverse("projects:project_list", args=["acme"]), 6),
    ]
    for url, _ in pages:
        client.get(url)
    for url, budget in pages:
        with django_assert_num_queries(budget):
            client.get(url)
    for n in range(30):
        GoalFactory(organization=tenant.organization, project=project, parent=objective)
        CheckIn.objects.create(goal=goal, value=19, checked_on=TODAY - timedelta(days=n))
        ProjectFactory(organization=tenant.organization, teams=[tenant.team])
    for url, budget in pages:
        with django_assert_num_queries(budget):
            client.get(url)
