"""The forms of request types and requests. They parse what a person typed; the rules are
the services' (``intake.services``), whose errors the views put back beside the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kanban.models import Priority
from opsboard.accounts.models import User
from opsboard.tenancy.models import Membership, Team

from .models import FieldKind, RequestField, RequestType
from .selectors import landing_columns
from .services import FieldInput, field_key


class WorkingTimeWidget(forms.MultiWidget):
    """Hours and minutes, each input named for a screen reader and by its placeholder; the
    field's legend says which target they are."""

    use_fieldset = True

    def __init__(self) -> None:
        super().__init__(
            widgets={
                "hours": forms.NumberInput(
                    attrs={
                        "min": 0,
                        "step": 1,
                        "aria-label": pgettext_lazy("a response target's hours", "hours"),
                        "placeholder": pgettext_lazy("a response target's hours", "hours"),
                    }
                ),
                "minutes": forms.NumberInput(
                    attrs={
                        "min": 0,
                        "max": 59,
                        "step": 1,
                        "aria-label": pgettext_lazy("a response target's minutes", "minutes"),
                        "placeholder": pgettext_lazy("a response target's minutes", "minutes"),
                    }
                ),
            }
        )

    def decompress(self, value: int | None) -> list[int | None]:
        if value is None:
            return [None, None]
        return [value // 60, value % 60]


class WorkingTimeField(forms.MultiValueField):
    """A response target in working hours and minutes, kept in minutes; empty: none."""

    widget = WorkingTimeWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            fields=[
                forms.IntegerField(min_value=0, max_value=10_000, required=False),
                forms.IntegerField(min_value=0, max_value=59, required=False),
            ],
            require_all_fields=False,
            required=False,
            **kwargs,
        )

    def compress(self, data_list: list[int | None]) -> int | None:
        if not data_list or all(value in (None, "") for value in data_list):
            return None
        hours, minutes = (value or 0 for value in data_list)
        total = hours * 60 + minutes
        if total == 0:
            raise ValidationError(_("A target is at least one minute; leave it empty for none."))
        return total


def member_choices(organization_id: int) -> list[tuple[Any, str]]:
    people = User.objects.filter(memberships__organization_id=organization_id).order_by(
        "full_name", "email"
    )
    return [("", "—"), *((person.pk, person.display_name) for person in people)]


