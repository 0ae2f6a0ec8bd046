"""The production settings, as the HTTP benchmarks serve them on loopback.

``bench/http_harness.py`` runs gunicorn with these: DEBUG off, the production
middleware and static storage (collected into ``var/bench-static``), the cache
in Redis, no TLS redirect (plain HTTP on 127.0.0.1), and the references of
``bench/references.py`` beside the site's own URLs. The secrets are fixed
bench-only values so the seeding process and the web workers share them
(sessions are signed with the key); nothing here is ever deployed.
"""

from __future__ import annotations

import base64
import os
from urllib.parse import urlparse

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "0123456789" * 4)
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS", base64.urlsafe_b64encode(b"opsboard-bench-only-fernet-key!!").decode()
)
os.environ.setdefault("SITE_URL", "http://127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")


def _cache_url() -> str:
    """CACHE_URL, else the broker's Redis one database along (never the broker's own:
    the benchmarks empty the cache before they run)."""
    broker = urlparse(os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15"))
    database = int(broker.path.strip("/") or 0)
    host = broker.netloc if broker.scheme.startswith("redis") else "127.0.0.1:6379"
    return f"redis://{host}/{(database + 1) % 16}"


os.environ.setdefault("CACHE_URL", _cache_url())

from opsboard.settings.production import *  # noqa: E402, F403
from opsboard.settings.production import BASE_DIR, MIDDLEWARE, TEMPLATES, VAR_DIR  # noqa: E402

ROOT_URLCONF = "bench.urls"
# First, so the time it reports covers every other middleware and the view.
MIDDLEWARE = ["bench.references.server_timing", *MIDDLEWARE]
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
STATIC_ROOT = VAR_DIR / "bench-static"
