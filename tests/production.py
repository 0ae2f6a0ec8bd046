"""Run Opsboard under its production settings, in a child process, as the image does.

Settings are fixed for a process, so the tests start a child with
``DJANGO_SETTINGS_MODULE=opsboard.settings.production``. ``collectstatic`` is the
Dockerfile's own step, read from the Dockerfile, so the test builds what the image
builds. The child's probes (below, run as ``python -m tests.production <probe>``)
drive the site with Django's test client over HTTPS and print what they saw as JSON.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET = "x" * 20 + "-production-secret-for-the-tests-only-" + "y" * 20
ENCRYPTION_KEY = "cHJvZHVjdGlvbi1rZXktZm9yLXRoZS10ZXN0cy1vayE="  # a Fernet key: 32 bytes, base64


def policy_directive(policy: str, name: str) -> list[str]:
    """The sources a Content-Security-Policy header gives one directive (in any order)."""
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    return directives[name]


def dockerfile_collectstatic() -> tuple[dict[str, str], list[str]]:
    """The environment and command of the Dockerfile's ``collectstatic`` step."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    step = next(line for line in text.splitlines() if "collectstatic" in line)
    command = next(part for part in step.removeprefix("RUN").split("&&") if "collectstatic" in part)
    words = shlex.split(command)
    environment = {}
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        environment[name] = value
    return environment, words


def environment(**extra: str) -> dict[str, str]:
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "CELERY_", "EMAIL_", "STATIC_", "SITE_URL", "FIELD_")
        )
    }
    return kept | {"DJANGO_SETTINGS_MODULE": "opsboard.settings.production"} | extra


def build_static(static_root: Path) -> subprocess.CompletedProcess[str]:
    """Run the Dockerfile's collectstatic step into ``static_root``."""
    step_environment, command = dockerfile_collectstatic()
    assert command[:2] == ["python", "manage.py"], command
    return subprocess.run(
        [sys.executable, *command[1:]],
        cwd=ROOT,
        env=environment(**step_environment, STATIC_ROOT=str(static_root)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def probe(name: str, *args: str, **extra: str) -> Any:
    """Run one of the probes below under the production settings; return what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.production", name, *args],
        cwd=ROOT,
        env=environment(
            DJANGO_SECRET_KEY=SECRET,
            FIELD_ENCRYPTION_KEYS=ENCRYPTION_KEY,
            DJANGO_ALLOWED_HOSTS="testserver",
            SITE_URL="https://opsboard.example.com",
            CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
            **extra,
        ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# The child's side.


class Assets(HTMLParser):
    """The stylesheets, scripts and icons a page names."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.urls.append(attributes["src"] or "")
        if tag == "link" and attributes.get("href"):
            self.urls.append(attributes["href"] or "")


def page_and_assets(*paths: str) -> dict[str, Any]:
    """Each page's status and headers, and the status of every asset it names (and the
    source maps those name), or of where it redirects to."""
    from django.test import Client

    client = Client()
    seen: dict[str, Any] = {}
    for path in paths:
        response = client.get(path, secure=True)
        parser = Assets()
        if response.status_code in (301, 302):
            parser.urls.append(response["Location"])
        else:
            parser.feed(response.content.decode())
        assets: dict[str, int] = {}
        for url in parser.urls:
            asset = client.get(url, secure=True)
            assets[url] = asset.status_code
            body = b"".join(asset.streaming_content) if asset.streaming else asset.content
            named = re.search(rb"sourceMappingURL=([\w.-]+\.map)", body)
            if named:
                source_map = url.rsplit("/", 1)[0] + "/" + named.group(1).decode()
                assets[source_map] = client.get(source_map, secure=True).status_code
        seen[path] = {
            "status": response.status_code,
            "assets": assets,
            "headers": dict(response.headers),
        }
    return seen


def cookies_after_sign_in_and_language_change() -> dict[str, dict[str, Any]]:
    """Every cookie the site sets on the way: sign-in page, sign-in, profile, language switch."""
    from django.test import Client

    from opsboard.accounts.models import User

    User.objects.create_user(email="prod-cookies@example.com", password="a long passphrase 42")
    client = Client(enforce_csrf_checks=False)
    responses = [
        client.get("/accounts/sign-in/", secure=True),
        client.post(
            "/accounts/sign-in/",
            {"login": "prod-cookies@example.com", "password": "a long passphrase 42"},
            secure=True,
        ),
        client.post(
            "/accounts/profile/",
            {"full_name": "Prod", "timezone": "", "language": "zh-hans"},
            secure=True,
        ),
        client.post("/accounts/language/", {"language": "en", "next": "/"}, secure=True),
    ]
    cookies: dict[str, dict[str, Any]] = {}
    for response in responses:
        assert response.status_code in (200, 302), response.status_code
        for name, morsel in response.cookies.items():
            cookies.setdefault(name, {})
            cookies[name] = {
                "secure": bool(morsel["secure"]),
                "httponly": bool(morsel["httponly"]),
                "samesite": morsel["samesite"],
                "set_by": [*cookies[name].get("set_by", []), response.request["PATH_INFO"]],
            }
    return cookies


def compression() -> dict[str, Any]:
    """A board of 300 cards and its cards API, asked for with and without gzip, and
    a stylesheet from the static build: how each answer came back."""
    import gzip

    from django.test import Client

    from kanban.models import Card
    from opsboard.accounts.models import User
    from opsboard.tenancy.models import Membership, Organization, Role
    from projects.models import Project

    organization = Organization.objects.create(name="Gzip", slug="gzip")
    user = User.objects.create_user(email="prod-gzip@example.com", password="a long passphrase 42")
    Membership.objects.create(organization=organization, user=user, role=Role.LEAD)
    project = Project.objects.create(
        organization=organization, name="Project", start_date="2026-01-01", due_date="2026-12-31"
    )
    board = project.boards.get()
    columns = list(board.columns.order_by("position"))
    Card.objects.bulk_create(
        Card(board=board, column=columns[n % 3], rank=n + 1, title=f"Card number {n}")
        for n in range(300)
    )
    client = Client()
    client.force_login(user)
    pages = {
        "html": f"/o/gzip/boards/{board.pk}/",
        "json": f"/api/v1/organizations/gzip/boards/{board.pk}/cards/",
    }
    seen: dict[str, Any] = {}
    for kind, path in pages.items():
        for accept in ("gzip, deflate, br", ""):
            response = client.get(path, secure=True, headers={"Accept-Encoding": accept})
            body = response.content
            encoding = response.get("Content-Encoding")
            seen[f"{kind} {accept or 'identity'}"] = {
                "status": response.status_code,
                "encoding": encoding,
                "vary": response.get("Vary", ""),
                "bytes": len(body),
                "plain_bytes": len(gzip.decompress(body) if encoding == "gzip" else body),
            }
    stylesheet = next(
        url
        for url in page_and_assets("/accounts/sign-in/")["/accounts/sign-in/"]["assets"]
        if url.endswith(".css")
    )
    response = client.get(stylesheet, secure=True, headers={"Accept-Encoding": "gzip"})
    seen["static"] = {"status": response.status_code, "encoding": response.get("Content-Encoding")}
    return seen


PROBES = {
    "page_and_assets": page_and_assets,
    "compression": compression,
    "cookies": cookies_after_sign_in_and_language_change,
}

if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(PROBES[sys.argv[1]](*sys.argv[2:])))
