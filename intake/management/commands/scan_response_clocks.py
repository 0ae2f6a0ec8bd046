"""Send the response clocks' warnings and escalations due now, as the periodic job does."""

from __future__ import annotations

from typing import Any

from intake.notifications import MISSED, explain_alerts, send_clock_alerts
from opsboard.commands import JobCommand, moment_text


class Command(JobCommand):
    help = (
        "Warn the Responsible of requests at 75% of a response target, and tell the"
        " Accountable and the team's chat groups of targets missed: each once."
    )

    dry_run_help = "print who would be told of what; send and mark nothing"

    def handle(self, *args: Any, **options: Any) -> None:
        now = self.now(options)
        alerts = send_clock_alerts(now=now, dry_run=options["dry_run"])
        for alert in alerts:
            what = "missed" if alert.kind == MISSED else "warning"
            people = ", ".join(person.email for person in alert.people) or "nobody"
            groups = ", ".join(f"chat group {webhook.name}" for webhook in alert.webhooks)
            due = moment_text(alert.clock.due_at.astimezone(alert.clock.request.team.zone))
            self.stdout.write(
                f"{alert.card.title} ({alert.clock.kind}, due {due}):"
                f" {what} to {people}" + (f"; {groups}" if groups else "")
            )
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"{len(alerts)} clock alerts {verb}.")
        self.explain(explain_alerts(now=now))
