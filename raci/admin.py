from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kanban.admin import CardAdmin
from kanban.models import Card
from opsboard.tenancy.admin import OrganizationScopedAdmin, ScopedInline

from .models import RaciAssignment, RaciPolicy


class RaciInline(ScopedInline):
    model = RaciAssignment
    fields = ["role", "user", "team"]
    autocomplete_fields = ["user"]


class CardWithRaciAdmin(CardAdmin):
    """The card admin, with its RACI roles (raci extends kanban's admin)."""

    inlines = [*CardAdmin.inlines, RaciInline]


admin.site.unregister(Card)
admin.site.register(Card, CardWithRaciAdmin)


@admin.register(RaciAssignment)
class RaciAssignmentAdmin(OrganizationScopedAdmin):
    organization_path = "card__board__organization"
    list_display = ["card", "role", "user", "team"]
    list_filter = [
        "role",
        ("user", admin.RelatedOnlyFieldListFilter),
        ("team", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["card__title", "user__email", "user__full_name", "team__name"]
    list_select_related = ["card", "user", "team"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["card"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # roles are set on the matrix or on a card's inline, where the rules apply


@admin.register(RaciPolicy)
class RaciPolicyAdmin(OrganizationScopedAdmin):
    list_display = ["organization", "consulted_limit", "accountable_limit"]
