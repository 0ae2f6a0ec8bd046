"""Send the bundled emails of activity on followed cards due now, as the periodic job does."""

from __future__ import annotations

from typing import Any

from kanban.activity import send_activity_bundles
from opsboard.commands import JobCommand


class Command(JobCommand):
    help = (
        "Email the people who take the activity on the cards they follow hourly or daily:"
        " one message per person, organisation and hour (or day), once."
    )

    dry_run_help = "print who would get what; send nothing"

    def handle(self, *args: Any, **options: Any) -> None:
        bundles = send_activity_bundles(now=self.now(options), dry_run=options["dry_run"])
        for bundle in bundles:
            cards = ", ".join(f"{card.title} ({len(items)})" for card, items in bundle.cards)
            self.stdout.write(
                f"{bundle.recipient.email} ({bundle.organization.slug}, {bundle.period}): {cards}"
            )
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"{len(bundles)} activity emails {verb}.")
