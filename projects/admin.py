"""The admin panel for ops managers: projects, goals and their check-ins.

Scoped as the tenancy's admin is (``OrganizationScopedAdmin``): a staff user
who owns or manages organisations sees and edits only their records;
superusers see everything.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from opsboard.notify.chat import mask
from opsboard.tenancy.admin import OrganizationScopedAdmin, ScopedInline, managed_organization_ids
from opsboard.tenancy.models import IdentityProvider

from .forms import IdentityProviderForm
from .models import CheckIn, Goal, Project


class IdentityProviderAdminForm(IdentityProviderForm):
    class Meta(IdentityProviderForm.Meta):
        fields = ["organization", *IdentityProviderForm.Meta.fields]


@admin.register(IdentityProvider)
class IdentityProviderAdmin(OrganizationScopedAdmin):
    """The organisations' single sign-on providers (the Single sign-on settings page is the
    other way in); client secrets are shown masked, never in full."""

    form = IdentityProviderAdminForm
    list_display = [
        "name",
        "organization",
        "server_url",
        "masked_secret",
        "allow_joining",
        "active",
    ]
    list_filter = ["active", "allow_joining"]
    list_select_related = ["organization"]

    @admin.display(description=_("client secret"))
    def masked_secret(self, identity_provider: IdentityProvider) -> str:
        return mask(identity_provider.client_secret)


@admin.register(Project)
class ProjectAdmin(OrganizationScopedAdmin):
    list_display = [
        "name",
        "organization",
        "status",
        "owner",
        "start_date",
        "due_date",
        "goal_count",
    ]
    list_filter = [
        "status",
        ("organization", admin.RelatedOnlyFieldListFilter),
        ("teams", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "description", "owner__email", "owner__full_name"]
    list_select_related = ["organization", "owner"]
    filter_horizontal = ["teams"]
    date_hierarchy = "due_date"
    autocomplete_fields = ["owner"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return super().get_queryset(request).annotate(goal_total=Count("goals", distinct=True))

    @admin.display(description=_("goals"), ordering="goal_total")
    def goal_count(self, project: Project) -> int:
        return project.goal_total  # type: ignore[attr-defined]


class CheckInInline(ScopedInline):
    model = CheckIn
    fields = ["checked_on", "value", "confidence", "note", "author"]
    autocomplete_fields = ["author"]
    ordering = ["-checked_on"]


@admin.register(Goal)
class GoalAdmin(OrganizationScopedAdmin):
    list_display = [
        "title",
        "organization",
        "project",
        "state",
        "metric_name",
        "baseline",
        "target",
        "due_date",
        "owner",
    ]
    list_filter = [
        "state",
        "unit",
        "direction",
        ("organization", admin.RelatedOnlyFieldListFilter),
        ("project", admin.RelatedOnlyFieldListFilter),
        ("team", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "statement", "metric_name", "project__name"]
    list_select_related = ["organization", "project", "owner"]
    autocomplete_fields = ["owner", "parent"]
    date_hierarchy = "due_date"
    inlines = [CheckInInline]
    fieldsets = [
        (None, {"fields": ["organization", "project", "state", "closing_note"]}),
        (_("Specific"), {"fields": ["title", "statement"]}),
        (
            _("Measurable"),
            {
                "fields": [
                    "metric_name",
                    "unit",
                    "direction",
                    "baseline",
                    "target",
                    "target_high",
                    "decimals",
                ]
            },
        ),
        (_("Achievable"), {"fields": ["confidence", "resources_note"]}),
        (_("Relevant"), {"fields": ["parent", "team", "owner"]}),
        (_("Time-bound"), {"fields": ["start_date", "due_date"]}),
    ]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in ("parent", "project") and not request.user.is_superuser:
            kwargs["queryset"] = db_field.related_model.objects.filter(
                organization__in=managed_organization_ids(request)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
