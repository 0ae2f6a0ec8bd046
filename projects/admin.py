"""The admin panel for ops managers: projects, goals and their check-ins.

Scoped as the tenancy's admin is (``OrganizationScopedAdmin``): a staff user
who owns or manages organisations sees and edits only their records;
superusers see everything.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Model, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from opsboard.notify.models import ChatWebhook, Notification, Preference
from opsboard.notify.services import notifications_resend
from opsboard.tenancy.admin import OrganizationScopedAdmin, ScopedInline, managed_organization_ids
from opsboard.tenancy.models import Organization, Team

from .forms import ChatWebhookForm
from .models import CheckIn, Goal, Project


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


@admin.register(Notification)
class NotificationAdmin(OrganizationScopedAdmin):
    """The notification ledger, for ops managers: what was sent, what failed and why."""

    organization_path = "organization_id"
    list_display = [
        "title",
        "recipient",
        "webhook",
        "kind",
        "channel",
        "status",
        "attempts",
        "period",
        "created_at",
        "sent_at",
    ]
    list_filter = [
        "kind",
        "status",
        "channel",
        ("recipient", admin.RelatedOnlyFieldListFilter),
        ("webhook", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "recipient__email", "recipient__full_name", "webhook__name", "error"]
    list_select_related = ["recipient", "webhook"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description=_("Send the selected failed notifications again"))
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        failed = notifications_resend(notification_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request, _("%(count)s notifications queued again.") % {"count": len(failed)}
        )


class ChatWebhookAdminForm(ChatWebhookForm):
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    # The organisations the staff user manages; set per request by the admin.
    organizations: QuerySet[Organization] = Organization.objects.none()

    class Meta(ChatWebhookForm.Meta):
        fields = ["organization", *ChatWebhookForm.Meta.fields]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        teams = Team.objects.filter(organization__in=self.organizations).order_by("name")
        super().__init__(*args, teams=teams, whole_organization=True, **kwargs)
        self.fields["organization"].queryset = self.organizations
        if self.instance.pk:
            self.initial["organization"] = self.instance.organization_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        team, organization = cleaned.get("team"), cleaned.get("organization")
        if team and organization and team.organization_id != organization.pk:
            self.add_error("team", _("This team belongs to another organisation."))
        return cleaned

    def save(self, commit: bool = True) -> ChatWebhook:
        self.instance.organization_id = self.cleaned_data["organization"].pk
        return super().save(commit=commit)


@admin.register(ChatWebhook)
class ChatWebhookAdmin(OrganizationScopedAdmin):
    """Chat groups' webhooks; addresses and secrets are shown masked, never in full."""

    organization_path = "organization_id"
    form = ChatWebhookAdminForm
    list_display = [
        "name",
        "organization_name",
        "team_name",
        "provider",
        "masked_url",
        "hour",
        "active",
    ]
    list_filter = ["provider", "active"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ChatWebhook]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                organization_name=Subquery(
                    Organization.objects.filter(pk=OuterRef("organization_id")).values("name")
                ),
                team_name=Subquery(Team.objects.filter(pk=OuterRef("team_id")).values("name")),
            )
        )

    def get_form(self, request: HttpRequest, obj: Model | None = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        form.organizations = (
            Organization.objects.all()
            if request.user.is_superuser
            else Organization.objects.filter(pk__in=managed_organization_ids(request))
        )
        return form

    @admin.display(description=_("organisation"), ordering="organization_name")
    def organization_name(self, webhook: ChatWebhook) -> str:
        return webhook.organization_name

    @admin.display(description=_("posts for"), ordering="team_name")
    def team_name(self, webhook: ChatWebhook) -> str:
        return webhook.team_name or _("The whole organisation")

    @admin.display(description=_("webhook address"))
    def masked_url(self, webhook: ChatWebhook) -> str:
        return webhook.masked_url


@admin.register(Preference)
class PreferenceAdmin(OrganizationScopedAdmin):
    """People's notification settings, the weekly digest subscription among them."""

    organization_path = "user__memberships__organization"
    list_display = [
        "user",
        "weekly_digest",
        "email",
        "reminder_hour",
        "lead_days",
        "quiet_weekdays",
    ]
    list_filter = ["weekly_digest", "email"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Preference]:
        return super().get_queryset(request).distinct()
