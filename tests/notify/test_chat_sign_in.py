"""Signing in through an organisation's connected Feishu, DingTalk or WeCom app, against
loopback servers that speak each service's sign-in (tests/direct_servers.py): the joining
rules of an identity provider, every refusal a page with nothing created or linked, and
the person's id in the app remembered, so their direct messages need no look-up."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from opsboard.accounts.models import User
from opsboard.notify.models import ConnectedApp, DirectIdentity, LearnedBy
from opsboard.tenancy.models import Membership, Role
from tests.conftest import Tenant
from tests.direct_servers import AGENT_ID, APP_ID, CORP_ID, SECRET, DirectServer
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SERVICES = ["feishu", "dingtalk", "wecom"]
# Who signs in, as each service tells it: their id in the app, and for DingTalk the union id.
LI_NA = {
    "id": "ou_7d8a6e6df7621556ce0d21922b676706",
    "union_id": "EFgHiJkLmN0pQ",
    "name": "李娜",
    "email": "li.na@acme.example",
    "mobile": "+8613800138000",
}


@pytest.fixture
def app(tenant: Tenant, direct_server: DirectServer) -> ConnectedApp:
    return ConnectedApp.objects.create(
        organization=tenant.organization,
        service=direct_server.service,
        app_id="" if direct_server.service == "wecom" else APP_ID,
        corp_id=CORP_ID if direct_server.service != "feishu" else "",
        agent_id=AGENT_ID if direct_server.service != "feishu" else "",
        app_secret=SECRET,
        sign_in=True,
        email_domains="acme.example",
        default_role=Role.LEAD,
        default_team=tenant.team,
        allow_joining=True,
    )


def sign_in_through(
    client: Client, app: ConnectedApp, server: DirectServer, person: dict, process: str = "login"
):
    """Press the app's button, be ``person`` at the service, and come back."""
    server.signing_in = person
    response = client.post(
        reverse("chat_sign_in_login", args=[app.provider_id]), {"process": process}
    )
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(server.url)
    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    parts = urlsplit(back.headers["Location"])
    return client.get(f"{parts.path}?{parts.query}")


@pytest.mark.parametrize("direct_server", SERVICES, indirect=True)
def test_a_new_colleague_joins_and_their_messages_need_no_look_up(
    client: Client, tenant: Tenant, app: ConnectedApp, direct_server: DirectServer
) -> None:
    response = sign_in_through(client, app, direct_server, LI_NA)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("projects:my_work", args=[tenant.organization.slug])
    user = User.objects.get(email="li.na@acme.example")
    assert user.full_name == "李娜"
    membership = Membership.objects.get(user=user, organization=tenant.organization)
    assert membership.role == Role.LEAD
    assert list(membership.teams.all()) == [tenant.team]
    assert SocialAccount.objects.filter(user=user, provider=app.provider_id).exists()
    identity = DirectIdentity.objects.get(app=app, user=user)
    assert (identity.external_id, identity.learned_by) == (LI_NA["id"], LearnedBy.SIGN_IN)
    lookups = direct_server.lookups

    client.post(reverse("accounts:logout"))
    response = sign_in_through(client, app, direct_server, LI_NA)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert User.objects.filter(email="li.na@acme.example").count() == 1
    assert direct_server.lookups == lookups  # nobody was looked up by email or mobile


@pytest.mark.parametrize("direct_server", SERVICES, indirect=True)
def test_an_app_people_may_not_sign_in_with_has_no_sign_in(
    client: Client, app: ConnectedApp, direct_server: DirectServer
) -> None:
    app.sign_in = False
    app.save()
    response = client.post(reverse("chat_sign_in_login", args=[app.provider_id]))
    assert response.status_code == 404
    assert client.post(reverse("chat_sign_in_login", args=[app.service])).status_code == 404


@pytest.mark.parametrize(
    ("person", "words"),
    [
        ({**LI_NA, "email": "li.na@elsewhere.example"}, "lets in only the accounts of its own"),
        ({**LI_NA, "email": ""}, "did not confirm your email address"),
    ],
    ids=["other domain", "no email address"],
)
@pytest.mark.parametrize("direct_server", SERVICES, indirect=True)
def test_someone_the_app_does_not_vouch_for_is_refused(
    client: Client, app: ConnectedApp, direct_server: DirectServer, person: dict, words: str
) -> None:
    users = User.objects.count()
    response = sign_in_through(client, app, direct_server, person)
    assert response.status_code == 403
    assert words in response.content.decode()
    assert User.objects.count() == users
    assert not SocialAccount.objects.exists()
    assert not DirectIdentity.objects.exists()


@pytest.mark.parametrize("direct_server", ["dingtalk"], indirect=True)
def test_a_dingtalk_account_of_another_company_is_refused(
    client: Client, app: ConnectedApp, direct_server: DirectServer
) -> None:
    response = sign_in_through(client, app, direct_server, {**LI_NA, "corp_id": "ding0ther"})
    assert response.status_code == 403
    assert "lets in only the accounts of its own company" in response.content.decode()
    assert not User.objects.filter(email=LI_NA["email"]).exists()


