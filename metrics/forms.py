from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from intake.models import RequestType
from kanban.models import Board
from opsboard.accounts.models import User
from opsboard.tenancy.models import Organization, Team
from projects.forms import DateInput, members_of
from projects.models import Goal, Project

from .models import Kpi


class KpiForm(forms.ModelForm):
    """The KPI's fields, checked by the model (``Kpi.clean``); saved through
    ``services.kpi_create`` and ``kpi_update``, never by ``save()``."""

    class Meta:
        model = Kpi
        fields = [
            "name",
            "description",
            "source",
            "unit",
            "direction",
            "decimals",
            "target",
            "amber_threshold",
            "red_threshold",
            "frequency",
            "team",
            "project",
            "goal",
            "request_type",
            "position",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        self.fields["team"].queryset = Team.objects.filter(organization=organization).order_by(
            "name"
        )
        self.fields["project"].queryset = Project.objects.filter(
            organization=organization
        ).order_by("name")
        self.fields["goal"].queryset = Goal.objects.filter(organization=organization).order_by(
            "title"
        )
        self.fields["team"].help_text = _(
            "Leave team, project and goal empty for the whole organisation."
        )
        self.fields["request_type"].queryset = (
            RequestType.objects.filter(organization=organization)
            .select_related("team")
            .order_by("team__name", "name")
        )
        self.fields["request_type"].label_from_instance = lambda kind: (
            f"{kind.team.name} · {kind.name}"
        )
        self.fields["request_type"].help_text = _(
            "For a KPI of requests: count this type's requests alone."
        )


class MeasurementForm(forms.Form):
    period = forms.DateField(label=_("Period starting"), widget=DateInput())
    value = forms.DecimalField(label=_("Value"), max_digits=18, decimal_places=4)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DashboardPeriodForm(forms.Form):
    """The period the dashboard shows; the KPIs it shows are metrics.filters.KpiFilter's."""

    day = forms.DateField(
        label=_("Period containing"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: this week or month."),
    )


class RetrospectiveForm(forms.Form):
    highlights = forms.CharField(
        label=_("Our highlights"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What went well this month, in the team's words. One point a line."),
    )
    problems = forms.CharField(
        label=_("Our problems"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What got in the way, and why. One point a line."),
    )


class RetrospectiveActionForm(forms.Form):
    title = forms.CharField(label=_("Improvement action"), max_length=200)
    owner = forms.ModelChoiceField(
        label=pgettext_lazy("owner of a project, goal or action", "Owner"),
        queryset=User.objects.none(),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    # Only for a team's retrospective; the service says when none is chosen or there is none.
    board = forms.ModelChoiceField(
        label=_("Board"),
        queryset=Board.objects.none(),
        required=False,
        help_text=_("The board of one of the team's projects that gets the action's card."),
    )

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        boards: QuerySet[Board] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(organization)
        if boards is None:
            del self.fields["board"]
        else:
            self.fields["board"].queryset = boards
            self.fields["board"].label_from_instance = lambda b: f"{b.project.name} / {b.name}"
