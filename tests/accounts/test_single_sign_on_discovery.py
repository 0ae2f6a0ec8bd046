"""The sign-in pages find an organisation's single sign-on without telling anyone about
another's: the general page lists nobody's, an organisation's own address lists its
providers and connected apps, and a work email address finds those whose allowed
domains name its domain."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from opsboard.notify.models import ConnectedApp
from opsboard.tenancy.models import IdentityProvider
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def providers(tenant: Tenant, other_tenant: Tenant) -> None:
    IdentityProvider.objects.create(
        organization=tenant.organization,
        name="Acme SSO",
        server_url="https://sso.acme.example/realms/ops",
        client_id="acme",
        client_secret="s",
        email_domains="acme.example, acme.cn",
    )
    ConnectedApp.objects.create(
        organization=tenant.organization,
        service="feishu",
        app_id="cli_acme",
        app_secret="s",
        sign_in=True,
        email_domains="acme.example",
    )
    IdentityProvider.objects.create(
        organization=other_tenant.organization,
        name="Rival Okta",
        server_url="https://rival.okta.example/",
        client_id="rival",
        client_secret="s",
        email_domains="",  # any domain: found on the rival's own sign-in page only
    )
    ConnectedApp.objects.create(  # messages only: no sign-in button anywhere
        organization=other_tenant.organization,
        service="dingtalk",
        app_id="ding",
        app_secret="s",
        agent_id="1",
        email_domains="acme.example",
    )


def test_the_general_sign_in_page_names_no_organisations_providers(
    client: Client, providers: None, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = client.get(reverse("accounts:login"))
    page = response.content.decode()
    assert "Acme SSO" not in page and "Rival Okta" not in page and "Feishu" in page
    assert reverse("accounts:single_sign_on_find") in page
    assert "sso.acme.example" not in response["Content-Security-Policy"]


def test_an_organisations_sign_in_address_offers_its_own(
    client: Client, tenant: Tenant, providers: None, django_assert_num_queries
) -> None:
    address = reverse("accounts:organization_login", args=[tenant.organization.slug])
    with django_assert_num_queries(2):
        response = client.get(f"{address}?next=/o/{tenant.organization.slug}/")
    page = response.content.decode()
    assert "Sign in with Acme SSO" in page and "Sign in with Feishu / Lark" in page
    assert "Rival Okta" not in page
    app = ConnectedApp.objects.get(service="feishu")
    assert f"/accounts/chat/feishu{app.pk}/login/?process=login&amp;next=%2Fo%2Facme%2F" in page
    policy = response["Content-Security-Policy"]
    assert "https://sso.acme.example" in policy and "rival" not in policy
    # The password form on it signs in as the general one does.
    assert f'action="{address}"' in page


def test_an_unknown_organisations_address_is_the_general_page(client: Client) -> None:
    response = client.get(reverse("accounts:organization_login", args=["nobody-here"]))
    assert response.status_code == 200
    assert "Sign in with" not in response.content.decode().split("Or sign in with")[1]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_work_email_finds_its_organisations_single_sign_on(
    client: Client, providers: None, django_assert_num_queries, language: str
) -> None:
    client.cookies["django_language"] = language
    address = reverse("accounts:single_sign_on_find")
    assert client.get(address).status_code == 200
    with django_assert_num_queries(2):
        response = client.get(address, {"email": "li.na@ACME.example"})
    page = response.content.decode()
    words = {"en": "Sign in with %s", "zh-hans": "通过 %s 登录"}[language]
    feishu = {"en": "Feishu / Lark", "zh-hans": "飞书"}[language]
    assert words % "Acme SSO" in page and feishu in page and "/accounts/chat/feishu" in page
    assert "Rival Okta" not in page
    assert "https://sso.acme.example" in response["Content-Security-Policy"]

    page = client.get(address, {"email": "li.na@acme.cn"}).content.decode()
    assert words % "Acme SSO" in page and "Feishu" not in page


def test_an_address_no_organisation_claims_finds_nothing_and_says_so(
    client: Client, providers: None
) -> None:
    response = client.get(reverse("accounts:single_sign_on_find"), {"email": "a@rival.example"})
    page = response.content.decode()
    assert "No single sign-on is set up for this address" in page
    assert "Rival Okta" not in page
    # A part of a domain is not the domain.
    page = client.get(
        reverse("accounts:single_sign_on_find"), {"email": "a@example"}
    ).content.decode()
    assert "Acme SSO" not in page


def test_a_wrong_address_is_a_field_error(client: Client, providers: None) -> None:
    response = client.get(reverse("accounts:single_sign_on_find"), {"email": "not an address"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert "Acme SSO" not in response.content.decode()
