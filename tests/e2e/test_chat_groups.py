"""Setting up a team's chat group in a real browser, then checking it with a test post."""

from __future__ import annotations

import re

import pytest

from opsboard.notify.models import ChatWebhook
from tests.chat_server import ChatServer
from tests.conftest import Tenant
from tests.e2e.test_sign_in_and_language import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_adds_a_feishu_group_and_sends_a_test_post(
    page, tenant: Tenant, chat_server: ChatServer
) -> None:
    sign_in(page, tenant.manager.user.email)
    page.wait_for_url(re.compile(r"/o/acme/"))
    page.goto("/o/acme/settings/")
    page.get_by_role("link", name="Chat groups that get daily deadline posts").click()
    page.get_by_role("button", name="New chat group").click()

    page.get_by_label("Name").fill("Product standup")
    page.get_by_label("Posts for").select_option(label=tenant.team.name)
    page.get_by_label("Service").select_option(label="Feishu / Lark")
    page.get_by_label("Webhook address").fill("https://example.com/hook/not-feishu")
    page.get_by_label("Signing secret").fill("sig-1234567890")
    page.get_by_role("button", name="Save").click()
    page.get_by_text(
        "A Feishu / Lark webhook address starts with https://open.feishu.cn/."
    ).wait_for()
    assert not ChatWebhook.objects.exists()

    # The secret is not sent back to the browser after a refused form: type it again.
    page.get_by_label("Webhook address").fill(chat_server.url("/open-apis/bot/v2/hook/2f0e1b7c-aa"))
    page.get_by_label("Signing secret").fill("sig-1234567890")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Chat group saved.").wait_for()
    row = page.get_by_role("row", name=re.compile("Product standup"))
    assert "/…c-aa" in row.inner_text() and "sig-1234567890" not in page.content()

    row.get_by_role("button", name="Send a test message").click()
    page.get_by_text("Test message sent to “Product standup”.").wait_for()
    [received] = chat_server.received
    assert received.body["sign"] and "[Opsboard] Acme · connected" in str(received.body)
    assert "Sent" in page.get_by_role("row", name=re.compile("Product standup")).inner_text()
