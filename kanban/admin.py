from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from opsboard.tenancy.admin import OrganizationScopedAdmin, ScopedInline, managed_organization_ids

from . import services
from .models import Attachment, Board, Card, ChecklistItem, Column, Comment, Label


class ColumnInline(ScopedInline):
    model = Column
    fields = ["name", "kind", "wip_limit", "wip_hard", "position", "archived_at"]
    ordering = ["position"]


class LabelInline(ScopedInline):
    model = Label
    fields = ["name", "builtin", "color"]


@admin.register(Board)
class BoardAdmin(OrganizationScopedAdmin):
    list_display = ["name", "project", "organization", "revision", "archived_at"]
    list_filter = [
        ("organization", admin.RelatedOnlyFieldListFilter),
        ("project", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "project__name"]
    list_select_related = ["project", "organization"]
    readonly_fields = ["revision"]
    inlines = [ColumnInline, LabelInline]

    def save_model(self, request: HttpRequest, obj: Board, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # The board's lock first (kanban.services), and open boards fetch the whole board
        # (its columns and labels, saved next, included). The revisions are the lock's
        # alone: only what the person changed is written.
        services.board_touched(obj, layout=True)
        obj.save(update_fields=form.changed_data)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "project" and not request.user.is_superuser:
            kwargs["queryset"] = db_field.related_model.objects.filter(
                organization__in=managed_organization_ids(request)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ChecklistInline(ScopedInline):
    model = ChecklistItem
    fields = ["text", "done", "position"]


class CommentInline(ScopedInline):
    model = Comment
    fields = ["author", "body"]
    autocomplete_fields = ["author"]


class AttachmentInline(ScopedInline):
    """The card's files, to read and remove (their file leaves storage on commit:
    kanban.signals). They are added on the card page, where their rules are checked; the
    file itself is downloaded there, never from a storage address."""

    model = Attachment
    fields = ["name", "content_type", "size", "comment", "uploaded_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Card)
class CardAdmin(OrganizationScopedAdmin):
    organization_path = "board__organization"
    list_display = [
        "title",
        "board",
        "column",
        "assignee",
        "team",
        "due_date",
        "priority",
        "blocked",
        "done_at",
        "archived_at",
    ]
    list_filter = [
        "blocked",
        "priority",
        "column__kind",
        ("board", admin.RelatedOnlyFieldListFilter),
        ("team", admin.RelatedOnlyFieldListFilter),
        ("assignee", admin.RelatedOnlyFieldListFilter),
        ("archived_at", admin.EmptyFieldListFilter),
    ]
    search_fields = [
        "title",
        "description",
        "blocked_reason",
        "assignee__email",
        "assignee__full_name",
    ]
    list_select_related = ["board", "column", "assignee", "team"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["assignee"]
    readonly_fields = ["board", "column", "started_at", "done_at", "blocked_at", "created_by"]
    fields = [
        "board",
        "column",
        "title",
        "description",
        "assignee",
        "team",
        "goal",
        "due_date",
        "priority",
        "labels",
        "blocked",
        "blocked_reason",
        "blocked_at",
        "started_at",
        "done_at",
        "created_by",
        "archived_at",
    ]
    filter_horizontal = ["labels"]
    inlines = [ChecklistInline, CommentInline, AttachmentInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Cards are made on the board, where their column, rank and history are kept right.
        return False

    def save_model(self, request: HttpRequest, obj: Card, form: Any, change: bool) -> None:
        # The board's lock first, as every change to a board takes it (kanban.services),
        # and open boards catch up on the card (its labels, checklist and comments, saved
        # next, included). Only what the person changed is written: a card moved while the
        # page was sent stays where it was moved.
        obj.revision = services.board_touched(obj.board_id)
        changed = [f for f in form.changed_data if not Card._meta.get_field(f).many_to_many]
        obj.save(update_fields=[*changed, "revision", "updated_at"])

    def delete_model(self, request: HttpRequest, obj: Card) -> None:
        # A card that is no more cannot be named as removed: the whole board, again.
        services.board_touched(obj.board_id, layout=True)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # Several boards' locks in one order, so two such deletions queue.
        for board_id in sorted(set(queryset.values_list("board_id", flat=True))):
            services.board_touched(board_id, layout=True)
        super().delete_queryset(request, queryset)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "goal" and not request.user.is_superuser:
            kwargs["queryset"] = db_field.related_model.objects.filter(
                organization__in=managed_organization_ids(request)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "labels" and not request.user.is_superuser:
            kwargs["queryset"] = Label.objects.filter(
                board__organization__in=managed_organization_ids(request)
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
