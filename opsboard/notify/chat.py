"""Posting a message to a chat group through its incoming webhook.

Feishu/Lark, DingTalk, WeCom and Slack each take a JSON POST. Feishu and
DingTalk sign it with the group bot's secret (an HMAC-SHA256 of the timestamp
and the secret, in the body for Feishu, in the address for DingTalk); WeCom
and Slack carry their key in the address itself, so the address is a secret
too. Messages are written once as Markdown with ``[text](url)`` links and
shaped for each service when posted.

A 5xx, 429, a timeout or a refused connection may pass: ``ChatUnavailable``.
Any other error, including a 200 whose body reports one (bad signature,
keyword not allowed), will not: ``ChatRejected``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    FEISHU = "feishu", _("Feishu / Lark")
    DINGTALK = "dingtalk", _("DingTalk")
    WECOM = "wecom", _("WeCom")
    SLACK = "slack", _("Slack")


@dataclass(frozen=True)
class Service:
    hosts: tuple[str, ...]
    signed: bool  # has a signing secret
    # The most a message may hold, in bytes of UTF-8, with room for the title.
    limit: int
    # Rate-limit codes a 200 body may carry: worth another try later.
    busy_codes: frozenset[int] = frozenset()


SERVICES = {
    Provider.FEISHU: Service(
        ("open.feishu.cn", "open.larksuite.com"), True, 20_000, frozenset({11232})
    ),
    Provider.DINGTALK: Service(("oapi.dingtalk.com",), True, 15_000, frozenset({130101})),
    Provider.WECOM: Service(("qyapi.weixin.qq.com",), False, 4_000, frozenset({45009})),
    Provider.SLACK: Service(("hooks.slack.com",), False, 30_000),
}


class ChatUnavailable(Exception):
    """The service did not take the message this time; it may later."""


class ChatRejected(Exception):
    """The service refused the message; sending it again will not help."""


def validate_webhook_url(provider: str, url: str) -> None:
    """Refuse an address that is not the service's webhook (a typo, or a way into our network)."""
    parts = urllib.parse.urlsplit(url)
    service = SERVICES[Provider(provider)]
    allowed = service.hosts + tuple(settings.CHAT_WEBHOOK_EXTRA_HOSTS)
    # Plain http only for the extra hosts (loopback in development and tests).
    extra = parts.hostname in settings.CHAT_WEBHOOK_EXTRA_HOSTS
    if parts.scheme not in (("https", "http") if extra else ("https",)) or not parts.hostname:
        raise ValidationError(gettext("Enter the full https:// address the chat service gave you."))
    if parts.hostname not in allowed:
        raise ValidationError(
            gettext("A %(service)s webhook address starts with https://%(host)s/.")
            % {"service": Provider(provider).label, "host": service.hosts[0]}
        )
    query = urllib.parse.parse_qs(parts.query)
    if provider == Provider.DINGTALK and not query.get("access_token"):
        raise ValidationError(gettext("The address has no access_token: copy it whole."))
    if provider == Provider.WECOM and not query.get("key"):
        raise ValidationError(gettext("The address has no key: copy it whole."))
    if provider in (Provider.FEISHU, Provider.SLACK) and len(parts.path.strip("/")) < 8:
        raise ValidationError(gettext("The address has no token: copy it whole."))


def mask(value: str, *, keep: int = 4) -> str:
    """Enough of a secret to recognise it, never the whole of it."""
    if not value:
        return ""
    parts = urllib.parse.urlsplit(value)
    start = f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else ""
    return f"{start}…{value[-keep:]}" if len(value) >= keep * 3 else "…"


def truncate(text: str, limit: int, more: str) -> str:
    """Whole lines up to ``limit`` bytes, then ``more``."""
    if len(text.encode()) <= limit:
        return text
    kept: list[str] = []
    size = len(more.encode()) + 1
    for line in text.splitlines():
        size += len(line.encode()) + 1
        if size > limit:
            break
        kept.append(line)
    return "\n".join([*kept, more])


LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


def _slack_text(title: str, markdown: str) -> str:
    """Slack's mrkdwn: <url|text> links, *bold*, and &, <, > escaped."""
    escaped = markdown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    linked = LINK.sub(lambda match: f"<{match[2]}|{match[1]}>", escaped)
    title = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"*{title}*\n" + linked.replace("**", "*")


def signature(provider: str, secret: str, timestamp: str) -> str:
    """Feishu's and DingTalk's signature: HMAC-SHA256 over "timestamp\nsecret", in base64.

    Feishu keys the HMAC with that text and signs nothing; DingTalk keys it with the secret.
    """
    text = f"{timestamp}\n{secret}".encode()
    digest = (
        hmac.new(secret.encode(), text, hashlib.sha256)
        if provider == Provider.DINGTALK
        else hmac.new(text, b"", hashlib.sha256)
    )
    return base64.b64encode(digest.digest()).decode()


def request_for(
    provider: str, url: str, secret: str, title: str, markdown: str, *, more: str = "…"
) -> tuple[str, dict[str, object]]:
    """The address to post to and the JSON body, signed where the service signs."""
    provider = Provider(provider)
    markdown = truncate(markdown, SERVICES[provider].limit, more)
    if provider == Provider.SLACK:
        return url, {"text": _slack_text(title, markdown)}
    if provider == Provider.WECOM:
        return url, {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{markdown}"}}
    if provider == Provider.DINGTALK:
        body = {
            "msgtype": "markdown",
            "markdown": {"title": title, "text": f"### {title}\n{markdown}"},
        }
        if secret:
            timestamp = str(int(time.time() * 1000))
            sign = urllib.parse.quote_plus(signature(provider, secret, timestamp))
            url = f"{url}&timestamp={timestamp}&sign={sign}"
        return url, body
    body: dict[str, object] = {
        "msg_type": "interactive",
        "card": {
            "header": {"title": {"tag": "plain_text", "content": title}},
            "elements": [{"tag": "markdown", "content": markdown}],
        },
    }
    if secret:
        timestamp = str(int(time.time()))
        body = {
            "timestamp": timestamp,
            "sign": signature(provider, secret, timestamp),
        } | body
    return url, body


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a webhook that moves is an error, not a hop to follow


_opener = urllib.request.build_opener(_NoRedirects)


def post(provider: str, url: str, secret: str, title: str, markdown: str) -> None:
    """Post one message; raise ChatUnavailable or ChatRejected when it is not taken."""
    address, body = request_for(provider, url, secret, title, markdown)
    if urllib.parse.urlsplit(address).scheme not in ("https", "http"):
        raise ChatRejected(f"Not a web address: {mask(address)}")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        address,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=settings.CHAT_WEBHOOK_TIMEOUT) as response:
            answer = response.read(10_000).decode(errors="replace")
    except urllib.error.HTTPError as error:
        detail = f"HTTP {error.code}: {error.read(500).decode(errors='replace')}".strip()
        if error.code >= 500 or error.code in (408, 429):
            raise ChatUnavailable(detail) from error
        raise ChatRejected(detail) from error
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise ChatUnavailable(f"{error.__class__.__name__}: {error}") from error
    _check_answer(Provider(provider), answer)


def _check_answer(provider: Provider, answer: str) -> None:
    """Feishu, DingTalk and WeCom answer 200 with an error code in the body."""
    if provider == Provider.SLACK:
        return
    try:
        data = json.loads(answer)
    except ValueError:
        raise ChatRejected(f"Unexpected answer: {answer[:200]}") from None
    code = (
        data.get("code", data.get("errcode", data.get("StatusCode", 0)))
        if isinstance(data, dict)
        else 0
    )
    if not code:
        return
    detail = f"{code}: {data.get('msg') or data.get('errmsg') or data.get('StatusMessage') or ''}"
    if code in SERVICES[provider].busy_codes:
        raise ChatUnavailable(detail)
    raise ChatRejected(detail)
