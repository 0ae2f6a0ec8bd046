"""Where allauth finds the providers an installed app brings (``<app>.provider``): the
connected apps' sign-in (``opsboard.notify.sign_in``)."""

from __future__ import annotations

from .sign_in.providers import PROVIDERS

provider_classes = list(PROVIDERS.values())
