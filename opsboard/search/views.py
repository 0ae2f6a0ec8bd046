from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from opsboard.tenancy.access import organization_view

from . import selectors
from .forms import SearchForm
from .kinds import kinds

TEMPLATE = "search/results.html"


@dataclass(frozen=True)
class Choice:
    """A link of the kind (or state) filter: its label, how many match, whether it is chosen."""

    label: Any
    query: str
    count: int | None
    current: bool


@organization_view
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """The organisation's search: everything (the best few of each kind), or one kind a
    page at a time. htmx asks for the results alone as the person types."""
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"form": form, "searched": False}
    if form.is_valid() and form.terms:
        organization, terms, kind = request.organization, form.terms, form.chosen_kind
        text, state = form.cleaned_data["q"], form.cleaned_data["state"]
        if kind is None:
            groups = selectors.search_everything(organization=organization, terms=terms)
            counts = {group.kind.key: group.total for group in groups}
            context["groups"] = groups
        else:
            counts = selectors.kind_counts(organization=organization, terms=terms)
            context["page"], context["hits"] = selectors.search_page(
                organization=organization,
                terms=terms,
                kind=kind,
                state=state,
                page=request.GET.get("page"),
            )
            context["states"] = (
                [
                    Choice(
                        label,
                        urlencode({"q": text, "kind": kind.key, "state": key}),
                        None,
                        state == key,
                    )
                    for key, label in [("", None), *((k, v[0]) for k, v in kind.states.items())]
                ]
                if kind.states
                else []
            )
            context["page_query"] = urlencode({"q": text, "kind": kind.key, "state": state})
        context["kinds"] = [
            Choice(None, urlencode({"q": text}), sum(counts.values()), kind is None),
            *(
                Choice(
                    each.label,
                    urlencode({"q": text, "kind": each.key}),
                    counts.get(each.key, 0),
                    each == kind,
                )
                for each in kinds()
            ),
        ]
        context.update(searched=True, kind=kind, text=text)
    template = f"{TEMPLATE}#results" if request.htmx and not request.htmx.boosted else TEMPLATE
    return render(request, template, context)
