from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsboard.tenancy.models import Team

from .chat import validate_webhook_url
from .direct import DirectService
from .models import ActivityEmail, ChatWebhook, ConnectedApp, Preference

LEAD_DAY_CHOICES = [
    (0, _("On the day")),
    (1, _("1 day before")),
    (2, _("2 days before")),
    (3, _("3 days before")),
    (5, _("5 days before")),
    (7, _("7 days before")),
]
WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]

HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]


def _ticks(label: str, choices: list, help_text: str) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=label,
        coerce=int,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class PreferenceForm(forms.ModelForm):
    """Lead days and quiet days as checkboxes, stored as the model's short lists."""

    reminder_hour = forms.TypedChoiceField(
        label=_("Reminder hour"),
        coerce=int,
        choices=[("", _("The organisation's hour")), *HOUR_CHOICES],
        required=False,
        empty_value=None,
        help_text=_("In your own time zone."),
    )
    lead_days = _ticks(
        _("Remind me"), LEAD_DAY_CHOICES, _("None ticked: the organisation's setting.")
    )
    quiet_weekdays = _ticks(_("Quiet days"), WEEKDAY_CHOICES, _("No reminders on these days."))
    weekly_digest = forms.NullBooleanField(
        label=_("Weekly KPI digest"),
        widget=forms.Select(
            choices=[
                ("unknown", _("As my role: yes for team leads, ops managers and owners")),
                ("true", _("Yes, on the organisation's digest day, at my reminder hour")),
                ("false", pgettext_lazy("weekly digest subscription", "No")),
            ]
        ),
        required=False,
    )

    activity_email = forms.ChoiceField(
        label=_("Activity on cards I follow"),
        choices=ActivityEmail.choices,
        required=False,
        help_text=_(
            "By email and by direct message, as you take them; in your notifications at once "
            "either way. Mentions come at once."
        ),
    )

    class Meta:
        model = Preference
        fields = [
            "email",
            "direct_message",
            "reminder_hour",
            "lead_days",
            "quiet_weekdays",
            "weekly_digest",
            "activity_email",
        ]

    def __init__(self, *args: Any, direct_through: str = "", **kwargs: Any) -> None:
        """``direct_through``: the connected apps that know the person ("Feishu / Lark"),
        else "" and no direct messages are offered."""
        super().__init__(*args, **kwargs)
        if direct_through:
            self.fields["direct_message"].label = _("By direct message in %(apps)s") % {
                "apps": direct_through
            }
            self.fields["direct_message"].help_text = _(
                "Reminders, escalations and mentions at once; activity on cards you follow at "
                "the pace you choose below. With email too, you get both."
            )
        else:
            del self.fields["direct_message"]
        if not self.is_bound:
            self.initial["lead_days"] = self.instance.lead_day_list() or []
            self.initial["quiet_weekdays"] = sorted(self.instance.quiet_day_set())

    def clean_quiet_weekdays(self) -> str:
        days = self.cleaned_data["quiet_weekdays"]
        if len(set(days)) == len(WEEKDAY_CHOICES):
            raise forms.ValidationError(_("Leave at least one day for reminders."))
        return ",".join(str(day) for day in sorted(set(days)))

    def clean_activity_email(self) -> str:
        # Not sent (an older form, a script): as it was.
        return self.cleaned_data["activity_email"] or self.instance.activity_email

    def clean_lead_days(self) -> str:
        return ",".join(str(day) for day in sorted(set(self.cleaned_data["lead_days"])))


