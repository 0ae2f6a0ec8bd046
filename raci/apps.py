from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RaciConfig(AppConfig):
    name = "raci"
    verbose_name = _("RACI")

    def ready(self) -> None:
        from projects.demo import register_demo_seeder
        from projects.my_work import Source, register_my_work
        from projects.sections import Section, register_section

        from . import signals  # noqa: F401 - connects the receivers
        from .demo import seed_demo_chat, seed_demo_raci
        from .my_work import accountable_part
        from .views import card_raci_section

        register_section("card", Section(10, "raci/card_section.html", card_raci_section))
        register_demo_seeder(20, seed_demo_raci)
        register_demo_seeder(21, seed_demo_chat)
        register_my_work(Source(20, "accountable", accountable_part))
