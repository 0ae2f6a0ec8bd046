"""The person and their memberships read in one query (opsboard.tenancy.middleware) keep
every check Django makes of a session, and never lend one person's memberships to another."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.accounts.test_api_key import new_key
from tests.conftest import Tenant


def dashboard(slug: str = "acme") -> str:
    return reverse("projects:dashboard", args=[slug])


def test_a_password_changed_elsewhere_signs_this_session_out(tenant: Tenant, client_for) -> None:
    client = client_for(tenant.member.user)
    assert client.get(dashboard()).status_code == 200
    tenant.member.user.set_password("a new one, somewhere else")
    tenant.member.user.save()
    response = client.get(dashboard())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert SESSION_KEY not in client.session  # Django flushed the session that no longer holds


def test_an_inactive_person_is_signed_out(tenant: Tenant, client_for) -> None:
    client = client_for(tenant.member.user)
    tenant.member.user.is_active = False
    tenant.member.user.save()
    assert client.get(dashboard()).status_code == 302


def test_another_organisation_is_a_404_and_the_menu_lists_only_ones_own(
    tenant: Tenant, other_tenant: Tenant, client_for
) -> None:
    client = client_for(tenant.member.user)
    assert client.get(dashboard("rival")).status_code == 404
    page = client.get(dashboard()).text
    assert tenant.organization.name in page
    assert other_tenant.organization.name not in page


def test_a_person_without_memberships_is_still_signed_in(tenant: Tenant, client_for) -> None:
    client = client_for(tenant.member.user)
    tenant.member.delete()
    assert client.get(dashboard()).status_code == 404
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_an_api_key_answers_for_its_own_person_beside_another_session(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    """The session's person is read with their memberships; the key's person is not them,
    so the key's organisation answers and the session's does not."""
    signed_in = Client()
    signed_in.force_login(other_tenant.member.user)
    secret = new_key(signed_in)
    client = Client(headers={"Authorization": f"Token {secret}"})
    client.force_login(tenant.member.user)
    assert client.get("/api/v1/organizations/rival/teams/").status_code == 200
    assert client.get("/api/v1/organizations/acme/teams/").status_code == 404
