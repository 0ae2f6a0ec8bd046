from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Requests")

    def ready(self) -> None:
        from projects.demo import register_demo_seeder
        from projects.my_work import Source, register_my_work
        from projects.sections import Section, register_section

        from . import signals  # noqa: F401 - connects the receivers
        from .card_section import card_request_section
        from .demo import seed_demo_requests
        from .my_work import requests_part

        register_section("card", Section(5, "intake/card_section.html", card_request_section))
        register_my_work(Source(25, "requests", requests_part))
        # After the boards and RACI (10-21), before the KPIs that read the requests (30).
        register_demo_seeder(25, seed_demo_requests)
