"""The pytest suite: PostgreSQL and Redis on loopback unless told otherwise."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# Tests post to an HTTP server on loopback.
CHAT_WEBHOOK_EXTRA_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/opsboard"),
}
# As in production (base.py): model choices read in one plain query, not through a cursor.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
# Unit tests run tasks in-process; tests/integration starts a real worker.
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Files go to a temporary folder per test (tests/conftest.py points MEDIA_ROOT there).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
