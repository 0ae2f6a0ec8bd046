from __future__ import annotations

from opsboard.tenancy.models import Membership, Role, Team
from tests.conftest import Tenant

API = "/api/v1/organizations"


def test_lists_only_the_users_organisations(tenant: Tenant, other_tenant: Tenant, client) -> None:
    client.force_login(tenant.member.user)
    response = client.get(f"{API}/")
    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == ["acme"]
    assert response.json()["results"][0]["role"] == "member"


def test_requires_sign_in(tenant: Tenant, client) -> None:
    response = client.get(f"{API}/acme/teams/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_teams_and_members_of_another_organisation_are_404(
    tenant: Tenant, other_tenant: Tenant, client
) -> None:
    client.force_login(tenant.manager.user)
    assert client.get(f"{API}/rival/teams/").status_code == 404
    assert client.get(f"{API}/acme/teams/{other_tenant.team.pk}/").status_code == 404
    assert (
        client.patch(
            f"{API}/acme/members/{other_tenant.member.pk}/",
            {"role": "viewer"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_manager_creates_a_team_and_bad_input_gets_400(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    response = client.post(
        f"{API}/acme/teams/",
        {"name": "Logistics", "lead": tenant.lead.user.email},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    team = Team.objects.get(pk=response.json()["id"])
    assert team.lead == tenant.lead.user
    # The lead becomes a member of the team.
    assert team in tenant.lead.teams.all()

    response = client.post(
        f"{API}/acme/teams/", {"name": "logistics"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"name": ["A team with this name already exists."]}

    response = client.post(f"{API}/acme/teams/", {"name": ""}, content_type="application/json")
    assert response.status_code == 400
    assert "name" in response.json()

    response = client.post(
        f"{API}/acme/teams/",
        {"name": "Ghosts", "lead": "nobody@example.test"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"lead": ["The team lead must be a member of the organisation."]}
    assert not Team.objects.filter(name="Ghosts").exists()


def test_viewer_and_member_cannot_change_teams(tenant: Tenant, client) -> None:
    for membership in (tenant.viewer, tenant.member):
        client.force_login(membership.user)
        assert (
            client.post(
                f"{API}/acme/teams/", {"name": "X"}, content_type="application/json"
            ).status_code
            == 403
        )
        assert (
            client.patch(
                f"{API}/acme/teams/{tenant.team.pk}/",
                {"name": "X"},
                content_type="application/json",
            ).status_code
            == 403
        )
        assert client.delete(f"{API}/acme/teams/{tenant.team.pk}/").status_code == 403
    assert Team.objects.filter(pk=tenant.team.pk, name="Product").exists()


def test_manager_changes_a_members_role_and_teams(tenant: Tenant, client) -> None:
    extra = Team.objects.create(organization=tenant.organization, name="Finance")
    client.force_login(tenant.manager.user)
    url = f"{API}/acme/members/{tenant.member.pk}/"
    response = client.patch(
        url, {"role": "lead", "teams": [extra.pk]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["role"] == "lead"
    assert response.json()["teams"] == [extra.pk]

    response = client.patch(url, {"role": "owner"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"role": ["Only an owner can make someone an owner."]}

    response = client.patch(url, {"role": "chief"}, content_type="application/json")
    assert response.status_code == 400
    assert Membership.objects.get(pk=tenant.member.pk).role == Role.LEAD


def test_member_list(tenant: Tenant, client) -> None:
    client.force_login(tenant.viewer.user)
    response = client.get(f"{API}/acme/members/")
    assert response.status_code == 200
    assert {row["role"] for row in response.json()["results"]} == set(Role.values)