class ChatWebhookForm(forms.ModelForm):
    """A chat group's webhook. Its address and secret are never shown back: blank keeps them."""

    team = forms.ModelChoiceField(
        label=_("Posts for"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("The whole organisation"),
    )
    hour = forms.TypedChoiceField(
        label=_("Posting hour"),
        coerce=int,
        choices=HOUR_CHOICES,
        initial=9,
        help_text=_("In the organisation's time zone."),
    )
    url = forms.CharField(label=_("Webhook address"), max_length=500, required=False)
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Feishu/Lark and DingTalk: the secret shown when you turned on signing."),
    )

    class Meta:
        model = ChatWebhook
        fields = ["name", "team", "provider", "url", "secret", "hour", "active"]

    def __init__(
        self, *args: Any, teams: QuerySet[Team], whole_organization: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        if not whole_organization:  # a team lead sets up their own teams' groups
            self.fields["team"].required = True
            self.fields["team"].empty_label = None
        if self.instance.pk:
            self.initial["url"] = ""
            self.fields["url"].help_text = _("Now %(url)s. Leave blank to keep it.") % {
                "url": self.instance.masked_url
            }
            if self.instance.secret:
                self.fields["secret"].help_text = _("Now %(secret)s. Leave blank to keep it.") % {
                    "secret": self.instance.masked_secret
                }
        else:
            self.fields["url"].required = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Blank keeps what is stored (the model is filled in from these next).
        cleaned["url"] = (cleaned.get("url") or "").strip() or self.instance.url
        cleaned["secret"] = cleaned.get("secret") or self.instance.secret
        provider = cleaned.get("provider")
        if provider and cleaned["url"]:
            try:
                validate_webhook_url(provider, cleaned["url"])
            except forms.ValidationError as error:
                self.add_error("url", error)
        return cleaned


class ConnectedAppForm(forms.ModelForm):
    """An organisation's Feishu, DingTalk or WeCom app. Its secret is never shown back:
    blank keeps it."""

    app_secret = forms.CharField(
        label=_("App secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Feishu/Lark: App Secret; DingTalk: AppSecret; WeCom: the app's Secret."),
    )

    class Meta:
        model = ConnectedApp
        fields = [
            "service",
            "app_id",
            "app_secret",
            "corp_id",
            "agent_id",
            "active",
            "sign_in",
            "email_domains",
            "default_role",
            "default_team",
            "allow_joining",
        ]
        help_texts = {
            "app_id": _("Feishu/Lark: App ID (cli_…); DingTalk: AppKey. Not for WeCom."),
            "corp_id": _("WeCom only: the organisation's corp ID (ww…)."),
            "agent_id": _("DingTalk and WeCom: the app's AgentId."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only for signing in: an app that only sends messages leaves it as it is.
        self.fields["default_role"].required = False
        if self.instance.organization_id and "default_team" in self.fields:
            self.fields["default_team"].queryset = Team.objects.filter(
                organization_id=self.instance.organization_id
            )
        if self.instance.pk:
            self.fields["sign_in"].help_text = _(
                "A sign-in button for the app on the organisation's sign-in page. Enter"
                " %(address)s as the app's sign-in (redirect) address."
            ) % {
                "address": settings.SITE_URL.rstrip("/")
                + reverse("chat_sign_in_callback", args=[self.instance.provider_id])
            }
        if self.instance.pk and self.instance.app_secret:
            self.fields["app_secret"].help_text = _("Now %(secret)s. Leave blank to keep it.") % {
                "secret": self.instance.masked_secret
            }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["app_secret"] = (cleaned.get("app_secret") or "").strip() or (
            self.instance.app_secret
        )
        for name in ("app_id", "corp_id", "agent_id"):
            cleaned[name] = (cleaned.get(name) or "").strip()
        cleaned["default_role"] = cleaned.get("default_role") or self.instance.default_role
        service = cleaned.get("service")
        required = {
            DirectService.FEISHU: ["app_id", "app_secret"],
            DirectService.DINGTALK: ["app_id", "app_secret", "agent_id"],
            DirectService.WECOM: ["corp_id", "app_secret", "agent_id"],
        }.get(service, [])
        for name in required:
            if not cleaned.get(name):
                self.add_error(
                    name,
                    _("%(service)s needs this.") % {"service": DirectService(service).label},
                )
        if cleaned.get("agent_id") and not cleaned["agent_id"].isdigit():
            self.add_error("agent_id", _("An agent ID is a number."))
        return cleaned

    def validate_unique(self) -> None:
        # The organisation is set by the service, not the form: check its one app per service here.
        organization_id = self.instance.organization_id
        service = self.cleaned_data.get("service")
        taken = (
            ConnectedApp.objects.filter(organization_id=organization_id, service=service)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if organization_id and taken:
            self.add_error(
                "service",
                _("The organisation has connected a %(service)s app already.")
                % {"service": DirectService(service).label},
            )
