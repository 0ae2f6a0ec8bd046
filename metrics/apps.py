from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("KPIs")

    def ready(self) -> None:
        from kanban.aging import register_aging
        from opsboard.search.kinds import register_kind
        from projects.demo import register_demo_seeder
        from projects.my_work import Source, register_my_work
        from projects.sections import Section, register_project_notes, register_section

        from . import search
        from .board_flow import board_aging
        from .demo import (
            seed_demo_kpis,
            seed_demo_pulse,
            seed_demo_request_kpis,
            seed_demo_retrospective,
        )
        from .forecast import project_notes
        from .forecast_views import forecast_section
        from .my_work import kpis_part, projects_at_risk_part
        from .retrospective_views import card_retrospective_section, retrospectives_section

        register_aging(board_aging)
        register_demo_seeder(30, seed_demo_kpis)
        register_demo_seeder(31, seed_demo_pulse)
        register_demo_seeder(32, seed_demo_retrospective)
        register_demo_seeder(33, seed_demo_request_kpis)
        register_my_work(Source(40, "kpis", kpis_part))
        register_my_work(Source(45, "projects_at_risk", projects_at_risk_part))
        register_project_notes(project_notes)
        register_section("project", Section(25, "metrics/forecast_section.html", forecast_section))
        for page in ("project", "team"):
            register_section(
                page, Section(30, "metrics/retrospective_section.html", retrospectives_section)
            )
        register_section(
            "card",
            Section(20, "metrics/retrospective_card_section.html", card_retrospective_section),
        )
        for kind in search.KINDS:
            register_kind(kind)
        search.connect()
