"""Local development: ``make run`` and the zero-configuration smoke test."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The demo's chat groups post to the dev outbox on this machine.
CHAT_WEBHOOK_EXTRA_HOSTS = env.list("CHAT_WEBHOOK_EXTRA_HOSTS", default=["127.0.0.1", "localhost"])
