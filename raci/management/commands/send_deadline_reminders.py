"""Send the deadline reminders due now, as the periodic job does."""

from __future__ import annotations

from typing import Any

from opsboard.commands import JobCommand
from raci.reminders import explain_reminders, send_deadline_reminders


class Command(JobCommand):
    help = (
        "Remind the Responsible of cards due soon and the Accountable of overdue ones:"
        " one bundled message per person and day, and one post per chat group and day."
    )

    dry_run_help = "print who would get what; send nothing"

    def handle(self, *args: Any, **options: Any) -> None:
        now = self.now(options)
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
        self.explain(explain_reminders(now=now, planned=reminders))
