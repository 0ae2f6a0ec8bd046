"""A copy of the database alone gives no one access: secrets are encrypted or hashed at rest."""

from __future__ import annotations

import io
import re

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from opsboard.notify.models import ChatWebhook
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

WEBHOOK_TOKEN = "5d2c9a71-77ab-4e0f-9c1d-secret"
SIGNING_SECRET = "sig-9f8e7d6c-never-in-clear"


def database_dump() -> str:
    """Every row of every table, as text: what a stolen copy of the database shows."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


def add_chat_group(tenant: Tenant, client_for, chat_server) -> None:
    """Through the settings page, as a manager does."""
    response = client_for(tenant.manager.user).post(
        reverse("projects:chat_group_create", args=[tenant.organization.slug]),
        {
            "name": "Product standup",
            "team": tenant.team.pk,
            "provider": "feishu",
            "url": chat_server.url(f"/open-apis/bot/v2/hook/{WEBHOOK_TOKEN}"),
            "secret": SIGNING_SECRET,
            "hour": 9,
            "active": "on",
        },
    )
    assert response.status_code == 302


def make_api_key(client) -> str:
    """On the profile page, as a person does: the page shows the new key once."""
    page = client.post(reverse("accounts:api_token"), {"action": "create"})
    assert page.status_code == 200
    return re.search(r'<code id="api-key">([^<]+)</code>', page.text).group(1)


def test_a_copy_of_the_database_holds_no_secret_in_clear(
    tenant: Tenant, client_for, chat_server
) -> None:
    add_chat_group(tenant, client_for, chat_server)
    key = make_api_key(client_for(tenant.member.user))

    dump = database_dump()
    assert "Product standup" in dump and tenant.member.user.email in dump  # the rows are read
    assert WEBHOOK_TOKEN not in dump
    assert SIGNING_SECRET not in dump
    assert key not in dump
    # What the database holds is enough for the app: the group posts, the key opens the API.
    webhook = ChatWebhook.objects.get()
    assert webhook.url.endswith(WEBHOOK_TOKEN) and webhook.secret == SIGNING_SECRET
    api = Client(headers={"Authorization": f"Token {key}"})
    assert api.get("/api/v1/organizations/").status_code == 200


def test_old_keys_still_decrypt_after_a_new_key_is_put_first(
    tenant: Tenant, client_for, chat_server, settings
) -> None:
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    add_chat_group(tenant, client_for, chat_server)
    new_key = Fernet.generate_key().decode()

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    webhook = ChatWebhook.objects.get()
    assert webhook.secret == SIGNING_SECRET and webhook.url.endswith(WEBHOOK_TOKEN)

    # Re-encrypted with the first key, the rows no longer need the old one.
    out = io.StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert "notify.ChatWebhook: 1 rows" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    webhook = ChatWebhook.objects.get()
    assert webhook.secret == SIGNING_SECRET and webhook.url.endswith(WEBHOOK_TOKEN)

    # Without the key that encrypted them, nothing is shown: the read fails loudly.
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS lacks the key"):
        ChatWebhook.objects.get()


def test_encrypted_values_cannot_be_searched() -> None:
    """A search would compare with ciphertext and silently find nothing: it is refused."""
    with pytest.raises(FieldError):
        ChatWebhook.objects.filter(url__contains="hook").exists()


def test_the_lengths_a_person_may_type_are_those_of_the_plain_text(
    tenant: Tenant, client_for, chat_server
) -> None:
    """500 characters of address and 200 of secret fit, though their ciphertext is longer."""
    client = client_for(tenant.manager.user)
    hook = chat_server.url("/open-apis/bot/v2/hook/")
    page = reverse("projects:chat_group_create", args=[tenant.organization.slug])
    group = {"name": "Long", "team": "", "provider": "feishu", "hour": 9, "active": "on"}

    too_long = client.post(page, {**group, "url": hook + "a" * (501 - len(hook)), "secret": ""})
    assert too_long.status_code == 200
    assert "Ensure this value has at most 500 characters (it has 501)." in too_long.text
    longest = {"url": hook + "a" * (500 - len(hook)), "secret": "s" * 200}
    assert client.post(page, {**group, **longest}).status_code == 302
    webhook = ChatWebhook.objects.get()
    assert (webhook.url, webhook.secret) == (longest["url"], longest["secret"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT length(url), length(secret) FROM notify_chatwebhook")
        stored_url, stored_secret = cursor.fetchone()
    assert stored_url > 500 and stored_secret > 200
