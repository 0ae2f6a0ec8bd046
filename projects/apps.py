from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Organisations and projects")

    def ready(self) -> None:
        from opsboard.search.kinds import register_kind

        from . import search
        from .my_work import Source, goals_part, register_my_work

        register_my_work(Source(30, "goals", goals_part))
        for kind in search.KINDS:
            register_kind(kind)
        search.connect()
