"""Issue 17's "done when", tried as a new user would, in English and in Chinese: a manager
connects the loopback OpenID Connect provider on the settings page, a new colleague signs
in through it on the organisation's sign-in page and lands in their team with the right
role; the lead links Feishu on their profile, turns on "direct message", and the next
deadline reminder (the project's command at a pinned moment) reaches the loopback Feishu
server as a personal interactive card. The new pages pass axe."""

from __future__ import annotations

import json
import re
import zoneinfo
from datetime import date, datetime

import pytest
from django.core.management import call_command

from kanban.services import CardInput, card_create
from opsboard.notify.models import ConnectedApp, DirectIdentity, LearnedBy
from opsboard.tenancy.models import IdentityProvider, Membership, Role
from tests.conftest import RaciSetup, Tenant
from tests.direct_servers import APP_ID, SECRET, DirectServer
from tests.e2e.test_accessibility import axe_problems
from tests.factories import PASSWORD
from tests.sso import CLIENT_ID, CLIENT_SECRET, LoopbackProvider, log_in_at_provider

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
WORDS = {
    "en": {
        "email": "Email",
        "password": "Password",
        "sign in": "Sign in",
        "new provider": "New identity provider",
        "name": "Name",
        "issuer": "Issuer URL",
        "client id": "Client ID",
        "client secret": "Client secret",
        "domains": "Allowed email domains",
        "role": "Role of people who join",
        "team": "Team of people who join",
        "joining": "People may join through it",
        "save": "Save",
        "button": "Sign in with Acme SSO",
        "my work": "My work",
        "continue": "Continue",
        "direct": "By direct message in Feishu / Lark",
    },
    "zh-hans": {
        "email": "邮箱",
        "password": "密码",
        "sign in": "登录",
        "new provider": "新建身份提供方",
        "name": "名称",
        "issuer": "颁发者地址",
        "client id": "客户端 ID",
        "client secret": "客户端密钥",
        "domains": "允许的邮箱域名",
        "role": "新加入者的角色",
        "team": "新加入者的团队",
        "joining": "允许通过它加入",
        "save": "保存",
        "button": "通过 Acme SSO 登录",
        "my work": "我的工作",
        "continue": "继续",
        "direct": "通过飞书 / Lark私信",
    },
}


def sign_in_with_password(page, words: dict[str, str], email: str) -> None:
    page.goto("/accounts/sign-in/")
    page.get_by_label(words["email"]).fill(email)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["sign in"], exact=True).click()
    page.wait_for_url(re.compile(r"/o/"))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_done_when_of_issue_17(
    browser_in,
    tenant: Tenant,
    raci: RaciSetup,
    oidc_provider: LoopbackProvider,
    direct_server: DirectServer,
    language: str,
) -> None:
    words = WORDS[language]
    slug = tenant.organization.slug
    problems: dict[str, list] = {}

    # A manager connects the provider on the settings page, typing it in.
    page = browser_in(language)
    sign_in_with_password(page, words, tenant.manager.user.email)
    page.goto(f"/o/{slug}/settings/single-sign-on/")
    problems["settings"] = axe_problems(page)
    page.get_by_role("button", name=words["new provider"]).or_(
        page.get_by_role("link", name=words["new provider"])
    ).click()
    page.get_by_label(words["name"]).fill("Acme SSO")
    page.get_by_label(words["issuer"]).fill(oidc_provider.server_url)
    page.get_by_label(words["client id"]).fill(CLIENT_ID)
    page.get_by_label(words["client secret"]).fill(CLIENT_SECRET)
    page.get_by_label(words["domains"]).fill("acme.example")
    page.get_by_label(words["role"]).select_option(Role.LEAD)
    page.get_by_label(words["team"]).select_option(str(tenant.team.pk))
    page.get_by_label(words["joining"]).check()
    page.get_by_role("button", name=words["save"], exact=True).click()
    page.wait_for_url(re.compile(r"/settings/single-sign-on/$"))
    assert IdentityProvider.objects.filter(organization=tenant.organization).count() == 1

    # A new colleague signs in through it on the organisation's sign-in page.
    username = f"new-colleague-{language}"
    email = f"{username}@acme.example"
    oidc_provider.add_person(username, email=email, email_verified=True, name="Zhang Wei")
    page = browser_in(language)
    page.goto(f"/accounts/sign-in/{slug}/")
    problems["organisation's sign-in"] = axe_problems(page)
    page.get_by_role("button", name=words["button"]).click()
    log_in_at_provider(page, oidc_provider, username)
    page.wait_for_url(re.compile(rf"/o/{slug}/$"))
    assert page.get_by_role("heading", name=words["my work"], level=1).is_visible()
    membership = Membership.objects.get(user__email=email, organization=tenant.organization)
    assert membership.role == Role.LEAD
    assert list(membership.teams.all()) == [tenant.team]

    # Anyone finds the provider by their work email on the general sign-in page.
    page.goto("/accounts/single-sign-on/")
    page.get_by_label(re.compile("Work email|工作邮箱")).fill("someone@acme.example")
    page.get_by_role("button", name=words["continue"]).click()
    assert page.get_by_role("button", name=words["button"]).is_visible()
    problems["find single sign-on"] = axe_problems(page)

    # The lead links Feishu on their profile and turns on direct messages.
    ConnectedApp.objects.create(
        organization=tenant.organization,
        service="feishu",
        app_id=APP_ID,
        app_secret=SECRET,
        sign_in=True,
    )
    lead = tenant.lead.user
    direct_server.signing_in = {"id": "ou_lead", "name": lead.full_name, "email": lead.email}
    page = browser_in(language)
    sign_in_with_password(page, words, lead.email)
    page.goto("/accounts/social/")
    page.get_by_role("link", name=re.compile("Feishu|飞书")).click()
    page.get_by_role("button", name=words["continue"]).click()
    page.wait_for_url(re.compile(r"/accounts/social/$"))
    identity = DirectIdentity.objects.get(user=lead)
    assert (identity.external_id, identity.learned_by) == ("ou_lead", LearnedBy.SIGN_IN)
    page.goto("/notifications/settings/")
    page.get_by_label(words["direct"]).check()
    page.get_by_role("button", name=words["save"], exact=True).click()
    page.wait_for_load_state()

    # The next deadline reminder reaches the lead on Feishu as a personal card.
    tenant.organization.timezone = "Asia/Shanghai"
    tenant.organization.save()
    card_create(
        actor=tenant.lead,
        board=raci.board,
        data=CardInput(title="Churn survey", assignee=lead, due_date=date(2026, 11, 26)),
    )
    call_command(
        "send_deadline_reminders", "--now", datetime(2026, 11, 24, 9, tzinfo=SHANGHAI).isoformat()
    )
    [message] = [m for m in direct_server.messages if m.to == "ou_lead"]
    assert message.body["msg_type"] == "interactive"
    assert "Churn survey" in json.dumps(json.loads(message.body["content"]), ensure_ascii=False)
    assert not any(problems.values()), problems
