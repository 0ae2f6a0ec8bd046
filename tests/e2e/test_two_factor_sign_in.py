"""Two-factor sign-in in a real browser, in English and in Chinese: a manager is asked for a
code from their authenticator app; a manager without one is sent to set it up. Each page
passes axe."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from tests.accounts.two_factor import code_of, turn_on_two_factor
from tests.conftest import Tenant
from tests.e2e.test_accessibility import AXE, axe_problems
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en": {
        "email": "Email",
        "password": "Password",
        "sign in": "Sign in",
        "two-factor": "Two-factor sign-in",
        "code": "Code",
        "code from the app": "Code from the app",
        "confirm": "Confirm",
        "turn on": "Turn on",
        "continue": "Continue",
        "my work": "My work",
        "wrong code": "The code is wrong or was used already.",
    },
    "zh-hans": {
        "email": "邮箱",
        "password": "密码",
        "sign in": "登录",
        "two-factor": "两步验证",
        "code": "验证码",
        "code from the app": "应用中的验证码",
        "confirm": "确认",
        "turn on": "开启",
        "continue": "继续",
        "my work": "我的工作",
        "wrong code": "验证码不对，或已用过。",
    },
}


@pytest.fixture(autouse=True)
def _no_codes_seen() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def sign_in(page, words: dict[str, str], email: str) -> None:
    page.goto("/")
    page.get_by_label(words["email"]).fill(email)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["sign in"], exact=True).click()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_manager_is_asked_for_a_code_at_sign_in(
    browser_in, tenant: Tenant, language: str
) -> None:
    words = WORDS[language]
    user = tenant.manager.user
    user.language = language
    user.save()
    tenant.organization.two_factor_for_managers = True
    tenant.organization.save()
    secret, _ = turn_on_two_factor(user)
    page = browser_in(language)
    problems: dict[str, list[str]] = {}

    sign_in(page, words, user.email)
    page.wait_for_url(re.compile(r"/accounts/two-factor/code/"))
    assert page.get_by_role("heading", name=words["two-factor"]).is_visible()
    assert page.locator("html").get_attribute("lang") == language
    problems["code"] = axe_problems(page)

    wrong = f"{(int(code_of(secret)) + 1) % 1_000_000:06d}"
    page.get_by_label(words["code"]).fill(wrong)
    page.get_by_role("button", name=words["sign in"], exact=True).click()
    assert page.get_by_text(words["wrong code"]).is_visible()
    # The error is tied to the field: a screen reader says it with the field.
    field = page.get_by_label(words["code"])
    assert field.get_attribute("aria-invalid") == "true"
    problems["wrong code"] = axe_problems(page)

    field.fill(code_of(secret))
    page.get_by_role("button", name=words["sign in"], exact=True).click()
    page.wait_for_url(re.compile(r"/o/acme/$"))
    assert page.get_by_role("heading", name=words["my work"]).is_visible()
    assert not {name: found for name, found in problems.items() if found}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_manager_without_it_sets_it_up_and_goes_on(
    browser_in, tenant: Tenant, language: str
) -> None:
    words = WORDS[language]
    user = tenant.owner.user
    user.language = language
    user.save()
    tenant.organization.two_factor_for_managers = True
    tenant.organization.save()
    page = browser_in(language)
    problems: dict[str, list[str]] = {}

    sign_in(page, words, user.email)
    # Sent from their organisation's page to confirm their password, then to set it up.
    page.wait_for_url(re.compile(r"/accounts/confirm/"))
    problems["confirm"] = axe_problems(page)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["confirm"], exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/turn-on/"))
    assert page.locator("img[src^='data:image/svg+xml']").is_visible()  # the QR code
    problems["turn on"] = axe_problems(page)

    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label(words["code from the app"]).fill(code_of(secret))
    page.get_by_role("button", name=words["turn on"], exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/recovery-codes/"))
    assert len(page.locator("#recovery-codes").inner_text().split()) == 10
    assert page.locator("a[download]").get_attribute("href").startswith("data:text/plain")
    problems["recovery codes"] = axe_problems(page)

    page.get_by_role("button", name=words["continue"], exact=True).click()
    page.wait_for_url(re.compile(r"/o/acme/$"))
    assert page.get_by_role("heading", name=words["my work"]).is_visible()
    assert not {name: found for name, found in problems.items() if found}
    assert AXE.exists()
