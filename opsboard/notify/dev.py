"""The dev outbox (``make run`` only, DEBUG on): the emails the file backend wrote to var/mail,
and the posts chat groups got at a stand-in webhook, so reminders can be seen without a mail
server or a Feishu account. With DEBUG off every page here is a 404.
"""

from __future__ import annotations

import email
import email.policy
import hmac
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from .chat import Provider, signature
from .models import ChatWebhook

SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # between messages in a file of Django's file backend
SHOWN = 50


def _chat_dir() -> Path:
    return Path(settings.VAR_DIR) / "chat"


def _require_debug() -> None:
    if not settings.DEBUG:
        raise Http404


@csrf_exempt
@require_POST
def chat_sink(request: HttpRequest, hook: str) -> HttpResponse:
    """Take a chat post as Feishu, DingTalk, WeCom or Slack would, and keep it for the outbox."""
    _require_debug()
    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"code": 9499, "msg": "Bad Request"}, status=400)
    # Addresses are stored encrypted, so the database cannot search them; a
    # development machine has a handful of groups.
    webhook = next(
        (each for each in ChatWebhook.objects.order_by("pk") if f"/dev/chat/{hook}" in each.url),
        None,
    )
    folder = _chat_dir()
    folder.mkdir(parents=True, exist_ok=True)
    received = timezone.now()
    post = {
        "hook": hook,
        "group": webhook.name if webhook else "",
        "received": received.isoformat(),
        "signature": _check_signature(webhook, request, body),
        "body": body,
    }
    name = f"{received:%Y%m%d-%H%M%S-%f}.json"
    (folder / name).write_text(json.dumps(post, ensure_ascii=False, indent=2), encoding="utf-8")
    return JsonResponse({"code": 0, "errcode": 0, "msg": "ok"})


def _check_signature(webhook: ChatWebhook | None, request: HttpRequest, body: dict) -> str:
    if webhook is None or not webhook.secret:
        return "unsigned"
    if webhook.provider == Provider.FEISHU:
        timestamp, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
    elif webhook.provider == Provider.DINGTALK:
        timestamp, sign = request.GET.get("timestamp", ""), request.GET.get("sign", "")
    else:
        return "unsigned"
    expected = signature(webhook.provider, webhook.secret, timestamp)
    return "valid" if timestamp and hmac.compare_digest(expected, sign) else "invalid"


def _emails() -> list[dict[str, str]]:
    folder = Path(settings.EMAIL_FILE_PATH) if hasattr(settings, "EMAIL_FILE_PATH") else None
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.log"), reverse=True)[:SHOWN]:
        for raw in reversed(path.read_bytes().split(SEPARATOR)):
            if not raw.strip():
                continue
            message = email.message_from_bytes(raw, policy=email.policy.default)
            text = message.get_body(preferencelist=("plain",))
            found.append(
                {
                    "date": str(message["Date"]),
                    "to": str(message["To"]),
                    "subject": str(message["Subject"]),
                    "text": text.get_content() if text else "",
                }
            )
    return found[:SHOWN]


def _posts() -> list[dict[str, object]]:
    folder = _chat_dir()
    if not folder.is_dir():
        return []
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.json"), reverse=True)[:SHOWN]
    ]


def _readable(body: dict) -> str:
    """The text a group member would read, from any of the four services' bodies."""
    if "card" in body:  # Feishu/Lark
        card = body["card"]
        title = card.get("header", {}).get("title", {}).get("content", "")
        return "\n".join([title, *(e.get("content", "") for e in card.get("elements", []))])
    markdown = body.get("markdown", {})
    return markdown.get("text") or markdown.get("content") or body.get("text", "")


@login_required
@require_safe
def outbox(request: HttpRequest) -> HttpResponse:
    _require_debug()
    posts = _posts()
    for post in posts:
        post["message"] = _readable(post["body"])
        post["raw"] = json.dumps(post["body"], ensure_ascii=False, indent=2)
    return render(request, "notify/dev_outbox.html", {"emails": _emails(), "posts": posts})
