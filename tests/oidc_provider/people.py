"""The provider's people, read from the JSON file a test writes (``OIDC_PEOPLE``): each
username with its password and the claims the provider vouches for (email,
email_verified, name, tid)."""

from __future__ import annotations

import json
import os
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from oauth2_provider.oauth2_validators import OAuth2Validator


def people() -> dict[str, dict[str, Any]]:
    with open(os.environ["OIDC_PEOPLE"], encoding="utf-8") as file:
        return json.load(file)


class PeopleBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        person = people().get(username or "")
        if person is None or person["password"] != password:
            return None
        user, _created = User.objects.get_or_create(username=username)
        return user


class Validator(OAuth2Validator):
    # Every claim below, whatever the scope (the tenant claim has none of its own).
    oidc_claim_scope = None

    def get_additional_claims(self, request) -> dict[str, Any]:
        person = people()[request.user.username]
        return {
            key: person[key] for key in ("email", "email_verified", "name", "tid") if key in person
        }

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs) -> bool:
        # Opsboard's callback addresses name the provider's row, different in each test.
        return redirect_uri.startswith(tuple(os.environ["OIDC_REDIRECT_PREFIXES"].split()))
