from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("KPIs")

    def ready(self) -> None:
        from projects.demo import register_demo_seeder

        from .demo import seed_demo_kpis, seed_demo_pulse

        register_demo_seeder(30, seed_demo_kpis)
        register_demo_seeder(31, seed_demo_pulse)
