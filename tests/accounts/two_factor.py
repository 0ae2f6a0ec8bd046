"""Two-factor sign-in in tests: a person's authenticator app, and the sign-in it asks for."""

from __future__ import annotations

import time

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client
from django.urls import reverse

from opsboard.accounts.models import User
from tests.factories import PASSWORD

SIGN_IN = "/accounts/sign-in/"


def code_of(secret: str, *, periods_later: int = 0) -> str:
    """What an authenticator app shows now for ``secret`` (RFC 6238, 30-second periods)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + periods_later))


def turn_on_two_factor(user: User) -> tuple[str, list[str]]:
    """Give ``user`` an authenticator app and recovery codes; return the secret and the codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    recovery = RecoveryCodes.activate(user)
    return secret, recovery.get_unused_codes()


def sign_in_with_password(client: Client, user: User) -> str:
    """Post the sign-in form; return where it sends the person."""
    response = client.post(SIGN_IN, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return response["Location"]


def enter_code(client: Client, code: str):
    return client.post(reverse("mfa_authenticate"), {"code": code})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def confirm_password(client: Client, address: str) -> str:
    """Open ``address`` (a page that changes how one signs in), confirm the password when
    asked, and return the page that follows."""
    response = client.get(address)
    if response.status_code == 302 and response["Location"].startswith(
        reverse("account_reauthenticate")
    ):
        response = client.post(response["Location"], {"password": PASSWORD})
        assert response.status_code == 302, response.text
        response = client.get(response["Location"])
    assert response.status_code == 200
    return response.text
