from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import connection

from tests.integration.processes import clean_environment, free_port


class Mailbox:
    """What a real SMTP server on loopback received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.mailbox = Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def queued_tasks(settings) -> None:
    """Send tasks to the broker instead of running them in the test process.

    Celery reads its configuration from the live Django settings, so overriding
    the setting is enough.
    """
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    settings.CELERY_TASK_ALWAYS_EAGER = False


def worker_environment(smtp_port: int) -> dict[str, str]:
    database = connection.settings_dict
    return clean_environment(
        DJANGO_SETTINGS_MODULE="opsboard.settings.development",
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        CELERY_BROKER_URL=django_settings.CELERY_BROKER_URL,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        SITE_URL="https://opsboard.example.com",
    )
