from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Preference

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

    class Meta:
        model = Preference
        fields = ["email", "reminder_hour", "lead_days", "quiet_weekdays", "weekly_digest"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["lead_days"] = self.instance.lead_day_list() or []
            self.initial["quiet_weekdays"] = sorted(self.instance.quiet_day_set())

    def clean_quiet_weekdays(self) -> str:
        days = self.cleaned_data["quiet_weekdays"]
        if len(set(days)) == len(WEEKDAY_CHOICES):
            raise forms.ValidationError(_("Leave at least one day for reminders."))
        return ",".join(str(day) for day in sorted(set(days)))

    def clean_lead_days(self) -> str:
        return ",".join(str(day) for day in sorted(set(self.cleaned_data["lead_days"])))
