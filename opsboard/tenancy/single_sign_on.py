"""Single sign-on through an organisation's OpenID Connect providers (django-allauth).

allauth reads its apps through ``SingleSignOnAdapter.list_apps``: one per active
``IdentityProvider`` row, built in memory, so the client secret stays encrypted in the
one table that holds it and no ``SocialApp`` row is kept in step. Before allauth signs
anyone in or links an account, ``single_sign_on_check`` decides, and every refusal is a
page that says why, with nothing created or linked:

1. the provider vouches for the person: a verified email address, in an allowed domain,
   of the right tenant;
2. linking from the profile: the person is a member of the provider's organisation;
3. an account linked already: it is active and still a member;
4. nobody linked yet: no account has the address (it is never linked silently: its owner
   signs in with their password and links the provider from the profile), and the
   provider lets people join; they join with its default role and land on My work.

``SignInAdapter`` refuses password sign-in to members of an organisation that requires
single sign-on (its owners keep their password) with a page that offers its providers.
"""

from __future__ import annotations

from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from opsboard.accounts.adapter import AccountAdapter
from opsboard.accounts.models import User
from opsboard.accounts.views import forms_may_go_to_providers, sign_in_buttons

from .models import IdentityProvider, JoiningRules, Membership, Organization, Role
from .selectors import identity_provider_by_provider_id, identity_providers_signing_in
from .services import single_sign_on_join

# What a person signs in through: an identity provider, or (opsboard.notify.sign_in) an
# organisation's connected app; each has a name, an organisation and ``vouches_for_tenant``.
SignInSource = JoiningRules


def social_app_for(identity_provider: IdentityProvider) -> SocialApp:
    """allauth's app for ``identity_provider``, in memory only (never saved)."""
    return SocialApp(
        provider="openid_connect",
        provider_id=identity_provider.provider_id,
        name=identity_provider.name,
        client_id=identity_provider.client_id,
        secret=identity_provider.client_secret,
        settings={"server_url": identity_provider.server_url, "oauth_pkce_enabled": True},
    )


def refuse(request: HttpRequest, *, title: str, message: str, **context: Any) -> None:
    """Stop the sign-in with a page that says why (allauth answers with it)."""
    response = render(
        request,
        "tenancy/single_sign_on_refused.html",
        {"title": title, "message": message, **context},
        status=403,
    )
    raise ImmediateHttpResponse(response)


def claims_of(sociallogin: SocialLogin) -> dict[str, Any]:
    """What the provider said of the person: the user info, under the signed ID token's
    claims (an OAuth2 provider's answer as it is)."""
    data = sociallogin.account.extra_data or {}
    return {**data, **(data.get("userinfo") or {}), **(data.get("id_token") or {})}


def verified_email_of(sociallogin: SocialLogin) -> str:
    email = (sociallogin.user.email if sociallogin.user else "") or ""
    for address in sociallogin.email_addresses:
        if address.verified and address.email.lower() == email.lower():
            return email
    return ""


def single_sign_on_check(
    request: HttpRequest, sociallogin: SocialLogin, identity_provider: SignInSource | None
) -> SignInSource:
    """``identity_provider`` (the one ``sociallogin`` comes back from: an organisation's
    provider or connected app) once the sign-in may go on, else a refusal page."""
    if identity_provider is None:
        refuse(
            request,
            title=_("This sign-in is turned off"),
            message=_("The organisation has turned this way of signing in off."),
        )
    assert identity_provider is not None  # refuse() raised otherwise
    organization = identity_provider.organization
    email = verified_email_of(sociallogin)
    if not email:
        refuse(
            request,
            title=_("Your email address is not verified"),
            message=_(
                "%(provider)s did not confirm your email address. Verify it there, then try again."
            )
            % {"provider": identity_provider.name},
        )
    if not identity_provider.vouches_for_email(email) or not identity_provider.vouches_for_tenant(
        claims_of(sociallogin)
    ):
        refuse(
            request,
            title=_("This account is not one of %(organization)s's")
            % {"organization": organization.name},
            message=_(
                "%(provider)s signed you in as %(email)s, but %(organization)s lets in only"
                " the accounts of its own company. Sign in there with your work account."
            )
            % {"provider": identity_provider.name, "email": email, "organization": organization},
        )
    if sociallogin.state.get("process") == AuthProcess.CONNECT:
        if not Membership.objects.filter(organization=organization, user=request.user).exists():
            refuse(
                request,
                title=_("You cannot link this provider"),
                message=_("Only members of %(organization)s can link %(provider)s.")
                % {"organization": organization, "provider": identity_provider.name},
            )
        return identity_provider
    if sociallogin.is_existing:
        user = sociallogin.user
        if (
            not user.is_active
            or not Membership.objects.filter(organization=organization, user=user).exists()
        ):
            refuse(
                request,
                title=_("Your access is turned off"),
                message=_(
                    "Your account is no longer active in %(organization)s. Ask one of its ops"
                    " managers if this is a mistake."
                )
                % {"organization": organization},
            )
    elif User.objects.filter(email__iexact=email).exists():
        refuse(
            request,
            title=_("Sign in with your password first"),
            message=_(
                "An Opsboard account with %(email)s exists already, and %(provider)s is not"
                " linked to it. Sign in with your password, then link %(provider)s on your"
                " profile page."
            )
            % {"email": email, "provider": identity_provider.name},
            sign_in_link=True,
        )
    elif not identity_provider.allow_joining:
        refuse(
            request,
            title=_("You are not a member of %(organization)s")
            % {"organization": organization.name},
            message=_(
                "%(organization)s does not let people join by signing in through"
                " %(provider)s. Ask one of its ops managers for an invitation."
            )
            % {"organization": organization, "provider": identity_provider.name},
        )
    if not sociallogin.state.get("next"):
        sociallogin.state["next"] = reverse("projects:my_work", args=[organization.slug])
    return identity_provider


