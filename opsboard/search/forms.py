"""What a search asks: the text, and optionally a kind and a state of that kind. The page
shows a wrong value by its field; the API answers 400 with the same message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import SearchKind, kind_named, kinds
from .text import Term, query_terms

# Longer than anyone types into a search box; a pasted page is refused, not searched.
MAX_QUERY_LENGTH = 200


def _kind_choices() -> list[tuple[str, Any]]:
    return [("", _("Everything")), *((kind.key, kind.label) for kind in kinds())]


def _state_choices() -> list[tuple[str, Any]]:
    choices: dict[str, Any] = {}
    for kind in kinds():
        for key, (label, _condition) in kind.states.items():
            choices.setdefault(key, label)
    return [("", _("Any")), *choices.items()]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _(
                "Search for at most %(limit_value)d characters (this is %(show_value)d)."
            )
        },
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_kind_choices)
    state = forms.ChoiceField(label=_("State"), required=False, choices=_state_choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        state, kind = cleaned.get("state"), self.chosen_kind_of(cleaned)
        if state and (kind is None or state not in kind.states):
            self.add_error("state", _("Choose cards first: only they are open or done."))
        return cleaned

    @staticmethod
    def chosen_kind_of(cleaned: dict[str, Any]) -> SearchKind | None:
        return kind_named(cleaned.get("kind") or "")

    @property
    def chosen_kind(self) -> SearchKind | None:
        return self.chosen_kind_of(self.cleaned_data)

    @property
    def terms(self) -> list[Term]:
        """The terms to look for: none when the text holds no word (only ``%``, quotes…)."""
        return query_terms(self.cleaned_data.get("q") or "")
