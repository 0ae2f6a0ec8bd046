"""An API key from the profile page: shown once, stored hashed, replaced or revoked there."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from opsboard.accounts.models import ApiKey
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

API = "/api/v1/organizations/"


def new_key(client: Client) -> str:
    page = client.post(reverse("accounts:api_token"), {"action": "create"})
    assert page.status_code == 200
    assert "it is shown only this once" in page.text
    return re.search(r'<code id="api-key">([^<]+)</code>', page.text).group(1)


def api_status(key: str) -> int:
    return Client(headers={"Authorization": f"Token {key}"}).get(API).status_code


def test_a_key_is_shown_once_and_then_only_by_its_first_characters(
    tenant: Tenant, client_for
) -> None:
    client = client_for(tenant.member.user)
    key = new_key(client)
    assert key.startswith("opsb_") and len(key) > 40
    assert api_status(key) == 200

    profile = client.get(reverse("accounts:profile")).text
    assert key not in profile
    assert f"Your key starts with {key[:12]}…" in profile
    assert "Revoke my key" in profile
    stored = ApiKey.objects.get(user=tenant.member.user)
    assert stored.prefix == key[:12] and key not in stored.digest


def test_a_new_key_replaces_the_old_and_revoking_ends_it(tenant: Tenant, client_for) -> None:
    client = client_for(tenant.member.user)
    first = new_key(client)
    second = new_key(client)
    assert api_status(first) == 401
    assert api_status(second) == 200
    assert ApiKey.objects.filter(user=tenant.member.user).count() == 1

    response = client.post(reverse("accounts:api_token"), {"action": "revoke"}, follow=True)
    assert "Your API key is revoked." in response.text
    assert api_status(second) == 401
    assert not ApiKey.objects.exists()
    assert "Create a key" in client.get(reverse("accounts:profile")).text


def test_a_wrong_key_or_an_inactive_person_is_refused(tenant: Tenant, client_for) -> None:
    key = new_key(client_for(tenant.member.user))
    response = Client(headers={"Authorization": f"Token {key}x"}).get(API)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    tenant.member.user.is_active = False
    tenant.member.user.save()
    assert api_status(key) == 401
