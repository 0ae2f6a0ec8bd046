from __future__ import annotations

import base64
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from allauth.account.views import LoginView
from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView, DeactivateTOTPView
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from opsboard.compression import uncompressed
from opsboard.notify.selectors import direct_status_for
from opsboard.notify.services import direct_identities_refresh

from .forms import ProfileForm, SingleSignOnFindForm, TurnOffTwoFactorForm
from .services import api_key_create, api_key_revoke
from .two_factor import has_two_factor

MESSAGE_PAGE = "accounts/message_page.html"


def provider_origins(request: HttpRequest, apps: list[SocialApp] | None = None) -> list[str]:
    """The origins of the single sign-on providers a page's buttons (``apps``) lead to."""
    origins = set()
    for app in get_social_adapter(request).list_apps(request) if apps is None else apps:
        parts = urlsplit(app.settings.get("server_url", ""))
        if parts.scheme and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def forms_may_go_to_providers(
    response: HttpResponse, request: HttpRequest, apps: list[SocialApp] | None = None
) -> HttpResponse:
    """Let the page's sign-in buttons be redirected to the providers: the browser holds a
    form's redirect to the Content-Security-Policy's form-action, which is only 'self'."""
    origins = provider_origins(request, apps)
    if origins:
        response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
    return response


def with_provider_buttons(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return forms_may_go_to_providers(view(request, *args, **kwargs), request)

    return wrapper


def sign_in_buttons(request: HttpRequest, apps: list[SocialApp]) -> list[tuple[str, str]]:
    """(name, address) of each app's sign-in button, going on to the page's ``next``."""
    extra = {"next": next_address(request)} if next_address(request) else {}
    return [
        (app.name, app.get_provider(request).get_login_url(request, process="login", **extra))
        for app in apps
    ]


class SignInView(LoginView):
    """allauth's sign-in page. On an organisation's own address (``/accounts/sign-in/<slug>/``)
    it offers that organisation's single sign-on; the general one lists nobody's, and
    leads to finding them by email address (``single_sign_on_find``)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        slug = kwargs.get("organization_slug")
        # An unknown organisation's page is the general one: it tells nobody what exists.
        self.apps = get_social_adapter(request).social_apps(organization_slug=slug) if slug else []
        response = super().dispatch(request, *args, **kwargs)
        return forms_may_go_to_providers(response, request, self.apps)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sign_in_buttons"] = sign_in_buttons(self.request, self.apps)
        context["organization_slug"] = self.kwargs.get("organization_slug", "")
        return context


sign_in = SignInView.as_view()


@require_http_methods(["GET", "HEAD"])
def single_sign_on_find(request: HttpRequest) -> HttpResponse:
    """Single sign-on by email address: the providers and apps of the organisations whose
    allowed email domains name the address's domain (only those: none allows any domain
    here, and nothing else is said of any organisation)."""
    form = SingleSignOnFindForm(request.GET or None)
    apps = []
    if form.is_valid():
        apps = get_social_adapter(request).social_apps(email_domain=form.domain)
    response = render(
        request,
        "accounts/single_sign_on_find.html",
        {
            "form": form,
            "searched": form.is_bound and form.is_valid(),
            "sign_in_buttons": sign_in_buttons(request, apps),
            "redirect_field_name": REDIRECT_FIELD_NAME,
            "redirect_field_value": next_address(request),
        },
    )
    return forms_may_go_to_providers(response, request, apps)


def next_address(request: HttpRequest) -> str:
    """The ``next`` address the request carries, if it is one of this site's; else ""."""
    address = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if address and url_has_allowed_host_and_scheme(
        address, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return address
    return ""


class TurnOnTwoFactorView(ActivateTOTPView):
    """allauth's page that turns two-factor sign-in on, going on to ``next`` afterwards (an
    organisation that asks for it sends its managers here from the page they opened)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["redirect_field_name"] = REDIRECT_FIELD_NAME
        context["redirect_field_value"] = next_address(self.request)
        return context

    def get_success_url(self) -> str:
        address = super().get_success_url()
        if next_url := next_address(self.request):
            address = f"{address}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
        return address


turn_on_two_factor = TurnOnTwoFactorView.as_view()


class TurnOffTwoFactorView(DeactivateTOTPView):
    """allauth's page that turns two-factor sign-in off. Its form asks for a code
    (``TurnOffTwoFactorForm``), which confirms it is the person: allauth's confirmation
    page before it would ask for one twice."""

    def _dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super(DeactivateTOTPView, self).dispatch(request, *args, **kwargs)

    def form_valid(self, form: TurnOffTwoFactorForm) -> HttpResponse:
        # The code confirms it is the person, as allauth's confirmation page would have.
        post_authentication(self.request, form.confirmed_with, reauthenticated=True)
        return super().form_valid(form)


turn_off_two_factor = TurnOffTwoFactorView.as_view()


class RecoveryCodesView(ViewRecoveryCodesView):
    """allauth's page of recovery codes, shown once, with the codes as a file to download.

    The file is a ``data:`` address in the page, as the codes cannot be fetched again
    once shown (MFA_RECOVERY_CODES_SHOW_ONCE)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if context["can_view_codes"]:
            text = "".join(f"{code}\n" for code in context["unused_codes"])
            context["download_href"] = "data:text/plain;charset=utf-8;base64," + (
                base64.b64encode(text.encode()).decode()
            )
        context["continue_url"] = next_address(self.request) or reverse("accounts:profile")
        return context


recovery_codes = RecoveryCodesView.as_view()


def remember_language(response: HttpResponse, language: str) -> None:
    """Set the language cookie as Django's own language switch does, with every LANGUAGE_COOKIE_* setting."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        if "mobile" in form.changed_data:
            direct_identities_refresh(user=request.user)
        if request.user.language:
            # Say it in the language just chosen.
            translation.activate(request.user.language)
        messages.success(request, _("Your profile is saved."))
        response = redirect("accounts:profile")
        if request.user.language:
            remember_language(response, request.user.language)
        return response
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "api_key": request.user.api_keys.first(),
            "two_factor": has_two_factor(request.user),
            "direct": direct_status_for(user=request.user),
        },
    )


@uncompressed
@login_required
@require_POST
def api_token(request: HttpRequest) -> HttpResponse:
    """Create a new API key (the old one stops working) or revoke it. The key is shown once."""
    if request.POST.get("action") == "revoke":
        api_key_revoke(user=request.user)
        messages.success(request, _("Your API key is revoked."))
        return redirect("accounts:profile")
    key = api_key_create(user=request.user)
    return render(request, "accounts/api_token.html", {"key": key, "site_url": settings.SITE_URL})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language, and remember it on the account when signed in."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return django_set_language(request)


def locked_out(
    request: HttpRequest, credentials: object = None, *args: object, **kwargs: object
) -> HttpResponse:
    return render(
        request,
        MESSAGE_PAGE,
        {
            "title": _("Too many failed sign-ins"),
            "message": _(
                "Signing in to this account from here is paused for a while after several wrong passwords. Try again later, or reset your password."
            ),
            "reset_link": True,
        },
        status=429,
    )
