"""Secrets already stored when the app is upgraded: chat webhooks get encrypted (and come
back in clear on the way back), DRF's API keys in clear become hashed keys that still work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from opsboard.notify.models import ChatWebhook

URL = "https://open.feishu.cn/open-apis/bot/v2/hook/5d2c9a71-77ab-in-clear"
OLD_KEY = "0123456789abcdef0123456789abcdef01234567"


def migrate(targets: list[tuple[str, str]]):
    """Migrate to ``targets``; return the models as they stand there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest(transactional_db: None) -> Iterator[None]:
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def stored_webhooks() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT url, secret FROM notify_chatwebhook ORDER BY id")
        return cursor.fetchall()


def test_chat_webhooks_stored_in_clear_get_encrypted_and_back(back_to_the_latest) -> None:
    apps = migrate([("notify", "0006_reminder_hour_from_organization")])
    OldWebhook = apps.get_model("notify", "ChatWebhook")
    OldWebhook.objects.create(organization_id=1, name="Ops", provider="feishu", url=URL, secret="s")
    OldWebhook.objects.create(organization_id=1, name="Bare", provider="feishu", url=URL)

    migrate([("notify", "0007_encrypt_chat_webhook_secrets")])
    (url, secret), (_, no_secret) = stored_webhooks()
    assert URL not in url and secret != "s" and no_secret == ""
    assert [(w.url, w.secret) for w in ChatWebhook.objects.order_by("pk")] == [
        (URL, "s"),
        (URL, ""),
    ]

    migrate([("notify", "0006_reminder_hour_from_organization")])
    assert stored_webhooks() == [(URL, "s"), (URL, "")]


def test_keys_of_drf_authtoken_become_hashed_keys_that_still_work(back_to_the_latest) -> None:
    apps = migrate([("accounts", "0001_initial")])
    # The user as that schema holds them (later migrations add columns to the model).
    user = apps.get_model("accounts", "User").objects.create(
        email="script@example.com", password=make_password("a long passphrase 42")
    )
    # The table and the migration record DRF's authtoken app left, as on a site upgraded.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY,"
            " created timestamp with time zone NOT NULL, user_id bigint NOT NULL UNIQUE)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [OLD_KEY, user.pk])
    MigrationRecorder(connection).record_applied("authtoken", "0001_initial")

    apps = migrate([("accounts", "0002_api_key")])
    assert "authtoken_token" not in connection.introspection.table_names()
    assert not MigrationRecorder(connection).migration_qs.filter(app="authtoken").exists()
    assert apps.get_model("accounts", "ApiKey").objects.get(user_id=user.pk).prefix == OLD_KEY[:6]
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    response = Client(headers={"Authorization": f"Token {OLD_KEY}"}).get("/api/v1/organizations/")
    assert response.status_code == 200
