"""Writes about a person's own account."""

from __future__ import annotations

import secrets

from django.db import transaction

from .models import ApiKey, User


@transaction.atomic
def api_key_create(*, user: User) -> str:
    """Make a new API key for ``user``, replacing the one they had, and return it.

    The key is returned this once and never stored: only its hash is.
    """
    ApiKey.objects.filter(user=user).delete()
    key = ApiKey.KEY_START + secrets.token_urlsafe(32)
    ApiKey.objects.create(
        user=user, prefix=key[: ApiKey.SHOWN_LENGTH], digest=ApiKey.digest_of(key)
    )
    return key


@transaction.atomic
def api_key_revoke(*, user: User) -> None:
    """The person's API key stops working."""
    ApiKey.objects.filter(user=user).delete()
