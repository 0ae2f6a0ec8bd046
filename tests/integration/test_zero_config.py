"""The zero-configuration default, as `make run` uses it: SQLite and a broker folder.

Migrate, seed the demo, start the web server and a Celery worker with no
server behind them, sign in over HTTP, and send an invitation through the
worker to the mail folder.
"""

from __future__ import annotations

import http.cookiejar
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.integration.processes import (
    ROOT,
    celery_worker_command,
    clean_environment,
    free_port,
    port_open,
    running,
    wait_for_worker,
    wait_until,
)

pytestmark = pytest.mark.integration


class Browser:
    """Just enough of a browser: cookies, CSRF tokens, forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.url, response.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}, doseq=True).encode()
        request = urllib.request.Request(
            self.base + path, data=data, headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.url, response.read().decode()


def test_zero_config_site_runs_with_a_worker(tmp_path: Path) -> None:
    var = tmp_path / "var"
    port = free_port()
    environment = clean_environment(
        DJANGO_SETTINGS_MODULE="opsboard.settings.development",
        OPSBOARD_VAR_DIR=str(var),
        SITE_URL=f"http://127.0.0.1:{port}",
    )
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            check=True,
            capture_output=True,
            timeout=300,
        )
    assert (var / "opsboard.sqlite3").exists()

    web = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    with (
        running(web, environment=environment, log=tmp_path / "web.log"),
        running(celery_worker_command(), environment=environment, log=tmp_path / "worker.log"),
    ):
        wait_until(lambda: port_open(port), timeout=60, what="the web server")
        wait_for_worker(tmp_path / "worker.log")
        browser = Browser(f"http://127.0.0.1:{port}")

        status, url, page = browser.get("/")
        assert url.endswith("/accounts/sign-in/?next=/")
        status, url, page = browser.post(
            "/accounts/sign-in/",
            {"login": "manager@demo.opsboard.test", "password": "opsboard-demo"},
        )
        assert status == 200
        assert url.endswith("/o/demo-ops/")
        assert "Demo Ops" in page and "My work" in page
        status, url, page = browser.get("/o/demo-ops/overview/")
        assert "User Operations 用户运营部" in page

        status, url, page = browser.get("/healthz")
        assert '"broker": "ok"' in page

        # The chat groups page reads each group's last post without PostgreSQL's DISTINCT ON.
        status, url, page = browser.get("/o/demo-ops/chat-groups/")
        assert status == 200
        assert "User Operations" in page

        browser.get("/o/demo-ops/invitations/new/")
        status, url, page = browser.post(
            "/o/demo-ops/invitations/new/", {"email": "trial@example.test", "role": "member"}
        )
        assert url.endswith("/o/demo-ops/people/")
        assert "trial@example.test" in page

        mail = var / "mail"
        wait_until(
            lambda: mail.exists() and any(mail.iterdir()),
            timeout=60,
            what="the invitation in var/mail",
        )
    [message] = [path.read_text() for path in mail.iterdir()]
    assert "To: trial@example.test" in message
    assert re.search(rf"http://127.0.0.1:{port}/invitations/\S+/", message)

    # A job run by hand in another shell, which make run's SITE_URL does not reach,
    # builds its links from the address the server recorded when it started.
    by_hand = clean_environment(
        DJANGO_SETTINGS_MODULE="opsboard.settings.development", OPSBOARD_VAR_DIR=str(var)
    )
    site_url = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.SITE_URL)",
        ],
        cwd=ROOT,
        env=by_hand,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.splitlines()[-1]  # after the shell's note on what it imported
    assert site_url == f"http://127.0.0.1:{port}"
