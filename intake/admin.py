"""The admin panel's requests, scoped to the organisations the staff user manages: request
types with their questions, requests, their response clocks (read only: the clocks keep
them) and ratings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from opsboard.tenancy.admin import OrganizationScopedAdmin, ScopedInline

from .models import Rating, Request, RequestField, RequestType, ResponseClock
from .services import RequestTypeInput, request_type_check


class RequestFieldInline(ScopedInline):
    model = RequestField
    fields = ["position", "label", "kind", "required", "choices", "help_text"]


class RequestTypeAdminForm(forms.ModelForm):
    """A type as the admin edits it, held to the rules the pages keep (its board a board of
    a project its team takes part in, in the type's organisation; its column that board's)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        names = ["organization", "team", "board", "column"]
        if all(cleaned.get(name) is not None for name in names) and not self.errors:
            data = RequestTypeInput(
                **{
                    name: cleaned.get(name)
                    for name in RequestTypeInput.__dataclass_fields__
                    if name in cleaned
                }
            )
            request_type_check(cleaned["organization"].pk, data, exclude_pk=self.instance.pk)
        return cleaned


@admin.register(RequestType)
class RequestTypeAdmin(OrganizationScopedAdmin):
    form = RequestTypeAdminForm
    list_display = ["name", "team", "board", "column", "priority", "accepting", "position"]
    list_filter = ["accepting", ("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "team__name"]
    list_select_related = ["team", "board", "column"]
    autocomplete_fields = ["responsible", "accountable"]
    raw_id_fields = ["board", "column"]
    inlines = [RequestFieldInline]


class ClockInline(admin.TabularInline):
    model = ResponseClock
    extra = 0
    can_delete = False
    fields = ["kind", "target_minutes", "started_at", "due_at", "stopped_at", "on_time"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Request)
class RequestAdmin(OrganizationScopedAdmin):
    list_display = ["__str__", "request_type", "team", "requester", "state", "submitted_at"]
    list_filter = ["state", ("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["card__title", "requester__email", "requester__full_name"]
    list_select_related = ["card", "request_type", "team", "requester"]
    # Read only: a request's state follows its card and its requester (intake.services).
    fields = [
        "card",
        "request_type",
        "team",
        "requester",
        "answers",
        "state",
        "submitted_at",
        "waiting_since",
        "done_at",
        "closed_at",
        "reopened",
    ]
    readonly_fields = fields
    inlines = [ClockInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a request is sent from its form, which makes its card


@admin.register(ResponseClock)
class ResponseClockAdmin(OrganizationScopedAdmin):
    organization_path = "request__organization"
    list_display = ["request", "kind", "target_minutes", "due_at", "breached_at", "on_time"]
    list_filter = ["kind", "on_time"]
    list_select_related = ["request__card"]
    search_fields = ["request__card__title"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(OrganizationScopedAdmin):
    organization_path = "request__organization"
    list_display = ["request", "score", "rated_by", "rated_at"]
    list_filter = ["score"]
    list_select_related = ["request__card", "rated_by"]
    search_fields = ["request__card__title", "comment"]
    readonly_fields = ["request", "rated_by", "score", "comment", "rated_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the requester rates on the request's page
