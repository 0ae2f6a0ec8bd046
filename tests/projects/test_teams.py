from __future__ import annotations

import pytest
from django.urls import reverse

from opsboard.tenancy.models import Team
from tests.conftest import Tenant
from tests.factories import MembershipFactory


def test_manager_creates_edits_and_deletes_a_team(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    response = client.post(
        reverse("projects:team_create", args=["acme"]),
        {"name": "Logistics 物流部", "description": "Moves goods.", "lead": tenant.lead.user.pk},
    )
    team = Team.objects.get(name="Logistics 物流部")
    assert response["Location"] == reverse("projects:team_detail", args=["acme", team.pk])
    page = client.get(response["Location"])
    assert tenant.lead.user.display_name in page.text
    assert "Moves goods." in page.text

    client.post(
        reverse("projects:team_edit", args=["acme", team.pk]),
        {"name": "Logistics", "description": "", "lead": ""},
    )
    team.refresh_from_db()
    assert (team.name, team.lead) == ("Logistics", None)

    client.post(reverse("projects:team_delete", args=["acme", team.pk]))
    assert not Team.objects.filter(pk=team.pk).exists()


def test_team_form_errors(tenant: Tenant, other_tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    url = reverse("projects:team_create", args=["acme"])
    response = client.post(url, {"name": "PRODUCT"})
    assert response.status_code == 200
    assert "A team with this name already exists." in response.text
    response = client.post(url, {"name": ""})
    assert "This field is required." in response.text
    response = client.post(url, {"name": "Spies", "lead": other_tenant.manager.user.pk})
    assert "Select a valid choice" in response.text
    assert Team.objects.filter(organization=tenant.organization).count() == 1


def test_someone_who_leaves_a_team_stops_leading_it(tenant: Tenant, client) -> None:
    client.force_login(tenant.manager.user)
    client.post(
        reverse("projects:member_detail", args=["acme", tenant.lead.pk]),
        {"role": "lead", "teams": []},
    )
    tenant.team.refresh_from_db()
    assert tenant.team.lead is None


# Exact query counts for the pages of an organisation; the same for 5 people and for 45.
# (The session comes from the cache: none of them reads it from the database; the person,
# their membership and the organisations in the menu are one query, opsboard.tenancy.middleware.)
QUERY_BUDGETS = {
    "projects:dashboard": 8,
    "projects:people_list": 6,
    "projects:team_list": 3,
    "projects:team_detail": 6,
}


@pytest.mark.parametrize("url_name", QUERY_BUDGETS)
def test_pages_take_the_same_queries_for_few_and_many_people(
    tenant: Tenant, client, django_assert_num_queries, url_name: str
) -> None:
    client.force_login(tenant.manager.user)
    kwargs = {"org_slug": "acme"}
    if url_name == "projects:team_detail":
        kwargs["team_id"] = tenant.team.pk
    url = reverse(url_name, kwargs=kwargs)
    client.get(url)  # the first visit remembers the organisation in the session
    with django_assert_num_queries(QUERY_BUDGETS[url_name]):
        assert client.get(url).status_code == 200
    for _ in range(40):
        MembershipFactory(organization=tenant.organization, teams=[tenant.team])
    with django_assert_num_queries(QUERY_BUDGETS[url_name]):
        assert client.get(url).status_code == 200


def test_people_page_searches_and_pages(tenant: Tenant, client) -> None:
    for number in range(60):
        MembershipFactory(organization=tenant.organization, user__full_name=f"Worker {number:02d}")
    client.force_login(tenant.viewer.user)
    url = reverse("projects:people_list", args=["acme"])
    first = client.get(url)
    assert "Page 1 of 2, 65 people" in first.text
    second = client.get(url, {"page": 2})
    assert "Page 2 of 2" in second.text
    found = client.get(url, {"q": "worker 07"})
    assert "Worker 07" in found.text
    assert "Worker 08" not in found.text
    by_role = client.get(url, {"role": "viewer"})
    assert tenant.viewer.user.email in by_role.text
    assert tenant.member.user.email not in by_role.text
