"""The invitation email, sent by the worker after the invitation is saved."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from . import services


# Named as before the move to tenancy, so a message queued by the previous release still runs.
@shared_task(
    name="projects.tasks.send_invitation_email",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_invitation_email(invitation_id: int, token: str) -> bool:
    return services.invitation_email_send(invitation_id=invitation_id, token=token)
