from __future__ import annotations

import pytest

from tests.services import redis_server


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, so it can be stopped."""
    with redis_server() as (process, port):
        yield process, f"redis://127.0.0.1:{port}/0"


def test_healthy_when_database_and_broker_answer(client, db) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_503_when_the_broker_goes_down(client, db, settings, own_redis) -> None:
    process, url = own_redis
    settings.CELERY_BROKER_URL = url
    settings.HEALTHZ_BROKER_TIMEOUT = 1.0
    assert client.get("/healthz").status_code == 200

    process.terminate()
    process.wait(timeout=10)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error")


def test_healthz_needs_no_sign_in_and_is_not_cached(client, db) -> None:
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
