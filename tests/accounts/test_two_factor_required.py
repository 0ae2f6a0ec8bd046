"""An organisation can ask its owners and ops managers for two-factor sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from opsboard.accounts.services import api_key_create
from opsboard.accounts.two_factor import has_two_factor
from opsboard.tenancy.models import Organization
from tests.accounts.two_factor import (
    code_of,
    confirm_password,
    sign_in_with_password,
    turn_on_two_factor,
)
from tests.conftest import Tenant

MY_WORK = "/o/acme/"


@pytest.fixture(autouse=True)
def _no_codes_seen() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def strict(tenant: Tenant) -> Tenant:
    tenant.organization.two_factor_for_managers = True
    tenant.organization.save()
    return tenant


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_a_manager_without_it_is_sent_to_set_it_up(strict: Tenant, client: Client, role) -> None:
    client.force_login(strict.membership(role).user)
    response = client.get(MY_WORK)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_activate_totp')}?next={MY_WORK}"
    # Every page of the organisation, not only the first one.
    assert client.get(reverse("projects:dashboard", args=["acme"])).status_code == 302
    # Their own pages stay open, to set it up from.
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.parametrize("role", ["lead", "member", "viewer"])
def test_the_others_are_left_alone(strict: Tenant, client: Client, role) -> None:
    client.force_login(strict.membership(role).user)
    assert client.get(MY_WORK).status_code == 200


def test_an_organisation_that_does_not_ask_leaves_its_managers_alone(
    tenant: Tenant, client: Client
) -> None:
    client.force_login(tenant.manager.user)
    assert client.get(MY_WORK).status_code == 200


def test_another_organisation_asking_does_not_reach_here(
    tenant: Tenant, other_tenant: Tenant, client: Client
) -> None:
    other_tenant.organization.two_factor_for_managers = True
    other_tenant.organization.save()
    client.force_login(tenant.manager.user)
    assert client.get(MY_WORK).status_code == 200


def test_set_up_then_back_to_the_page(strict: Tenant, client: Client) -> None:
    user = strict.manager.user
    sign_in_with_password(client, user)
    set_up = client.get(MY_WORK)["Location"]
    page = confirm_password(client, set_up)
    assert "Your organisation asks its owners and ops managers" in page
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page).group(1)
    response = client.post(set_up, {"code": code_of(secret), "next": MY_WORK})
    assert response.status_code == 302
    codes_page = client.get(response["Location"]).text
    assert f'href="{MY_WORK}" role="button"' in codes_page  # "Continue" leads back
    assert has_two_factor(user)
    assert client.get(MY_WORK).status_code == 200


def test_a_manager_with_it_goes_straight_in(strict: Tenant, client: Client) -> None:
    turn_on_two_factor(strict.manager.user)
    client.force_login(strict.manager.user)
    assert client.get(MY_WORK).status_code == 200


def test_the_api_with_a_token_is_unaffected(strict: Tenant) -> None:
    key = api_key_create(user=strict.manager.user)
    response = Client(headers={"Authorization": f"Token {key}"}).get("/api/v1/organizations/")
    assert response.status_code == 200


def test_managers_turn_it_on_in_the_settings(tenant: Tenant, client: Client) -> None:
    organization = tenant.organization
    client.force_login(tenant.manager.user)
    url = reverse("projects:organization_settings", args=["acme"])
    page = client.get(url).text
    assert "Two-factor sign-in for owners and ops managers" in page
    response = client.post(
        url,
        {
            "name": organization.name,
            "timezone": organization.timezone,
            "language": organization.language,
            "reminder_lead_days": organization.reminder_lead_days,
            "reminder_hour": organization.reminder_hour,
            "digest_weekday": organization.digest_weekday,
            "retrospective_working_day": organization.retrospective_working_day,
            "two_factor_for_managers": "on",
        },
    )
    assert response.status_code == 302
    assert Organization.objects.get(pk=organization.pk).two_factor_for_managers
    # The manager who turned it on is asked to set theirs up next.
    assert client.get(MY_WORK)["Location"].startswith(reverse("mfa_activate_totp"))


def test_members_cannot_change_it(tenant: Tenant, client: Client) -> None:
    client.force_login(tenant.member.user)
    url = reverse("projects:organization_settings", args=["acme"])
    assert client.post(url, {"two_factor_for_managers": "on"}).status_code == 403
    assert not Organization.objects.get(pk=tenant.organization.pk).two_factor_for_managers
