"""The shape of every scheduled job's management command: ``--now`` and ``--dry-run``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


class MomentCommand(BaseCommand):
    """A job run as if at ``--now`` (for backfills and checks), or only printed with ``--dry-run``."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="run as if at this moment (ISO 8601, with a time zone or UTC)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print who would get what; send nothing"
        )

    def moment(self, options: dict[str, Any]) -> datetime:
        """``--now`` as an aware moment (UTC when it names no zone); the present when not given."""
        if not options["now"]:
            return timezone.now()
        try:
            now = datetime.fromisoformat(options["now"])
        except ValueError as error:
            raise CommandError(f"--now takes an ISO date-time: {error}") from error
        return timezone.make_aware(now, timezone.utc) if timezone.is_naive(now) else now

    def finish(self, count: int, noun: str, options: dict[str, Any]) -> None:
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"{count} {noun} {verb}.")
