"""The shape of a management command that runs a periodic job by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


class JobCommand(BaseCommand):
    """Takes ``--now`` (run as of another moment) and ``--dry-run`` (show, send nothing)."""

    dry_run_help = "print what would happen; change and send nothing"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="run as if at this moment (ISO 8601, with a time zone or UTC)"
        )
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)

    def now(self, options: dict[str, Any]) -> datetime:
        if not options["now"]:
            return timezone.now()
        try:
            now = datetime.fromisoformat(options["now"])
        except ValueError as error:
            raise CommandError(f"--now takes an ISO date-time: {error}") from error
        return timezone.make_aware(now, timezone.utc) if timezone.is_naive(now) else now
