"""``Authorization: Token <key>`` for the API, checked against the hashed API keys."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .models import ApiKey, User


class ApiKeyAuthentication(TokenAuthentication):
    """DRF's token scheme (header, "WWW-Authenticate: Token" challenge, errors), with the
    key found by its hash: the database holds no key in clear."""

    def authenticate_credentials(self, key: str) -> tuple[User, ApiKey]:
        try:
            api_key = ApiKey.objects.select_related("user").get(digest=ApiKey.digest_of(key))
        except ApiKey.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not api_key.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return api_key.user, api_key
