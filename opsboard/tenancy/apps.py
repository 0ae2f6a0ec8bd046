from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    """The tenant: organisations, their teams, people's memberships and roles, invitations."""

    name = "opsboard.tenancy"
    label = "tenancy"
    verbose_name = _("Organisations")
