from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KanbanConfig(AppConfig):
    name = "kanban"
    verbose_name = _("Kanban boards")
