from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kanban.models import Column
from opsboard.tenancy.models import Team
from projects.models import Goal, Project

from .models import RaciPolicy, RaciRole


class MatrixFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    column = forms.ModelChoiceField(
        label=_("Column"),
        queryset=Column.objects.none(),
        required=False,
        empty_label=_("All columns"),
    )
    goal = forms.ModelChoiceField(
        label=_("Goal"), queryset=Goal.objects.none(), required=False, empty_label=_("Any goal")
    )
    group_by = forms.ChoiceField(
        label=_("Group by"), required=False, choices=[("column", _("Column")), ("goal", _("Goal"))]
    )
    problems = forms.BooleanField(label=_("Only rows with problems"), required=False)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = project.teams.order_by("name")
        self.fields["column"].queryset = (
            Column.objects.open().filter(board__project=project).order_by("board", "position")
        )
        self.fields["goal"].queryset = Goal.objects.filter(project=project).order_by("title")


class CellForm(forms.Form):
    """A click on a cell: ``holder`` is "user:<id>" or "team:<id>"; no ``role`` means the next one."""

    holder = forms.RegexField(regex=r"^(user|team):\d+$")
    role = forms.ChoiceField(choices=[("", "—"), *RaciRole.choices], required=False)


class BulkForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    bulk_role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("No role")), *RaciRole.choices], required=False
    )
    cards = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args: Any, project: Project, card_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = project.teams.order_by("name")
        self.fields["cards"].choices = [(pk, pk) for pk in card_ids]


class PolicyForm(forms.ModelForm):
    class Meta:
        model = RaciPolicy
        fields = [
            "consulted_limit",
            "accountable_limit",
            "overdue_repeat_days",
            "blocked_alert_days",
        ]
