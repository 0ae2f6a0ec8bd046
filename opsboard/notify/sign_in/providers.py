"""allauth providers for the connected apps (see the package's docstring)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.dingtalk.provider import DingTalkProvider
from allauth.socialaccount.providers.dingtalk.views import DingTalkOAuth2Adapter
from allauth.socialaccount.providers.feishu.client import FeishuOAuth2Client
from allauth.socialaccount.providers.feishu.provider import FeishuProvider
from allauth.socialaccount.providers.feishu.views import FeishuOAuth2Adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter
from allauth.utils import build_absolute_uri
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from .. import direct
from ..direct import DirectRejected, DirectService, DirectUnavailable


def _connected_app(provider_id: str) -> Any:
    from ..selectors import connected_app_by_provider_id

    app = connected_app_by_provider_id(provider_id)
    if app is None:
        raise OAuth2Error(f"No connected app {provider_id} signs people in")
    return app


class ChatAdapter(OAuth2Adapter):
    """One connected app's OAuth2 adapter, named by its provider id."""

    def __init__(self, request: HttpRequest, provider_id: str) -> None:
        self.provider_id = provider_id
        super().__init__(request)

    def get_callback_url(self, request: HttpRequest, app: Any) -> str:
        address = reverse("chat_sign_in_callback", kwargs={"provider_id": self.provider_id})
        return build_absolute_uri(request, address, self.redirect_uri_protocol)


class ChatProvider(OAuth2Provider):
    """A provider of many apps, each at its own address, as allauth's openid_connect."""

    package = "opsboard.notify.sign_in"

    def get_login_url(self, request: HttpRequest, **kwargs: Any) -> str:
        address = reverse("chat_sign_in_login", kwargs={"provider_id": self.app.provider_id})
        return f"{address}?{urlencode(kwargs)}" if kwargs else address

    def get_callback_url(self) -> str:
        return reverse("chat_sign_in_callback", kwargs={"provider_id": self.app.provider_id})

    def get_oauth2_adapter(self, request: HttpRequest) -> OAuth2Adapter:
        return self.oauth2_adapter_class(request, self.app.provider_id)  # type: ignore[call-arg]

    def direct_user_id(self, data: dict[str, Any]) -> str:
        """The id the app sends the person messages to."""
        raise NotImplementedError

    def extract_email_addresses(self, data: dict[str, Any]) -> list[EmailAddress]:
        # The company's own directory gave the address: it counts as verified.
        email = self.extract_common_fields(data).get("email")
        return [EmailAddress(email=email, verified=True, primary=True)] if email else []


# Feishu -------------------------------------------------------------------------


def _feishu(path: str) -> str:
    return settings.DIRECT_FEISHU_API.rstrip("/") + path


class FeishuSignInAdapter(ChatAdapter, FeishuOAuth2Adapter):
    @property
    def authorization_url(self) -> str:  # type: ignore[override]
        return _feishu("/open-apis/authen/v1/index")

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return _feishu("/open-apis/authen/v1/access_token")

    @property
    def user_info_url(self) -> str:  # type: ignore[override]
        return _feishu("/open-apis/authen/v1/user_info")

    def get_client(self, request: HttpRequest, app: Any) -> FeishuOAuth2Client:
        client = FeishuOAuth2Client(
            request,
            app.client_id,
            app.secret,
            self.access_token_method,
            self.access_token_url,
            self.get_callback_url(request, app),
        )
        client.app_access_token_url = _feishu("/open-apis/auth/v3/app_access_token/internal")
        return client


class FeishuSignIn(ChatProvider, FeishuProvider):
    name = "Feishu / Lark"
    oauth2_adapter_class = FeishuSignInAdapter

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": data.get("name") or "",
            "email": data.get("enterprise_email") or data.get("email") or "",
        }

    def direct_user_id(self, data: dict[str, Any]) -> str:
        return str(data.get("open_id") or "")


# DingTalk -----------------------------------------------------------------------


