"""The issue's "done when", as a new user would try it: the demo, --now three days before a card is due."""

from __future__ import annotations

import io
import json
import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from kanban.models import Card
from opsboard.accounts.models import User
from opsboard.notify.chat import Provider, request_for
from opsboard.notify.models import Channel, ChatWebhook, Notification, Status
from tests.chat_server import ChatServer

pytestmark = pytest.mark.django_db


def run(now: datetime) -> str:
    out = io.StringIO()
    call_command("send_deadline_reminders", now=now.isoformat(), stdout=out)
    return out.getvalue()


def test_the_demo_leads_reminder_arrives_once_by_email_chat_and_in_the_app(
    demo: None, client, chat_server: ChatServer, django_capture_on_commit_callbacks
) -> None:
    card = Card.objects.get(title="Weekly churn report to the leads")
    webhook = ChatWebhook.objects.get(name="User Operations · Feishu")
    webhook.url = chat_server.url("/open-apis/bot/v2/hook/demo-user-ops")
    webhook.save()
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    now = datetime.combine(card.due_date - timedelta(days=3), time(9, 5), tzinfo=shanghai)

    with django_capture_on_commit_callbacks(execute=True):
        out = run(now)
    assert "lead@demo.opsboard.test" in out and "chat group User Operations · Feishu" in out

    lead_mail = [m for m in mail.outbox if m.to == ["lead@demo.opsboard.test"]]
    [message] = lead_mail
    assert "Weekly churn report to the leads" in message.body
    assert "3 天后到期" in message.body  # the lead reads Chinese
    [post] = chat_server.received
    assert post.body["sign"] and post.body["msg_type"] == "interactive"
    assert "Weekly churn report to the leads" in json.dumps(post.body, ensure_ascii=False)

    with django_capture_on_commit_callbacks(execute=True):
        again = run(now + timedelta(minutes=15))
    assert again.startswith("0 reminders sent.\n")
    assert "reminders already sent" in again  # and says so
    assert len([m for m in mail.outbox if m.to == ["lead@demo.opsboard.test"]]) == 1
    assert len(chat_server.received) == 1
    assert not Notification.objects.exclude(status=Status.SENT).exists()

    lead = User.objects.get(email="lead@demo.opsboard.test")
    client.force_login(lead)
    page = client.get(reverse("notify:list")).content.decode()
    assert message.subject in page
    assert Notification.objects.get(recipient=lead).channel == Channel.EMAIL


def test_the_dev_outbox_shows_mail_and_signed_chat_posts(
    demo: None, client, settings, tmp_path
) -> None:
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    webhook = ChatWebhook.objects.get(name="User Operations · Feishu")
    address, body = request_for(
        Provider.FEISHU, webhook.url, webhook.secret, "到期提醒：1 张卡片", "**即将到期**"
    )
    sink = address.split("127.0.0.1:8000")[1]
    assert client.post(sink, body, content_type="application/json").json()["code"] == 0
    forged = body | {"sign": "Zm9yZ2Vk"}
    client.post(sink, forged, content_type="application/json")
    mail.get_connection().send_messages(
        [mail.EmailMessage("Due soon: 1 card", "Hello", to=["lead@demo.opsboard.test"])]
    )

    client.force_login(User.objects.get(email="lead@demo.opsboard.test"))
    page = client.get(reverse("dev_outbox")).content.decode()
    assert "2 chat posts" in page and "signature valid" in page and "signature invalid" in page
    assert "到期提醒：1 张卡片\n**即将到期**</pre>" in page  # the text, then the JSON
    assert "Due soon: 1 card" in page and "lead@demo.opsboard.test" in page

    settings.DEBUG = False
    assert client.get(reverse("dev_outbox")).status_code == 404
    assert client.post(sink, body, content_type="application/json").status_code == 404
