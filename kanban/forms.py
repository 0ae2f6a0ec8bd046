from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opsboard.accounts.models import User
from opsboard.tenancy.models import Team
from projects.forms import DateInput, members_of
from projects.models import Goal

from .models import Board, Column, ColumnKind, Label, Priority
from .services import Position


class CardForm(forms.Form):
    """A card's fields; the rules (a title, a reason when blocked, people, teams, goals and
    labels of the board) are ``services.card_create`` and ``card_update``'s."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown."),
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=Goal.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput(), required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    labels = forms.ModelMultipleChoiceField(
        label=_("Labels"),
        queryset=Label.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    blocked = forms.BooleanField(label=_("Blocked"), required=False)
    blocked_reason = forms.CharField(label=_("Why it is blocked"), max_length=300, required=False)

    def __init__(self, *args: Any, board: Board, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = board.organization
        self.fields["assignee"].queryset = members_of(organization)
        self.fields["team"].queryset = board.project.teams.order_by("name")
        self.fields["goal"].queryset = Goal.objects.filter(project=board.project).order_by("title")
        self.fields["labels"].queryset = board.labels.all()


class QuickCardForm(forms.Form):
    title = forms.CharField(label=_("New card"), max_length=200)
    column = forms.IntegerField(widget=forms.HiddenInput)


# Ids are PostgreSQL bigints: a larger number is no card or column, not a database error.
LARGEST_ID = 2**63 - 1


class MoveForm(forms.Form):
    column = forms.IntegerField(min_value=1, max_value=LARGEST_ID)
    after = forms.IntegerField(required=False, min_value=1, max_value=LARGEST_ID)
    before = forms.IntegerField(required=False, min_value=1, max_value=LARGEST_ID)
    position = forms.ChoiceField(choices=Position.choices, required=False)


class ColumnForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        required=False,
        help_text=_("Leave empty to use the name of its kind, in each reader's language."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ColumnKind.choices)
    wip_limit = forms.IntegerField(label=_("WIP limit"), min_value=1, max_value=999, required=False)
    wip_hard = forms.BooleanField(label=_("Hard limit"), required=False)

    def __init__(
        self, *args: Any, html_form: str = "", column: Column | None = None, **kwargs: Any
    ) -> None:
        """``html_form``: the id of the <form> the fields belong to when they sit
        outside it, one per table cell (the column settings table). ``column``: the
        column edited; an empty name field shows the name it falls back to."""
        super().__init__(*args, **kwargs)
        self.html_form = html_form
        if column is not None:
            self.fields["name"].widget.attrs["placeholder"] = ColumnKind(column.kind).label
        if html_form:
            for field in self.fields.values():
                field.widget.attrs.update(form=html_form, **{"aria-label": field.label})


class LabelForm(forms.Form):
    name = forms.CharField(label=_("Label"), max_length=40)
    color = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial="#0172ad",
        widget=forms.TextInput(attrs={"type": "color"}),
    )

    def clean_color(self) -> str:
        color = self.cleaned_data["color"]
        if (
            len(color) != 7
            or not color.startswith("#")
            or any(c not in "0123456789abcdefABCDEF" for c in color[1:])
        ):
            raise forms.ValidationError(_("Choose a colour."))
        return color


class BoardLanesForm(forms.Form):
    """How the board is laid out; the cards it shows are kanban.filters.CardFilter's."""

    lanes = forms.ChoiceField(
        label=_("Lanes"),
        required=False,
        choices=[("", _("No lanes")), ("team", _("By team")), ("assignee", _("By assignee"))],
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files from one input, as a list. Their rules (size, kind, name, quota) are
    ``kanban.services.attachment_add``'s, with messages that name the file."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(allow_empty_file=True, **kwargs)

    def clean(self, data: object, initial: object = None) -> list:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError(_("Choose a file to attach."), code="required")
        return [super(FilesField, self).clean(file, initial) for file in files]


class AttachmentForm(forms.Form):
    files = FilesField(label=_("Files"), help_text=_("Or drop files here, or paste an image."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The comment form on the same page has a "files" field too.
        kwargs.setdefault("auto_id", "id_attachment_%s")
        super().__init__(*args, **kwargs)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Markdown.")
    )
    files = FilesField(label=_("Attach files"), required=False)


class ChecklistItemForm(forms.Form):
    text = forms.CharField(label=_("New item"), max_length=200)
