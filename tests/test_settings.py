"""Production settings refuse unsafe defaults and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "x" * 20 + "-production-secret-for-the-deploy-check-only-" + "y" * 20
GOOD_ENCRYPTION_KEY = "ZGVwbG95LWNoZWNrLWZpZWxkLWtleS0tMzItYnl0ZXM="


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "CELERY_", "EMAIL_", "SITE_URL", "FIELD_", "CACHE_")
        )
    }
    environment.update({"DJANGO_SETTINGS_MODULE": "opsboard.settings.production", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_development_secret() -> None:
    result = manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_debug() -> None:
    result = manage("check", DJANGO_SECRET_KEY=GOOD_SECRET, DJANGO_DEBUG="true")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off" in result.stderr


def test_deploy_check_passes_with_production_settings() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=GOOD_SECRET,
        FIELD_ENCRYPTION_KEYS=GOOD_ENCRYPTION_KEY,
        DJANGO_ALLOWED_HOSTS="opsboard.example.com",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/opsboard",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        SITE_URL="https://opsboard.example.com",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [("redis://127.0.0.1:6379/1", "cached_db"), ("", "db")],
)
def test_sessions_are_read_from_the_cache_only_when_every_process_shares_it(
    cache_url: str, engine: str
) -> None:
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_ENGINE)",
        DJANGO_SECRET_KEY=GOOD_SECRET,
        FIELD_ENCRYPTION_KEYS=GOOD_ENCRYPTION_KEY,
        SITE_URL="https://opsboard.example.com",
        CACHE_URL=cache_url,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"django.contrib.sessions.backends.{engine}"


def test_production_refuses_to_guess_its_address() -> None:
    """Links in emails would point at 127.0.0.1: production is told where it runs."""
    result = manage("check", DJANGO_SECRET_KEY=GOOD_SECRET)
    assert result.returncode != 0
    assert "Set SITE_URL" in result.stderr


def test_production_refuses_to_store_secrets_without_its_own_key() -> None:
    """Chat webhook addresses and secrets are encrypted with a key the repository does not hold."""
    from django.conf import settings

    site = {"DJANGO_SECRET_KEY": GOOD_SECRET, "SITE_URL": "https://opsboard.example.com"}
    for keys in ("", settings.DEVELOPMENT_FIELD_ENCRYPTION_KEY, "not-a-fernet-key"):
        result = manage("check", FIELD_ENCRYPTION_KEYS=keys, **site)
        assert result.returncode != 0, keys
        assert "FIELD_ENCRYPTION_KEYS must hold one or more Fernet keys" in result.stderr
    rotated = f"{GOOD_ENCRYPTION_KEY},{settings.DEVELOPMENT_FIELD_ENCRYPTION_KEY}"
    assert manage("check", FIELD_ENCRYPTION_KEYS=rotated, **site).returncode != 0
    assert manage("check", FIELD_ENCRYPTION_KEYS=GOOD_ENCRYPTION_KEY, **site).returncode == 0


def test_every_beat_entry_names_a_task_the_worker_knows() -> None:
    from django.conf import settings

    from opsboard.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "raci.tasks.send_deadline_reminders",
        "metrics.tasks.send_weekly_digests",
        "metrics.tasks.record_kpis",
    } <= scheduled
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)
