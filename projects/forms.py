from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsboard.accounts.models import User, timezone_choices
from opsboard.notify.chat import validate_webhook_url
from opsboard.notify.forms import HOUR_CHOICES
from opsboard.notify.models import ChatWebhook

from .models import (
    CLOSED_GOAL_STATES,
    Direction,
    Goal,
    GoalState,
    Membership,
    Organization,
    ProjectStatus,
    Role,
    Team,
    Unit,
)


class OrganizationForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"))

    class Meta:
        model = Organization
        fields = [
            "name",
            "slug",
            "timezone",
            "language",
            "reminder_lead_days",
            "reminder_hour",
            "digest_weekday",
            "retrospective_working_day",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = timezone_choices()
        if self.instance.pk:
            # The short name is part of every address; it does not change.
            del self.fields["slug"]


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead = forms.ModelChoiceField(
        label=_("Team lead"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = User.objects.filter(
            memberships__organization=organization
        ).order_by("full_name", "email")


def role_choices_for(actor: Membership) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Role.choices if actor.can_assign_role(value)]


class TeamsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    teams = TeamsField(label=_("Teams"), queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices_for(actor)
        self.fields["teams"].queryset = Team.objects.filter(organization=actor.organization)


class InvitationForm(MemberForm):
    email = forms.EmailField(label=_("Email address"))
    field_order = ["email", "role", "teams"]

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["role"].initial = Role.MEMBER


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def members_of(organization: Organization) -> Any:
    return User.objects.filter(memberships__organization=organization).order_by(
        "full_name", "email"
    )


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    teams = TeamsField(label=_("Participating teams"), queryset=Team.objects.none())
    owner = forms.ModelChoiceField(
        label=pgettext_lazy("owner of a project, goal or action", "Owner"),
        queryset=User.objects.none(),
        required=False,
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"), choices=ProjectStatus.choices, initial=ProjectStatus.PLANNED
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.filter(organization=organization).order_by(
            "name"
        )
        self.fields["owner"].queryset = members_of(organization)


class GoalForm(forms.Form):
    """A goal, laid out by SMART criterion."""

    # Specific
    title = forms.CharField(label=_("Title"), max_length=200)
    statement = forms.CharField(
        label=_("What changes, for whom"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. Fewer paying customers leave us each month."),
    )
    # Measurable
    metric_name = forms.CharField(
        label=_("Metric"), max_length=120, required=False, help_text=_("e.g. Monthly churn rate")
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.PERCENT)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.INCREASE
    )
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=18, decimal_places=4)
    target = forms.DecimalField(
        label=_("Target"),
        max_digits=18,
        decimal_places=4,
        help_text=_("For a range, its lower end."),
    )
    target_high = forms.DecimalField(
        label=_("Upper end of the range"), max_digits=18, decimal_places=4, required=False
    )
    decimals = forms.IntegerField(label=_("Decimals shown"), min_value=0, max_value=4, initial=0)
    # Achievable
    confidence = forms.TypedChoiceField(
        label=_("Confidence"),
        choices=[("", _("Not said")), *[(n, f"{n} / 5") for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    resources_note = forms.CharField(
        label=_("Resources and constraints"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # Relevant
    parent = forms.ModelChoiceField(
        label=_("Serves the objective"), queryset=Goal.objects.none(), required=False
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    owner = forms.ModelChoiceField(
        label=pgettext_lazy("owner of a project, goal or action", "Owner"),
        queryset=User.objects.none(),
        required=False,
    )
    # Time-bound
    start_date = forms.DateField(label=_("Start date"), widget=DateInput(), required=False)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput(), required=False)

    SECTIONS = [
        (_("Specific"), ["title", "statement"]),
        (
            _("Measurable"),
            ["metric_name", "unit", "direction", "baseline", "target", "target_high", "decimals"],
        ),
        (_("Achievable"), ["confidence", "resources_note"]),
        (_("Relevant"), ["parent", "team", "owner"]),
        (_("Time-bound"), ["start_date", "due_date"]),
    ]

    def __init__(
        self, *args: Any, organization: Organization, goal: Goal | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # A goal may serve any goal of the organisation but a dropped one and itself.
        parents = (
            Goal.objects.filter(organization=organization)
            .exclude(state=GoalState.DROPPED)
            .select_related("project")
        )
        if goal is not None and goal.pk:
            parents = parents.exclude(pk=goal.pk)
        self.fields["parent"].queryset = parents.order_by("project__name", "title")
        self.fields["parent"].label_from_instance = (
            lambda g: f"{g.project.name} · {g.title}" if g.project_id else g.title
        )
        self.fields["team"].queryset = Team.objects.filter(organization=organization).order_by(
            "name"
        )
        self.fields["owner"].queryset = members_of(organization)

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    @classmethod
    def initial_from(cls, goal: Goal) -> dict[str, Any]:
        return {name: getattr(goal, name) for name in cls.base_fields}


class CheckInForm(forms.Form):
    value = forms.DecimalField(label=_("Value"), max_digits=18, decimal_places=4)
    checked_on = forms.DateField(label=_("Date"), widget=DateInput())
    confidence = forms.TypedChoiceField(
        label=_("Confidence"),
        choices=[("", _("Not said")), *[(n, f"{n} / 5") for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseGoalForm(forms.Form):
    state = forms.ChoiceField(
        label=_("How did it end?"), choices=[(s.value, s.label) for s in CLOSED_GOAL_STATES]
    )
    note = forms.CharField(label=_("Closing note"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The goal page also shows the check-in form, whose note is id_note.
        kwargs.setdefault("auto_id", "id_close_%s")
        super().__init__(*args, **kwargs)


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
            self.initial["team"] = self.instance.team_id
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

    def save(self, commit: bool = True) -> ChatWebhook:
        team = self.cleaned_data["team"]
        self.instance.team_id = team.pk if team else None
        return super().save(commit=commit)
