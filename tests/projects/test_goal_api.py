"""Projects, goals and check-ins through the API, with token or session."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from opsboard.accounts.services import api_key_create
from projects.models import CheckIn, Goal, GoalState, Project
from tests.conftest import Tenant
from tests.factories import GoalFactory, ProjectFactory

API = "/api/v1/organizations/acme"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel("2026-11-24 09:00 +0800", tick=False):
        yield


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_create(user=user)}")
    return client


GOAL = {
    "title": "Cut monthly churn",
    "statement": "Fewer paying customers leave us each month.",
    "metric_name": "Monthly churn rate",
    "unit": "percent",
    "direction": "decrease",
    "baseline": "20",
    "target": "17",
    "decimals": 1,
    "confidence": 4,
    "resources_note": "Two analysts.",
    "start_date": "2026-11-01",
    "due_date": "2027-02-28",
}


def test_the_whole_flow_with_a_token(tenant: Tenant) -> None:
    api = token_client(tenant.lead.user)
    objective = GoalFactory(organization=tenant.organization, title="Keep customers")

    response = api.post(
        f"{API}/projects/",
        {
            "name": "Reduce customer churn",
            "teams": [tenant.team.pk],
            "start_date": "2026-11-01",
            "due_date": "2027-02-28",
            "status": "active",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    project_id = response.json()["id"]

    response = api.post(f"{API}/goals/", {**GOAL, "project": project_id}, format="json")
    assert response.status_code == 201, response.json()
    goal = response.json()
    assert goal["state"] == "draft"
    assert goal["smart_check"]["passes"] is False
    relevant = next(c for c in goal["smart_check"]["criteria"] if c["criterion"] == "relevant")
    assert relevant == {
        "criterion": "relevant",
        "level": "fail",
        "message": "Not linked to any objective.",
    }

    response = api.post(f"{API}/goals/{goal['id']}/activate/")
    assert response.status_code == 400
    assert response.json() == {"detail": ["Relevant: Not linked to any objective."]}

    response = api.patch(f"{API}/goals/{goal['id']}/", {"parent": objective.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["smart_check"]["passes"] is True
    assert response.json()["title"] == "Cut monthly churn"  # untouched fields kept
    assert api.post(f"{API}/goals/{goal['id']}/activate/").json()["state"] == "active"

    for day, value in (("2026-11-08", "19.6"), ("2026-11-15", "19.2"), ("2026-11-22", "18.9")):
        response = api.post(
            f"{API}/goals/{goal['id']}/check-ins/",
            {"value": value, "checked_on": day, "confidence": 4},
            format="json",
        )
        assert response.status_code == 201, response.json()
    tracking = api.get(f"{API}/goals/{goal['id']}/").json()["tracking"]
    assert tracking["current"] == "18.9000"
    assert tracking["progress"] == pytest.approx(1.1 / 3)
    assert tracking["status"] == "on_track"
    assert api.get(f"{API}/goals/{goal['id']}/check-ins/").json()["count"] == 3
    goals = api.get(f"{API}/goals/", {"project": project_id}).json()["results"]
    assert [g["id"] for g in goals] == [goal["id"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"baseline": "twenty"}, "baseline"),
        ({"target": None}, "target"),
        ({"due_date": "2026-10-01"}, "due_date"),
        ({"target": "117"}, "target"),
        ({"confidence": 9}, "confidence"),
    ],
)
def test_bad_goal_input_is_400_naming_the_field(tenant: Tenant, client, changes, field) -> None:
    project = ProjectFactory(organization=tenant.organization)
    client.force_login(tenant.lead.user)
    payload = {**GOAL, "project": project.pk, **changes}
    response = client.post(f"{API}/goals/", payload, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Goal.objects.exists()


def test_foreign_parent_team_and_project_are_400(
    tenant: Tenant, other_tenant: Tenant, client
) -> None:
    foreign_goal = GoalFactory(organization=other_tenant.organization)
    foreign_project = ProjectFactory(organization=other_tenant.organization)
    client.force_login(tenant.manager.user)
    for field, value in (
        ("parent", foreign_goal.pk),
        ("team", other_tenant.team.pk),
        ("project", foreign_project.pk),
        ("owner", other_tenant.member.user.email),
    ):
        response = client.post(
            f"{API}/goals/", {**GOAL, field: value}, content_type="application/json"
        )
        assert response.status_code == 400, field
        assert field in response.json()
    assert not Goal.objects.filter(organization=tenant.organization).exists()


def test_check_in_on_a_dropped_goal_is_400(tenant: Tenant, client) -> None:
    goal = GoalFactory(organization=tenant.organization, state=GoalState.DROPPED)
    client.force_login(tenant.member.user)
    response = client.post(
        f"{API}/goals/{goal.pk}/check-ins/",
        {"value": "18", "checked_on": "2026-11-20"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": ["This goal is closed (Dropped): it takes no more check-ins."]
    }
    response = client.post(
        f"{API}/goals/{goal.pk}/check-ins/",
        {"value": "x", "checked_on": "2026-11-20"},
        content_type="application/json",
    )
    assert "value" in response.json()
    assert not CheckIn.objects.exists()


def test_close_and_project_errors(tenant: Tenant, client) -> None:
    goal = GoalFactory(organization=tenant.organization)
    client.force_login(tenant.manager.user)
    response = client.post(
        f"{API}/goals/{goal.pk}/close/",
        {"state": "achieved", "note": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "note" in response.json()
    response = client.post(
        f"{API}/goals/{goal.pk}/close/",
        {"state": "achieved", "note": "Done early."},
        content_type="application/json",
    )
    assert response.json()["state"] == "achieved"
    response = client.post(
        f"{API}/projects/",
        {"name": "X", "teams": [], "start_date": "2026-12-01", "due_date": "2026-11-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "due_date" in response.json() or "teams" in response.json()
    assert not Project.objects.exists()


def test_other_organisations_goals_are_404(tenant: Tenant, other_tenant: Tenant, client) -> None:
    foreign = GoalFactory(organization=other_tenant.organization)
    client.force_login(tenant.manager.user)
    assert client.get(f"{API}/goals/{foreign.pk}/").status_code == 404
    assert (
        client.post(
            f"{API}/goals/{foreign.pk}/check-ins/", {"value": "1", "checked_on": "2026-11-20"}
        ).status_code
        == 404
    )
    assert client.get("/api/v1/organizations/rival/goals/").status_code == 404


def test_viewer_reads_but_cannot_write(tenant: Tenant) -> None:
    goal = GoalFactory(organization=tenant.organization)
    api = token_client(tenant.viewer.user)
    assert api.get(f"{API}/goals/").status_code == 200
    assert (
        api.post(
            f"{API}/goals/{goal.pk}/check-ins/",
            {"value": "1", "checked_on": "2026-11-20"},
            format="json",
        ).status_code
        == 403
    )
    assert api.post(f"{API}/goals/", GOAL, format="json").status_code == 403


def test_schema_and_docs(db, client, tmp_path) -> None:
    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml")
    )
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/organizations/{org_slug}/goals/{goal_id}/check-ins/" in schema
    assert "TokenAuth" in schema or "tokenAuth" in schema
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()
