from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "opsboard.notify"
    label = "notify"
    verbose_name = _("Notifications")
