"""Production's cache: Django's Redis cache, one redis-py client per server shared by threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from django.conf import settings

from opsboard.cache import RedisCache


def test_one_client_per_server_shared_by_threads() -> None:
    broker = urlparse(settings.CELERY_BROKER_URL)
    cache = RedisCache(broker._replace(path="/9").geturl(), {"KEY_PREFIX": "test-cache"})
    cache.clear()
    assert cache._cache.get_client() is cache._cache.get_client(write=True)

    def count(n: int) -> int:
        cache.set(f"key-{n}", {"n": n})
        return cache.get(f"key-{n}")["n"] + cache.incr("count")

    cache.set("count", 0)
    with ThreadPoolExecutor(8) as threads:
        answers = list(threads.map(count, range(200)))
    assert cache.get("count") == 200
    assert sorted(answer - n for n, answer in enumerate(answers)) == list(range(1, 201))
    assert cache.get_many([f"key-{n}" for n in range(3)]) == {
        f"key-{n}": {"n": n} for n in range(3)
    }
    cache.clear()
