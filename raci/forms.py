from __future__ import annotations

from functools import cache
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kanban.models import Column
from opsboard.tenancy.models import Team
from projects.models import Goal, Project

from .models import RaciPolicy, RaciRole


class MatrixFilterForm(forms.Form):
    """The matrix's filters. The choices are (id, name) pairs: the teams are the project's,
    read already, and a ModelChoiceField would read each list again, through a
    server-side cursor (three round trips a list on PostgreSQL)."""

    team = forms.TypedChoiceField(label=_("Team"), coerce=int, empty_value=None, required=False)
    column = forms.TypedChoiceField(label=_("Column"), coerce=int, empty_value=None, required=False)
    goal = forms.TypedChoiceField(label=_("Goal"), coerce=int, empty_value=None, required=False)
    group_by = forms.ChoiceField(
        label=_("Group by"), required=False, choices=[("column", _("Column")), ("goal", _("Goal"))]
    )
    problems = forms.BooleanField(label=_("Only rows with problems"), required=False)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [
            ("", _("All teams")),
            *((team.pk, team.name) for team in project.teams.all()),
        ]

        # Read when the form is drawn or checked, not for a click that does neither; once.
        @cache
        def columns() -> list[tuple[Any, str]]:
            shown = Column.objects.open().filter(board__project=project)
            return [
                ("", _("All columns")),
                *(
                    (column.pk, column.display_name)
                    for column in shown.order_by("board", "position")
                ),
            ]

        @cache
        def goals() -> list[tuple[Any, str]]:
            return [
                ("", _("Any goal")),
                *Goal.objects.filter(project=project).order_by("title").values_list("pk", "title"),
            ]

        self.fields["column"].choices = columns
        self.fields["goal"].choices = goals


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
