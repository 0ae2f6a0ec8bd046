from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Requests")

    def ready(self) -> None:
        from projects.my_work import Source, register_my_work

        from .my_work import requests_part

        register_my_work(Source(25, "requests", requests_part))
