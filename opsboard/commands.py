"""The shape of a management command that runs a periodic job by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


def moment_text(moment: datetime, *, as_now: bool = False) -> str:
    """A moment as a job's explanation shows it, in its own time zone; ``as_now`` adds the
    ``--now`` that runs the job at it."""
    text = f"{moment:%a %Y-%m-%d %H:%M} {moment.tzinfo}"
    return f"{text} (--now {moment.isoformat()})" if as_now else text


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

    def explain(self, reasons: list[str]) -> None:
        """Say why the rest is not sent now, so a run that sends nothing is not a mystery."""
        if reasons:
            self.stdout.write("Not due now:")
        for reason in reasons:
            self.stdout.write(f"  {reason}")
