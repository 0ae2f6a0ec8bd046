"""Managers set up their organisation's identity providers on its settings pages and in the
admin; the client secret is stored encrypted and never shown back in full."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from opsboard.tenancy.models import IdentityProvider, Role
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

SECRET = "kc-secret-0f9e8d7c6b5a"


def provider_form(tenant: Tenant, **changes: object) -> dict[str, object]:
    return {
        "name": "Keycloak",
        "server_url": "https://sso.acme.example/realms/ops",
        "client_id": "opsboard",
        "client_secret": SECRET,
        "email_domains": "acme.example, acme.cn",
        "tenant_claim": "tid",
        "tenant_id": "",
        "default_role": Role.MEMBER,
        "default_team": tenant.team.pk,
        "allow_joining": "on",
        "active": "on",
        **changes,
    }


def test_a_manager_adds_a_provider_whose_secret_is_never_shown_back(
    tenant: Tenant, client_for
) -> None:
    client = client_for(tenant.manager.user)
    slug = tenant.organization.slug
    response = client.post(
        reverse("projects:identity_provider_create", args=[slug]), provider_form(tenant)
    )
    assert response.status_code == 302
    identity_provider = IdentityProvider.objects.get()
    assert identity_provider.client_secret == SECRET
    assert identity_provider.domain_list() == ["acme.example", "acme.cn"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM tenancy_identityprovider")
        assert SECRET not in cursor.fetchone()[0]

    for page in (
        reverse("projects:single_sign_on", args=[slug]),
        reverse("projects:identity_provider_edit", args=[slug, identity_provider.pk]),
    ):
        text = client.get(page).content.decode()
        assert "Keycloak" in text
        assert SECRET not in text
        assert "…6b5a" in text

    # A change with the secret left blank keeps it.
    response = client.post(
        reverse("projects:identity_provider_edit", args=[slug, identity_provider.pk]),
        provider_form(tenant, client_secret="", name="Acme Keycloak"),
    )
    assert response.status_code == 302
    identity_provider.refresh_from_db()
    assert (identity_provider.name, identity_provider.client_secret) == ("Acme Keycloak", SECRET)
    sign_in_page = Client().get(reverse("accounts:organization_login", args=[slug]))
    assert "Sign in with Acme Keycloak" in sign_in_page.content.decode()
    # The button's form may be redirected to the provider (Content-Security-Policy).
    assert "form-action 'self' https://sso.acme.example" in sign_in_page["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"server_url": "not an address"}, "server_url"),
        ({"client_secret": ""}, "client_secret"),
        ({"name": ""}, "name"),
        ({"default_role": Role.OWNER}, "default_role"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_saved(
    tenant: Tenant, client_for, changes: dict[str, object], field: str
) -> None:
    response = client_for(tenant.manager.user).post(
        reverse("projects:identity_provider_create", args=[tenant.organization.slug]),
        provider_form(tenant, **changes),
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not IdentityProvider.objects.exists()


def test_another_organisations_team_cannot_be_chosen(
    tenant: Tenant, other_tenant: Tenant, client_for
) -> None:
    response = client_for(tenant.manager.user).post(
        reverse("projects:identity_provider_create", args=[tenant.organization.slug]),
        provider_form(tenant, default_team=other_tenant.team.pk),
    )
    assert response.status_code == 400
    assert not IdentityProvider.objects.exists()


def test_only_managers_see_the_page(tenant: Tenant, client_for) -> None:
    for role in ("lead", "member", "viewer"):
        client = client_for(tenant.membership(role).user)
        url = reverse("projects:single_sign_on", args=[tenant.organization.slug])
        assert client.get(url).status_code == 403


def test_single_sign_on_can_be_required_only_with_an_active_provider(
    tenant: Tenant, client_for
) -> None:
    client = client_for(tenant.manager.user)
    url = reverse("projects:single_sign_on", args=[tenant.organization.slug])
    response = client.post(url, {"single_sign_on_required": "on"})
    assert response.status_code == 400
    assert "Add an active identity provider first" in response.content.decode()
    tenant.organization.refresh_from_db()
    assert not tenant.organization.single_sign_on_required

    identity_provider = IdentityProvider.objects.create(
        organization=tenant.organization,
        name="Okta",
        server_url="https://acme.okta.example/",
        client_id="opsboard",
        client_secret=SECRET,
    )
    assert client.post(url, {"single_sign_on_required": "on"}).status_code == 302
    tenant.organization.refresh_from_db()
    assert tenant.organization.single_sign_on_required

    # Removing the last provider turns the rule off: members would be locked out.
    response = client.post(
        reverse(
            "projects:identity_provider_delete",
            args=[tenant.organization.slug, identity_provider.pk],
        )
    )
    assert response.status_code == 302
    tenant.organization.refresh_from_db()
    assert not tenant.organization.single_sign_on_required


def test_the_admin_shows_a_manager_only_their_organisations_providers(
    tenant: Tenant, other_tenant: Tenant, client_for
) -> None:
    for organization, name in (
        (tenant.organization, "Ours"),
        (other_tenant.organization, "Theirs"),
    ):
        IdentityProvider.objects.create(
            organization=organization,
            name=name,
            server_url="https://sso.example/",
            client_id="opsboard",
            client_secret=SECRET,
        )
    manager = tenant.manager.user
    manager.is_staff = True
    manager.save()
    client = client_for(manager)
    page = client.get(reverse("admin:tenancy_identityprovider_changelist")).content.decode()
    assert "Ours" in page
    assert "Theirs" not in page
    assert SECRET not in page
    theirs = IdentityProvider.objects.get(name="Theirs")
    change = reverse("admin:tenancy_identityprovider_change", args=[theirs.pk])
    assert client.get(change).status_code in (302, 404)
    ours = IdentityProvider.objects.get(name="Ours")
    page = client.get(reverse("admin:tenancy_identityprovider_change", args=[ours.pk]))
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
