from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from opsboard.search.kinds import kinds
from opsboard.search.services import index_rebuild


class Command(BaseCommand):
    help = (
        "Write the search index anew from the cards, goals, projects, KPIs, people and "
        "retrospectives (after a bulk import, or to check it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kind",
            action="append",
            default=[],
            choices=[kind.key for kind in kinds()],
            help="Only this kind (may be repeated).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for key, count in index_rebuild(only=options["kind"]).items():
            self.stdout.write(f"{key}: {count}")
