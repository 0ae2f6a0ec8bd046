"""A connected app's sign-in and its way back, as allauth's openid_connect serves each of
an organisation's providers at its own address."""

from __future__ import annotations

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from django.core.exceptions import MultipleObjectsReturned
from django.http import Http404, HttpRequest, HttpResponse

from .providers import ChatProvider


def _adapter(request: HttpRequest, provider_id: str) -> OAuth2Adapter:
    """The adapter of the connected app ``provider_id`` names ("feishu12"), else 404."""
    try:
        provider = get_adapter(request).get_provider(request, provider_id)
    except (SocialApp.DoesNotExist, MultipleObjectsReturned):
        raise Http404 from None
    if not isinstance(provider, ChatProvider) or provider.app.provider_id != provider_id:
        raise Http404
    return provider.get_oauth2_adapter(request)


@login_not_required
def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    return OAuth2LoginView.adapter_view(_adapter(request, provider_id))(request)


@login_not_required
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    return OAuth2CallbackView.adapter_view(_adapter(request, provider_id))(request)
