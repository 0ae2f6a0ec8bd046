"""How many notifications one Celery worker mails a minute.

Seeds 2,000 claimed deadline reminders (rendered once, one per person) in a
throwaway test database, starts a real worker on it (pool=solo as in the
tests, then prefork with two processes) against Redis (a database of its
own, emptied first) and an aiosmtpd server on loopback, enqueues every
delivery and times from the first enqueue until every ledger row is sent.

    cd bench && ../.venv/bin/python delivery.py
"""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis
from common import throwaway_database
from django.conf import settings
from django.test import override_settings

from opsboard.accounts.models import User
from opsboard.celery import app
from opsboard.notify.emails import render_email
from opsboard.notify.models import Notification, Status
from opsboard.notify.tasks import deliver_notification
from tests.integration.processes import (
    SmtpServer,
    celery_worker_command,
    free_port,
    running,
    wait_for_worker,
    wait_until,
    worker_environment,
)

MESSAGES = 2_000
WORKERS = [("solo", 1), ("prefork", 2)]
# Not the tests' database: the worker here must see only the bench's tasks.
BROKER = urlunsplit(urlsplit(settings.CELERY_BROKER_URL)._replace(path="/14"))


def seed(round_number: int) -> list[int]:
    """Claimed, unsent reminders, each with three cards, as the reminder scan writes them."""
    people = User.objects.bulk_create(
        User(email=f"p{n}@round{round_number}.bench.test", full_name=f"Person {n}")
        for n in range(MESSAGES)
    )
    cards = [
        {
            "card": {
                "title": f"Weekly report {n}",
                "board": {"project": {"name": "Operations"}},
                "due_date": date(2026, 11, 24 + n),
            },
            "days": n,
            "url": f"{settings.SITE_URL}/o/bench/cards/{n}/",
        }
        for n in range(3)
    ]
    subject, text, html = render_email(
        template="deadline-reminder",
        context={
            "recipient": people[0],
            "reminder_day": date(2026, 11, 24),
            "count": 3,
            "due_count": 3,
            "cards": cards,
        },
    )
    rows = Notification.objects.bulk_create(
        Notification(
            kind="deadline-reminder",
            subject_key="cards-due:1",
            recipient=person,
            period=f"round-{round_number}",
            title=subject,
            body=text,
            body_html=html,
        )
        for person in people
    )
    return [row.pk for row in rows]


# The worker runs the tasks, not this process (the test settings run them eagerly).
@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def deliver_all(pool: str, concurrency: int, round_number: int) -> float:
    """Seconds from the first enqueue until every row is sent, the worker already waiting."""
    notification_ids = seed(round_number)
    redis.Redis.from_url(BROKER).flushdb()
    server = SmtpServer(free_port())
    server.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "worker.log"
            with running(
                celery_worker_command(pool=pool, concurrency=concurrency),
                environment=worker_environment(server.port, CELERY_BROKER_URL=BROKER),
                log=log,
            ):
                wait_for_worker(log)
                pending = Notification.objects.filter(pk__in=notification_ids).exclude(
                    status=Status.SENT
                )
                start = time.perf_counter()
                with app.connection_for_write(BROKER) as connection:
                    for notification_id in notification_ids:
                        deliver_notification.apply_async((notification_id,), connection=connection)
                wait_until(lambda: not pending.exists(), timeout=180, what="every row sent")
                elapsed = time.perf_counter() - start
    finally:
        server.stop()
    assert len(server.mailbox.messages) == MESSAGES
    return elapsed


def main() -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per SMTP command
    with throwaway_database():
        print(f"{'worker':>12} {'messages':>9} {'seconds':>8} {'per minute':>11} {'ms each':>8}")
        for round_number, (pool, concurrency) in enumerate(WORKERS):
            elapsed = deliver_all(pool, concurrency, round_number)
            print(
                f"{pool + ' x' + str(concurrency):>12} {MESSAGES:>9,} {elapsed:>8.1f}"
                f" {MESSAGES / elapsed * 60:>11,.0f} {elapsed / MESSAGES * 1000:>8.1f}"
            )


if __name__ == "__main__":
    main()
