"""Signing in through an organisation's OpenID Connect provider: a real one, run on loopback
(tests/oidc_provider), driven through Django's test client and the provider's own pages."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from opsboard.accounts.models import User
from opsboard.tenancy.models import IdentityProvider, Membership, Role
from tests.conftest import Tenant
from tests.factories import PASSWORD
from tests.sso import CLIENT_ID, CLIENT_SECRET, LoopbackProvider, provider_log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture
def identity_provider(tenant: Tenant, oidc_provider: LoopbackProvider) -> IdentityProvider:
    return IdentityProvider.objects.create(
        organization=tenant.organization,
        name="Acme SSO",
        server_url=oidc_provider.server_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        email_domains="acme.example",
        tenant_claim="tid",
        tenant_id="acme-tenant",
        default_role=Role.LEAD,
        default_team=tenant.team,
        allow_joining=True,
    )


def start(client: Client, identity_provider: IdentityProvider, process: str = "login") -> str:
    """Press the provider's button: the address of the provider's authorisation page."""
    response = client.post(
        reverse("openid_connect_login", args=[identity_provider.provider_id]),
        {"process": process},
    )
    assert response.status_code == 302, response.content
    return response["Location"]


def come_back(client: Client, callback: str):
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in_through(
    client: Client, identity_provider: IdentityProvider, username: str, process: str = "login"
):
    callback = provider_log_in(start(client, identity_provider, process), username=username)
    return come_back(client, callback)


def test_a_new_colleague_joins_with_the_default_role_and_lands_on_my_work(
    client: Client, tenant: Tenant, identity_provider: IdentityProvider, oidc_provider
) -> None:
    oidc_provider.add_person(
        "li.na",
        email="li.na@acme.example",
        email_verified=True,
        name="李娜",
        tid="acme-tenant",
    )
    response = sign_in_through(client, identity_provider, "li.na")
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("projects:my_work", args=[tenant.organization.slug])
    user = User.objects.get(email="li.na@acme.example")
    assert user.full_name == "李娜"
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user, organization=tenant.organization)
    assert membership.role == Role.LEAD
    assert list(membership.teams.all()) == [tenant.team]
    assert SocialAccount.objects.filter(user=user, provider=identity_provider.provider_id).exists()
    assert client.get(response["Location"]).status_code == 200

    # Signed out, the member signs in again the same way, into the same account.
    client.post(reverse("accounts:logout"))
    response = sign_in_through(client, identity_provider, "li.na")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert User.objects.filter(email="li.na@acme.example").count() == 1


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        (
            {"email": "wang@acme.example", "email_verified": False, "tid": "acme-tenant"},
            "did not confirm your email address",
        ),
        (
            {"email": "wang@elsewhere.example", "email_verified": True, "tid": "acme-tenant"},
            "lets in only the accounts of its own company",
        ),
        (
            {"email": "wang@acme.example", "email_verified": True, "tid": "other-tenant"},
            "lets in only the accounts of its own company",
        ),
    ],
    ids=["unverified email", "other domain", "other tenant"],
)
def test_someone_the_provider_does_not_vouch_for_is_refused(
    client: Client,
    identity_provider: IdentityProvider,
    oidc_provider,
    claims: dict[str, object],
    words: str,
) -> None:
    username = f"wang-{claims['email']}-{claims['tid']}-{claims['email_verified']}"
    oidc_provider.add_person(username, **claims)
    users = User.objects.count()
    response = sign_in_through(client, identity_provider, username)
    assert response.status_code == 403
    assert words in response.content.decode()
    assert User.objects.count() == users
    assert not SocialAccount.objects.exists()
    assert "_auth_user_id" not in client.session


def test_joining_is_refused_when_the_organisation_does_not_allow_it(
    client: Client, identity_provider: IdentityProvider, oidc_provider
) -> None:
    identity_provider.allow_joining = False
    identity_provider.save()
    oidc_provider.add_person(
        "zhao", email="zhao@acme.example", email_verified=True, tid="acme-tenant"
    )
    response = sign_in_through(client, identity_provider, "zhao")
    assert response.status_code == 403
    assert "does not let people join" in response.content.decode()
    assert not User.objects.filter(email="zhao@acme.example").exists()


def test_the_refusal_reads_in_chinese(
    client: Client, identity_provider: IdentityProvider, oidc_provider
) -> None:
    identity_provider.allow_joining = False
    identity_provider.save()
    oidc_provider.add_person(
        "sun", email="sun@acme.example", email_verified=True, tid="acme-tenant"
    )
    client.cookies["django_language"] = "zh-hans"
    response = sign_in_through(client, identity_provider, "sun")
    assert response.status_code == 403
    assert 'lang="zh-hans"' in response.content.decode()
    assert "不允许" in response.content.decode()


def test_an_existing_account_is_never_linked_silently_but_can_be_linked_from_the_profile(
    client: Client, tenant: Tenant, identity_provider: IdentityProvider, oidc_provider
) -> None:
    member = tenant.member.user
    member.email = "chen@acme.example"
    member.save()
    oidc_provider.add_person(
        "chen", email="chen@acme.example", email_verified=True, tid="acme-tenant"
    )
    response = sign_in_through(client, identity_provider, "chen")
    assert response.status_code == 403
    assert "Sign in with your password" in response.content.decode()
    assert not SocialAccount.objects.exists()
    assert "_auth_user_id" not in client.session

    # The person proves the account with the password, then links the provider.
    client.post(reverse("accounts:login"), {"login": member.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(member.pk)
    assert "Acme SSO" in client.get(reverse("socialaccount_connections")).content.decode()
    response = sign_in_through(client, identity_provider, "chen", process="connect")
    assert response.status_code == 302
    assert SocialAccount.objects.filter(user=member).count() == 1

    client.post(reverse("accounts:logout"))
    response = sign_in_through(client, identity_provider, "chen")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)

    # And unlinks it on the same page.
    account = SocialAccount.objects.get(user=member)
    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert response.status_code == 302
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize("how", ["inactive account", "membership removed"])
def test_a_disabled_member_is_refused(
    client: Client, tenant: Tenant, identity_provider: IdentityProvider, oidc_provider, how: str
) -> None:
    oidc_provider.add_person(
        "zhou", email="zhou@acme.example", email_verified=True, tid="acme-tenant"
    )
    assert sign_in_through(client, identity_provider, "zhou").status_code == 302
    client.post(reverse("accounts:logout"))
    user = User.objects.get(email="zhou@acme.example")
    if how == "inactive account":
        user.is_active = False
        user.save()
    else:
        Membership.objects.filter(user=user).delete()
    response = sign_in_through(client, identity_provider, "zhou")
    assert response.status_code == 403
    assert "no longer active" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert Membership.objects.filter(user=user).exists() == (how == "inactive account")


def test_a_forged_or_replayed_answer_is_refused(
    client: Client, identity_provider: IdentityProvider, oidc_provider
) -> None:
    oidc_provider.add_person("wu", email="wu@acme.example", email_verified=True, tid="acme-tenant")
    callback = provider_log_in(start(client, identity_provider), username="wu")
    forged = callback.replace("state=", "state=forged")
    response = come_back(client, forged)
    assert response.status_code == 403
    assert "could not be checked" in response.content.decode()
    assert not User.objects.filter(email="wu@acme.example").exists()

    # Another browser replays the provider's answer: it has no such sign-in under way.
    response = come_back(Client(), callback)
    assert response.status_code == 403
    assert not User.objects.filter(email="wu@acme.example").exists()

    # The real answer once, then the same answer again.
    callback = provider_log_in(start(client, identity_provider), username="wu")
    assert come_back(client, callback).status_code == 302
    client.post(reverse("accounts:logout"))
    response = come_back(client, callback)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_an_organisation_can_require_single_sign_on_but_its_owners_keep_their_password(
    client: Client, tenant: Tenant, identity_provider: IdentityProvider
) -> None:
    tenant.organization.single_sign_on_required = True
    tenant.organization.save()
    response = client.post(
        reverse("accounts:login"), {"login": tenant.member.user.email, "password": PASSWORD}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Sign in with Acme SSO" in page
    assert reverse("openid_connect_login", args=[identity_provider.provider_id]) in page
    assert "_auth_user_id" not in client.session

    response = client.post(
        reverse("accounts:login"), {"login": tenant.owner.user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(tenant.owner.user.pk)


def test_the_organisations_sign_in_page_shows_a_button_per_active_provider(
    client: Client, tenant: Tenant, identity_provider: IdentityProvider
) -> None:
    IdentityProvider.objects.create(
        organization=identity_provider.organization,
        name="Old Okta",
        server_url="https://okta.example/",
        client_id="x",
        client_secret="y",
        active=False,
    )
    slug = tenant.organization.slug
    page = client.get(reverse("accounts:organization_login", args=[slug])).content.decode()
    assert "Sign in with Acme SSO" in page
    assert "Old Okta" not in page


def test_the_link_page_offers_only_the_persons_own_organisations_providers(
    client: Client, tenant: Tenant, other_tenant: Tenant, identity_provider: IdentityProvider
) -> None:
    IdentityProvider.objects.create(
        organization=other_tenant.organization,
        name="Rival Okta",
        server_url="https://okta.example/",
        client_id="x",
        client_secret="y",
    )
    client.force_login(tenant.member.user)
    page = client.get(reverse("socialaccount_connections")).content.decode()
    assert "Acme SSO" in page and "Rival Okta" not in page
    # Signed out, the general sign-in page names nobody's; each organisation's its own.
    client.logout()
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Acme SSO" not in page and "Rival Okta" not in page
    page = client.get(
        reverse("accounts:organization_login", args=[other_tenant.organization.slug])
    ).content.decode()
    assert "Sign in with Rival Okta" in page and "Acme SSO" not in page
