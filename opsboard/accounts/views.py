from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from opsboard.compression import uncompressed
from opsboard.notify.selectors import direct_status_for
from opsboard.notify.services import direct_identities_refresh

from .forms import OpsboardPasswordResetForm, ProfileForm, SignInForm
from .services import api_key_create, api_key_revoke

FORM_PAGE = "form_page.html"
MESSAGE_PAGE = "accounts/message_page.html"

sign_in = auth_views.LoginView.as_view(
    template_name="accounts/sign_in.html",
    authentication_form=SignInForm,
    redirect_authenticated_user=True,
)
sign_out = auth_views.LogoutView.as_view()

password_reset = auth_views.PasswordResetView.as_view(
    form_class=OpsboardPasswordResetForm,
    template_name=FORM_PAGE,
    success_url=reverse_lazy("accounts:password_reset_done"),
    extra_context={
        "title": _("Reset your password"),
        "intro": _(
            "Enter the email address you sign in with. We will send you a link to choose a new password."
        ),
        "submit_label": _("Send the link"),
    },
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name=MESSAGE_PAGE,
    extra_context={
        "title": _("Check your email"),
        "message": _(
            "If an account uses that address, a link to reset its password is on its way. The link works for one day."
        ),
    },
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name=MESSAGE_PAGE,
    extra_context={
        "title": _("Password changed"),
        "message": _("Your new password is set. You can sign in with it now."),
        "sign_in_link": True,
    },
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name=FORM_PAGE,
    success_url=reverse_lazy("accounts:profile"),
    extra_context={"title": _("Change your password"), "submit_label": _("Change password")},
)


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
