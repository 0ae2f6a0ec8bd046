"""Two-factor sign-in: turned on from the profile, asked for at sign-in, turned off with a code."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opsboard.accounts.two_factor import has_two_factor, two_factor_code_check
from tests.accounts.two_factor import (
    code_of,
    confirm_password,
    enter_code,
    sign_in_with_password,
    signed_in,
    turn_on_two_factor,
)
from tests.conftest import Tenant


@pytest.fixture(autouse=True)
def _no_codes_seen() -> Iterator[None]:
    """allauth remembers used codes and counts wrong ones in the cache: each test starts
    with none seen."""
    cache.clear()
    yield
    cache.clear()


def test_turning_it_on_shows_the_secret_then_the_recovery_codes_once(
    tenant: Tenant, client: Client
) -> None:
    user = tenant.member.user
    sign_in_with_password(client, user)
    profile = client.get(reverse("accounts:profile")).text
    assert "Turn on two-factor sign-in" in profile

    # Changing how one signs in asks for the password again first.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    page = confirm_password(client, reverse("mfa_activate_totp"))
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page).group(1)
    assert 'src="data:image/svg+xml;base64,' in page  # the QR code, no script needed
    assert '<label for="id_code">Code from the app' in page

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "The code is wrong or was used already." in wrong.text
    assert not has_two_factor(user)

    response = client.post(reverse("mfa_activate_totp"), {"code": code_of(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert has_two_factor(user)
    # The secret is stored encrypted, like every other secret.
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored

    codes_page = client.get(reverse("mfa_view_recovery_codes")).text
    codes = re.search(r'<code id="recovery-codes">(.*?)</code>', codes_page, re.S).group(1)
    codes = codes.split()
    assert len(codes) == 10
    download = re.search(r'href="data:text/plain;charset=utf-8;base64,([^"]+)"', codes_page)
    assert base64.b64decode(download.group(1)).decode().split() == codes
    # Shown once: the page does not give them away again.
    again = client.get(reverse("mfa_view_recovery_codes")).text
    assert not any(code in again for code in codes)
    assert "You have 10 unused recovery codes." in again


def test_sign_in_asks_for_the_code_after_the_password(tenant: Tenant, client: Client) -> None:
    user = tenant.manager.user
    secret, _ = turn_on_two_factor(user)
    next_step = sign_in_with_password(client, user)
    assert next_step == reverse("mfa_authenticate")
    assert not signed_in(client)
    page = client.get(next_step)
    assert "Two-factor sign-in" in page.text
    assert "_auth_user_id" not in client.session

    response = enter_code(client, "123456" if code_of(secret) != "123456" else "654321")
    assert response.status_code == 200
    assert "The code is wrong or was used already." in response.text
    assert not signed_in(client)

    response = enter_code(client, code_of(secret))
    assert response.status_code == 302
    assert signed_in(client)
    assert client.get(reverse("projects:my_work", args=["acme"])).status_code == 200


def test_a_code_works_once(tenant: Tenant, client: Client) -> None:
    user = tenant.member.user
    secret, _ = turn_on_two_factor(user)
    sign_in_with_password(client, user)
    code = code_of(secret)
    assert enter_code(client, code).status_code == 302
    client.post(reverse("accounts:logout"))

    # Someone who saw the code over the shoulder, with the password, in the same half minute.
    thief = Client()
    sign_in_with_password(thief, user)
    response = enter_code(thief, code)
    assert response.status_code == 200
    assert "The code is wrong or was used already." in response.text
    assert not signed_in(thief)

    # The app's next code works.
    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=True):
        assert enter_code(thief, code_of(secret)).status_code == 302
    assert signed_in(thief)


def test_a_recovery_code_works_once(tenant: Tenant, client: Client) -> None:
    user = tenant.member.user
    _, codes = turn_on_two_factor(user)
    sign_in_with_password(client, user)
    assert enter_code(client, codes[0]).status_code == 302
    assert signed_in(client)
    client.post(reverse("accounts:logout"))

    sign_in_with_password(client, user)
    response = enter_code(client, codes[0])
    assert response.status_code == 200
    assert not signed_in(client)
    assert enter_code(client, codes[1]).status_code == 302
    assert signed_in(client)


def test_wrong_codes_are_throttled(tenant: Tenant, client: Client) -> None:
    user = tenant.member.user
    secret, _ = turn_on_two_factor(user)
    sign_in_with_password(client, user)
    right = code_of(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert "The code is wrong" in enter_code(client, wrong).text
    response = enter_code(client, right)
    assert "Too many wrong codes." in response.text
    assert not signed_in(client)


def test_turning_it_off_asks_for_a_code(tenant: Tenant, client: Client) -> None:
    user = tenant.member.user
    secret, _ = turn_on_two_factor(user)
    sign_in_with_password(client, user)
    enter_code(client, code_of(secret))
    url = reverse("mfa_deactivate_totp")

    page = client.get(url)
    assert page.status_code == 200
    assert "field-error" not in page.text  # nothing asked yet, nothing wrong yet

    response = client.post(url, {"code": ""})
    assert response.status_code == 200
    assert "field-error" in response.text
    response = client.post(url, {"code": "000000"})
    assert "The code is wrong or was used already." in response.text
    assert has_two_factor(user)

    with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=True):
        response = client.post(url, {"code": code_of(secret)})
    assert response.status_code == 302, response["Location"]
    assert response["Location"] == reverse("mfa_index")
    assert not has_two_factor(user)
    profile = client.get(response["Location"], follow=True).text
    assert "Two-factor sign-in is off." in profile
    assert "Turn on two-factor sign-in" in profile


def test_the_pages_speak_chinese(tenant: Tenant, client: Client) -> None:
    user = tenant.member.user
    user.language = "zh-hans"
    user.save()
    secret, _ = turn_on_two_factor(user)
    client.cookies["django_language"] = "zh-hans"
    sign_in_with_password(client, user)
    page = client.get(reverse("mfa_authenticate")).text
    assert "两步验证" in page
    assert "Two-factor" not in page
    response = enter_code(client, "000000" if code_of(secret) != "000000" else "111111")
    assert "验证码不对" in response.text


def test_the_secrets_are_encrypted_and_follow_a_new_key(tenant: Tenant, settings) -> None:
    user = tenant.member.user
    secret, codes = turn_on_two_factor(user)
    stored = {a.type: a.data for a in Authenticator.objects.filter(user=user)}
    assert secret not in str(stored)
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    out = io.StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert "mfa.Authenticator: 2 rows encrypted with the first key." in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert two_factor_code_check(user=user, code=code_of(secret)) is not None
    assert two_factor_code_check(user=user, code=codes[0]) is not None
