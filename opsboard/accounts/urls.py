from __future__ import annotations

from allauth.account import views as allauth_views
from django.urls import path

from . import views

app_name = "accounts"

# Sign-in, sign-out and passwords are django-allauth's views at Opsboard's addresses, under
# the names pages, emails and tests use; allauth's own names for them are in allauth_urls.
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/<slug:organization_slug>/", views.sign_in, name="organization_login"),
    path("single-sign-on/", views.single_sign_on_find, name="single_sign_on_find"),
    path("sign-out/", allauth_views.logout, name="logout"),
    path("password-reset/", allauth_views.password_reset, name="password_reset"),
    path("password-reset/sent/", allauth_views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/done/",
        allauth_views.password_reset_from_key_done,
        name="password_reset_complete",
    ),
    path(
        "password-reset/<str:uidb36>/<str:key>/",
        allauth_views.password_reset_from_key,
        name="password_reset_confirm",
    ),
    path("password/", allauth_views.password_change, name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("api-token/", views.api_token, name="api_token"),
    path("language/", views.set_language, name="set_language"),
]
