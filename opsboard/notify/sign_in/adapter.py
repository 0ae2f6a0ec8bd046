"""allauth's social account adapter, knowing the connected apps beside the identity
providers (``settings.SOCIALACCOUNT_ADAPTER``)."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.http import HttpRequest

from opsboard.accounts.models import User
from opsboard.tenancy.single_sign_on import SignInSource, SingleSignOnAdapter

from ..direct import DirectService
from ..models import ConnectedApp
from ..selectors import connected_app_by_provider_id, connected_apps_signing_in
from ..services import direct_identity_signed_in


def sign_in_origin(app: ConnectedApp) -> str:
    """Where the app's sign-in button sends the browser (its page's form-action)."""
    return {
        DirectService.FEISHU: settings.DIRECT_FEISHU_API,
        DirectService.DINGTALK: settings.SIGN_IN_DINGTALK_LOGIN,
        DirectService.WECOM: settings.SIGN_IN_WECOM_LOGIN,
    }[DirectService(app.service)]


def social_app_for_connected_app(app: ConnectedApp) -> SocialApp:
    """allauth's app for ``app``, in memory only (never saved): WeCom names it by the corp ID."""
    return SocialApp(
        provider=app.service,
        provider_id=app.provider_id,
        name=app.name,
        client_id=app.corp_id if app.service == DirectService.WECOM else app.app_id,
        secret=app.app_secret,
        settings={"server_url": sign_in_origin(app), "agent_id": app.agent_id},
    )


class ChatSignInAdapter(SingleSignOnAdapter):
    def sign_in_source(self, provider_id: str) -> SignInSource | None:
        return super().sign_in_source(provider_id) or connected_app_by_provider_id(provider_id)

    def social_apps(self, **narrowing: Any) -> list[SocialApp]:
        return super().social_apps(**narrowing) + [
            social_app_for_connected_app(app) for app in connected_apps_signing_in(**narrowing)
        ]

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        super().pre_social_login(request, sociallogin)
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            self.remember_direct_identity(sociallogin, request.user)
        elif sociallogin.is_existing:
            self.remember_direct_identity(sociallogin, sociallogin.user)

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> User:
        user = super().save_user(request, sociallogin, form)
        self.remember_direct_identity(sociallogin, user)
        return user

    def remember_direct_identity(self, sociallogin: SocialLogin, user: Any) -> None:
        """Who the person is in the connected app they signed in with: its messages reach
        them without a look-up."""
        app = connected_app_by_provider_id(sociallogin.account.provider)
        if app is None:
            return
        provider = sociallogin.account.get_provider()
        external_id = provider.direct_user_id(sociallogin.account.extra_data)
        if external_id:
            direct_identity_signed_in(app=app, user=user, external_id=external_id)
