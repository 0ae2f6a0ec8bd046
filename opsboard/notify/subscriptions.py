"""Signed links that let a person leave (or rejoin) the weekly digest without signing in."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from opsboard.accounts.models import User

from .models import Preference

SALT = "opsboard.notify.digest-subscription"


def unsubscribe_url(user: User) -> str:
    token = signing.dumps({"user": user.pk}, salt=SALT)
    return settings.SITE_URL + reverse("notify:digest_unsubscribe", kwargs={"token": token})


def user_for_token(token: str) -> User | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=data.get("user"), is_active=True).first()


def digest_subscription_set(*, user: User, subscribed: bool) -> Preference:
    preference, _created = Preference.objects.get_or_create(user=user)
    preference.weekly_digest = subscribed
    preference.save(update_fields=["weekly_digest"])
    return preference
