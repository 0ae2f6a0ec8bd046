"""Invitations travel through Redis to a real Celery worker, which mails them over SMTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from kanban.services import CardInput, card_create
from opsboard.notify.models import Notification, Status
from opsboard.tenancy.models import Invitation, Role
from raci.reminders import send_deadline_reminders
from tests.conftest import Tenant
from tests.factories import ProjectFactory
from tests.integration.processes import (
    SmtpServer,
    celery_worker_command,
    free_port,
    running,
    wait_for_worker,
    wait_until,
    worker_environment,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def invite(client, tenant: Tenant, email: str) -> None:
    client.force_login(tenant.manager.user)
    response = client.post(
        reverse("projects:invitation_create", args=[tenant.organization.slug]),
        {"email": email, "role": Role.MEMBER, "teams": [tenant.team.pk]},
    )
    assert response.status_code == 302


def test_invitation_is_mailed_by_the_worker(
    tenant: Tenant, client, queued_tasks: None, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    with running(
        celery_worker_command(), environment=worker_environment(smtp_server.port), log=log
    ):
        wait_for_worker(log)
        invite(client, tenant, "colleague@example.test")
        wait_until(lambda: smtp_server.mailbox.messages, timeout=30, what="the invitation email")

    [message] = smtp_server.mailbox.messages
    assert message["To"] == "colleague@example.test"
    subject = " ".join(str(message["Subject"]).split())
    assert subject.startswith("[Opsboard] ") and subject.endswith(" invited you to join Acme")
    text, html = (
        part.get_payload(decode=True).decode() for part in message.walk() if not part.is_multipart()
    )
    assert "https://opsboard.example.com/invitations/" in text
    assert 'href="https://opsboard.example.com/invitations/' in html


def test_mail_server_down_for_a_while_loses_nothing(
    tenant: Tenant, client, queued_tasks: None, tmp_path: Path
) -> None:
    smtp_port = free_port()
    log = tmp_path / "worker.log"
    with running(celery_worker_command(), environment=worker_environment(smtp_port), log=log):
        wait_for_worker(log)
        invite(client, tenant, "patient@example.test")
        # Nothing listens on the SMTP port yet: the worker fails and retries.
        wait_until(
            lambda: b"Retry in" in log.read_bytes(),
            timeout=30,
            what="a retry after the refused connection",
        )
        server = SmtpServer(smtp_port)
        server.start()
        try:
            wait_until(
                lambda: server.mailbox.messages,
                timeout=60,
                what="the invitation email after the retry",
            )
        finally:
            server.stop()
    assert [message["To"] for message in server.mailbox.messages] == ["patient@example.test"]
    assert Invitation.objects.get(email="patient@example.test").accepted_at is None


def test_deadline_reminder_arrives_once_through_the_worker(
    tenant: Tenant, queued_tasks: None, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    board = ProjectFactory(organization=tenant.organization, teams=[tenant.team]).boards.get()
    card_create(
        actor=tenant.lead,
        board=board,
        data=CardInput(
            title="Weekly churn report", assignee=tenant.member.user, due_date=timezone.localdate()
        ),
    )
    now = timezone.now().replace(hour=12)
    log = tmp_path / "worker.log"
    with running(
        celery_worker_command(), environment=worker_environment(smtp_server.port), log=log
    ):
        wait_for_worker(log)
        assert len(send_deadline_reminders(now=now)) == 1
        wait_until(lambda: smtp_server.mailbox.messages, timeout=30, what="the reminder")
        assert send_deadline_reminders(now=now) == []  # the same day again: nothing new
        wait_until(
            lambda: Notification.objects.filter(status=Status.SENT).exists(),
            timeout=30,
            what="the ledger row marked sent",
        )
    [message] = smtp_server.mailbox.messages
    assert message["To"] == tenant.member.user.email
    assert re.fullmatch(
        r"\[Opsboard\] Deadline reminder for [A-Z][a-z]{2} \d{1,2}: 1 card due soon",
        message["Subject"],
    )
    assert "Weekly churn report" in message.as_string()
