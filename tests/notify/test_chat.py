"""Chat webhooks: each service's message and signature, and what its answers mean for the ledger."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

import pytest
from django.core.exceptions import ValidationError

from opsboard.notify.chat import Provider, mask, request_for, validate_webhook_url
from opsboard.notify.models import ChatWebhook, Notification, Status
from opsboard.notify.services import TransientDeliveryError, chat_claim, notification_deliver
from tests.chat_server import Answer, ChatServer
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

PATHS = {
    Provider.FEISHU: "/open-apis/bot/v2/hook/3f1c2b9a-team",
    Provider.DINGTALK: "/robot/send?access_token=8c1d0e",
    Provider.WECOM: "/cgi-bin/webhook/send?key=693a91f6",
    Provider.SLACK: "/services/T000/B000/XXXXXXXX",
}


def webhook_for(tenant: Tenant, server: ChatServer, provider: str, secret: str = "") -> ChatWebhook:
    return ChatWebhook.objects.create(
        organization_id=tenant.organization.pk,
        team_id=tenant.team.pk,
        name="Product group",
        provider=provider,
        url=server.url(PATHS[provider]),
        secret=secret,
    )


def claim(webhook: ChatWebhook, period: str = "2026-11-24") -> Notification:
    notification = chat_claim(
        kind="deadline_reminder",
        subject_key="cards-due:1",
        webhook=webhook,
        period=period,
        title="Due soon: 1 card",
        markdown="**Due soon**\n- [Ship <it> & tell](https://opsboard.example.com/c/1) · due today",
    )
    assert notification is not None
    return notification


def test_feishu_is_signed_with_the_timestamp_and_secret(tenant: Tenant, chat_server) -> None:
    notification = claim(webhook_for(tenant, chat_server, Provider.FEISHU, secret="s3cret"))
    assert notification_deliver(notification_id=notification.pk) == Status.SENT
    [received] = chat_server.received
    body = received.body
    assert abs(int(body["timestamp"]) - time.time()) < 60
    expected = hmac.new(f"{body['timestamp']}\ns3cret".encode(), b"", hashlib.sha256).digest()
    assert body["sign"] == base64.b64encode(expected).decode()
    assert body["msg_type"] == "interactive"
    assert body["card"]["header"]["title"]["content"] == "Due soon: 1 card"
    assert "[Ship <it> & tell](https://opsboard.example.com/c/1)" in str(body["card"]["elements"])


def test_dingtalk_is_signed_in_the_address(tenant: Tenant, chat_server) -> None:
    notification = claim(webhook_for(tenant, chat_server, Provider.DINGTALK, secret="SECabc"))
    notification_deliver(notification_id=notification.pk)
    [received] = chat_server.received
    timestamp, sign = received.query["timestamp"], received.query["sign"]
    assert received.query["access_token"] == "8c1d0e"
    digest = hmac.new(b"SECabc", f"{timestamp}\nSECabc".encode(), hashlib.sha256).digest()
    assert sign == base64.b64encode(digest).decode()  # parse_qsl undid the URL quoting
    assert received.body["msgtype"] == "markdown"
    assert received.body["markdown"]["text"].startswith("### Due soon: 1 card\n**Due soon**")


def test_wecom_and_slack_carry_their_key_in_the_address(tenant: Tenant, chat_server) -> None:
    for provider in (Provider.WECOM, Provider.SLACK):
        notification_deliver(notification_id=claim(webhook_for(tenant, chat_server, provider)).pk)
    wecom, slack = chat_server.received
    assert wecom.query == {"key": "693a91f6"}
    assert wecom.body == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**Due soon: 1 card**\n**Due soon**\n"
            "- [Ship <it> & tell](https://opsboard.example.com/c/1) · due today"
        },
    }
    # Slack's own link syntax, with &, < and > escaped.
    assert slack.body == {
        "text": "*Due soon: 1 card*\n*Due soon*\n"
        "- <https://opsboard.example.com/c/1|Ship &lt;it&gt; &amp; tell> · due today"
    }


def test_a_server_error_is_retried_then_delivered_once(tenant: Tenant, chat_server) -> None:
    notification = claim(webhook_for(tenant, chat_server, Provider.SLACK))
    chat_server.answers = [Answer(status=503, body="busy")]
    with pytest.raises(TransientDeliveryError):
        notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Status.PENDING, 1)
    assert notification.error == "ChatUnavailable: HTTP 503: busy"
    assert notification_deliver(notification_id=notification.pk) == Status.SENT
    assert notification_deliver(notification_id=notification.pk) == Status.SENT  # a late retry
    assert len(chat_server.received) == 2
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.error) == (Status.SENT, 2, "")


@pytest.mark.parametrize(
    ("provider", "answer", "error"),
    [
        (Provider.SLACK, Answer(status=404, body="no_service"), "HTTP 404: no_service"),
        (Provider.SLACK, Answer(status=302, headers={"Location": "/elsewhere"}), "HTTP 302"),
        (
            Provider.FEISHU,
            Answer(
                body='{"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}'
            ),
            "19021: sign match fail",
        ),
        (
            Provider.DINGTALK,
            Answer(body='{"errcode": 310000, "errmsg": "keywords not in content"}'),
            "310000",
        ),
        (Provider.WECOM, Answer(body="<html>not json</html>"), "Unexpected answer"),
    ],
)
def test_a_refusal_fails_for_good_and_says_why(
    tenant: Tenant, chat_server, provider, answer, error
) -> None:
    notification = claim(webhook_for(tenant, chat_server, provider))
    chat_server.answers = [answer]
    assert notification_deliver(notification_id=notification.pk) == Status.FAILED
    notification.refresh_from_db()
    assert notification.status == Status.FAILED
    assert error in notification.error
    assert len(chat_server.received) == 1


@pytest.mark.parametrize(
    ("provider", "body"),
    [
        (Provider.FEISHU, '{"code": 11232, "msg": "frequency limited"}'),
        (Provider.DINGTALK, '{"errcode": 130101, "errmsg": "send too fast"}'),
        (Provider.WECOM, '{"errcode": 45009, "errmsg": "api freq out of limit"}'),
    ],
)
def test_rate_limits_are_tried_again(tenant: Tenant, chat_server, provider, body) -> None:
    notification = claim(webhook_for(tenant, chat_server, provider))
    chat_server.answers = [Answer(body=body)]
    with pytest.raises(TransientDeliveryError):
        notification_deliver(notification_id=notification.pk)
    assert Notification.objects.get(pk=notification.pk).status == Status.PENDING


def test_a_slow_service_times_out_and_is_tried_again(tenant: Tenant, chat_server, settings) -> None:
    settings.CHAT_WEBHOOK_TIMEOUT = 0.3
    notification = claim(webhook_for(tenant, chat_server, Provider.WECOM))
    chat_server.answers = [Answer(delay=1.0)]
    with pytest.raises(TransientDeliveryError):
        notification_deliver(notification_id=notification.pk)
    assert "timed out" in Notification.objects.get(pk=notification.pk).error


def test_nobody_listening_is_tried_again(tenant: Tenant, chat_server) -> None:
    webhook = webhook_for(tenant, chat_server, Provider.SLACK)
    chat_server.stop()
    with pytest.raises(TransientDeliveryError):
        notification_deliver(notification_id=claim(webhook).pk)


def test_a_switched_off_webhook_fails_what_was_waiting(tenant: Tenant, chat_server) -> None:
    webhook = webhook_for(tenant, chat_server, Provider.SLACK)
    notification = claim(webhook)
    ChatWebhook.objects.filter(pk=webhook.pk).update(active=False)
    assert notification_deliver(notification_id=notification.pk) == Status.FAILED
    assert chat_server.received == []


def test_one_row_per_group_and_period(tenant: Tenant, chat_server) -> None:
    webhook = webhook_for(tenant, chat_server, Provider.SLACK)
    claim(webhook)
    assert (
        chat_claim(
            kind="deadline_reminder",
            subject_key="cards-due:1",
            webhook=webhook,
            period="2026-11-24",
            title="again",
            markdown="again",
        )
        is None
    )
    claim(webhook, period="2026-11-25")
    assert Notification.objects.filter(webhook=webhook).count() == 2


def test_long_posts_are_cut_at_a_line_within_the_service_limit() -> None:
    lines = "\n".join(
        f"- [card {n}](https://opsboard.example.com/c/{n}) · 卡片" for n in range(400)
    )
    _url, body = request_for(Provider.WECOM, "https://x/?key=1", "", "Title", lines, more="… more")
    content = body["markdown"]["content"]
    assert 3_500 < len(content.encode()) <= 4_096
    *kept, last = content.splitlines()
    assert last == "… more"
    assert kept[-1].endswith(") · 卡片")  # whole lines only


@pytest.mark.parametrize(
    ("provider", "url", "message"),
    [
        (Provider.SLACK, "hooks.slack.com/services/T0/B0/abc", "full https:// address"),
        (Provider.SLACK, "http://hooks.slack.com/services/T0/B0/abcdef", "full https:// address"),
        (Provider.SLACK, "https://evil.example.com/services/T0/B0/abc", "https://hooks.slack.com/"),
        (Provider.SLACK, "https://hooks.slack.com/", "no token"),
        (Provider.FEISHU, "https://10.0.0.8/open-apis/bot/v2/hook/x", "https://open.feishu.cn/"),
        (Provider.DINGTALK, "https://oapi.dingtalk.com/robot/send", "no access_token"),
        (Provider.WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "no key"),
        (Provider.WECOM, "not a url at all", "full https:// address"),
    ],
)
def test_a_wrong_address_is_refused_with_a_reason(provider, url, message) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_webhook_url(provider, url)


@pytest.mark.parametrize(
    ("provider", "url"),
    [
        (Provider.SLACK, "https://hooks.slack.com/services/T0/B0/abcdef"),
        (Provider.FEISHU, "https://open.feishu.cn/open-apis/bot/v2/hook/2f0e1b7c"),
        (Provider.FEISHU, "https://open.larksuite.com/open-apis/bot/v2/hook/2f0e1b7c"),
        (Provider.DINGTALK, "https://oapi.dingtalk.com/robot/send?access_token=8c1d0e"),
        (Provider.WECOM, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6"),
        (Provider.WECOM, "http://127.0.0.1:8000/dev/chat/wecom?key=1"),  # loopback in tests
    ],
)
def test_the_services_own_addresses_are_taken(provider, url) -> None:
    validate_webhook_url(provider, url)


def test_production_refuses_loopback(settings) -> None:
    settings.CHAT_WEBHOOK_EXTRA_HOSTS = []
    with pytest.raises(ValidationError):
        validate_webhook_url(Provider.SLACK, "http://127.0.0.1:8000/services/T0/B0/abcdef")


def test_secrets_are_masked() -> None:
    url = "https://hooks.slack.com/services/T0/B0/abcdefgh1234"
    assert mask(url) == "https://hooks.slack.com/…1234"
    assert mask("SECa81b9f0c6d") == "…0c6d"
    assert mask("short") == "…"
    assert "abcdefgh" not in mask(url)
    assert mask("") == ""
    assert urllib.parse.urlsplit(mask(url)).hostname == "hooks.slack.com"
