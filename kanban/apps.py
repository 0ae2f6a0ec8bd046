from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KanbanConfig(AppConfig):
    name = "kanban"
    verbose_name = _("Kanban boards")

    def ready(self) -> None:
        from opsboard.search.kinds import register_kind
        from projects.demo import register_demo_seeder
        from projects.my_work import Source, register_my_work
        from projects.sections import Section, register_section

        from . import search, signals  # noqa: F401 - connects the receivers
        from .demo import seed_demo_boards
        from .my_work import cards_part, changes_part, mentions_part
        from .views import project_board_section

        register_section(
            "project", Section(10, "kanban/project_section.html", project_board_section)
        )
        register_demo_seeder(10, seed_demo_boards)
        register_my_work(Source(10, "cards", cards_part))
        register_my_work(Source(50, "following", changes_part))
        register_my_work(Source(60, "mentions", mentions_part))
        register_kind(search.CARDS)
        search.connect()
