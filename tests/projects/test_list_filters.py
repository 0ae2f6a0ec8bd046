"""Projects, goals, people and KPIs: each page's filters and its API list are one FilterSet, with
the same parameter names and the same answers."""

from __future__ import annotations

from django.urls import reverse

from metrics.models import Kpi, Source
from opsboard.tenancy.models import Role
from projects.models import ProjectStatus
from tests.conftest import Tenant
from tests.factories import GoalFactory, ProjectFactory, TeamFactory

API = "/api/v1/organizations/acme"


def api_names(client, path: str, query: dict, key: str = "name") -> set[str]:
    response = client.get(f"{API}/{path}/", query)
    assert response.status_code == 200, response.json()
    return {row[key] for row in response.json()["results"]}


def test_projects_by_team_status_and_owner(tenant: Tenant, other_tenant: Tenant, client) -> None:
    logistics = TeamFactory(organization=tenant.organization, name="Logistics")
    ProjectFactory(
        organization=tenant.organization, name="Churn", teams=[tenant.team], owner=tenant.lead.user
    )
    ProjectFactory(
        organization=tenant.organization,
        name="Depots",
        teams=[logistics],
        status=ProjectStatus.PLANNED,
    )
    client.force_login(tenant.member.user)
    url = reverse("projects:project_list", args=["acme"])
    for query, expected in (
        ({}, {"Churn", "Depots"}),
        ({"team": logistics.pk}, {"Depots"}),
        ({"status": ProjectStatus.ACTIVE}, {"Churn"}),
        ({"owner": tenant.lead.user.pk}, {"Churn"}),
    ):
        page = client.get(url, query)
        assert {project.name for project in page.context["projects"]} == expected, query
        assert api_names(client, "projects", query) == expected, query
    assert api_names(client, "projects", {"owner": tenant.lead.user.email}) == {"Churn"}

    for field, value in (("status", "someday"), ("team", other_tenant.team.pk)):
        page = client.get(url, {field: value})
        assert page.context["filters"].errors[field]
        assert {project.name for project in page.context["projects"]} == {"Churn", "Depots"}
        response = client.get(f"{API}/projects/", {field: value})
        assert response.status_code == 400
        assert response.json()[field] == page.context["filters"].errors[field]


def test_people_by_role_and_search(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    url = reverse("projects:people_list", args=["acme"])
    lead = tenant.lead.user
    for query, expected in (
        ({"role": Role.LEAD}, {lead.email}),
        ({"q": lead.email.upper()}, {lead.email}),
        ({"role": Role.VIEWER, "q": lead.email}, set()),
    ):
        page = client.get(url, query)
        assert {m.user.email for m in page.context["page"].object_list} == expected, query
        assert api_names(client, "members", query, key="email") == expected, query
    # The page's role links never send a wrong role: it is ignored there, refused in the API.
    page = client.get(url, {"role": "boss"})
    assert len(page.context["page"].object_list) == len(Role.values)
    assert client.get(f"{API}/members/", {"role": "boss"}).status_code == 400


def test_kpis_by_team_and_project(tenant: Tenant, client) -> None:
    project = ProjectFactory(organization=tenant.organization, name="Churn", teams=[tenant.team])
    values = {"organization": tenant.organization, "source": Source.MANUAL, "target": 90,
              "amber_threshold": 80, "red_threshold": 70}  # fmt: skip
    Kpi.objects.create(name="Everyone's", **values)
    Kpi.objects.create(name="Product's", team=tenant.team, **values)
    Kpi.objects.create(name="Churn's", project=project, **values)
    client.force_login(tenant.member.user)
    url = reverse("metrics:dashboard", args=["acme"])
    for query, expected in (
        ({}, {"Everyone's", "Product's", "Churn's"}),
        # A team answers for its own KPIs and the organisation's.
        ({"team": tenant.team.pk}, {"Everyone's", "Product's"}),
        ({"project": project.pk}, {"Churn's"}),
    ):
        page = client.get(url, query)
        assert {tile.kpi.name for tile in page.context["tiles"]} == expected, query
        assert api_names(client, "kpis", query) == expected, query


def test_goals_by_team_and_project(tenant: Tenant, other_tenant: Tenant, client) -> None:
    organization = tenant.organization
    finance = TeamFactory(organization=organization, name="Finance")
    project = ProjectFactory(organization=organization, name="Churn", teams=[tenant.team])
    objective = GoalFactory(organization=organization, title="Keep more of our customers")
    # A project's goal belongs to the teams of the project, whichever team it names.
    GoalFactory(organization=organization, project=project, parent=objective, title="Cut churn")
    GoalFactory(organization=organization, title="Spend less", team=finance)
    client.force_login(tenant.viewer.user)
    url = reverse("projects:goal_tree", args=["acme"])

    def in_the_tree(query: dict) -> set[str]:
        nodes, titles = list(client.get(url, query).context["tree"]), set()
        while nodes:
            node = nodes.pop()
            titles.add(node.goal.title)
            nodes += node.children
        return titles

    for query, matching in (
        ({"team": tenant.team.pk}, {"Cut churn"}),
        ({"team": finance.pk}, {"Spend less"}),
        ({"project": project.pk}, {"Cut churn"}),
    ):
        assert api_names(client, "goals", query, key="title") == matching, query
        # The tree keeps the goals above each match, so its branch reads from the objective.
        above = {"Keep more of our customers"} if matching == {"Cut churn"} else set()
        assert in_the_tree(query) == matching | above, query

    page = client.get(url, {"team": other_tenant.team.pk})
    assert page.context["filters"].errors["team"]
    assert client.get(f"{API}/goals/", {"team": other_tenant.team.pk}).status_code == 400
