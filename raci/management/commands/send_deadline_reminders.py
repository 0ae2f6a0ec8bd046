"""Send the deadline reminders due now, as the periodic job does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from raci.reminders import send_deadline_reminders


class Command(BaseCommand):
    help = (
        "Remind the Responsible of cards due soon and the Accountable of overdue ones:"
        " one bundled message per person and day, and one post per chat group and day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="run as if at this moment (ISO 8601, with a time zone or UTC)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print who would get what; send nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as error:
                raise CommandError(f"--now takes an ISO date-time: {error}") from error
            if timezone.is_naive(now):
                now = timezone.make_aware(now, timezone.utc)
        reminders = send_deadline_reminders(now=now, dry_run=options["dry_run"])
        for reminder in reminders:
            titles = ", ".join(card.title for card, _days in reminder.cards) or "-"
            unowned = ", ".join(card.title for card in reminder.unowned)
            overdue = ", ".join(f"{card.title} ({days}d)" for card, days in reminder.overdue)
            who = (
                reminder.recipient.email
                if reminder.recipient
                else f"chat group {reminder.webhook.name}"
            )
            line = f"{who} ({reminder.day}): {titles}"
            line += f"; nobody responsible: {unowned}" if unowned else ""
            line += f"; overdue: {overdue}" if overdue else ""
            blocked = ", ".join(f"{card.title} ({days}d)" for card, days in reminder.blocked)
            line += f"; blocked: {blocked}" if blocked else ""
            done = ", ".join(card.title for card in reminder.done)
            self.stdout.write(line + (f"; done: {done}" if done else ""))
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"{len(reminders)} reminders {verb}.")
