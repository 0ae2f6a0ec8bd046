"""The sign-in, password and two-factor pages as a Chinese reader sees them: nothing reads as
translated, and no English is left on them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.accounts.two_factor import (
    code_of,
    confirm_password,
    enter_code,
    sign_in_with_password,
    turn_on_two_factor,
)
from tests.conftest import Tenant
from tests.reading import read_as_translated, visible_text

# English a Chinese page may hold: the product, "API", the apps named, the address typed.
KEPT = re.compile(
    r"Opsboard|API|Google Authenticator|Microsoft Authenticator|FreeOTP|[\w.+-]+@[\w.-]+|[A-Z2-7]{32}"
)


@pytest.fixture(autouse=True)
def _no_codes_seen() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def chinese(page: str) -> list[str]:
    """What reads wrong in the page's main part as Chinese: translated-looking places, and
    English words (the navigation around it, with people's names, has its own tests)."""
    main = re.search(r"(?s)<main\b.*</main>", page).group(0)
    # The profile's time zones are names (Africa/Abidjan), not words to translate.
    text = visible_text(re.sub(r"(?s)<select\b.*?</select>", " ", main))
    words = re.findall(r"[A-Za-z]{3,}", KEPT.sub(" ", text))
    return read_as_translated(text) + [f"English: {word}" for word in words]


def test_the_account_pages_read_as_written_in_chinese(tenant: Tenant) -> None:
    client = Client(headers={"accept-language": "zh-CN,zh;q=0.9"})
    pages = {
        "sign in": client.get(reverse("accounts:login")).text,
        "reset": client.get(reverse("accounts:password_reset")).text,
        "reset sent": client.get(reverse("accounts:password_reset_done")).text,
        "sign up": client.get(reverse("account_signup")).text,
    }
    user = tenant.manager.user
    user.language = "zh-hans"
    user.save()
    secret, _ = turn_on_two_factor(user)
    sign_in_with_password(client, user)
    pages["code"] = client.get(reverse("mfa_authenticate")).text
    pages["wrong code"] = enter_code(client, "000000" if code_of(secret) != "000000" else "1").text
    enter_code(client, code_of(secret))
    pages["profile"] = client.get(reverse("accounts:profile")).text
    pages["turn off"] = client.get(reverse("mfa_deactivate_totp")).text
    pages["recovery codes"] = confirm_password(client, reverse("mfa_view_recovery_codes"))
    pages["new recovery codes"] = client.get(reverse("mfa_generate_recovery_codes")).text
    pages["password"] = client.get(reverse("accounts:password_change")).text
    pages["sign out"] = client.get(reverse("accounts:logout")).text
    found = {name: problems for name, page in pages.items() if (problems := chinese(page))}
    assert found == {}

    other = tenant.owner.user
    other.language = "zh-hans"
    other.save()
    client = Client()
    sign_in_with_password(client, other)
    pages = {
        "confirm": client.get(client.get(reverse("mfa_activate_totp"))["Location"]).text,
        "turn on": confirm_password(client, reverse("mfa_activate_totp")),
    }
    found = {name: problems for name, page in pages.items() if (problems := chinese(page))}
    assert found == {}
