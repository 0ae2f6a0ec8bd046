"""Send the weekly KPI digests due now, as the periodic job does."""

from __future__ import annotations

from typing import Any

from metrics.digest import explain_digests, send_weekly_digests
from opsboard.commands import JobCommand


class Command(JobCommand):
    help = (
        "Send each team lead's and ops manager's weekly KPI digest (and each subscriber's),"
        " on Monday at their hour in their time zone: one per person and week."
    )

    dry_run_help = "print who would get what; send nothing"

    def handle(self, *args: Any, **options: Any) -> None:
        now = self.now(options)
        digests = send_weekly_digests(now=now, dry_run=options["dry_run"])
        for digest in digests:
            self.stdout.write(
                f"{digest.membership.user.email} ({digest.membership.organization.slug},"
                f" {digest.period}): {len(digest.rows)} KPIs, {len(digest.goals)} goals at risk,"
                f" {len(digest.overdue)} overdue, {len(digest.blocked)} blocked,"
                f" {len(digest.finished)} finished"
            )
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"{len(digests)} digests {verb}.")
        self.explain(explain_digests(now=now))
