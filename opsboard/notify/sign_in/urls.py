"""The connected apps' sign-in addresses, under ``/accounts/`` (allauth includes them)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("chat/<str:provider_id>/login/", views.login, name="chat_sign_in_login"),
    path("chat/<str:provider_id>/login/callback/", views.callback, name="chat_sign_in_callback"),
]
