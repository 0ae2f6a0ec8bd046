"""Notifications, chat groups and people's notification settings in the admin, scoped
to the organisations a staff user manages; the worker's schedules for superusers only.

The schedules (django-celery-beat) are global: one organisation's ops manager
who could edit them would stop or move every organisation's reminders, digests
and retrospectives. What an organisation may tune (its reminder hour, digest
day, retrospective day) is on its own settings page; the jobs read it there.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import F, Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from opsboard.tenancy.admin import OrganizationScopedAdmin, managed_organization_ids
from opsboard.tenancy.models import Organization, Team

from .forms import ChatWebhookForm, ConnectedAppForm
from .models import ChatWebhook, ConnectedApp, DirectIdentity, Notification, Preference
from .services import notifications_resend
from .tasks import look_up_people


class SuperusersOnly:
    """Whatever permissions a staff user was given, only a superuser sees or changes these."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: object) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)


for model, model_admin in [
    (PeriodicTask, beat_admin.PeriodicTaskAdmin),
    (ClockedSchedule, beat_admin.ClockedScheduleAdmin),
    (CrontabSchedule, beat_admin.CrontabScheduleAdmin),
    (SolarSchedule, beat_admin.SolarScheduleAdmin),
    (IntervalSchedule, beat_admin.IntervalScheduleAdmin),
]:
    admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (SuperusersOnly, model_admin), {}))


@admin.register(Notification)
class NotificationAdmin(OrganizationScopedAdmin):
    """The notification ledger, for ops managers: what was sent, what failed and why."""

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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        team, organization = cleaned.get("team"), cleaned.get("organization")
        if team and organization and team.organization_id != organization.pk:
            self.add_error("team", _("This team belongs to another organisation."))
        return cleaned


@admin.register(ChatWebhook)
class ChatWebhookAdmin(OrganizationScopedAdmin):
    """Chat groups' webhooks; addresses and secrets are shown masked, never in full."""

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
            .annotate(organization_name=F("organization__name"), team_name=F("team__name"))
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


class ConnectedAppAdminForm(ConnectedAppForm):
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    # The organisations the staff user manages; set per request by the admin.
    organizations: QuerySet[Organization] = Organization.objects.none()

    class Meta(ConnectedAppForm.Meta):
        fields = ["organization", *ConnectedAppForm.Meta.fields]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = self.organizations


@admin.register(ConnectedApp)
class ConnectedAppAdmin(OrganizationScopedAdmin):
    """Connected apps; secrets are shown masked, never in full."""

    form = ConnectedAppAdminForm
    list_display = ["service", "organization", "app_id", "corp_id", "masked_secret", "active"]
    list_filter = ["service", "active"]
    list_select_related = ["organization"]

    def get_form(self, request: HttpRequest, obj: Model | None = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        form.organizations = (
            Organization.objects.all()
            if request.user.is_superuser
            else Organization.objects.filter(pk__in=managed_organization_ids(request))
        )
        return form

    def save_model(self, request: HttpRequest, obj: ConnectedApp, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        look_up_people.delay_on_commit(obj.pk)

    @admin.display(description=_("app secret"))
    def masked_secret(self, app: ConnectedApp) -> str:
        return app.masked_secret


@admin.register(DirectIdentity)
class DirectIdentityAdmin(OrganizationScopedAdmin):
    """Who people are in the connected apps, as the apps answered."""

    organization_path = "app__organization"
    list_display = ["user", "app", "external_id", "learned_by", "looked_up_at"]
    list_filter = ["learned_by", "app__service"]
    search_fields = ["user__email", "user__full_name", "external_id"]
    list_select_related = ["user", "app"]
    readonly_fields = ["app", "user", "external_id", "learned_by", "looked_up_at"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


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
        "activity_email",
        "direct_message",
    ]
    list_filter = ["weekly_digest", "email", "direct_message", "activity_email"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Preference]:
        return super().get_queryset(request).distinct()
