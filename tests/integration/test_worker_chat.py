"""A team's chat group gets its daily post through a real worker, once, even when the service
stumbles first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone

from kanban.services import CardInput, card_create
from opsboard.notify.chat import Provider
from opsboard.notify.models import ChatWebhook, Notification, Status
from raci.reminders import send_deadline_reminders
from tests.chat_server import Answer, ChatServer
from tests.conftest import Tenant
from tests.factories import ProjectFactory
from tests.integration.processes import (
    celery_worker_command,
    running,
    wait_for_worker,
    wait_until,
    worker_environment,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_team_group_gets_one_post_after_a_server_error_and_a_rate_limit(
    tenant: Tenant, queued_tasks: None, chat_server: ChatServer, tmp_path: Path
) -> None:
    board = ProjectFactory(organization=tenant.organization, teams=[tenant.team]).boards.get()
    card_create(
        actor=tenant.lead,
        board=board,
        data=CardInput(
            title="Quarterly vendor review", team=tenant.team, due_date=timezone.localdate()
        ),
    )
    ChatWebhook.objects.create(
        organization_id=tenant.organization.pk,
        team_id=tenant.team.pk,
        name="Product · DingTalk",
        provider=Provider.DINGTALK,
        url=chat_server.url("/robot/send?access_token=0f9e8d7c"),
        secret="SEC-demo",
        hour=0,
    )
    chat_server.answers = [
        Answer(status=502, body="bad gateway"),
        Answer(body='{"errcode": 130101, "errmsg": "send too fast"}'),
    ]
    now = timezone.now().replace(hour=12)
    log = tmp_path / "worker.log"
    with running(celery_worker_command(), environment=worker_environment(1), log=log):
        wait_for_worker(log)
        sent = send_deadline_reminders(now=now)
        assert [reminder.webhook.name for reminder in sent if reminder.webhook] == [
            "Product · DingTalk"
        ]
        wait_until(
            lambda: Notification.objects.filter(webhook__isnull=False, status=Status.SENT).exists(),
            timeout=60,
            what="the chat post marked sent after two retries",
        )
        assert [r.webhook for r in send_deadline_reminders(now=now) if r.webhook] == []
    assert len(chat_server.received) == 3  # 502, rate limited, taken
    taken = chat_server.received[-1]
    assert taken.query["access_token"] == "0f9e8d7c" and taken.query["sign"]
    assert "Quarterly vendor review" in taken.body["markdown"]["text"]
    # The post's own title: product, team, day.
    assert re.fullmatch(
        r"\[Opsboard\] Product · Deadline reminder for [A-Z][a-z]{2} \d{1,2}",
        taken.body["markdown"]["title"],
    )
    notification = Notification.objects.get(webhook__isnull=False)
    assert (notification.attempts, notification.error) == (3, "")
