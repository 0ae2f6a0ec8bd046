"""The image's static build works, and the site it serves is safe, under the production settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from tests.production import build_static, policy_directive, probe


@pytest.fixture(scope="module")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Dockerfile's collectstatic step, run once into a temporary folder."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = build_static(root)
    assert result.returncode == 0, result.stderr
    return root


def test_the_dockerfile_s_collectstatic_builds_the_manifest(static_root: Path) -> None:
    manifest = static_root / "staticfiles.json"
    assert manifest.exists()
    # Every source map a vendored file names made it in (the manifest storage refuses a missing one).
    assert list(static_root.glob("vendor/chartjs/chart.umd.min.js.*.map"))
    assert list(static_root.glob("vendor/swagger-ui/swagger-ui.css.*.map"))


def test_pages_and_their_assets_are_served(
    transactional_db: None, static_root: Path, tmp_path: Path
) -> None:
    # The sign-in page reads the database: it lists the single sign-on providers there are.
    database = connection.settings_dict
    seen = probe(
        "page_and_assets",
        "/accounts/sign-in/",
        "/api/docs/",
        "/there-is-nothing-here/",
        "/admin/login/",
        "/favicon.ico",
        DATABASE_URL=(
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        STATIC_ROOT=str(static_root),
        OPSBOARD_VAR_DIR=str(tmp_path),
    )
    assert {path: page["status"] for path, page in seen.items()} == {
        "/accounts/sign-in/": 200,
        "/api/docs/": 200,
        "/there-is-nothing-here/": 404,
        "/admin/login/": 200,
        "/favicon.ico": 302,
    }
    sign_in = seen["/accounts/sign-in/"]["assets"]
    # Hashed names from the manifest, served by WhiteNoise.
    assert any(".min." in url and url.endswith(".css") for url in sign_in), sign_in
    assert all(status == 200 for page in seen.values() for status in page["assets"].values()), seen
    assert any(url.endswith(".css.map") for url in seen["/api/docs/"]["assets"])
    # Browsers ask every page for an icon: the admin and error pages name ours, and
    # /favicon.ico leads to it for whatever names none.
    for path in ("/admin/login/", "/there-is-nothing-here/", "/favicon.ico"):
        assert any("/static/favicon." in url for url in seen[path]["assets"]), seen[path]
    for page in seen.values():
        policy = page["headers"]["Content-Security-Policy"]
        assert policy_directive(policy, "script-src") == ["'self'"]


def test_every_cookie_is_secure_in_production(
    transactional_db: None, static_root: Path, tmp_path: Path
) -> None:
    database = connection.settings_dict
    cookies = probe(
        "cookies",
        DATABASE_URL=(
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        STATIC_ROOT=str(static_root),
        OPSBOARD_VAR_DIR=str(tmp_path),
    )
    assert {"csrftoken", "sessionid", "django_language"} <= set(cookies), cookies
    assert "/accounts/profile/" in cookies["django_language"]["set_by"]
    for name, cookie in cookies.items():
        assert cookie["secure"], f"{name} is not Secure: {cookie}"
        assert cookie["samesite"] == "Lax", f"{name}: {cookie}"
    assert cookies["sessionid"]["httponly"] and cookies["django_language"]["httponly"]


def test_pages_and_json_are_gzipped_for_clients_that_accept_it(
    transactional_db: None, static_root: Path, tmp_path: Path
) -> None:
    database = connection.settings_dict
    seen = probe(
        "compression",
        DATABASE_URL=(
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        STATIC_ROOT=str(static_root),
        OPSBOARD_VAR_DIR=str(tmp_path),
    )
    for kind in ("html", "json"):
        compressed, plain = seen[f"{kind} gzip, deflate, br"], seen[f"{kind} identity"]
        assert compressed["status"] == plain["status"] == 200, seen
        assert compressed["encoding"] == "gzip" and plain["encoding"] is None, seen
        assert "Accept-Encoding" in compressed["vary"] and "Accept-Encoding" in plain["vary"]
        # The same answer (give or take the masked CSRF token), a fraction of the size.
        assert abs(compressed["plain_bytes"] - plain["bytes"]) < 200, seen
        assert compressed["bytes"] * 4 < plain["bytes"], seen
    # Static files come precompressed from the build, through WhiteNoise.
    assert seen["static"] == {"status": 200, "encoding": "gzip"}, seen
