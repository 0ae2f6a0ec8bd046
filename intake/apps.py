from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Requests")

    def ready(self) -> None:
        from projects.demo import register_demo_seeder

        from .demo import seed_demo_requests

        # After the boards and RACI (10-21), before the KPIs that read the requests (30).
        register_demo_seeder(25, seed_demo_requests)
