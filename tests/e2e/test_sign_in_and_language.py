"""A person in a real browser: signs in, finds their organisation, switches to Chinese, signs out."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Tenant
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_switch_language_and_sign_out(page, tenant: Tenant, other_tenant: Tenant) -> None:
    sign_in(page, tenant.lead.user.email, "wrong password")
    assert page.get_by_text("The email address or the password is wrong.").is_visible()

    sign_in(page, tenant.lead.user.email)
    page.wait_for_url(re.compile(r"/o/acme/$"))
    assert page.get_by_role("heading", name="My work").is_visible()  # where everyone lands
    # Only their own organisation is offered in the switcher.
    page.locator(".org-switcher summary").click()
    assert page.locator(".org-switcher").get_by_text("Rival").count() == 0
    page.locator(".org-switcher summary").click()
    # htmx is loaded from our own server, with the CSRF token on every request.
    assert page.evaluate("typeof htmx") == "object"
    assert "X-CSRFToken" in page.locator("body").get_attribute("hx-headers")

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="我的工作").is_visible()
    assert page.get_by_role("link", name="团队", exact=True).is_visible()
    body = page.locator("main").inner_text()
    assert "Teams" not in body
    assert "团队" in body

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r"/accounts/sign-in/"))
    assert page.get_by_role("heading", name="登录 Opsboard").is_visible()
