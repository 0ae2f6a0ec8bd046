"""Before the tests: are PostgreSQL and Redis reachable? Say how to start them if not."""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlparse

DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opsboard")
REDIS_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")

HOW_TO_START = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
}


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3
        ):
            return True
    except OSError:
        return False


def main() -> int:
    missing = [
        (name, url)
        for name, url, port in (("PostgreSQL", DATABASE_URL, 5432), ("Redis", REDIS_URL, 6379))
        if not reachable(url, port)
    ]
    for name, url in missing:
        print(f"{name} is not reachable at {url}.", file=sys.stderr)
        print(f"  Start it with: {HOW_TO_START[name]}", file=sys.stderr)
        print("  (or point DATABASE_URL / CELERY_BROKER_URL at a running server)", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
