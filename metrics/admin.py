from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from opsboard.exports import csv_response
from opsboard.tenancy.admin import OrganizationScopedAdmin, ScopedInline, managed_organization_ids
from opsboard.tenancy.models import Membership

from .imports import COLUMNS
from .models import Kpi, Measurement, Retrospective, RetrospectiveAction
from .retrospectives.services import retrospective_rebuild


class MeasurementInline(ScopedInline):
    model = Measurement
    fields = ["period_start", "value", "note", "recorded_by"]
    readonly_fields = ["recorded_by"]
    ordering = ["-period_start"]


@admin.register(Kpi)
class KpiAdmin(OrganizationScopedAdmin):
    list_display = [
        "kpi_name",
        "organization",
        "source",
        "frequency",
        "target",
        "amber_threshold",
        "red_threshold",
        "team",
        "project",
    ]
    list_filter = [
        "source",
        "frequency",
        ("organization", admin.RelatedOnlyFieldListFilter),
        ("team", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "description"]
    list_select_related = ["organization", "team", "project"]
    inlines = [MeasurementInline]
    actions = ["export_measurements"]

    @admin.display(description=_("name"), ordering="name")
    def kpi_name(self, kpi: Kpi) -> str:
        return kpi.display_name

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in ("project", "goal", "request_type") and not request.user.is_superuser:
            kwargs["queryset"] = db_field.related_model.objects.filter(
                organization__in=managed_organization_ids(request)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description=_("Export the measurements of the selected KPIs (CSV)"))
    def export_measurements(self, request: HttpRequest, queryset: QuerySet[Kpi]) -> HttpResponse:
        response, writer = csv_response("measurements.csv")
        # The import's own column names, untranslated, and ISO days: a file exported here
        # can be edited in a spreadsheet and imported back on the KPI page.
        writer.writerow(COLUMNS)
        for measurement in (
            Measurement.objects.filter(kpi__in=queryset)
            .select_related("kpi")
            .order_by("kpi__name", "kpi_id", "period_start")
        ):
            writer.writerow(
                [
                    measurement.kpi.display_name,
                    measurement.period_start.isoformat(),
                    measurement.value,
                    measurement.note,
                ]
            )
        return response


@admin.register(Measurement)
class MeasurementAdmin(OrganizationScopedAdmin):
    organization_path = "kpi__organization"
    list_display = ["kpi", "period_start", "value", "recorded_by", "updated_at"]
    list_filter = [("kpi", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "period_start"
    list_select_related = ["kpi", "recorded_by"]
    readonly_fields = ["recorded_by"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "kpi" and not request.user.is_superuser:
            kwargs["queryset"] = Kpi.objects.filter(
                organization__in=managed_organization_ids(request)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RetrospectiveActionInline(ScopedInline):
    model = RetrospectiveAction
    fields = ["title", "owner", "due_date", "card"]
    readonly_fields = (
        fields  # actions are added on the retrospective's page, which makes their cards
    )

    def has_add_permission(self, request: HttpRequest, obj: Retrospective | None = None) -> bool:
        return False


@admin.register(Retrospective)
class RetrospectiveAdmin(OrganizationScopedAdmin):
    list_display = [
        "project",
        "team",
        "month",
        "state",
        "organization",
        "built_at",
        "finalised_at",
    ]
    list_filter = [
        "state",
        "month",
        ("organization", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["project__name", "team__name", "highlights", "problems"]
    list_select_related = ["organization", "project", "team"]
    readonly_fields = [
        "organization",
        "project",
        "team",
        "month",
        "figures",
        "generated_highlights",
        "generated_problems",
        "built_at",
        "finalised_at",
        "finalised_by",
    ]
    fields = ["state", "highlights", "problems", *readonly_fields]
    inlines = [RetrospectiveActionInline]
    actions = ["rebuild"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # built by the monthly job, one per project (or team) and month

    @admin.action(description=_("Rebuild the figures of the selected retrospectives"))
    def rebuild(self, request: HttpRequest, queryset: QuerySet[Retrospective]) -> None:
        for retrospective in queryset.select_related("organization", "project", "team"):
            actor = Membership.objects.filter(
                user=request.user, organization_id=retrospective.organization_id
            ).first()
            if actor is None:
                continue
            retrospective_rebuild(actor=actor, retrospective=retrospective)
        self.message_user(
            request, _("The figures are worked out again; the review and the actions stay.")
        )
