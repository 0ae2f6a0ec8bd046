"""Every API list comes a page at a time with a link to the next; too many requests are
answered 429."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from tests.clock import child_clock_environment
from tests.conftest import Tenant
from tests.factories import TeamFactory

API = "/api/v1/organizations/acme"
ROOT = Path(__file__).resolve().parent.parent


def test_a_list_comes_a_page_at_a_time_with_a_link_to_the_next(tenant: Tenant, client) -> None:
    for n in range(4):
        TeamFactory(organization=tenant.organization, name=f"Team {n}")
    client.force_login(tenant.viewer.user)
    first = client.get(f"{API}/teams/", {"page_size": 2}).json()
    assert first["count"] == 5
    assert first["previous"] is None
    assert len(first["results"]) == 2
    seen, url = [], f"{API}/teams/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [team["name"] for team in page["results"]]
        url = page["next"]
    assert seen == ["Product", "Team 0", "Team 1", "Team 2", "Team 3"]
    # The filters and the page size ride along in the link.
    assert "page_size=2" in first["next"] and "page=2" in first["next"]
    assert client.get(f"{API}/teams/", {"page": 9}).status_code == 404


def test_a_list_without_page_parameters_is_its_first_hundred(tenant: Tenant, client) -> None:
    client.force_login(tenant.viewer.user)
    answer = client.get(f"{API}/teams/").json()
    assert answer == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [answer["results"][0]],
    }


@pytest.fixture
def low_rates(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Three requests a minute: DRF reads its rates once, so the throttles get them here."""
    rates = {"user": "3/minute", "anon": "3/minute"}
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", rates)
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("low_rates")
def test_too_many_requests_are_answered_429(tenant: Tenant, client) -> None:
    client.force_login(tenant.member.user)
    for _ in range(3):
        assert client.get(f"{API}/teams/").status_code == 200
    refused = client.get(f"{API}/boards/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"]
    # Each person has their own allowance.
    client.force_login(tenant.viewer.user)
    assert client.get(f"{API}/teams/").status_code == 200


@pytest.mark.usefixtures("low_rates")
def test_requests_without_credentials_are_throttled_by_address(client) -> None:
    for _ in range(3):
        assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/schema/").status_code == 429


def test_the_default_rates_let_thirty_people_poll_every_four_seconds() -> None:
    polls_a_minute = 30 * 60 // 4
    for scope in ("user", "anon"):
        count, period = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope].split("/")
        assert period == "minute" and int(count) >= polls_a_minute, scope


def _anonymous_requests_in_another_process(count: int, cache_url: str) -> list[int]:
    """The status codes of ``count`` requests without credentials made by another process
    of the site, counting in the cache at ``cache_url`` at three a minute."""
    program = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
        f"print(*[Client().get('/api/schema/').status_code for _ in range({count})])"
    )
    environment = {
        **os.environ,
        **child_clock_environment(),  # the requests are counted at the test's moment
        "DJANGO_SETTINGS_MODULE": "opsboard.settings.test",
        "CACHE_URL": cache_url,
        "API_THROTTLE_ANON": "3/minute",
    }
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [int(code) for code in result.stdout.split()]


@pytest.mark.usefixtures("low_rates")
def test_with_a_cache_url_every_process_counts_in_one_place(client) -> None:
    """Production's web processes share the throttles' count through Redis at CACHE_URL."""
    broker = urlparse(settings.CELERY_BROKER_URL)
    cache_url = broker._replace(path="/14").geturl()  # a database of the tests' own Redis
    shared = {"BACKEND": "opsboard.cache.RedisCache", "LOCATION": cache_url}
    with override_settings(CACHES={"default": shared}):
        cache.clear()
        assert _anonymous_requests_in_another_process(2, cache_url) == [200, 200]
        assert client.get("/api/schema/").status_code == 200
        assert client.get("/api/schema/").status_code == 429
        cache.clear()
