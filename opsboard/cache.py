"""The cache in production: Django's Redis cache, with one redis-py client per server.

Django's Redis cache makes a redis-py client object for every call (``get_client``), and
a client's ``__init__`` fills its table of reply handlers: about 0.2 ms of CPU, paid twice
by every open board's poll (the session, the shared answer) and on every page. A redis-py
client is safe to share between threads (its pool hands out the connections), so each
pool gets one."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[Any, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