@pytest.mark.parametrize("direct_server", ["wecom"], indirect=True)
def test_someone_outside_the_wecom_company_is_refused(
    client: Client, app: ConnectedApp, direct_server: DirectServer
) -> None:
    response = sign_in_through(client, app, direct_server, {**LI_NA, "id": ""})
    assert response.status_code == 403
    assert "Signing in did not work" in response.content.decode()
    assert not User.objects.filter(email=LI_NA["email"]).exists()


@pytest.mark.parametrize("direct_server", SERVICES, indirect=True)
def test_an_address_with_an_account_is_never_linked_silently(
    client: Client, tenant: Tenant, app: ConnectedApp, direct_server: DirectServer
) -> None:
    app.email_domains = ""  # the member's address is of another domain
    app.save()
    member = tenant.member.user
    response = sign_in_through(client, app, direct_server, {**LI_NA, "email": member.email})
    assert response.status_code == 403
    assert "Sign in with your password first" in response.content.decode()
    assert not SocialAccount.objects.exists()
    assert not DirectIdentity.objects.exists()


@pytest.mark.parametrize("direct_server", SERVICES, indirect=True)
def test_joining_not_allowed_is_a_page_that_says_so(
    client: Client, app: ConnectedApp, direct_server: DirectServer
) -> None:
    app.allow_joining = False
    app.save()
    response = sign_in_through(client, app, direct_server, LI_NA)
    assert response.status_code == 403
    assert "does not let people join" in response.content.decode()
    assert not User.objects.filter(email=LI_NA["email"]).exists()


@pytest.mark.parametrize("direct_server", SERVICES, indirect=True)
def test_a_member_links_the_app_from_the_profile(
    client_for, tenant: Tenant, app: ConnectedApp, direct_server: DirectServer
) -> None:
    member = tenant.member.user
    client = client_for(member)
    response = sign_in_through(client, app, direct_server, LI_NA, "connect")
    assert response.status_code == 302, response.content.decode()
    assert SocialAccount.objects.filter(user=member, provider=app.provider_id).exists()
    identity = DirectIdentity.objects.get(app=app, user=member)
    assert (identity.external_id, identity.learned_by) == (LI_NA["id"], LearnedBy.SIGN_IN)


@pytest.mark.parametrize("direct_server", SERVICES, indirect=True)
def test_a_replayed_code_or_a_wrong_secret_signs_nobody_in(
    client: Client, app: ConnectedApp, direct_server: DirectServer
) -> None:
    direct_server.signing_in = LI_NA
    start = client.post(reverse("chat_sign_in_login", args=[app.provider_id]))
    back = requests.get(start["Location"], allow_redirects=False, timeout=10)
    parts = urlsplit(back.headers["Location"])
    assert client.get(f"{parts.path}?{parts.query}").status_code == 302
    client.post(reverse("accounts:logout"))
    # The same answer again: its state was used, and the service takes its code once.
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 403
    assert "Signing in did not work" in response.content.decode()

    app.app_secret = "wrong-secret"
    app.save()
    response = sign_in_through(client, app, direct_server, {**LI_NA, "email": "x@acme.example"})
    assert response.status_code == 403
    assert "Signing in did not work" in response.content.decode()
    assert not User.objects.filter(email="x@acme.example").exists()


def test_a_manager_lets_people_sign_in_with_the_app_on_its_form(
    tenant: Tenant, other_tenant: Tenant, client_for, direct_server: DirectServer
) -> None:
    client = client_for(tenant.manager.user)
    page = reverse("notify:connected_app_create", args=[tenant.organization.slug])
    fields = {
        "service": "feishu",
        "app_id": APP_ID,
        "app_secret": SECRET,
        "active": "on",
        "sign_in": "on",
        "email_domains": "acme.example",
        "default_role": Role.MEMBER,
        "allow_joining": "on",
    }
    response = client.post(page, {**fields, "default_team": other_tenant.team.pk})
    assert response.status_code == 200
    assert "default_team" in response.context["form"].errors
    assert not ConnectedApp.objects.exists()

    response = client.post(page, {**fields, "default_team": tenant.team.pk})
    assert response.status_code == 302
    app = ConnectedApp.objects.get()
    assert (app.sign_in, app.allow_joining, app.default_team) == (True, True, tenant.team)
    edit = client.get(reverse("notify:connected_app_edit", args=[tenant.organization.slug, app.pk]))
    assert f"/accounts/chat/feishu{app.pk}/login/callback/" in edit.content.decode()


@pytest.mark.parametrize("direct_server", ["wecom"], indirect=True)
def test_an_organisation_requiring_single_sign_on_offers_its_app(
    client: Client, tenant: Tenant, app: ConnectedApp, direct_server: DirectServer
) -> None:
    tenant.organization.single_sign_on_required = True
    tenant.organization.save()
    response = client.post(
        reverse("accounts:login"), {"login": tenant.member.user.email, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert reverse("chat_sign_in_login", args=[app.provider_id]) in response.content.decode()
    assert direct_server.url in response["Content-Security-Policy"]
