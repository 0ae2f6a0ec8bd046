"""A mention travels through Redis to a real Celery worker, which mails it over SMTP: one
email, whatever edits follow, with a link to the comment."""

from __future__ import annotations

from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.urls import reverse

from kanban.mentions import mention_text
from kanban.models import Comment
from kanban.services import CardInput, card_create
from opsboard.notify.models import Notification, Status
from tests.conftest import Tenant
from tests.factories import ProjectFactory
from tests.integration.processes import (
    SmtpServer,
    celery_worker_command,
    running,
    wait_for_worker,
    wait_until,
    worker_environment,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_mention_is_mailed_once_by_the_worker(
    tenant: Tenant, client, queued_tasks: None, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    project = ProjectFactory(organization=tenant.organization, teams=[tenant.team])
    card = card_create(
        actor=tenant.lead, board=project.boards.get(), data=CardInput(title="Churn analysis")
    )
    member = tenant.member.user
    body = f"{mention_text(member.pk, member.full_name)} can you check the numbers?"
    log = tmp_path / "worker.log"
    client.force_login(tenant.lead.user)
    with running(
        celery_worker_command(), environment=worker_environment(smtp_server.port), log=log
    ):
        wait_for_worker(log)
        response = client.post(
            reverse("kanban:card_comment", args=["acme", card.pk]), {"body": body}
        )
        assert response.status_code == 302
        comment = Comment.objects.get(card=card)
        edit = reverse("kanban:comment_edit", args=["acme", comment.pk])
        assert client.post(edit, {"body": body + " Thanks."}).status_code == 302
        wait_until(lambda: smtp_server.mailbox.messages, timeout=30, what="the mention email")
        wait_until(
            lambda: Notification.objects.filter(kind="mention", status=Status.SENT).exists(),
            timeout=10,
            what="the ledger row marked sent",
        )

    [message] = smtp_server.mailbox.messages
    assert message["To"] == member.email
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject.endswith("mentioned you in a comment on “Churn analysis”")
    text, html = (
        part.get_payload(decode=True).decode() for part in message.walk() if not part.is_multipart()
    )
    # The comment, in the panel beside the card's board.
    assert f"/o/acme/boards/{card.board_id}/?card={card.pk}#comment-{comment.pk}" in text
    assert f"#comment-{comment.pk}" in html
    assert f"@{member.full_name} can you check the numbers?" in text
