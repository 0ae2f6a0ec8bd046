"""Store the computed KPIs' values for the period that ended, as the nightly job does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from metrics.services import record_computed_kpis


class Command(BaseCommand):
    help = "Record each computed KPI's value for its last finished week or month."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="run as of this day or moment (ISO 8601), e.g. for a backfill"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["now"]:
            try:
                today = datetime.fromisoformat(options["now"]).date()
            except ValueError as error:
                raise CommandError(f"--now takes an ISO date or date-time: {error}") from error
        stored = record_computed_kpis(today=today)
        self.stdout.write(f"Recorded {stored} KPI values.")
