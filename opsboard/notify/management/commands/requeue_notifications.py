"""Enqueue again the notifications a dead worker left pending, as the periodic sweep does."""

from __future__ import annotations

from typing import Any

from opsboard.commands import JobCommand
from opsboard.notify.services import notifications_requeue_stale


class Command(JobCommand):
    help = (
        "Send again the notifications left pending (a worker died while sending them)"
        " for longer than NOTIFICATION_STALE_AFTER_SECONDS: each once."
    )

    dry_run_help = "print what would be queued again; queue nothing"

    def handle(self, *args: Any, **options: Any) -> None:
        lost = notifications_requeue_stale(now=self.now(options), dry_run=options["dry_run"])
        for notification in lost:
            to = notification.recipient or notification.webhook
            self.stdout.write(
                f"#{notification.pk} {notification.kind} to {to} ({notification.period}),"
                f" {notification.attempts} attempts so far"
            )
        verb = "would queue" if options["dry_run"] else "queued"
        self.stdout.write(f"{len(lost)} notifications {verb} again.")