class DingTalkSignInAdapter(ChatAdapter, DingTalkOAuth2Adapter):
    @property
    def authorize_url(self) -> str:  # type: ignore[override]
        return settings.SIGN_IN_DINGTALK_LOGIN.rstrip("/") + "/oauth2/auth"

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return settings.SIGN_IN_DINGTALK_API.rstrip("/") + "/v1.0/oauth2/userAccessToken"

    @property
    def profile_url(self) -> str:  # type: ignore[override]
        return settings.SIGN_IN_DINGTALK_API.rstrip("/") + "/v1.0/contact/users/me"

    def complete_login(self, request: HttpRequest, app: Any, token: Any, **kwargs: Any) -> Any:
        sociallogin = super().complete_login(request, app, token, **kwargs)
        data = sociallogin.account.extra_data
        # The company the person signed in as, and their id there for work notifications.
        data["corpId"] = str((kwargs.get("response") or {}).get("corpId") or "")
        try:
            data["userid"] = direct.dingtalk_user_id(
                _connected_app(self.provider_id), str(data.get("unionId") or "")
            )
        except (DirectRejected, DirectUnavailable) as error:
            raise OAuth2Error(str(error)) from error
        return sociallogin


class DingTalkSignIn(ChatProvider, DingTalkProvider):
    oauth2_adapter_class = DingTalkSignInAdapter

    def get_auth_params(self) -> dict[str, Any]:
        return {"prompt": "consent", **super().get_auth_params()}

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"name": data.get("nick") or "", "email": data.get("email") or ""}

    def direct_user_id(self, data: dict[str, Any]) -> str:
        return str(data.get("userid") or "")


# WeCom --------------------------------------------------------------------------


class WeComClient(OAuth2Client):
    """WeCom's web sign-in names the company and the app, not a client."""

    agent_id = ""

    def get_redirect_url(self, authorization_url: str, scope: Any, extra_params: Any) -> str:
        params = {
            "login_type": "CorpApp",
            "appid": self.consumer_key,
            "agentid": self.agent_id,
            "redirect_uri": self.callback_url,
            "state": self.state or "",
            **extra_params,
        }
        return f"{authorization_url}?{urlencode(params)}"


class WeComSignInAdapter(ChatAdapter):
    client_class = WeComClient

    @property
    def authorize_url(self) -> str:  # type: ignore[override]
        return settings.SIGN_IN_WECOM_LOGIN

    access_token_url = ""  # WeCom gives no token for the person: the app's own is used

    def get_client(self, request: HttpRequest, app: Any) -> OAuth2Client:
        client = super().get_client(request, app)
        client.agent_id = app.settings.get("agent_id", "")  # type: ignore[attr-defined]
        return client

    def get_access_token_data(
        self, request: HttpRequest, app: Any, client: Any, pkce_code_verifier: Any = None
    ) -> dict[str, Any]:
        code = request.GET.get("code", "")
        try:
            person = direct.wecom_signed_in(_connected_app(self.provider_id), code)
        except (DirectRejected, DirectUnavailable) as error:
            raise OAuth2Error(str(error)) from error
        self.did_fetch_access_token = True
        return {"access_token": "-", "person": person}

    def complete_login(self, request: HttpRequest, app: Any, token: Any, **kwargs: Any) -> Any:
        person = (kwargs.get("response") or {}).get("person") or {}
        return self.get_provider().sociallogin_from_response(request, person)


class WeComAccount(ProviderAccount):
    def to_str(self) -> str:
        return self.account.extra_data.get("name") or super().to_str()


class WeComSignIn(ChatProvider):
    id = "wecom"
    name = "WeCom"
    account_class = WeComAccount
    oauth2_adapter_class = WeComSignInAdapter

    def extract_uid(self, data: dict[str, Any]) -> str:
        return str(data["userid"])

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": data.get("name") or "",
            "email": data.get("biz_mail") or data.get("email") or "",
        }

    def direct_user_id(self, data: dict[str, Any]) -> str:
        return str(data.get("userid") or "")


PROVIDERS = {
    DirectService.FEISHU: FeishuSignIn,
    DirectService.DINGTALK: DingTalkSignIn,
    DirectService.WECOM: WeComSignIn,
}
