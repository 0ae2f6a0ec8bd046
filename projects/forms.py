from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsboard.accounts.models import User, timezone_choices
from opsboard.notify.chat import mask
from opsboard.notify.forms import WEEKDAY_CHOICES
from opsboard.tenancy.calendar import region_choices
from opsboard.tenancy.day_lists import parse_day_list
from opsboard.tenancy.models import IdentityProvider, Membership, Organization, Role, Team

from .models import CLOSED_GOAL_STATES, Direction, Goal, GoalState, ProjectStatus, Unit


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
            "two_factor_for_managers",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = timezone_choices()
        if self.instance.pk:
            # The short name is part of every address; it does not change.
            del self.fields["slug"]


class HttpsURLField(forms.URLField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(assume_scheme="https", **kwargs)


class IdentityProviderForm(forms.ModelForm):
    """An OpenID Connect provider. Its client secret is never shown back: blank keeps it."""

    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )

    class Meta:
        model = IdentityProvider
        # An issuer typed without a scheme is an https address (as Django 6 will assume).
        field_classes = {"server_url": HttpsURLField}
        fields = [
            "name",
            "server_url",
            "client_id",
            "client_secret",
            "email_domains",
            "tenant_claim",
            "tenant_id",
            "default_role",
            "default_team",
            "allow_joining",
            "active",
        ]

    def __init__(self, *args: Any, organization: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organization is not None:
            self.instance.organization = organization
            self.fields["default_team"].queryset = Team.objects.filter(organization=organization)
        self.initial["client_secret"] = ""
        if self.instance.pk:
            self.fields["client_secret"].help_text = _(
                "Now %(secret)s. Leave blank to keep it."
            ) % {"secret": mask(self.instance.client_secret)}
        else:
            self.fields["client_secret"].required = True

    def _post_clean(self) -> None:
        # A blank secret on a change keeps the stored one (the service applies it).
        if self.instance.pk and not self.cleaned_data.get("client_secret"):
            self.cleaned_data["client_secret"] = self.instance.client_secret
        super()._post_clean()


class SingleSignOnRequiredForm(forms.Form):
    single_sign_on_required = forms.BooleanField(
        label=_("Members sign in only through single sign-on"),
        required=False,
        help_text=_(
            "Members sign in through one of the providers above, not with a password."
            " Owners keep their password as a way back in."
        ),
    )


class WorkingCalendarForm(forms.Form):
    working_weekdays = forms.TypedMultipleChoiceField(
        label=_("Working days of the week"),
        coerce=int,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one working day of the week.")},
    )
    work_starts = forms.TimeField(
        label=_("Working hours start"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    work_ends = forms.TimeField(
        label=_("Working hours end"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    holiday_region = forms.ChoiceField(
        label=_("Public holidays of"),
        help_text=_(
            "Mainland China's public holidays and make-up working days (调休) come from the"
            " schedule the State Council announces each year."
        ),
    )
    reminders_count_working_days = forms.BooleanField(
        label=_("Count reminder lead days in working days"),
        required=False,
        help_text=_(
            "Three days before a due date then means three working days, and no reminders"
            " are sent on public holidays and company days off."
        ),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "working_weekdays": sorted(organization.working_weekday_set()),
                "work_starts": organization.work_starts,
                "work_ends": organization.work_ends,
                "holiday_region": organization.holiday_region,
                "reminders_count_working_days": organization.reminders_count_working_days,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["holiday_region"].choices = region_choices()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts, ends = cleaned.get("work_starts"), cleaned.get("work_ends")
        if starts and ends and ends <= starts:
            self.add_error("work_ends", _("Working hours must end after they start."))
        return cleaned


class CompanyDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    working = forms.TypedChoiceField(
        label=_("The day is"),
        coerce=lambda value: value == "working",
        choices=[("off", _("A company day off")), ("working", _("An extra working day"))],
        initial="off",
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CompanyDayListForm(forms.Form):
    """A year's announced days pasted or uploaded as a list (opsboard.tenancy.day_lists)."""

    MAX_FILE_BYTES = 64 * 1024

    days = forms.CharField(
        label=_("Days"),
        required=False,
        max_length=20_000,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "placeholder": _(
                    "2027-02-06 .. 2027-02-12, off, Spring Festival\n"
                    "2027-02-14, working, Spring Festival make-up day"
                ),
            }
        ),
        help_text=_(
            "One line per day or run of days: the date (YYYY-MM-DD, or two joined by ..),"
            " off or working, and the reason. Days already set apart are replaced."
        ),
    )
    file = forms.FileField(
        label=_("Or a file"),
        required=False,
        help_text=_("A text or CSV file of such lines, at most 64 KB."),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        content = upload.read(self.MAX_FILE_BYTES + 1)
        if len(content) > self.MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 64 KB."))
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("The file is not text (UTF-8 or GB18030)."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text = cleaned.get("file") or cleaned.get("days") or ""
        if not text.strip():
            raise forms.ValidationError(_("Paste the days or choose a file."))
        try:
            cleaned["listed"] = parse_day_list(text)
        except forms.ValidationError as error:
            self.add_error("file" if cleaned.get("file") else "days", error)
        return cleaned


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