class SingleSignOnAdapter(DefaultSocialAccountAdapter):
    def sign_in_source(self, provider_id: str) -> SignInSource | None:
        """What allauth's ``provider_id`` signs in through, if it is on."""
        return identity_provider_by_provider_id(provider_id)

    def social_apps(self, **narrowing: Any) -> list[SocialApp]:
        """allauth's apps, narrowed as ``JoiningRulesQuerySet.narrowed`` says."""
        return [
            social_app_for(identity_provider)
            for identity_provider in identity_providers_signing_in(**narrowing)
        ]

    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        """Every active provider, to find the one a sign-in comes back from; listed for a
        signed-in person (the page that links and unlinks them), only their organisations'."""
        user = getattr(request, "user", None)
        listing = provider is None and client_id is None and user and user.is_authenticated
        apps = self.social_apps(user=user) if listing else self.social_apps()
        if provider:
            apps = [app for app in apps if provider in (app.provider, app.provider_id)]
        if client_id:
            apps = [app for app in apps if app.client_id == client_id]
        return apps

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        single_sign_on_check(
            request, sociallogin, self.sign_in_source(sociallogin.account.provider)
        )

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # single_sign_on_check let only a person the provider lets join get this far.
        identity_provider = self.sign_in_source(sociallogin.account.provider)
        return identity_provider is not None and identity_provider.allow_joining

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: Any) -> User:
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.full_name = (name or "")[:150]
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> User:
        identity_provider = self.sign_in_source(sociallogin.account.provider)
        if identity_provider is None:
            raise ImmediateHttpResponse(HttpResponse(status=403))
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form)
            single_sign_on_join(identity_provider=identity_provider, user=user)
        return user

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        refuse(
            request,
            title=_("Signing in did not work"),
            message=_(
                "The answer from %(provider)s could not be checked: the link was used already,"
                " is too old, or did not come from this browser. Nothing was changed. Start"
                " again from the sign-in page."
            )
            % {"provider": getattr(provider, "name", "") or _("the identity provider")},
            sign_in_link=True,
        )


def organizations_requiring_single_sign_on(user: User) -> list[Organization]:
    """The organisations that want ``user`` to sign in through their identity providers:
    those that require it, unless ``user`` owns them."""
    return [
        membership.organization
        for membership in Membership.objects.filter(
            user=user, organization__single_sign_on_required=True
        )
        .exclude(role=Role.OWNER)
        .select_related("organization")
    ]


class SignInAdapter(AccountAdapter):
    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse | None:
        response = super().pre_login(request, user, **kwargs)
        if response is not None or "sociallogin" in (kwargs.get("signal_kwargs") or {}):
            return response
        organizations = organizations_requiring_single_sign_on(user)
        if not organizations:
            return None
        from allauth.account.internal.stagekit import clear_login

        clear_login(request)
        # Its identity providers and the connected apps people may sign in with.
        adapter = get_social_adapter(request)
        apps = [
            app
            for organization in organizations
            for app in adapter.social_apps(organization_slug=organization.slug)
        ]
        response = render(
            request,
            "tenancy/single_sign_on_refused.html",
            {
                "title": _("Sign in through single sign-on"),
                "message": _(
                    "%(organization)s asks its members to sign in through its identity"
                    " provider, not with a password."
                )
                % {"organization": organizations[0].name},
                "providers": sign_in_buttons(request, apps),
            },
            status=403,
        )
        return forms_may_go_to_providers(response, request, apps)
