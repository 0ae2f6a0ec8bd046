"""Start and stop the real parts integration tests talk to."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from tests.clock import child_clock_environment
from tests.services import free_port as free_port  # re-exported for the integration tests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def clean_environment(**overrides: str) -> dict[str, str]:
    """The environment of a child process: ours, less the app's settings, plus overrides."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "CELERY_", "EMAIL_", "OPSBOARD_", "SITE_URL")
        )
    }
    environment.update(child_clock_environment())  # the child reads the test's clock
    environment.update(overrides)
    return environment


@contextmanager
def running(
    command: list[str], *, environment: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a process for the duration of a ``with`` block; its output goes to ``log``."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def celery_worker_command(*, pool: str = "solo", concurrency: int = 1) -> list[str]:
    return [
        str(BIN / "celery"),
        "-A",
        "opsboard",
        "worker",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
    ]


def wait_for_worker(log: Path, *, timeout: float = 60) -> None:
    wait_until(
        lambda: b"ready." in log.read_bytes(), timeout=timeout, what=f"the Celery worker ({log})"
    )


def worker_environment(smtp_port: int, **overrides: str) -> dict[str, str]:
    """The environment of a worker (or a management command) on our database and broker."""
    database = connection.settings_dict
    return clean_environment(
        **{
            "DJANGO_SETTINGS_MODULE": "opsboard.settings.development",
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "SITE_URL": "https://opsboard.example.com",
            **overrides,
        }
    )


class Mailbox:
    """What a real SMTP server on loopback received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int, mailbox: Mailbox | None = None) -> None:
        self.port = port
        self.mailbox = mailbox or Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
