"""Production: everything from the environment, and refuse the unsafe defaults."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from opsboard.encryption import KEYS_HELP, multi_fernet

from .base import *  # noqa: F403
from .base import (
    CACHE_URL,
    DEBUG,
    DEVELOPMENT_FIELD_ENCRYPTION_KEY,
    DEVELOPMENT_SECRET_KEY,
    FIELD_ENCRYPTION_KEYS,
    FILE_STORAGE,
    SECRET_KEY,
    env,
)

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY to a random value of at least 50 characters in production."
    )

if not env.str("SITE_URL", default=""):
    # Links in emails and chat posts are built from it; the development default
    # (or a development server's var/site-url) would send people to 127.0.0.1.
    raise ImproperlyConfigured(
        "Set SITE_URL to the address people reach the site at, e.g. https://opsboard.example.com."
    )

# Secrets stored in the database are encrypted with these: the development key
# (in the repository) would protect nothing.
if not env.str("FIELD_ENCRYPTION_KEYS", default="") or (
    DEVELOPMENT_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS
):
    raise ImproperlyConfigured(f"Set FIELD_ENCRYPTION_KEYS in production. {KEYS_HELP}")
multi_fernet(tuple(FIELD_ENCRYPTION_KEYS))  # refuse a malformed key now, not at the first read

STORAGES = {
    "default": FILE_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Behind a proxy that terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Sessions are read from the cache only when the cache is shared (Redis at CACHE_URL):
# each process's own memory would keep a session another process has signed out.
if not CACHE_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
