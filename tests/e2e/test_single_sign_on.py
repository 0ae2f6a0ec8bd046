"""A new colleague signs in through the organisation's identity provider (a real OpenID
Connect provider on loopback) in a real browser, in English and in Chinese, and lands on
My work in their team with the role the provider gives."""

from __future__ import annotations

import re

import pytest

from opsboard.tenancy.models import IdentityProvider, Membership, Role
from tests.conftest import Tenant
from tests.sso import CLIENT_ID, CLIENT_SECRET, LoopbackProvider, log_in_at_provider

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

WORDS = {
    "en": {"button": "Sign in with Acme SSO", "my work": "My work"},
    "zh-hans": {"button": "通过 Acme SSO 登录", "my work": "我的工作"},
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_new_colleague_signs_in_through_the_provider_and_lands_in_their_team(
    browser, live_server, tenant: Tenant, oidc_provider: LoopbackProvider, language: str
) -> None:
    IdentityProvider.objects.create(
        organization=tenant.organization,
        name="Acme SSO",
        server_url=oidc_provider.server_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        email_domains="acme.example",
        default_role=Role.MEMBER,
        default_team=tenant.team,
        allow_joining=True,
    )
    username = f"colleague-{language}"
    email = f"{username}@acme.example"
    oidc_provider.add_person(username, email=email, email_verified=True, name="Zhang Wei")
    words = WORDS[language]
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB" if language == "en" else "zh-CN",
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"/accounts/sign-in/{tenant.organization.slug}/")
        page.get_by_role("button", name=words["button"]).click()
        log_in_at_provider(page, oidc_provider, username)
        page.wait_for_url(re.compile(rf"/o/{tenant.organization.slug}/$"))
        assert page.get_by_role("heading", name=words["my work"], level=1).is_visible()
    finally:
        context.close()
    membership = Membership.objects.get(user__email=email, organization=tenant.organization)
    assert membership.role == Role.MEMBER
    assert list(membership.teams.all()) == [tenant.team]
