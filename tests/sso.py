"""The loopback OpenID Connect provider (tests/oidc_provider), run as its own process for
the single sign-on tests, and the steps of signing in through it."""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.clock import child_clock_environment, pinned_moment
from tests.integration.processes import clean_environment, port_open, running, wait_until
from tests.services import free_port

CLIENT_ID = "opsboard-loopback"
CLIENT_SECRET = "loopback-client-secret-7f3e9a"
# Everyone the loopback provider knows logs in with it.
PROVIDER_PASSWORD = "provider-pass"


@dataclass
class LoopbackProvider:
    port: int
    people_file: Path

    @property
    def server_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/o"

    def add_person(
        self, username: str, *, password: str = PROVIDER_PASSWORD, **claims: Any
    ) -> None:
        """Someone the provider knows, with the claims it vouches for."""
        people = json.loads(self.people_file.read_text())
        people[username] = {"password": password, **claims}
        self.people_file.write_text(json.dumps(people))


def rsa_private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackProvider]:
    folder = tmp_path_factory.mktemp("oidc-provider")
    people_file = folder / "people.json"
    people_file.write_text("{}")
    port = free_port()
    environment = clean_environment(
        OIDC_DATABASE=str(folder / "provider.sqlite3"),
        OIDC_PEOPLE=str(people_file),
        OIDC_RSA_PRIVATE_KEY=rsa_private_key(),
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_REDIRECT_PREFIXES="http://testserver/ http://127.0.0.1: http://localhost:",
    )
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    # The provider's clock starts at the tests' moment: the ID tokens it signs are then
    # current for the tests at any moment they run at (.ci/run's awkward ones included).
    environment.update(child_clock_environment(at=pinned_moment()))
    log = folder / "provider.log"
    command = [sys.executable, "-m", "tests.oidc_provider.serve", str(port)]
    with running(command, environment=environment, log=log) as process:
        wait_until(
            lambda: port_open(port) or process.poll() is not None,
            timeout=60,
            what=f"the loopback OpenID Connect provider ({log})",
        )
        assert process.poll() is None, log.read_text()
        yield LoopbackProvider(port=port, people_file=people_file)


def provider_log_in(
    callback_wanted: str, *, username: str, password: str = PROVIDER_PASSWORD
) -> str:
    """At the provider: follow its authorisation address, log in as ``username``, and return
    the address it sends the browser back to (Opsboard's callback, with code and state)."""
    session = requests.Session()
    response = session.get(callback_wanted, allow_redirects=True, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
    response = session.post(
        response.url,
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "next": html.unescape(
                re.search(r'name="next" value="([^"]*)"', response.text).group(1)
            ),
        },
        headers={"Referer": response.url},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text
    location = urljoin(response.url, response.headers["Location"])
    # The provider's authorisation step, now logged in: it answers with the callback.
    response = session.get(location, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def log_in_at_provider(page: Any, provider: LoopbackProvider, username: str) -> None:
    """In a browser sent to the provider's own login page: log in there as ``username``."""
    page.wait_for_url(re.compile(rf"127\.0\.0\.1:{provider.port}/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
