from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RaciConfig(AppConfig):
    name = "raci"
    verbose_name = _("RACI")
