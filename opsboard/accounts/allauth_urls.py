"""django-allauth's pages under the names allauth reverses, at Opsboard's addresses.

The account pages Opsboard offers (``opsboard.accounts.urls``) answer here under allauth's
names too; two-factor sign-in lives under ``two-factor/``, single sign-on under ``social/``
and the providers' own addresses. Self sign-up answers with a page that says how to join,
and the pages of allauth that Opsboard does not use (email addresses, sign-in by code)
are left out.
"""

from __future__ import annotations

from allauth.account import views as account_views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_code_views
from allauth.socialaccount import views as social_views
from allauth.urls import build_provider_urlpatterns
from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("sign-in/", views.sign_in, name="account_login"),
    path("sign-out/", account_views.logout, name="account_logout"),
    path("sign-up/", account_views.signup, name="account_signup"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path("confirm/", account_views.reauthenticate, name="account_reauthenticate"),
    path("password/", account_views.password_change, name="account_change_password"),
    path("password/set/", account_views.password_set, name="account_set_password"),
    path("password-reset/", account_views.password_reset, name="account_reset_password"),
    path(
        "password-reset/sent/",
        account_views.password_reset_done,
        name="account_reset_password_done",
    ),
    path(
        "password-reset/done/",
        account_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    path(
        "password-reset/<str:uidb36>/<str:key>/",
        account_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    # Two-factor sign-in is turned on and off from the profile page.
    path(
        "two-factor/",
        RedirectView.as_view(pattern_name="accounts:profile"),
        name="mfa_index",
    ),
    path("two-factor/code/", mfa_views.authenticate, name="mfa_authenticate"),
    path("two-factor/confirm/", mfa_views.reauthenticate, name="mfa_reauthenticate"),
    path("two-factor/turn-on/", views.turn_on_two_factor, name="mfa_activate_totp"),
    path("two-factor/turn-off/", views.turn_off_two_factor, name="mfa_deactivate_totp"),
    path(
        "two-factor/recovery-codes/",
        views.recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path(
        "two-factor/recovery-codes/new/",
        recovery_code_views.generate_recovery_codes,
        name="mfa_generate_recovery_codes",
    ),
    path(
        "social/",
        views.with_provider_buttons(social_views.connections),
        name="socialaccount_connections",
    ),
    path("social/cancelled/", social_views.login_cancelled, name="socialaccount_login_cancelled"),
    path("social/error/", social_views.login_error, name="socialaccount_login_error"),
    path("social/sign-up/", social_views.signup, name="socialaccount_signup"),
    *build_provider_urlpatterns(),
]