class RequestTypeForm(forms.Form):
    team = forms.TypedChoiceField(label=_("Team"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown above the form. Markdown."),
    )
    column = forms.TypedChoiceField(
        label=_("Where requests land"),
        coerce=int,
        help_text=_("A column of a board of a project the team takes part in."),
    )
    priority = forms.TypedChoiceField(
        label=_("Default priority"), coerce=int, choices=Priority.choices, initial=Priority.NORMAL
    )
    first_response_minutes = WorkingTimeField(label=_("First response within (working time)"))
    plan_minutes = WorkingTimeField(
        label=_("Plan within (working time)"),
        help_text=_("A plan is an owner and a due date on the request's card."),
    )
    resolution_minutes = WorkingTimeField(label=_("Resolution within (working time)"))
    responsible = forms.TypedChoiceField(
        label=_("Responsible"), coerce=int, empty_value=None, required=False
    )
    accountable = forms.TypedChoiceField(
        label=_("Accountable"), coerce=int, empty_value=None, required=False
    )
    accepting = forms.BooleanField(label=_("Accepting requests"), required=False, initial=True)

    def __init__(self, *args: Any, membership: Membership, teams: list[Team], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(team.pk, team.name) for team in teams]
        grouped: dict[str, list[tuple[int, str]]] = {}
        for column in landing_columns(organization_id=membership.organization_id):
            board = column.board
            group = f"{board.project.name} · {board.name}"
            grouped.setdefault(group, []).append((column.pk, column.display_name))
        self.fields["column"].choices = [("", "—"), *grouped.items()]
        people = member_choices(membership.organization_id)
        self.fields["responsible"].choices = people
        self.fields["accountable"].choices = people

    @staticmethod
    def initial_for(request_type: RequestType) -> dict[str, Any]:
        return {
            "team": request_type.team_id,
            "name": request_type.name,
            "description": request_type.description,
            "column": request_type.column_id,
            "priority": request_type.priority,
            "first_response_minutes": request_type.first_response_minutes,
            "plan_minutes": request_type.plan_minutes,
            "resolution_minutes": request_type.resolution_minutes,
            "responsible": request_type.responsible_id,
            "accountable": request_type.accountable_id,
            "accepting": request_type.accepting,
        }


class QuestionForm(forms.Form):
    """One question of a type's form, a row of the questions' formset."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Question"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Answer"), choices=FieldKind.choices, initial=FieldKind.TEXT)
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a choice: one option a line."),
    )
    help_text = forms.CharField(label=_("Help text"), max_length=200, required=False)

    @staticmethod
    def initial_for(question: RequestField) -> dict[str, Any]:
        return {
            "id": question.pk,
            "label": question.label,
            "kind": question.kind,
            "required": question.required,
            "choices": "\n".join(question.choices),
            "help_text": question.help_text,
        }

    def as_input(self) -> FieldInput | None:
        """The question as the services take it; None for an empty extra row."""
        data = self.cleaned_data
        if not data.get("label", "").strip() and not data.get("id") and not data.get("choices"):
            return None
        return FieldInput(
            id=data.get("id"),
            label=data.get("label", ""),
            kind=data.get("kind", ""),
            required=bool(data.get("required")),
            choices=data.get("choices", "").splitlines(),
            help_text=data.get("help_text", ""),
        )


QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=2, can_delete=True, can_order=True, max_num=30, validate_max=True
)


def questions_in_order(formset: forms.BaseFormSet) -> list[FieldInput]:
    """The formset's questions as the services take them: the numbered rows in their
    order, then the others as they stand; deleted and empty rows left out."""
    ordered = list(formset.ordered_forms)
    rest = [form for form in formset.forms if form not in ordered]
    questions = []
    for form in ordered + rest:
        if formset._should_delete_form(form):
            continue
        question = form.as_input()
        if question is not None:
            questions.append(question)
    return questions


class RequestForm(forms.Form):
    """The form a requester fills: a title, then the type's questions. Every field is
    optional here: which are required, and what an answer may be, is the services' rule
    (``request_submit``), so the page and the API say the same. ``asked`` marks the
    required ones for the page."""

    title = forms.CharField(
        label=_("What do you need?"),
        required=False,
        help_text=_("In a few words: it becomes the card's title."),
    )

    def __init__(self, *args: Any, request_type: RequestType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].asked = True
        for question in request_type.fields.all():
            made = self._field_for(question)
            made.label = question.label
            made.help_text = question.help_text
            made.asked = question.required
            self.fields[field_key(question)] = made

    @staticmethod
    def _field_for(question: RequestField) -> forms.Field:
        if question.kind == FieldKind.LONG_TEXT:
            return forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
        if question.kind == FieldKind.NUMBER:
            return forms.CharField(required=False, widget=forms.NumberInput(attrs={"step": "any"}))
        if question.kind == FieldKind.DATE:
            return forms.CharField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
        if question.kind == FieldKind.CHOICE:
            return forms.CharField(
                required=False,
                widget=forms.Select(choices=[("", "—"), *((c, c) for c in question.choices)]),
            )
        if question.kind == FieldKind.FILE:
            return forms.FileField(required=False, allow_empty_file=True)
        return forms.CharField(required=False)

    def answers(self) -> dict[str, object]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "title" and not hasattr(value, "read")
        }

    def files_given(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if hasattr(value, "read")}


class ConfirmForm(forms.Form):
    """Confirming asks nothing: the button is the answer."""


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still missing?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Written on the card as a comment."),
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        help_text=_("1: not at all, 5: very."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def put_errors(form: forms.Form, error: ValidationError, rename: dict[str, str] | None = None):
    """A service's ValidationError beside the form's fields (renamed as ``rename`` says;
    a field the form lacks goes on top)."""
    rename = rename or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        name = rename.get(name, name)
        form.add_error(name if name in form.fields else None, errors)
