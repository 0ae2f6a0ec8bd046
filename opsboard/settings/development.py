"""Local development: ``make run`` and the zero-configuration smoke test."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import SITE_URL, SITE_URL_FILE, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Links point at the running development server, also from a job run by hand in
# another shell, which does not get make run's SITE_URL: the server records its
# address when it starts (opsboard/accounts/management/commands/runserver.py).
if not env.str("SITE_URL", default="") and SITE_URL_FILE.exists():
    SITE_URL = SITE_URL_FILE.read_text().strip().rstrip("/") or SITE_URL
# The demo's chat groups post to the dev outbox on this machine.
CHAT_WEBHOOK_EXTRA_HOSTS = env.list("CHAT_WEBHOOK_EXTRA_HOSTS", default=["127.0.0.1", "localhost"])
