"""Build the monthly retrospectives due now, as the periodic job does."""

from __future__ import annotations

from typing import Any

from metrics.retrospectives.schedule import build_retrospectives, explain_retrospectives
from opsboard.commands import JobCommand


class Command(JobCommand):
    help = (
        "Build last month's retrospective for every active project and every team whose"
        " organisation has reached the first working day of the month, and email the"
        " project's owner and leads, or the team's leads."
    )

    dry_run_help = "print what would be built; build nothing"

    def handle(self, *args: Any, **options: Any) -> None:
        now = self.now(options)
        built = build_retrospectives(now=now, dry_run=options["dry_run"])
        for retrospective in built:
            self.stdout.write(
                f"{retrospective.organization.slug} / {retrospective.reviewed.name}:"
                f" {retrospective.period}"
            )
        verb = "would build" if options["dry_run"] else "built"
        self.stdout.write(f"{len(built)} retrospectives {verb}.")
        self.explain(explain_retrospectives(now=now))
